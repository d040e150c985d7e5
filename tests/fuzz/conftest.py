"""Fuzz tier: the whole suite on its own demo database, and the run's seed and size."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import create_engine
from tests.databases import demo_database
from tests.fuzz.suite import Suite, running_suite

DEFAULT_SEED = 20261207


@dataclass(frozen=True)
class FuzzRun:
    """How much to send and from which seed (`MAITRED_FUZZ_*`; `make fuzz` sends more)."""

    seed: int
    grpc_calls: int
    http_calls: int
    concurrency: int
    deadline_s: float

    @classmethod
    def from_environment(cls) -> FuzzRun:
        env = os.environ.get
        return cls(
            seed=int(env("MAITRED_FUZZ_SEED") or DEFAULT_SEED),
            grpc_calls=int(env("MAITRED_FUZZ_CALLS") or 2500),
            http_calls=int(env("MAITRED_FUZZ_HTTP_CALLS") or 800),
            concurrency=int(env("MAITRED_FUZZ_CONCURRENCY") or 8),
            # Generous: eight test runs may share this machine's two cores.
            deadline_s=float(env("MAITRED_FUZZ_DEADLINE_SECONDS") or 60),
        )

    def timeout_s(self, calls: int) -> float:
        """A pytest timeout for `calls` calls: generous, as the machine may be busy."""
        return 120 + calls * 0.2

    def replay(self) -> str:
        """The command that sends the same requests again (ids the services hand out aside)."""
        return (
            f"make fuzz FUZZ_SEED={self.seed} FUZZ_CALLS={self.grpc_calls} "
            f"FUZZ_HTTP_CALLS={self.http_calls}"
        )


@pytest.fixture(scope="session")
def fuzz_run() -> FuzzRun:
    run = FuzzRun.from_environment()
    print(f"\nfuzz seed {run.seed} (replay: {run.replay()})")
    return run


@pytest.fixture(scope="session")
async def fuzz_database(postgres_admin_url: str) -> AsyncIterator[str]:
    async with demo_database(postgres_admin_url, "maitred_fuzz") as url:
        yield url


@pytest.fixture(scope="session")
async def suite(fuzz_database: str, redis_url: str) -> AsyncIterator[Suite]:
    async with running_suite(fuzz_database, redis_url) as running:
        yield running


@pytest.fixture(scope="session")
async def fuzz_engine(fuzz_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(fuzz_database, pool_size=2, application_name="maitred-fuzz-checks")
    try:
        yield engine
    finally:
        await engine.dispose()
