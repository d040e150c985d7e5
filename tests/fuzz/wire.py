"""Request bytes no client library would send: random, truncated, wrong wire types, bad UTF-8."""

from __future__ import annotations

import random

from google.protobuf.descriptor import Descriptor, FieldDescriptor

VARINT, FIXED64, LENGTH, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def tag(number: int, wire_type: int) -> bytes:
    return varint((number << 3) | wire_type)


def _field_number(rng: random.Random, descriptor: Descriptor) -> int:
    numbers = [field.number for field in descriptor.fields] or [1]
    return rng.choice([*numbers, 1, 15, 16, 2**29 - 1])


def _wrong_type(rng: random.Random, descriptor: Descriptor) -> bytes:
    """A known field sent with a wire type its declaration does not use."""
    if not descriptor.fields:
        return tag(1, VARINT) + varint(1)
    field = rng.choice(list(descriptor.fields))
    is_length = field.type in (
        FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES, FieldDescriptor.TYPE_MESSAGE,
    )  # fmt: skip
    if is_length or field.is_repeated:
        return tag(field.number, rng.choice((VARINT, FIXED64, FIXED32))) + b"\x07" * 8
    return tag(field.number, LENGTH) + varint(5) + b"\xff\x00abc"


def _bad_utf8(rng: random.Random, descriptor: Descriptor) -> bytes:
    """Invalid UTF-8 in a string field, top level or inside a message field."""
    text = rng.choice(
        (b"\xff\xfe", b"ok\xc3", b"\xed\xa0\x80", b"\x80abc", b"\xf8\x88\x80\x80\x80")
    )
    strings = [f for f in descriptor.fields if f.type == FieldDescriptor.TYPE_STRING]
    if strings:
        return tag(rng.choice(strings).number, LENGTH) + varint(len(text)) + text
    nested = [f for f in descriptor.fields if f.type == FieldDescriptor.TYPE_MESSAGE]
    for field in nested:
        inner = [f for f in field.message_type.fields if f.type == FieldDescriptor.TYPE_STRING]
        if inner:
            body = tag(inner[0].number, LENGTH) + varint(len(text)) + text
            return tag(field.number, LENGTH) + varint(len(body)) + body
    return tag(1, LENGTH) + varint(len(text)) + text


def _deep_groups(rng: random.Random, descriptor: Descriptor) -> bytes:
    """Unknown groups nested thousands deep: a parser that recurses runs out of stack."""
    depth = rng.choice((101, 1000, 20_000))
    return tag(999, START_GROUP) * depth + tag(999, END_GROUP) * depth


def _deep_messages(rng: random.Random, descriptor: Descriptor) -> bytes:
    """A message field holding itself, level under level."""
    number = _field_number(rng, descriptor)
    body = b""
    for _ in range(rng.choice((50, 200, 2000))):
        body = tag(number, LENGTH) + varint(len(body)) + body
    return body


def mangle(rng: random.Random, descriptor: Descriptor, valid: bytes) -> tuple[str, bytes]:
    """One wire-level corruption of `valid` (a serialized request): its name and the bytes."""
    choice = rng.randrange(9)
    if choice == 0:
        return "random bytes", rng.randbytes(rng.choice((1, 3, 17, 200, 5000)))
    if choice == 1 and valid:
        return "truncated", valid[: rng.randrange(len(valid))]
    if choice == 2 and valid:
        flipped = bytearray(valid)
        for _ in range(rng.randint(1, 4)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        return "flipped bytes", bytes(flipped)
    if choice == 3:
        return "wrong wire type", valid + _wrong_type(rng, descriptor)
    if choice == 4:
        return "invalid UTF-8", valid + _bad_utf8(rng, descriptor)
    if choice == 5:
        return "deep groups", valid + _deep_groups(rng, descriptor)
    if choice == 6:
        return "deep messages", valid + _deep_messages(rng, descriptor)
    if choice == 7:
        huge = tag(_field_number(rng, descriptor), LENGTH) + varint(2**31) + b"abc"
        return "length past the end", valid + huge
    return "unknown fields", valid + tag(2**29 - 1, VARINT) + varint(2**64 - 1)
