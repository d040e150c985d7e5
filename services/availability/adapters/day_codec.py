"""JSON encoding of a venue's day, for the Redis cache."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.availability.application.snapshot_ports import DayFacts
from services.availability.domain.floor import Floor, Policy, ServicePeriod, Table, TurnBand
from services.availability.domain.occupancy import Demand, Kind, Occupancy
from shared.seating.combinations import CombinationRule, explicit_from_json, explicit_to_json
from shared.seating.knobs import SeatingKnobs
from shared.seating.yield_policy import YieldSettings


def encode(facts: DayFacts) -> bytes:
    policy = facts.policy
    body = {
        "venue_id": facts.venue_id,
        "day": facts.day.isoformat(),
        "version": facts.version,
        "floor_version": facts.floor_version,
        "tables": [list(vars(t).values()) for t in facts.floor.tables],
        "edges": sorted(facts.floor.edges),
        "policy": {
            "timezone": str(policy.timezone),
            "max_party_size": policy.max_party_size,
            "periods": [[p.name, sorted(p.weekdays), p.first_seating.isoformat(),
                         p.last_seating.isoformat()] for p in policy.service_periods],
            "bands": [[b.min_party, b.max_party, b.duration.total_seconds()]
                      for b in policy.turn_bands],
            "slot": policy.slot_interval.total_seconds(),
            "buffer": policy.cleaning_buffer.total_seconds(),
            "covers": policy.max_covers_per_slot,
            "parties": policy.max_parties_per_slot,
            "max_tables": policy.max_tables_per_combination,
            "cross_zone": policy.allow_cross_zone_combinations,
            "rule": [policy.combination_rule.seats_lost_per_join,
                     policy.combination_rule.min_covers],
            "combinations": explicit_to_json(policy.table_combinations),
            "knobs": [policy.knobs.rescue_time_limit.total_seconds(),
                      policy.knobs.rescue_max_movers,
                      policy.knobs.look_ahead_horizon.total_seconds()],
            "freeze": policy.freeze_window.total_seconds(),
            "yield": [policy.yield_settings.enabled, policy.yield_settings.min_days_observed],
        },
        "occupancies": [
            [o.allocation_id, o.kind.value, list(o.table_ids), o.start.isoformat(),
             o.end.isoformat(), o.booking_id, o.party_size,
             o.expire_time.isoformat() if o.expire_time else None, o.booking_state, o.pinned,
             o.preferred_zone_id]
            for o in facts.occupancies
        ],
        "demand": [[d.booking_id, d.party_size, d.start.isoformat(), d.end.isoformat(), d.state]
                   for d in facts.demand],
    }  # fmt: skip
    return json.dumps(body, separators=(",", ":")).encode()


def _policy(raw: dict[str, Any]) -> Policy:
    return Policy(
        timezone=ZoneInfo(raw["timezone"]),
        max_party_size=raw["max_party_size"],
        service_periods=tuple(
            ServicePeriod(n, frozenset(w), time.fromisoformat(f), time.fromisoformat(last))
            for n, w, f, last in raw["periods"]
        ),
        turn_bands=tuple(TurnBand(lo, hi, timedelta(seconds=s)) for lo, hi, s in raw["bands"]),
        slot_interval=timedelta(seconds=raw["slot"]),
        cleaning_buffer=timedelta(seconds=raw["buffer"]),
        max_covers_per_slot=raw["covers"],
        max_parties_per_slot=raw["parties"],
        max_tables_per_combination=raw["max_tables"],
        allow_cross_zone_combinations=raw["cross_zone"],
        combination_rule=CombinationRule(*raw.get("rule", (0, 0))),
        table_combinations=explicit_from_json(raw.get("combinations")),
        knobs=_knobs(raw.get("knobs")),
        freeze_window=timedelta(seconds=raw["freeze"]),
        yield_settings=_yield(raw.get("yield")),
    )


def _occupancy(row: list[Any]) -> Occupancy:
    moment = datetime.fromisoformat
    a, k, t, s, e, b, p, x, state, pinned, zone = row
    expire = moment(x) if x else None
    return Occupancy(a, Kind(k), tuple(t), moment(s), moment(e), b, p, expire, state, pinned, zone)


def _knobs(raw: list[Any] | None) -> SeatingKnobs:
    if raw is None:  # cached by a process from before the knobs were policy
        return SeatingKnobs()
    limit, movers, horizon = raw
    return SeatingKnobs(timedelta(seconds=limit), movers, timedelta(seconds=horizon))


def _yield(raw: list[Any] | None) -> YieldSettings:
    """The yield settings; an entry cached before they were kept has the defaults."""
    if raw is None:
        return YieldSettings()
    enabled, min_days = raw
    return YieldSettings(enabled=bool(enabled), min_days_observed=int(min_days))


def decode(data: bytes) -> DayFacts:
    raw = json.loads(data)
    moment = datetime.fromisoformat
    return DayFacts(
        venue_id=raw["venue_id"],
        day=date.fromisoformat(raw["day"]),
        version=raw["version"],
        floor_version=raw["floor_version"],
        floor=Floor(
            tables=tuple(Table(*row) for row in raw["tables"]),
            edges=frozenset((a, b) for a, b in raw["edges"]),
        ),
        policy=_policy(raw["policy"]),
        occupancies=tuple(_occupancy(row) for row in raw["occupancies"]),
        demand=tuple(Demand(b, p, moment(s), moment(e), st) for b, p, s, e, st in raw["demand"]),
    )
