"""The one way the services open Redis: bounded timeouts, and a dead connection replaced at once."""

from __future__ import annotations

from typing import cast

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError


def open_redis(url: str, *, cluster: bool = False, timeout_s: float = 2.0) -> Redis:
    """A client whose pooled connections are checked before use when idle for a few seconds and
    whose commands are retried twice, quickly, on a broken connection: after a Redis restart the
    first command finds a new connection instead of failing (and leaving an event pending).

    With `cluster`, `url` names any node of a Redis Cluster and the client routes each command to
    the node that owns its key's slot. Every multi-key command, script and transaction in the suite
    uses keys of one slot (a `{venue:<id>}` hash tag, or one key), so both clients take the same
    calls; the cluster client is returned under the single-node type the adapters are written for.

    A retried command may run twice when the reply was lost; everything the suite writes to
    Redis tolerates that (stream consumers are idempotent, locks and claims are token-checked).
    """
    retry = Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2)
    retry_on_error: list[type[Exception]] = [ConnectionError, TimeoutError, ConnectionResetError]
    if cluster:
        client: RedisCluster = RedisCluster.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=5,
            retry=retry,
            retry_on_error=retry_on_error,
        )
        return cast(Redis, client)
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        health_check_interval=5,
        retry=retry,
        retry_on_error=retry_on_error,
    )


async def connect_redis(url: str, *, cluster: bool = False, timeout_s: float = 2.0) -> Redis:
    """`open_redis`, with a cluster client's slot map read before the first command.

    redis-py's async cluster client reads the map lazily, and commands that start together before
    it has (a service's first burst of calls) can fail on half-made connections. So a service
    learns the map at start, and a cluster it cannot reach stops it from starting, loudly.
    """
    client = open_redis(url, cluster=cluster, timeout_s=timeout_s)
    if cluster:
        await cast(RedisCluster, client).initialize()
    return client
