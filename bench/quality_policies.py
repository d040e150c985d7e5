"""Seating a simulated day first come first served: first-fit, the engine, the engine with yield."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bench.quality_sim import FIRST_SLOT, LAST_SLOT, Floor, Request
from services.assigner.domain.engine import rank_plans
from services.assigner.domain.plans import AssignmentRequest, TableInfo
from services.assigner.domain.strategies import StrategyContext
from shared.seating.combinations import Candidate
from shared.seating.demand import DemandHistory
from shared.seating.yield_policy import (
    AdmissionRequest,
    Seated,
    YieldSettings,
    decide_admission,
)

MIDNIGHT = datetime(2027, 3, 12, tzinfo=UTC)  # a Friday; only minutes after it matter
FRIDAY = 4


@dataclass
class Outcome:
    """What a policy made of a day: covers and parties seated, refusals, time per decision."""

    covers: int = 0
    parties: int = 0
    refused: int = 0
    refused_covers: int = 0
    steered: int = 0  # refused guests who took another slot
    decision_seconds: list[float] = field(default_factory=list)


Chooser = Callable[[Request, dict[str, list[tuple[int, int]]]], Candidate | None]


def first_fit(floor: Floor) -> Chooser:
    """The first table set, in floor order (single tables first), that fits and is free."""

    def choose(request: Request, busy: dict[str, list[tuple[int, int]]]) -> Candidate | None:
        for candidate in floor.candidates:
            if candidate.fits(request.party_size) and _free(candidate, request, busy):
                return candidate
        return None

    return choose


def engine(floor: Floor, zone_order: tuple[str, ...] = ()) -> Chooser:
    """The assigner's SmartAssignmentEngine with every strategy at its default weight.

    `zone_order` is the venue's zone preference, best first, as the assigner reads it from the
    zones' sort order; without it every zone scores alike.
    """
    tables = {
        s.table_id: TableInfo(s.table_id, s.zone_id, s.min_seats, s.max_seats) for s in floor.seats
    }
    context = StrategyContext(edges=floor.edges, zone_preference=zone_order)
    by_ids = {c.table_ids: c for c in floor.candidates}

    def choose(request: Request, busy: dict[str, list[tuple[int, int]]]) -> Candidate | None:
        spans = {t: [(_at(s), _at(e)) for s, e in held] for t, held in busy.items()}
        ask = AssignmentRequest(
            request.key,
            request.party_size,
            _at(request.start_minute),
            _at(request.blocked_until_minute),
        )
        plans = rank_plans(ask, tables, floor.candidates, spans, context, limit=1)
        return by_ids[plans[0].table_ids] if plans else None

    return choose


@dataclass(frozen=True)
class Yield:
    """The yield policy in front of a chooser, and what refused guests do.

    A refused guest takes the nearest slot within STEER_MINUTES that the policy admits and a
    table is free at, with `steer_accept` odds (0: every refused guest is lost).
    """

    history: DemandHistory
    settings: YieldSettings
    steer_accept: float = 0.0
    seed: int = 0


STEER_OFFSETS = (15, -15, 30, -30)  # minutes: the alternatives offered, nearest first
STEER_SLOTS = (FIRST_SLOT, LAST_SLOT)


def run_day(
    floor: Floor, requests: Sequence[Request], choose: Chooser, policy: Yield | None = None
) -> Outcome:
    """Seat the requests in the order made; with a policy, ask it first."""
    outcome = Outcome()
    busy: dict[str, list[tuple[int, int]]] = {s.table_id: [] for s in floor.seats}
    seated: list[Seated] = []
    rng = random.Random(policy.seed if policy else 0)
    for asked in requests:
        request: Request | None = asked
        if policy is not None and not _admits(floor, seated, asked, policy, outcome):
            outcome.refused += 1
            outcome.refused_covers += asked.party_size
            request = None
            if rng.random() < policy.steer_accept:
                request = _steer(floor, seated, busy, asked, policy, outcome, choose)
                outcome.steered += request is not None
        candidate = choose(request, busy) if request is not None else None
        if request is None or candidate is None:
            continue
        span = (request.start_minute, request.blocked_until_minute)
        for table_id in candidate.table_ids:
            busy[table_id].append(span)
        seated.append(Seated(candidate.table_ids, *span, request.party_size))
        outcome.covers += request.party_size
        outcome.parties += 1
    return outcome


def _admits(
    floor: Floor, seated: list[Seated], request: Request, policy: Yield, outcome: Outcome
) -> bool:
    ask = AdmissionRequest(
        request.party_size,
        request.start_minute,
        request.blocked_until_minute,
        FRIDAY,
        request.lead_minutes,
    )
    began = time.process_time()
    decision = decide_admission(
        floor.seats, floor.candidates, seated, ask, policy.history, policy.settings
    )
    outcome.decision_seconds.append(time.process_time() - began)
    return decision.admit


def _steer(
    floor: Floor,
    seated: list[Seated],
    busy: dict[str, list[tuple[int, int]]],
    request: Request,
    policy: Yield,
    outcome: Outcome,
    choose: Chooser,
) -> Request | None:
    """The nearest other slot the policy admits and a table is free at, if any."""
    for offset in STEER_OFFSETS:
        moved = replace(
            request,
            start_minute=request.start_minute + offset,
            blocked_until_minute=request.blocked_until_minute + offset,
            lead_minutes=request.lead_minutes + offset,
        )
        if not STEER_SLOTS[0] <= moved.start_minute <= STEER_SLOTS[1]:
            continue
        if _admits(floor, seated, moved, policy, outcome) and choose(moved, busy) is not None:
            return moved
    return None


def _free(candidate: Candidate, request: Request, busy: dict[str, list[tuple[int, int]]]) -> bool:
    start, end = request.start_minute, request.blocked_until_minute
    return all(e <= start or end <= s for t in candidate.table_ids for s, e in busy[t])


def _at(minute: int) -> datetime:
    return MIDNIGHT + timedelta(minutes=minute)
