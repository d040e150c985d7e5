"""A venue's day as the engine reads it, in one statement: policy, floor, busy tables, waiting
bookings, history and the booking's own assignment (it was six round trips per try)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assigner.adapters.read_only_tables import venue_policies
from services.assigner.domain.booking import BookingState
from services.assigner.domain.plans import SuccessCounts, TableInfo, UpcomingBooking
from services.assigner.domain.strategies import HistoryKey
from shared.seating.knobs import SeatingKnobs

# Bookings that still wait for tables: the look-ahead's demand.
WAITING = (
    BookingState.CAPACITY_VERIFIED,
    BookingState.ASSIGNMENT_PENDING,
    BookingState.ASSIGNMENT_IN_PROGRESS,
    BookingState.MANUAL_REVIEW,
)
# The policy columns the assigner declares (read_only_tables), and only those.
POLICY_COLUMNS = tuple(c.name for c in venue_policies.columns if c.name != "venue_id")
_WAITING_SQL = ", ".join(f"'{state.value}'" for state in WAITING)
DEFAULT_HORIZON = SeatingKnobs().look_ahead_horizon  # a venue without a policy row
_POLICY_SQL = ", ".join(f"p.{name}" for name in POLICY_COLUMNS)

# Every part reads the statement's one snapshot. The window is [start, end) widened by the
# venue's look-ahead horizon (the default one without a policy row). Arrays come back typed.
DAY = text(
    f"""
    SELECT
        v.timezone, {_POLICY_SQL},
        w.window_start, w.window_end,
        CAST(json_build_array(f.tables, f.edges, f.turns, f.zone_order) AS text) AS floor,
        b.busy_tables, b.busy_starts, b.busy_ends, b.expired_holds,
        u.waiting_ids, u.waiting_parties, u.waiting_starts, u.waiting_ends,
        h.history_keys, h.history_bands, h.history_hours, h.history_successes,
        h.history_failures,
        (SELECT o.group_id FROM allocations o
            WHERE o.booking_id = CAST(:excluding AS uuid) AND o.kind = 'ASSIGNMENT'
                AND o.release_time IS NULL
            LIMIT 1) AS own_group
    FROM venues v
    LEFT JOIN venue_policies p ON p.venue_id = v.venue_id
    CROSS JOIN LATERAL (
        SELECT
            CAST(:start AS timestamptz) - coalesce(
                make_interval(mins => p.look_ahead_horizon_minutes),
                CAST(:horizon AS interval)) AS window_start,
            -- at least as far as the write takes the tables (its end plus the cleaning
            -- buffer), so an expired hold there is seen and released, not a conflict
            CAST(:end AS timestamptz) + greatest(
                coalesce(make_interval(mins => p.look_ahead_horizon_minutes),
                    CAST(:horizon AS interval)),
                make_interval(mins => coalesce(p.cleaning_buffer_minutes, 0))) AS window_end
    ) w
    CROSS JOIN LATERAL (
        SELECT
            (SELECT coalesce(json_agg(json_build_array(t.table_id, t.zone_id, t.min_seats,
                    t.max_seats, t.combinable) ORDER BY t.table_id), '[]')
                FROM dining_tables t WHERE t.venue_id = v.venue_id AND t.active) AS tables,
            (SELECT coalesce(json_agg(json_build_array(a.table_a, a.table_b)
                    ORDER BY a.table_a, a.table_b), '[]')
                FROM table_adjacency a WHERE a.venue_id = v.venue_id) AS edges,
            (SELECT coalesce(json_agg(json_build_array(m.max_party, m.minutes)
                    ORDER BY m.max_party), '[]')
                FROM turn_times m WHERE m.venue_id = v.venue_id) AS turns,
            (SELECT coalesce(array_agg(z.zone_id ORDER BY z.sort_order, z.zone_id), '{{}}')
                FROM zones z WHERE z.venue_id = v.venue_id) AS zone_order
    ) f
    CROSS JOIN LATERAL (
        SELECT
            array_agg(a.table_id) FILTER (WHERE a.counts) AS busy_tables,
            array_agg(a.held_from) FILTER (WHERE a.counts) AS busy_starts,
            array_agg(a.held_until) FILTER (WHERE a.counts) AS busy_ends,
            array_agg(DISTINCT a.table_id) FILTER (WHERE a.expired) AS expired_holds
        FROM (
            SELECT a.table_id, lower(a.during) AS held_from, upper(a.during) AS held_until,
                -- held now (an expired hold no longer is), and not by the excluded booking
                (a.kind <> 'HOLD' OR a.expire_time > CAST(:now AS timestamptz))
                    AND (CAST(:excluding AS uuid) IS NULL
                        OR a.booking_id IS DISTINCT FROM CAST(:excluding AS uuid)) AS counts,
                -- a hold a write may have to release: expired, or the booking's own (not
                -- busy for it, it may expire before the write)
                a.kind = 'HOLD' AND (a.expire_time <= CAST(:now AS timestamptz)
                    OR a.booking_id = CAST(:excluding AS uuid)) AS expired
            FROM allocations a
            WHERE a.venue_id = v.venue_id
                AND a.release_time IS NULL
                AND a.during && tstzrange(w.window_start, w.window_end, '[)')
        ) a
    ) b
    CROSS JOIN LATERAL (
        SELECT
            array_agg(k.booking_id ORDER BY k.start_time, k.booking_id) AS waiting_ids,
            array_agg(k.party_size ORDER BY k.start_time, k.booking_id) AS waiting_parties,
            array_agg(k.start_time ORDER BY k.start_time, k.booking_id) AS waiting_starts,
            array_agg(k.end_time ORDER BY k.start_time, k.booking_id) AS waiting_ends
        FROM bookings k
        WHERE k.venue_id = v.venue_id
            AND k.state IN ({_WAITING_SQL})
            AND k.start_time < w.window_end
            AND k.end_time > w.window_start
            AND k.booking_id IS DISTINCT FROM CAST(:excluding AS uuid)
    ) u
    CROSS JOIN LATERAL (
        SELECT
            array_agg(c.table_key) AS history_keys,
            array_agg(c.party_band) AS history_bands,
            array_agg(c.hour) AS history_hours,
            array_agg(c.successes) AS history_successes,
            array_agg(c.failures) AS history_failures
        FROM assignment_success_counts c
        WHERE c.venue_id = v.venue_id
    ) h
    WHERE v.venue_id = :venue_id
    """
)


@dataclass(frozen=True)
class Floor:
    """A venue's tables (with whether each combines), joins, turn times and zones' order."""

    tables: tuple[tuple[TableInfo, bool], ...]
    edges: frozenset[tuple[str, str]]
    turns: tuple[tuple[int, timedelta], ...]
    zone_order: tuple[str, ...]
    key: str  # the floor as read: equal keys, equal floors


def decode_floor(key: str) -> Floor:
    tables, edges, turns, zone_order = json.loads(key)
    return Floor(
        tables=tuple(
            (TableInfo(table_id, zone_id, low, high), bool(combinable))
            for table_id, zone_id, low, high, combinable in tables
        ),
        edges=frozenset((a, b) for a, b in edges),
        turns=tuple((largest, timedelta(minutes=minutes)) for largest, minutes in turns),
        zone_order=tuple(zone_order),
        key=key,
    )


class Floors:
    """The last floor read of each venue, decoded once: a floor seldom changes between tries."""

    def __init__(self) -> None:
        self._last: dict[str, Floor] = {}

    def of(self, venue_id: str, key: str) -> Floor:
        floor = self._last.get(venue_id)
        if floor is None or floor.key != key:
            floor = self._last[venue_id] = decode_floor(key)
        return floor


@dataclass(frozen=True)
class DayRows:
    """What the statement read, decoded; the policy as `venue_policy` maps it."""

    policy: dict[str, Any]
    floor: Floor
    busy: dict[str, list[tuple[datetime, datetime]]]
    expired_holds: frozenset[str]
    upcoming: tuple[UpcomingBooking, ...]
    history: dict[HistoryKey, SuccessCounts]
    own_group: UUID | None


async def read_day(
    db: AsyncConnection,
    venue_id: str,
    start: datetime,
    end: datetime,
    now: datetime,
    excluding: UUID | None,
    floors: Floors,
) -> DayRows | None:
    """The venue around [start, end), widened by its look-ahead horizon (after the end, by its
    cleaning buffer when that is longer), leaving `excluding`'s own allocations out of the busy
    tables; None when the venue does not exist."""
    values = {
        "venue_id": venue_id,
        "start": start,
        "end": end,
        "now": now,
        "excluding": excluding,
        "horizon": DEFAULT_HORIZON,
    }
    row = (await db.execute(DAY, values)).first()
    if row is None:
        return None
    found = row._mapping
    policy = {"timezone": found["timezone"], **{name: found[name] for name in POLICY_COLUMNS}}
    buffer = timedelta(minutes=policy["cleaning_buffer_minutes"] or 0)
    busy: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for table_id, lower, upper in zip(
        row.busy_tables or (), row.busy_starts or (), row.busy_ends or (), strict=True
    ):
        busy[table_id].append((lower, upper))
    waiting = zip(
        row.waiting_ids or (),
        row.waiting_parties or (),
        row.waiting_starts or (),
        row.waiting_ends or (),
        strict=True,
    )
    history = zip(
        row.history_keys or (),
        row.history_bands or (),
        row.history_hours or (),
        row.history_successes or (),
        row.history_failures or (),
        strict=True,
    )
    return DayRows(
        policy=policy,
        floor=floors.of(venue_id, row.floor),
        busy=dict(busy),
        expired_holds=frozenset(row.expired_holds or ()),
        upcoming=tuple(UpcomingBooking(str(b), p, s, e + buffer) for b, p, s, e in waiting),
        history={(k, band, hour): SuccessCounts(s, f) for k, band, hour, s, f in history},
        own_group=row.own_group,
    )
