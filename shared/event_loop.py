"""The event loop a service process runs on: uvloop by default, Python's own asyncio on request."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Literal

from pydantic import Field

from shared.settings import MaitredSettings

EventLoop = Literal["uvloop", "asyncio"]


class EventLoopSettings(MaitredSettings):
    """The setting of the processes whose composition root runs through `run_on`."""

    event_loop: EventLoop = Field(
        default="uvloop",
        description="the event loop the process runs on: `uvloop` (less CPU per call and per "
        "message) or Python's own `asyncio`",
    )


def run_on(loop: EventLoop, main: Coroutine[Any, Any, None]) -> None:
    """Run `main` to completion on `loop`, as `asyncio.run` would."""
    if loop == "uvloop":
        import uvloop  # only here: the asyncio loop runs where uvloop is not installed

        uvloop.run(main)
    else:
        asyncio.run(main)
