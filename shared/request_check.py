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

import math
from collections.abc import Iterator
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
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
    return list(_message(message, ""))


def _message(message: Message, path: str) -> Iterator[FieldViolation]:
    name = message.DESCRIPTOR.full_name
    if name == TIMESTAMP:
        yield from _timestamp(message, path)
        return
    if name == DURATION:
        yield from _duration(message, path)
        return
    for field, value in message.ListFields():
        yield from _field(field, value, f"{path}.{field.name}" if path else field.name)


def _field(field: FieldDescriptor, value: Any, path: str) -> Iterator[FieldViolation]:
    if field.is_repeated:
        if len(value) > MAX_REPEATED:
            yield FieldViolation(path, "field.too_many", {"max": MAX_REPEATED})
            return
        if _is_map(field.message_type):
            value_field = field.message_type.fields_by_name["value"]
            for key, item in value.items():
                yield from _scalar_or_message(field.message_type.fields_by_name["key"], key, path)
                yield from _scalar_or_message(value_field, item, f"{path}[{key}]")
            return
        for index, item in enumerate(value):
            yield from _scalar_or_message(field, item, f"{path}[{index}]")
        return
    yield from _scalar_or_message(field, value, path)


def _scalar_or_message(field: FieldDescriptor, value: Any, path: str) -> Iterator[FieldViolation]:
    if field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        yield from _message(value, path)
    elif field.cpp_type == FieldDescriptor.CPPTYPE_STRING and field.type == field.TYPE_STRING:
        if len(value) > MAX_STRING:
            yield FieldViolation(path, "field.too_long", {"max": MAX_STRING})
        elif "\x00" in value:
            yield FieldViolation(path, "field.nul_character")
    elif field.cpp_type in FLOATS and not math.isfinite(value):
        yield FieldViolation(path, "field.not_finite")
    elif field.cpp_type == FieldDescriptor.CPPTYPE_ENUM and value not in _numbers(field):
        yield FieldViolation(path, "field.unknown_enum_value")


def _numbers(field: FieldDescriptor) -> set[int]:
    return {number.number for number in field.enum_type.values}


def _is_map(descriptor: Descriptor | None) -> bool:
    return descriptor is not None and descriptor.GetOptions().map_entry


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
