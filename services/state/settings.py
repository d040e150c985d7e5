"""The state service's settings, from the environment."""

from __future__ import annotations

from pydantic import Field

from shared.event_loop import EventLoopSettings
from shared.settings import ServiceSettings


class StateSettings(ServiceSettings, EventLoopSettings):
    """Shared settings plus the state service's port and event loop."""

    state_port: int = Field(default=50051, ge=0, le=65535, description="state service port")
