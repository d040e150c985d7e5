"""Service processes run on the event loop their settings name, asyncio where uvloop is absent."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shared.event_loop import EventLoopSettings

SCRIPT = """
import asyncio, sys
if sys.argv[2] == "absent":
    sys.modules["uvloop"] = None  # as if not installed: importing it raises ImportError
import services.{service}.main as main
ran = []
async def run(settings):
    ran.append((settings.event_loop, type(asyncio.get_running_loop()).__module__))
main.run = run
main.main()
print(ran)
"""

ENV = {
    # Read by the settings only: `run` is replaced, so nothing connects.
    "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "MAITRED_JWT_SECRET": "x" * 32,
    "PATH": "",
}


def _loop_of(service: str, setting: str | None, uvloop: str) -> str:
    env = ENV | ({"MAITRED_EVENT_LOOP": setting} if setting else {})
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(service=service), "-", uvloop],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("service", ["state", "availability", "assigner"])
def test_a_service_runs_on_uvloop_by_default(service: str) -> None:
    assert _loop_of(service, None, "present") == "[('uvloop', 'uvloop')]"


@pytest.mark.parametrize("service", ["state", "availability", "assigner"])
def test_the_asyncio_loop_runs_without_uvloop(service: str) -> None:
    assert _loop_of(service, "asyncio", "absent") == "[('asyncio', 'asyncio.unix_events')]"


def test_the_old_availability_name_stops_the_process_with_the_new_name():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MAITRED_AVAILABILITY_EVENT_LOOP", "asyncio")
        with pytest.raises(ValueError, match="renamed MAITRED_EVENT_LOOP"):
            EventLoopSettings()  # every process's settings refuse it, not only availability's
