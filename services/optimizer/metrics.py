"""The optimizer's Prometheus metrics, in the process's one registry (shared/metrics.py)."""

from prometheus_client import Histogram

from shared.metrics import REGISTRY

OPTIMIZER_RUN = Histogram(
    "maitred_optimizer_run_seconds",
    "Time of one optimizer run.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120),
    registry=REGISTRY,
)
OPTIMIZER_BENEFIT = Histogram(
    "maitred_optimizer_benefit_percent",
    "Benefit of an optimizer plan over the current seating, in percent.",
    buckets=(0, 1, 2, 5, 10, 15, 20, 30, 50, 100),
    registry=REGISTRY,
)
