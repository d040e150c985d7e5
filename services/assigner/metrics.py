"""The assigner's Prometheus metrics, in the process's one registry (shared/metrics.py)."""

from prometheus_client import Counter

from shared.metrics import REGISTRY

ASSIGNMENT_OUTCOMES = Counter(
    "maitred_assignment_outcomes_total",
    "Assignment attempts by winning strategy and outcome.",
    ["strategy", "outcome"],
    registry=REGISTRY,
)
ENDED_ASSIGNMENTS_RELEASED = Counter(
    "maitred_assigner_ended_assignments_released_total",
    "Live assignments of bookings that ended (cancelled, no-show, rejected) the sweeper released.",
    registry=REGISTRY,
)
