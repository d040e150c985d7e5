"""Values for one protobuf field: plausible ones that reach deep into a handler, and edge ones."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.descriptor import FieldDescriptor

from services.availability.adapters.demo_venue import DEMO_VENUE_ID
from tests.fuzz.tokens import OTHER_VENUE

F = FieldDescriptor
INT_RANGES = {
    F.TYPE_INT32: (-(2**31), 2**31 - 1), F.TYPE_SINT32: (-(2**31), 2**31 - 1),
    F.TYPE_SFIXED32: (-(2**31), 2**31 - 1), F.TYPE_INT64: (-(2**63), 2**63 - 1),
    F.TYPE_SINT64: (-(2**63), 2**63 - 1), F.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    F.TYPE_UINT32: (0, 2**32 - 1), F.TYPE_FIXED32: (0, 2**32 - 1),
    F.TYPE_UINT64: (0, 2**64 - 1), F.TYPE_FIXED64: (0, 2**64 - 1),
}  # fmt: skip
FLOATS = (math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, -1e308, 5e-324, 3.4e38, -1.0, 1e9)
STRINGS = (
    "", " ", "\x00", "demo\x00bistro", "a" * 256, "a" * 10_000, "é" * 5_000, "Café ☕ 𝄞",
    "مرحبا", "\u202etxet", "\ufeff", "\ud7ff\ue000", "'; DROP TABLE bookings; --", "%s%n%x",
    "../../etc/passwd", "{venue:x}", "*", "\n\r\t", "null", "0", "-1", "9" * 40,
    "2026-02-30", "9999-12-31", "0001-01-01", "10000-01-01", "2026-13-01", "T19:30",
)  # fmt: skip
# Timestamps: the protobuf range is 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
TIMESTAMP_SECONDS = (
    -62135596800, -62135596801, 253402300799, 253402300800, 0, -1, 2**63 - 1, -(2**63),
    2**31, 4102444800,
)  # fmt: skip
NANOS = (0, 999_999_999, 1_000_000_000, -1, -(2**31), 2**31 - 1, 500_000_000)
DURATION_SECONDS = (
    0, 1, -1, 59, -60, 86_400, 315_576_000_000, 315_576_000_001, -315_576_000_001, 2**63 - 1,
    -(2**63),
)  # fmt: skip
DEMO_TABLES = (
    *(f"demo-m{n:02d}" for n in range(1, 16)), *(f"demo-t{n:02d}" for n in range(1, 8)),
    "demo-b01", "demo-b02",
)  # fmt: skip
DEMO_ZONES = ("demo-main", "demo-terrace", "demo-bar")


class Pool:
    """Ids the services handed out (booking, hold, plan, ...), by field name, for later calls."""

    def __init__(self) -> None:
        self.ids: defaultdict[str, list[str]] = defaultdict(list)
        self.ids["table_id"].extend(DEMO_TABLES)
        self.ids["zone_id"].extend(DEMO_ZONES)
        self.ids["venue_id"].extend([DEMO_VENUE_ID] * 8 + [OTHER_VENUE])

    def remember(self, name: str, value: str) -> None:
        known = self.ids[name]
        if value and value not in known and len(known) < 500:
            known.append(value)

    def pick(self, rng: random.Random, name: str) -> str | None:
        known = self.ids.get(name)
        return rng.choice(known) if known else None


def dinner(rng: random.Random) -> datetime:
    """A start time a guest might ask for: 17:00-22:45 UTC within the coming week."""
    day = datetime.now(UTC).date() + timedelta(days=rng.randint(0, 7))
    minutes = rng.randrange(17 * 60, 23 * 60, 15)
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes)


def edge_scalar(rng: random.Random, field: FieldDescriptor) -> Any:
    """An extreme value of the field's type: limits, NaN, NUL, huge strings, unknown enums."""
    kind = field.type
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        return rng.choice((low, high, 0, 1, -1 if low < 0 else 2, high // 2))
    if kind in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        value = rng.choice(FLOATS)
        return value if kind == F.TYPE_DOUBLE or not math.isfinite(value) else min(value, 3e38)
    if kind == F.TYPE_BOOL:
        return rng.random() < 0.5
    if kind == F.TYPE_STRING:
        return rng.choice(STRINGS)
    if kind == F.TYPE_BYTES:
        return rng.randbytes(rng.choice((0, 1, 64, 4096)))
    if kind == F.TYPE_ENUM:
        numbers = [value.number for value in field.enum_type.values]
        return rng.choice([*numbers, 0, max(numbers) + 1, 99, -1, 2**31 - 1, -(2**31)])
    raise AssertionError(f"no edge values for field type {kind}")


def plausible_scalar(rng: random.Random, field: FieldDescriptor, pool: Pool) -> Any:
    """A value a real caller might send, chosen by the field's name where it says what it holds."""
    name, kind = field.name, field.type
    if kind == F.TYPE_STRING:
        key = name[:-1] if name.endswith("_ids") else name
        known = pool.pick(rng, key)
        if known is not None:
            return known
        if name.endswith("date"):
            return dinner(rng).date().isoformat()
        if name == "timezone":
            return rng.choice(("Europe/London", "UTC", "Mars/Olympus"))
        return f"fuzz-{rng.getrandbits(32):08x}"
    if kind == F.TYPE_ENUM:
        return rng.choice([value.number for value in field.enum_type.values])
    if kind == F.TYPE_BOOL:
        return rng.random() < 0.3
    if kind in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        return rng.choice((0.0, 0.1, 0.5, 1.0, 2.0, 10.0))
    if "version" in name:
        return rng.randint(0, 6)
    if "party" in name or "seats" in name or "covers" in name:
        return rng.randint(1, 12)
    return rng.choice((0, 1, 2, 5, 10, 50, 100))
