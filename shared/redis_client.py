"""The one way the services open Redis: bounded timeouts, and a dead connection replaced at once."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError


def open_redis(url: str, *, timeout_s: float = 2.0) -> Redis:
    """A client whose pooled connections are checked before use when idle for a few seconds and
    whose commands are retried twice, quickly, on a broken connection: after a Redis restart the
    first command finds a new connection instead of failing (and leaving an event pending).

    A retried command may run twice when the reply was lost; everything the suite writes to
    Redis tolerates that (stream consumers are idempotent, locks and claims are token-checked).
    """
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        health_check_interval=5,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        retry_on_error=[ConnectionError, TimeoutError, ConnectionResetError],
    )
