"""Runs the Alembic migrations from code: for the suite's launcher, `maitred migrate` and tests."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from pydantic import Field

from shared.settings import MaitredSettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class MigrationSettings(MaitredSettings):
    """What the alembic command line reads: the database to migrate."""

    database_url: str = Field(default="", description="the database `alembic upgrade` migrates")


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic config for our migrations, independent of the working directory.

    Without a URL it can still render SQL (`command.upgrade(config, "head", sql=True)`).
    Built without alembic.ini on purpose: that file's logging setup would replace the caller's.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        # The config is an ini parser, where a bare % starts an interpolation.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> None:
    """Migrate the database at `database_url` to the newest revision; blocks until done.

    Call it from synchronous code only: the migrations run on their own event loop.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(database_url), "head")
        return
    raise RuntimeError("upgrade_to_head blocks; inside an event loop await upgrade_to_head_async")


async def upgrade_to_head_async(database_url: str) -> None:
    """Migrate to the newest revision from async code, without blocking the caller's loop."""
    await asyncio.to_thread(upgrade_to_head, database_url)
