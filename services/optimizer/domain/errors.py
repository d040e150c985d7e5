"""The optimizer's domain errors, mapped to gRPC codes through their shared base classes."""

from __future__ import annotations

from shared.domain_errors import Conflict, DependencyUnavailable, FailedPrecondition


class AlreadyRunning(Conflict):
    """Another run holds the venue-day; ABORTED with the ALREADY_RUNNING reason."""

    reason = "ALREADY_RUNNING"
    key = "already_running"


class PlanNotApplicable(FailedPrecondition):
    """The plan is solving, failed or has nothing to apply."""

    key = "plan_not_applicable"


class BelowThreshold(FailedPrecondition):
    """The plan's benefit is below the venue's threshold and the caller did not force it."""

    key = "plan_below_threshold"


class AssignerDown(DependencyUnavailable):
    """The assigner did not answer (UNAVAILABLE); the plan stays open to a later ApplyPlan."""
