"""Request messages built from their descriptors: plausible, some edge values, or all edges."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from tests.fuzz.values import (
    DURATION_SECONDS,
    NANOS,
    TIMESTAMP_SECONDS,
    Pool,
    dinner,
    edge_scalar,
    plausible_scalar,
)

MAX_DEPTH = 4


def build(
    rng: random.Random, message: Message, pool: Pool, *, edge_rate: float, depth: int = 0
) -> Message:
    """Fill `message` in place: each field plausible, or an edge value with `edge_rate`."""
    kind = message.DESCRIPTOR.full_name
    if kind == "google.protobuf.Timestamp":
        _timestamp(rng, message, edge=rng.random() < edge_rate)
        return message
    if kind == "google.protobuf.Duration":
        _duration(rng, message, edge=rng.random() < edge_rate)
        return message
    if kind.endswith(".TimeWindow") and rng.random() >= edge_rate:
        start = dinner(rng)
        message.start_time.FromDatetime(start)  # type: ignore[attr-defined]
        hours = rng.choice((1, 2, 2, 6, 24))
        message.end_time.FromDatetime(start + timedelta(hours=hours))  # type: ignore[attr-defined]
        return message
    for field in message.DESCRIPTOR.fields:
        if rng.random() < 0.15:
            continue  # left at its default, as callers often do
        _fill_field(rng, message, field, pool, edge_rate=edge_rate, depth=depth)
    return message


def _fill_field(
    rng: random.Random,
    message: Message,
    field: FieldDescriptor,
    pool: Pool,
    *,
    edge_rate: float,
    depth: int,
) -> None:
    edge = rng.random() < edge_rate
    is_message = field.type == FieldDescriptor.TYPE_MESSAGE
    if field.is_repeated:
        count = rng.choice((0, 1, 1, 2, 3))
        if edge:
            count = rng.choice((0, 40, 200) if is_message else (0, 100, 5000))
        container: Any = getattr(message, field.name)
        for _ in range(count):
            if is_message:
                if depth < MAX_DEPTH:
                    build(rng, container.add(), pool, edge_rate=edge_rate, depth=depth + 1)
            else:
                container.append(_scalar(rng, field, pool, edge=edge and rng.random() < 0.5))
        return
    if is_message:
        if depth < MAX_DEPTH:
            child = getattr(message, field.name)
            build(rng, child, pool, edge_rate=edge_rate, depth=depth + 1)
            child.SetInParent()
        return
    setattr(message, field.name, _scalar(rng, field, pool, edge=edge))


def _scalar(rng: random.Random, field: FieldDescriptor, pool: Pool, *, edge: bool) -> Any:
    return edge_scalar(rng, field) if edge else plausible_scalar(rng, field, pool)


def _timestamp(rng: random.Random, stamp: Any, *, edge: bool) -> None:
    if edge:
        stamp.seconds = rng.choice(TIMESTAMP_SECONDS)
        stamp.nanos = rng.choice(NANOS)
    else:
        stamp.FromDatetime(dinner(rng))


def _duration(rng: random.Random, duration: Any, *, edge: bool) -> None:
    if edge:
        duration.seconds = rng.choice(DURATION_SECONDS)
        duration.nanos = rng.choice(NANOS)
    else:
        duration.seconds = rng.choice((0, 5, 15, 30, 90, 120)) * 60


def strings_of(message: Message) -> list[str]:
    """Every string a message holds, nested ones included (an answer may echo them)."""
    found: list[str] = []
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for item in values:
            if isinstance(item, str):
                found.append(item)
            elif isinstance(item, Message):
                found.extend(strings_of(item))
    return found


def ids_of(message: Message) -> list[tuple[str, str]]:
    """The (field name, value) of every `*_id` string in a message, nested ones included."""
    found: list[tuple[str, str]] = []
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        name = field.name[:-1] if field.name.endswith("_ids") else field.name
        for item in values:
            if isinstance(item, str) and name.endswith("_id"):
                found.append((name, item))
            elif isinstance(item, Message):
                found.extend(ids_of(item))
    return found
