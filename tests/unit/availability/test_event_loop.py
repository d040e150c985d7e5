"""The availability process starts on asyncio's own loop where uvloop is not installed."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
sys.modules["uvloop"] = None  # as if not installed: importing it raises ImportError
import services.availability.main as main
ran = []
async def run(settings):
    ran.append(settings.availability_event_loop)
main.run = run
main.main()
assert ran == ["asyncio"], ran
try:
    import uvloop
except ImportError:
    print("asyncio without uvloop")
"""


def test_the_asyncio_loop_runs_without_uvloop():
    env = {
        "MAITRED_AVAILABILITY_EVENT_LOOP": "asyncio",
        # Read by the settings only: `run` is replaced, so nothing connects.
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "MAITRED_JWT_SECRET": "x" * 32,
        "PATH": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "asyncio without uvloop"
