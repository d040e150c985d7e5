"""The first response of each MoveBookings request id, in Redis or, without it, in this process."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import OrderedDict
from typing import Any
from uuid import UUID

from redis.asyncio import Redis

from services.assigner.domain.moves import MoveOutcome, MoveResult
from shared.domain_errors import Conflict, RequestIdReused

DONE_TTL_SECONDS = 24 * 3600
# A claim outlives any call (deadlines are seconds); a crashed caller's claim lapses by itself.
RUNNING_TTL_SECONDS = 120
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
MAX_LOCAL = 10_000

# Delete the claim only if it is still ours: a lapsed claim may have been taken by a retry.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _encode(results: list[MoveResult]) -> list[dict[str, Any]]:
    return [
        {
            "booking_id": str(r.booking_id),
            "outcome": r.outcome.value,
            "detail": r.detail,
            "booking_version": r.booking_version,
            "allocation_id": str(r.allocation_id) if r.allocation_id else None,
        }
        for r in results
    ]


def _decode(items: list[dict[str, Any]]) -> list[MoveResult]:
    return [
        MoveResult(
            UUID(i["booking_id"]),
            MoveOutcome(i["outcome"]),
            i["detail"],
            i["booking_version"],
            UUID(i["allocation_id"]) if i["allocation_id"] else None,
        )
        for i in items
    ]


def _busy(request_id: str) -> Conflict:
    return Conflict(what=f"MoveBookings {request_id} is still running")


def _seen(stored: dict[str, Any], fingerprint: str, request_id: str) -> list[MoveResult] | None:
    """The stored results; None while the first call runs; refused for another payload."""
    if stored["fingerprint"] != fingerprint:
        raise RequestIdReused(request_id=request_id)
    return _decode(stored["results"]) if "results" in stored else None


class RedisMoveReplays:
    """Responses keyed by venue and request id under the venue's hash tag, kept a day."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._release = redis.register_script(RELEASE)
        self._claims: dict[str, str] = {}

    @staticmethod
    def key(venue_id: str, request_id: str) -> str:
        return f"maitred:{{venue:{venue_id}}}:moves:{request_id}"

    async def claim(
        self, venue_id: str, request_id: str, fingerprint: str
    ) -> list[MoveResult] | None:
        """None when this call runs the request; else the first call's results (waiting a
        little while that call still runs)."""
        key = self.key(venue_id, request_id)
        marker = json.dumps({"fingerprint": fingerprint, "claim": secrets.token_hex(8)})
        for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
            if await self._redis.set(key, marker, nx=True, ex=RUNNING_TTL_SECONDS):
                self._claims[key] = marker
                return None
            raw = await self._redis.get(key)
            if raw is not None:
                found = _seen(json.loads(raw), fingerprint, request_id)
                if found is not None:
                    return found
            await asyncio.sleep(POLL_SECONDS)
        raise _busy(request_id)

    async def store(
        self, venue_id: str, request_id: str, fingerprint: str, results: list[MoveResult]
    ) -> None:
        key = self.key(venue_id, request_id)
        value = json.dumps({"fingerprint": fingerprint, "results": _encode(results)})
        await self._redis.set(key, value, ex=DONE_TTL_SECONDS)
        self._claims.pop(key, None)

    async def abandon(self, venue_id: str, request_id: str) -> None:
        """Let a retry run the request again (this call failed before it had results)."""
        key = self.key(venue_id, request_id)
        marker = self._claims.pop(key, None)
        if marker is not None:
            await self._release(keys=[key], args=[marker])


class LocalMoveReplays:
    """The same, in this process only, for the newest MAX_LOCAL requests (no Redis)."""

    def __init__(self, limit: int = MAX_LOCAL) -> None:
        self._limit = limit
        self._seen: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    async def claim(
        self, venue_id: str, request_id: str, fingerprint: str
    ) -> list[MoveResult] | None:
        key = (venue_id, request_id)
        for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
            stored = self._seen.get(key)
            if stored is None:
                self._put(key, {"fingerprint": fingerprint})
                return None
            found = _seen(stored, fingerprint, request_id)
            if found is not None:
                return found
            await asyncio.sleep(POLL_SECONDS)
        raise _busy(request_id)

    async def store(
        self, venue_id: str, request_id: str, fingerprint: str, results: list[MoveResult]
    ) -> None:
        self._put((venue_id, request_id), {"fingerprint": fingerprint, "results": _encode(results)})

    async def abandon(self, venue_id: str, request_id: str) -> None:
        stored = self._seen.get((venue_id, request_id))
        if stored is not None and "results" not in stored:
            del self._seen[(venue_id, request_id)]

    def _put(self, key: tuple[str, str], value: dict[str, Any]) -> None:
        self._seen[key] = value
        self._seen.move_to_end(key)
        while len(self._seen) > self._limit:
            self._seen.popitem(last=False)
