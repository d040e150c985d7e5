"""The process's Prometheus metrics, in one registry, and the HTTP endpoint that serves them.

    server = start_metrics_server(settings.metrics_port)   # None when the port is 0 (off)
    LOCK_CONTENTION.labels(name="venue").inc()
    if server is not None:
        server.stop()                                      # at shutdown

Metric objects hold only counters in memory, so defining them at import has no side effect;
nothing is served until `start_metrics_server` is called. Here are the metrics of the shared
machinery (RPCs, breakers, rate limits, locks, streams); each service defines its own in its
`metrics.py`, on this REGISTRY.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

RPC_DURATION = Histogram(
    "maitred_rpc_duration_seconds",
    "Time to serve one RPC, by service, method and status code.",
    ["service", "method", "code"],
    registry=REGISTRY,
)
BREAKER_STATE = Gauge(
    "maitred_breaker_state",
    "Circuit breaker state per target: 0 closed, 1 half-open, 2 open.",
    ["target"],
    registry=REGISTRY,
)
BREAKER_TRANSITIONS = Counter(
    "maitred_breaker_transitions_total",
    "Circuit breaker transitions per target, by the state entered.",
    ["target", "state"],
    registry=REGISTRY,
)
RPC_RETRIES = Counter(
    "maitred_rpc_retries_total",
    "Calls served that a client's retry policy sent again (grpc-previous-rpc-attempts > 0), "
    "by service and method: the retries of the callers of this server.",
    ["service", "method"],
    registry=REGISTRY,
)
RATE_LIMIT_REJECTIONS = Counter(
    "maitred_rate_limit_rejections_total",
    "Calls rejected by a rate limit, by scope (caller or venue).",
    ["scope"],
    registry=REGISTRY,
)
RATE_LIMIT_DEGRADED = Counter(
    "maitred_rate_limit_degraded_total",
    "Rate limit checks let through unchecked because Redis did not answer.",
    registry=REGISTRY,
)
LOCK_CONTENTION = Counter(
    "maitred_lock_contention_total",
    "Lock acquisitions that found the lock held by another owner, by lock name.",
    ["name"],
    registry=REGISTRY,
)
STREAM_PENDING = Gauge(
    "maitred_stream_pending",
    "Messages delivered to a consumer group and not yet acknowledged.",
    ["stream", "group"],
    registry=REGISTRY,
)


@dataclass
class MetricsServer:
    """The running scrape endpoint: its bound port, and how to stop it."""

    port: int
    _server: WSGIServer
    _thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait for the server thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def start_metrics_server(port: int, host: str = "0.0.0.0") -> MetricsServer | None:
    """Serve `/metrics` on `port` in a background thread; None (nothing served) when port is 0."""
    if port == 0:
        return None
    server, thread = start_http_server(port, addr=host, registry=REGISTRY)
    return MetricsServer(port=server.server_port, _server=server, _thread=thread)
