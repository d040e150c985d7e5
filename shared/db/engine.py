"""Builds the asyncpg-backed SQLAlchemy engine every service uses to reach PostgreSQL."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ASYNC_SCHEME = "postgresql+asyncpg"
CONNECT_TIMEOUT_SECONDS = 10
COMMAND_TIMEOUT_SECONDS = 30
POOL_TIMEOUT_SECONDS = 10
# Managed PostgreSQL and the proxies in front of it drop idle connections; recycle before they do.
POOL_RECYCLE_SECONDS = 1800


def async_url(url: str) -> str:
    """Return `url` with the asyncpg driver: postgresql://, postgres:// or postgresql+x://."""
    scheme, separator, rest = url.partition("://")
    known = scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+")
    if not separator or not known:
        raise ValueError(f"not a PostgreSQL URL: {scheme or url!r}")
    parts = urlsplit(f"{ASYNC_SCHEME}://{rest}")
    # libpq spells it sslmode (as most providers' URLs do); asyncpg calls it ssl.
    query = [
        ("ssl" if key == "sslmode" else key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


def create_engine(
    url: str, *, pool_size: int = 10, application_name: str = "maitred"
) -> AsyncEngine:
    """An engine that fails fast instead of hanging.

    No pre-ping: it cost a round trip per transaction. A connection found dropped invalidates
    the pool (SQLAlchemy's optimistic disconnect handling), and `Transaction` retries its start
    once on a fresh connection, so a PostgreSQL restart costs no unit of work.
    """
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        # A fixed pool, so the connections a fleet can open are replicas x pool_size, no more.
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        pool_recycle=POOL_RECYCLE_SECONDS,
        pool_pre_ping=False,
        connect_args={
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "command_timeout": COMMAND_TIMEOUT_SECONDS,
            # Lets an SRE tell the services apart in pg_stat_activity.
            "server_settings": {"application_name": application_name},
        },
    )
