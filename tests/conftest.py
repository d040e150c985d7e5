"""Root test configuration: tier markers, Hypothesis settings, the shared PostgreSQL and Redis."""

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import create_engine
from shared.dev_servers import (
    start_postgres,
    start_redis,
)
from tests.databases import migrated_database

# Property tests judge answers, never speed: on a shared 2-core machine one example can take
# longer than Hypothesis's 200 ms deadline, which would fail a correct test. Loaded here, before
# any test module, so every @settings(...) starts from it.
settings.register_profile(
    "maitred", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("maitred")

TESTS_DIR = Path(__file__).resolve().parent
TIERS = ("unit", "service", "fuzz", "integration", "e2e")


def _tier(item: pytest.Item) -> str:
    try:
        return item.path.resolve().relative_to(TESTS_DIR).parts[0]
    except ValueError:
        return ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier (its folder), and run the fast tiers first, e2e last."""
    for item in items:
        if _tier(item) in TIERS:
            item.add_marker(getattr(pytest.mark, _tier(item)))
    rank = {tier: index for index, tier in enumerate(TIERS)}
    items.sort(key=lambda item: rank.get(_tier(item), len(TIERS)))


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """DATABASE_URL when set; else an embedded PostgreSQL for this session. Never skips."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield configured
        return
    # Short and outside pytest's tmp tree: the wheel opens the path to its server user (as
    # root), and the unix socket path must stay under the OS limit.
    data_dir = Path(tempfile.mkdtemp(prefix="maitred-pg-"))
    server = start_postgres(data_dir)
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def database_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """A fresh database for this session, migrated to head; a plain postgresql:// URL."""
    async with migrated_database(postgres_admin_url, "maitred_test") as url:
        yield url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """One engine on the session database, disposed at the end."""
    session_engine = create_engine(database_url, pool_size=5, application_name="maitred-tests")
    try:
        yield session_engine
    finally:
        await session_engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """REDIS_URL when set; else an embedded redis-server for this session (a unix:// URL)."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    data_dir = Path(tempfile.mkdtemp(prefix="maitred-redis-"))
    server = start_redis(data_dir)
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def events_stream() -> Iterator[str]:
    """A stream of this session's own, so services started by tests never share events."""
    name = f"maitred:test:{uuid.uuid4().hex[:8]}:events"
    previous = os.environ.get("MAITRED_EVENTS_STREAM")
    os.environ["MAITRED_EVENTS_STREAM"] = name
    yield name
    if previous is None:
        os.environ.pop("MAITRED_EVENTS_STREAM", None)
    else:
        os.environ["MAITRED_EVENTS_STREAM"] = previous
