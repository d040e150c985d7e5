"""A fresh database migrated to head, dropped afterwards: for a session, a module or one test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.availability.adapters.demo_venue import seed_demo_venue
from shared.db.engine import create_engine
from shared.db.migrate import upgrade_to_head_async
from shared.dev_servers import drop_database, ensure_database, url_with_database


@asynccontextmanager
async def migrated_database(admin_url: str, prefix: str) -> AsyncIterator[str]:
    """The URL of a new database named `<prefix>_<random>` on the server of `admin_url`."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await ensure_database(admin_url, name)
    try:
        url = url_with_database(admin_url, name)
        await upgrade_to_head_async(url)
        yield url
    finally:
        await drop_database(admin_url, name)


@asynccontextmanager
async def demo_database(admin_url: str, prefix: str) -> AsyncIterator[str]:
    """A migrated database as `migrated_database` gives, with the demo venue seeded in it."""
    async with migrated_database(admin_url, prefix) as url:
        engine = create_engine(url, pool_size=2)
        try:
            await seed_demo_venue(engine)
        finally:
            await engine.dispose()
        yield url
