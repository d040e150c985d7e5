"""A Redis cache of venue days keyed by version: a stale entry can never be read as current."""

from __future__ import annotations

import logging
from datetime import date

from redis.asyncio import Redis
from redis.exceptions import RedisError

from services.availability.adapters.day_codec import decode, encode
from services.availability.application.snapshot_ports import DayFacts

log = logging.getLogger("maitred.availability.cache")
TTL_SECONDS = 3600
FORMAT = "f2"  # of the encoded day (day_codec); a new one whenever the encoding changes


def key(venue_id: str, day: date, version: int, database: str) -> str:
    # The hash tag keeps one venue's keys on one Redis Cluster slot (DESIGN.md, tenancy); the
    # database's identity keeps a recreated or restored database from reading old entries, and
    # the format's keeps entries written by older code (without what re-packs read) unread.
    return f"maitred:{{venue:{venue_id}}}:day:{database}:{FORMAT}:{day.isoformat()}:v{version}"


class RedisDayCache:
    """Days by venue, day and change version; every failure is logged and read as a miss."""

    def __init__(self, redis: Redis, database: str) -> None:
        self._redis = redis
        self._database = database

    async def get(self, venue_id: str, day: date, version: int) -> DayFacts | None:
        try:
            data = await self._redis.get(key(venue_id, day, version, self._database))
        except (RedisError, OSError) as error:
            log.warning(
                "snapshot cache unavailable, reading PostgreSQL", extra={"error": str(error)}
            )
            return None
        return decode(data if isinstance(data, bytes) else data.encode()) if data else None

    async def put(self, facts: DayFacts) -> None:
        try:
            name = key(facts.venue_id, facts.day, facts.version, self._database)
            await self._redis.set(name, encode(facts), ex=TTL_SECONDS)
        except (RedisError, OSError) as error:
            log.warning("snapshot cache unavailable, not cached", extra={"error": str(error)})
