"""Alembic environment: migrates a live database over asyncpg, or renders the SQL offline."""

import asyncio
import importlib
from logging.config import fileConfig

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.db.engine import async_url
from shared.db.migrate import MigrationSettings

# Any fixed number works; it only has to be the same in every process that migrates.
MIGRATION_LOCK_KEY = 7_262_340_001
# DDL queued behind a long transaction would stall every booking write queued behind it;
# failing fast and retrying the deploy is kinder to a running fleet.
LOCK_TIMEOUT = "10s"

config = context.config


def _target_metadata() -> MetaData | None:
    """The tables `alembic revision --autogenerate` compares with the database: the module
    alembic.ini names (`services.tables:metadata`, every owner's tables), so shared/ names no
    service. Upgrades and offline SQL need none."""
    named = config.get_main_option("target_metadata")
    if not named:
        return None
    module, _, attribute = named.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if not isinstance(found, MetaData):
        raise TypeError(f"target_metadata {named} is not a MetaData")
    return found


metadata = _target_metadata()


def _database_url() -> str:
    """The URL set in code (shared.db.migrate) wins; the command line reads DATABASE_URL."""
    url = config.get_main_option("sqlalchemy.url") or MigrationSettings().database_url
    if not url:
        raise RuntimeError("set DATABASE_URL, or run `alembic upgrade head --sql` for SQL only")
    return url


def _run_offline() -> None:
    """Render SQL for a DBA: no database and no URL needed."""
    context.configure(
        dialect_name="postgresql",
        target_metadata=metadata,
        literal_binds=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    # Several services may start at once against one database: one migrates, the rest wait.
    connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
    connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    connection.commit()
    try:
        # One transaction per revision, so a failed contract step keeps the backfill before it.
        context.configure(
            connection=connection,
            target_metadata=metadata,
            transaction_per_migration=True,
            compare_type=True,
            compare_server_default=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        connection.rollback()
        connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
        connection.commit()


async def _run_online(url: str) -> None:
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


def _run() -> None:
    if context.is_offline_mode():
        _run_offline()
        return
    # A private loop, never installed as the thread's current one, so a caller's loop is untouched.
    with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
        runner.run(_run_online(_database_url()))


# Only the alembic command line has an ini file; code that migrates keeps its own logging.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

_run()
