"""The check every request passes before its handler: values no field of the API may hold.

It walks any message by its descriptor and names each bad field by its path as the API spells
it (`booking.start_time`, `moves[2].table_ids[0]`): a Timestamp outside years 0001..9999 or with
nanos outside 0..999,999,999; a Duration outside the protobuf range (about ±10,000 years) or
with nanos of the wrong sign or size; a NaN or infinite float or double; an enum number the
contract does not define; U+0000 in a string; a string longer than `MAX_STRING` characters;
a repeated field or map longer than `MAX_REPEATED`. Services add the limits of their own
fields (ids, party sizes, windows) on top.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from typing import Any

from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

from shared.domain_errors import FieldViolation

MAX_STRING = 1_000
MAX_REPEATED = 10_000

# google.protobuf.Timestamp: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
MIN_TIMESTAMP_SECONDS = -62_135_596_800
MAX_TIMESTAMP_SECONDS = 253_402_300_799
# google.protobuf.Duration: ±10,000 years.
MAX_DURATION_SECONDS = 315_576_000_000
MAX_NANOS = 999_999_999

TIMESTAMP = "google.protobuf.Timestamp"
DURATION = "google.protobuf.Duration"
FLOATS = (FieldDescriptor.CPPTYPE_FLOAT, FieldDescriptor.CPPTYPE_DOUBLE)


def request_violations(message: Message) -> list[FieldViolation]:
    """Every value of `message` that no field may hold; empty when it is clean."""
    found: list[FieldViolation] = []
    _message(message, "", found)
    return found


def _message(message: Any, path: str, found: list[FieldViolation]) -> None:
    name = message.DESCRIPTOR.full_name
    if name == TIMESTAMP:
        found.extend(_timestamp(message, path))
    elif name == DURATION:
        found.extend(_duration(message, path))
    else:
        for field, value in message.ListFields():
            _field(field, value, f"{path}.{field.name}" if path else field.name, found)


def _field(field: FieldDescriptor, value: Any, path: str, found: list[FieldViolation]) -> None:
    if not field.is_repeated:
        _value(field, value, path, found)
    elif len(value) > MAX_REPEATED:
        found.append(FieldViolation(path, "field.too_many", {"max": MAX_REPEATED}))
    elif _is_map(field):
        key_field, value_field = field.message_type.fields
        for key, item in value.items():
            _value(key_field, key, path, found)
            _value(value_field, item, f"{path}[{key}]", found)
    else:
        for index, item in enumerate(value):
            _value(field, item, f"{path}[{index}]", found)


def _value(field: FieldDescriptor, value: Any, path: str, found: list[FieldViolation]) -> None:
    kind = field.cpp_type
    if kind == FieldDescriptor.CPPTYPE_MESSAGE:
        _message(value, path, found)
    elif kind == FieldDescriptor.CPPTYPE_STRING and field.type == FieldDescriptor.TYPE_STRING:
        if len(value) > MAX_STRING:
            found.append(FieldViolation(path, "field.too_long", {"max": MAX_STRING}))
        elif "\x00" in value:
            found.append(FieldViolation(path, "field.nul_character"))
    elif kind in FLOATS and not math.isfinite(value):
        found.append(FieldViolation(path, "field.not_finite"))
    elif kind == FieldDescriptor.CPPTYPE_ENUM and value not in _numbers(field.enum_type):
        found.append(FieldViolation(path, "field.unknown_enum_value"))


@functools.cache
def _numbers(enum: EnumDescriptor) -> frozenset[int]:
    return frozenset(number.number for number in enum.values)


@functools.cache
def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _timestamp(message: Any, path: str) -> Iterator[FieldViolation]:
    seconds_ok = MIN_TIMESTAMP_SECONDS <= message.seconds <= MAX_TIMESTAMP_SECONDS
    if not seconds_ok or not 0 <= message.nanos <= MAX_NANOS:
        yield FieldViolation(
            path,
            "field.out_of_range",
            {"min": "0001-01-01T00:00:00Z", "max": "9999-12-31T23:59:59.999999999Z"},
        )


def _duration(message: Any, path: str) -> Iterator[FieldViolation]:
    seconds, nanos = message.seconds, message.nanos
    in_range = abs(seconds) <= MAX_DURATION_SECONDS and abs(nanos) <= MAX_NANOS
    same_sign = seconds == 0 or nanos == 0 or (seconds > 0) == (nanos > 0)
    if not (in_range and same_sign):
        yield FieldViolation(
            path,
            "field.out_of_range",
            {"min": f"-{MAX_DURATION_SECONDS}s", "max": f"{MAX_DURATION_SECONDS}s"},
        )
