"""A run's plan as it is stored and served: its moves, figures, options and what applying did."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from services.optimizer.domain.day import VenueDay
from shared.seating import policy_defaults as defaults
from shared.seating.planning.model import Move, Plan


class PlanStatus(StrEnum):
    """Where a plan stands (the proto's PlanStatus without its prefix)."""

    SOLVING = "SOLVING"
    PROPOSED = "PROPOSED"
    BELOW_THRESHOLD = "BELOW_THRESHOLD"
    NO_IMPROVEMENT = "NO_IMPROVEMENT"
    APPLIED = "APPLIED"
    PARTIALLY_APPLIED = "PARTIALLY_APPLIED"
    FAILED = "FAILED"


APPLICABLE = frozenset({PlanStatus.PROPOSED, PlanStatus.BELOW_THRESHOLD})
DONE = frozenset({PlanStatus.APPLIED, PlanStatus.PARTIALLY_APPLIED})


@dataclass(frozen=True)
class RunOptions:
    """How a run searches; the defaults fill what the caller left unset."""

    time_limit_s: float = 10.0
    seed: int = 0
    move_penalty: int | None = None  # the venue's default when None
    dry_run: bool = False


@dataclass(frozen=True)
class PlannedMove:
    """A move or first assignment with what applying it must check: the booking's version."""

    booking_id: str
    party_size: int
    window: tuple[datetime, datetime]
    from_table_ids: tuple[str, ...]
    to_table_ids: tuple[str, ...]
    booking_version: int
    benefit: float


@dataclass(frozen=True)
class MoveResult:
    """What became of one move when the plan was applied."""

    booking_id: str
    outcome: str  # APPLIED, SKIPPED_STALE, SKIPPED_CONFLICT or SKIPPED_FROZEN
    detail: str = ""
    booking_version: int = 0
    allocation_id: str = ""


@dataclass(frozen=True)
class PlanRecord:
    """One run's plan and its figures; `status` says where it stands."""

    plan_id: UUID
    run_id: UUID
    venue_id: str
    service_date: date
    service_period: str
    status: PlanStatus
    options: RunOptions
    actor: str
    create_time: datetime
    status_detail: str = ""
    moves: tuple[PlannedMove, ...] = ()
    new_assignments: tuple[PlannedMove, ...] = ()
    unassigned: tuple[str, ...] = ()
    current_objective: float = 0.0
    new_objective: float = 0.0
    benefit_percent: float = 0.0
    optimal: bool = False
    best_bound: float = 0.0
    solve_seconds: float = 0.0
    snapshot_version: int = 0
    # The venue's threshold when the plan was made.
    threshold_percent: float = defaults.OPTIMIZER_THRESHOLD_PERCENT
    results: tuple[MoveResult, ...] = field(default_factory=tuple)
    complete_time: datetime | None = None
    apply_time: datetime | None = None

    @property
    def changes(self) -> tuple[PlannedMove, ...]:
        """Every booking the plan gives tables, moves first, in plan order."""
        return (*self.moves, *self.new_assignments)


def planned(
    moves: tuple[Move, ...],
    versions: dict[str, int],
    windows: dict[str, tuple[datetime, datetime]],
    parties: dict[str, int],
) -> tuple[PlannedMove, ...]:
    """The solver's moves with each booking's party, window and version when read."""
    return tuple(
        PlannedMove(
            m.booking_id,
            parties[m.booking_id],
            windows[m.booking_id],
            m.from_table_ids,
            m.to_table_ids,
            versions[m.booking_id],
            float(m.benefit),
        )
        for m in moves
    )


def verdict(plan: Plan, threshold_percent: float, dry_run: bool) -> tuple[PlanStatus, str]:
    """The status of a finished plan before any apply, and why, for ops."""
    if not plan.moves and not plan.new_assignments:
        return PlanStatus.NO_IMPROVEMENT, "the current seating is as good as any found"
    if plan.benefit_percent < threshold_percent:
        return PlanStatus.BELOW_THRESHOLD, (
            f"benefit {plan.benefit_percent:.2f}% is below the venue's "
            f"threshold of {threshold_percent:g}%"
        )
    if dry_run:
        return PlanStatus.PROPOSED, "dry run: not applied"
    return PlanStatus.PROPOSED, ""


def after_apply(record: PlanRecord, results: tuple[MoveResult, ...], at: datetime) -> PlanRecord:
    """The plan once applied: APPLIED when every move was, else PARTIALLY_APPLIED."""
    applied = all(r.outcome == "APPLIED" for r in results)
    status = PlanStatus.APPLIED if applied else PlanStatus.PARTIALLY_APPLIED
    skipped = sum(r.outcome != "APPLIED" for r in results)
    detail = "" if applied else f"{skipped} of {len(results)} moves skipped"
    return replace(record, status=status, status_detail=detail, results=results, apply_time=at)


def finished(record: PlanRecord, plan: Plan, day: VenueDay, now: datetime) -> PlanRecord:
    """The run's record with the solver's plan, its figures, and its status before any apply."""
    parties = {b.booking_id: b.party_size for b in day.problem.bookings}
    status, detail = verdict(plan, day.threshold_percent, record.options.dry_run)
    return replace(
        record,
        status=status,
        status_detail=detail,
        moves=planned(plan.moves, day.versions, day.windows, parties),
        new_assignments=planned(plan.new_assignments, day.versions, day.windows, parties),
        unassigned=plan.unseated,
        current_objective=float(plan.current_objective),
        new_objective=float(plan.new_objective),
        benefit_percent=plan.benefit_percent,
        optimal=plan.optimal,
        best_bound=float(plan.best_bound),
        solve_seconds=plan.solve_seconds,
        snapshot_version=day.snapshot_version,
        threshold_percent=day.threshold_percent,
        complete_time=now,
    )
