"""Seeded, pure generator of restaurant floors and booking days for benchmarks and tests.

Nothing here does I/O or reads a clock: the same arguments give the same floor and the same
day, so a benchmark run, a test and the optimizer benchmark can all share one restaurant.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

Load = Literal["low", "medium", "high"]

# Table size -> (min_seats, max_seats).
SEATS = {2: (1, 2), 4: (2, 4), 6: (4, 6), 8: (6, 8)}
# The share of each table size on a floor: dominated by 2- and 4-tops.
TABLE_MIX = ((2, 0.45), (4, 0.38), (6, 0.11), (8, 0.06))
NOT_COMBINABLE_SHARE = 0.15  # booths and fixed tables
ZONE_TARGET = 16  # tables per zone at most; zones end up with 10-16 tables for 20-100 tables
ROW_LENGTHS = (4, 5, 6)
ZONE_NAMES = ("Main room", "Terrace", "Bar", "Garden", "Mezzanine", "Window", "Cellar", "Loft")

# Party size -> weight (per cent): dominated by 2s and 4s.
PARTY_MIX = (
    (1, 5.0),
    (2, 40.0),
    (3, 12.0),
    (4, 25.0),
    (5, 6.0),
    (6, 7.0),
    (7, 2.0),
    (8, 2.0),
    (9, 0.25),
    (10, 0.25),
    (11, 0.25),
    (12, 0.25),
)
MAX_PARTY_SIZE = 12
# (min_party, max_party, minutes): how long a party keeps its tables.
TURN_BANDS = ((1, 2, 90), (3, 4, 105), (5, 6, 120), (7, MAX_PARTY_SIZE, 150))
SLOT_MINUTES = 15
BUFFER_MINUTES = 15
# Bookings made per table for the day. A table turns about twice at lunch and three times at
# dinner, and the demand peaks, so first-fit seats about 3.3 per table: medium and high days
# are overbooked, and the seeder decides what becomes of what fits nowhere.
LOAD_FACTOR: dict[str, int] = {"low": 4, "medium": 7, "high": 10}
# The state a booking is meant to be in, and its weight: a few still wait for tables.
STATE_MIX = (
    ("CONFIRMED", 85.0),
    ("ASSIGNED", 12.0),
    ("ASSIGNMENT_PENDING", 1.5),
    ("MANUAL_REVIEW", 1.5),
)
WAITING_STATES = frozenset({"ASSIGNMENT_PENDING", "MANUAL_REVIEW"})


@dataclass(frozen=True)
class Service:
    """A service period: bookings start from first to last seating, both included."""

    name: str
    first_seating: time
    last_seating: time
    share: float  # of the day's bookings
    weights: tuple[float, ...]  # per 15-minute start, first to last seating

    def starts(self) -> list[time]:
        first = datetime.combine(date(2000, 1, 1), self.first_seating)
        return [
            (first + timedelta(minutes=SLOT_MINUTES * n)).time() for n in range(len(self.weights))
        ]


SERVICES = (
    Service("lunch", time(12, 0), time(14, 30), 0.3, (6, 7, 10, 10, 9, 7, 5, 3, 2, 1, 1)),
    # Dinner peaks between 19:00 and 20:00.
    Service(
        "dinner",
        time(17, 30),
        time(22, 0),
        0.7,
        (2, 2, 4, 4, 6, 7, 10, 10, 11, 10, 9, 7, 6, 5, 4, 3, 2, 1, 1),
    ),
)


@dataclass(frozen=True)
class GeneratedZone:
    """An area of the floor."""

    zone_id: str
    name: str
    sort_order: int


@dataclass(frozen=True)
class GeneratedTable:
    """A table, where it stands (zone, row, position in the row) and what it seats."""

    table_id: str
    zone_id: str
    name: str
    min_seats: int
    max_seats: int
    combinable: bool
    row: int
    position: int


@dataclass(frozen=True)
class GeneratedFloor:
    """A venue's tables; ids (t001, z1) are unique within the venue, as in the database."""

    seed: int
    zones: tuple[GeneratedZone, ...]
    tables: tuple[GeneratedTable, ...]
    adjacency: tuple[tuple[str, str], ...]  # (a, b) with a < b: tables side by side in a row


@dataclass(frozen=True)
class GeneratedBooking:
    """One booking of a day, in the order the bookings were made.

    `state` is the state the day means the booking to be in; a seeder that finds no free
    table for a booking meant to have tables may send it to MANUAL_REVIEW instead.
    """

    key: str
    party_size: int
    start: datetime
    end: datetime  # start plus the turn time
    blocked_until: datetime  # end plus the cleaning buffer
    service: str
    state: str


def turn_minutes(party_size: int) -> int:
    """The turn time of a party, in minutes."""
    for low, high, minutes in TURN_BANDS:
        if low <= party_size <= high:
            return minutes
    raise ValueError(f"no turn time for a party of {party_size}")


def _counts(total: int, mix: tuple[tuple[int, float], ...]) -> list[int]:
    """`total` split by the mix's shares, largest remainders first, so it sums exactly."""
    raw = [total * share for _, share in mix]
    counts = [math.floor(value) for value in raw]
    by_remainder = sorted(range(len(mix)), key=lambda i: raw[i] - counts[i], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def _rows(zone_size: int, rng: random.Random) -> list[int]:
    lengths: list[int] = []
    while sum(lengths) < zone_size:
        lengths.append(min(rng.choice(ROW_LENGTHS), zone_size - sum(lengths)))
    return lengths


def _zone_name(index: int) -> str:
    name = ZONE_NAMES[index % len(ZONE_NAMES)]
    return name if index < len(ZONE_NAMES) else f"{name} {index // len(ZONE_NAMES) + 1}"


def make_floor(tables: int, seed: int) -> GeneratedFloor:
    """A floor of `tables` tables in zones of rows; neighbours in a row are adjacent."""
    if tables < 1:
        raise ValueError("a floor needs at least one table")
    rng = random.Random(seed)
    sizes = [
        size
        for (size, _), n in zip(TABLE_MIX, _counts(tables, TABLE_MIX), strict=True)
        for _ in range(n)
    ]
    rng.shuffle(sizes)
    zone_sizes = _split(tables, math.ceil(tables / ZONE_TARGET))
    zones: list[GeneratedZone] = []
    made: list[GeneratedTable] = []
    edges: list[tuple[str, str]] = []
    for zone_index, zone_size in enumerate(zone_sizes):
        zone = GeneratedZone(f"z{zone_index + 1}", _zone_name(zone_index), zone_index)
        zones.append(zone)
        for row, length in enumerate(_rows(zone_size, rng)):
            # A row keeps like with like (a banquette of 2-tops, then the 4-tops).
            row_sizes = sorted(sizes[len(made) : len(made) + length])
            previous: GeneratedTable | None = None
            for position, size in enumerate(row_sizes):
                number = len(made) + 1
                low, high = SEATS[size]
                table = GeneratedTable(
                    f"t{number:03d}",
                    zone.zone_id,
                    f"T{number:03d}",
                    low,
                    high,
                    rng.random() >= NOT_COMBINABLE_SHARE,
                    row,
                    position,
                )
                made.append(table)
                if previous is not None:
                    edges.append((previous.table_id, table.table_id))
                previous = table
    return GeneratedFloor(seed, tuple(zones), tuple(made), tuple(edges))


def _pick(rng: random.Random, values: list[int], weights: list[float]) -> int:
    return rng.choices(values, weights=weights)[0]


def make_day(
    floor: GeneratedFloor, load: Load, seed: int, day: date, tz: tzinfo
) -> list[GeneratedBooking]:
    """The bookings of one day at `floor`, in the order they were made.

    About LOAD_FACTOR[load] bookings per table, over a lunch and a dinner service, on the
    15-minute grid with a dinner peak at 19:00-20:00.
    """
    rng = random.Random(seed)
    count = LOAD_FACTOR[load] * len(floor.tables)
    parties = [size for size, _ in PARTY_MIX]
    party_weights = [weight for _, weight in PARTY_MIX]
    states = [name for name, _ in STATE_MIX]
    state_weights = [weight for _, weight in STATE_MIX]
    made: list[GeneratedBooking] = []
    for index in range(count):
        service = SERVICES[0] if rng.random() < SERVICES[0].share else SERVICES[1]
        starts = service.starts()
        start_time = starts[_pick(rng, list(range(len(starts))), list(service.weights))]
        party = _pick(rng, parties, party_weights)
        start = datetime.combine(day, start_time, tz)
        end = start + timedelta(minutes=turn_minutes(party))
        made.append(
            GeneratedBooking(
                key=f"b{index + 1:04d}",
                party_size=party,
                start=start,
                end=end,
                blocked_until=end + timedelta(minutes=BUFFER_MINUTES),
                service=service.name,
                state=rng.choices(states, weights=state_weights)[0],
            )
        )
    return made
