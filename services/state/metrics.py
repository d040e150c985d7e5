"""The state service's Prometheus metrics, in the process's one registry (shared/metrics.py)."""

from prometheus_client import Gauge

from shared.metrics import REGISTRY

OUTBOX_LAG = Gauge(
    "maitred_outbox_lag_seconds",
    "Age of the oldest outbox row not yet relayed.",
    registry=REGISTRY,
)
