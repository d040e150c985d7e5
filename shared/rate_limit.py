"""Rate limits per caller and per venue: GCRA in one Redis script, failing open when Redis is down.

    decision = await RateLimiter(redis).allow(rate_key(venue_id="v1", caller="x"), 200, burst=400)
    if not decision.allowed: ...   # decision.retry_after_s says when one more call would pass

Served calls (RESOURCE_EXHAUSTED with RetryInfo); None, when off, makes no Redis call at all:

    start_server(..., rate_limits=RateLimits.from_settings(settings, redis))
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.error_table import DOMAIN
from shared.messages import DEFAULT_LOCALE, render
from shared.metrics import RATE_LIMIT_DEGRADED, RATE_LIMIT_REJECTIONS
from shared.settings import ServiceSettings

log = logging.getLogger("maitred.rate_limit")

# GCRA: each key holds its theoretical arrival time (TAT), in microseconds of Redis's clock so all
# replicas share one. A call passes a key (ARGV: interval, burst per key) when TAT - burst intervals
# is not in the future, and moves TAT one interval on, but only when every key passes: a refusal
# spends nothing. One MGET reads every key. Returns {refused key's index (longest wait) or 0,
# retry_after_us, remaining}.
_GCRA = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tats = redis.call('MGET', unpack(KEYS))
local new_tats, refused, retry, remaining = {}, 0, 0, math.huge
for i, key in ipairs(KEYS) do
    local interval, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
    new_tats[i] = math.max(tonumber(tats[i]) or now, now) + interval
    local allow_at = new_tats[i] - interval * burst
    if allow_at - now > retry then refused, retry = i, allow_at - now end
    remaining = math.min(remaining, math.floor((now - allow_at) / interval))
end
if refused > 0 then return {refused, retry, 0} end
for i, key in ipairs(KEYS) do
    local ttl_ms = math.max(1, math.ceil((new_tats[i] - now) / 1000))
    redis.call('SET', key, string.format('%.0f', new_tats[i]), 'PX', ttl_ms)
end
return {0, 0, remaining}
"""

Limit = tuple[str, float, int]  # a Redis key, its rate per second, and its burst


@dataclass(frozen=True)
class Decision:
    """Whether a call passes, when to retry if not, how many more fit now, and if unchecked."""

    allowed: bool
    retry_after_s: float
    remaining: int
    degraded: bool = False


def rate_key(*, venue_id: str = "", caller: str = "") -> str:
    """`maitred:{venue:<id>}:rl:caller:<caller>`, `...:rl:venue`, or `maitred:rl:caller:<caller>`.

    The hash tag keeps a venue's limits on its Redis Cluster slot (DESIGN.md, tenancy).
    """
    prefix = f"maitred:{{venue:{venue_id}}}:rl" if venue_id else "maitred:rl"
    return f"{prefix}:caller:{caller}" if caller else f"{prefix}:venue"


class RateLimiter:
    """GCRA limits on one Redis client; lets calls through (degraded) when Redis fails.

    A check waits at most `timeout_s` for Redis; after a failure Redis is left alone for
    `recheck_s`, so a Redis outage costs served calls no time.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        timeout_s: float = 0.2,
        recheck_s: float = 1.0,
        warn_every_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._script = redis.register_script(_GCRA)
        self._timeout_s = timeout_s
        self._recheck_s = recheck_s
        self._warn_every_s = warn_every_s
        self._clock = clock
        self._down_until = -math.inf
        self._warned_at = -math.inf

    async def allow(self, key: str, rate_per_s: float, burst: int) -> Decision:
        """Take one call from `key`'s allowance of `rate_per_s`, with up to `burst` at once."""
        return (await self.allow_all({key: (key, rate_per_s, burst)}))[1]

    async def allow_all(self, limits: Mapping[str, Limit]) -> tuple[str | None, Decision]:
        """Take one call from every named limit or from none, in one Redis call (keys of one
        Cluster slot): the name that refuses (longest wait) or None, and the decision."""
        keys = [key for key, _, _ in limits.values()]
        now = self._clock()
        if now < self._down_until:
            return None, self._degraded(keys, "redis marked down after an earlier failure")
        args: list[int] = []
        for _, rate_per_s, burst in limits.values():
            args += [max(1, round(1_000_000 / rate_per_s)), max(1, burst)]
        try:
            async with asyncio.timeout(self._timeout_s):
                refused, retry_us, remaining = await self._script(keys=keys, args=args)
        except (RedisError, OSError, TimeoutError) as error:
            self._down_until = now + self._recheck_s
            return None, self._degraded(keys, repr(error))
        name = list(limits)[int(refused) - 1] if refused else None
        return name, Decision(not refused, int(retry_us) / 1_000_000, int(remaining))

    def _degraded(self, keys: list[str], error: str) -> Decision:
        RATE_LIMIT_DEGRADED.inc()
        now = self._clock()
        if now - self._warned_at >= self._warn_every_s:
            self._warned_at = now
            log.warning(
                "rate limits unchecked: redis did not answer",
                extra={"rate_key": ", ".join(keys), "error": error},
            )
        return Decision(allowed=True, retry_after_s=0.0, remaining=0, degraded=True)


def rejection_status(decision: Decision, scope: str, locale: str = DEFAULT_LOCALE) -> grpc.Status:
    """RESOURCE_EXHAUSTED with ErrorInfo (reason RATE_LIMITED, the scope), RetryInfo, and the
    message in `locale` (LocalizedMessage)."""
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(math.ceil(decision.retry_after_s * 1e9))
    params = {"retry_after": f"{decision.retry_after_s:.3f}"}
    messages = [
        error_details_pb2.ErrorInfo(
            reason="RATE_LIMITED", domain=DOMAIN, metadata={"scope": scope}
        ),
        error_details_pb2.RetryInfo(retry_delay=delay),
        error_details_pb2.LocalizedMessage(
            locale=locale, message=render("rate_limited", locale, params)
        ),
    ]
    details = []
    for message in messages:
        packed = any_pb2.Any()
        packed.Pack(message)
        details.append(packed)
    status = status_pb2.Status(
        code=code_pb2.RESOURCE_EXHAUSTED,
        message=render("rate_limited", DEFAULT_LOCALE, params),
        details=details,
    )
    return rpc_status.to_status(status)


class RateLimits:
    """The served calls' limits: per caller within a venue, and per venue; 0 turns one off."""

    def __init__(
        self,
        limiter: RateLimiter,
        *,
        per_caller: float,
        caller_burst: int,
        per_venue: float,
        venue_burst: int,
    ) -> None:
        self._limiter = limiter
        self._per_caller = per_caller
        self._caller_burst = caller_burst
        self._per_venue = per_venue
        self._venue_burst = venue_burst

    @classmethod
    def from_settings(cls, settings: ServiceSettings, redis: Redis | None) -> RateLimits | None:
        """The limits the settings ask for; None when there is no Redis or both rates are 0."""
        if redis is None or (
            settings.rate_limit_per_caller <= 0 and settings.rate_limit_per_venue <= 0
        ):
            return None
        return cls(
            RateLimiter(redis),
            per_caller=settings.rate_limit_per_caller,
            caller_burst=settings.rate_limit_caller_burst,
            per_venue=settings.rate_limit_per_venue,
            venue_burst=settings.rate_limit_venue_burst,
        )

    async def check(self, caller: str, venue_id: str) -> tuple[str, Decision] | None:
        """The scope ("caller" or "venue") and decision that rejects this call, or None."""
        # Both keys carry the venue's hash tag (rate_key): one script call, one Cluster slot.
        limits: dict[str, Limit] = {}
        if self._per_caller > 0:
            key = rate_key(venue_id=venue_id, caller=caller)
            limits["caller"] = (key, self._per_caller, self._caller_burst)
        if self._per_venue > 0 and venue_id:
            limits["venue"] = (rate_key(venue_id=venue_id), self._per_venue, self._venue_burst)
        if not limits:
            return None
        scope, decision = await self._limiter.allow_all(limits)
        return None if scope is None else (scope, decision)

    async def enforce(
        self,
        caller: str,
        venue_id: str,
        context: grpc.aio.ServicerContext,
        locale: str = DEFAULT_LOCALE,
    ) -> None:
        """Abort the served call with RESOURCE_EXHAUSTED (message in `locale`) when a limit
        rejects it."""
        rejected = await self.check(caller, venue_id)
        if rejected is None:
            return
        scope, decision = rejected
        RATE_LIMIT_REJECTIONS.labels(scope=scope).inc()
        status = rejection_status(decision, scope, locale)
        await context.abort(status.code, status.details, status.trailing_metadata)
