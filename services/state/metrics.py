"""The state service's Prometheus metrics, in the process's one registry (shared/metrics.py)."""

from prometheus_client import Counter, Gauge

from shared.metrics import REGISTRY

OUTBOX_LAG = Gauge(
    "maitred_outbox_lag_seconds",
    "Age of the oldest outbox row not yet relayed.",
    registry=REGISTRY,
)
OUTBOX_BATCHES = Counter(
    "maitred_outbox_batches",
    "Outbox relay transactions that published rows (each publishes a batch of one or more).",
    registry=REGISTRY,
)
