"""How much memory one venue day takes when an availability process holds it in its model."""

from __future__ import annotations

import gc
import os
import tracemalloc
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.availability.adapters.day_source import PostgresDaySource
from services.availability.domain.occupancy import Facts
from services.availability.domain.packing import Packing


async def day_memory(engine: AsyncEngine, venue_id: str, day: date) -> dict[str, Any]:
    """Bytes the day's facts hold (read from PostgreSQL as the model reads them), and the
    packing its capacity checks add, by tracemalloc with the objects kept alive."""
    source = PostgresDaySource(engine)
    start = datetime.combine(day, time(0), UTC)
    await source.day(venue_id, day, start, start + timedelta(days=1))  # warm the query caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        facts = await source.day(venue_id, day, start, start + timedelta(days=1))
        assert facts is not None
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        packing = Packing.of(
            Facts(facts.version, facts.floor_version, facts.occupancies, facts.demand),
            datetime.now(UTC),
        )
        gc.collect()
        with_packing = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del packing
    return {
        "occupancies": len(facts.occupancies),
        "waiting": len(facts.demand),
        "day_bytes": held,
        "packing_bytes": with_packing - held,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
