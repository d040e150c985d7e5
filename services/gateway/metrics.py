"""The gateway's Prometheus metrics, in the process's one registry (shared/metrics.py)."""

from prometheus_client import Histogram

from shared.metrics import REGISTRY

HTTP_DURATION = Histogram(
    "maitred_http_duration_seconds",
    "Time to answer one gateway request, by HTTP method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
