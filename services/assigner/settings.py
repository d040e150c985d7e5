"""The assigner service's settings, from the environment."""

from __future__ import annotations

import os
import socket

from pydantic import Field

from shared.event_loop import EventLoopSettings
from shared.settings import ServiceSettings


class AssignerSettings(ServiceSettings, EventLoopSettings):
    """Shared settings plus the port, Redis (required), peers, and the coordinator's knobs."""

    redis_url: str = Field(description=ServiceSettings.model_fields["redis_url"].description)

    assigner_port: int = Field(default=50052, ge=0, le=65535, description="assigner port")
    state_address: str = Field(
        default="localhost:50051", description="where the service reaches the state service"
    )
    availability_address: str = Field(
        default="localhost:50053", description="where the service reaches availability"
    )
    optimizer_address: str = Field(
        default="",
        description="where the service asks the optimizer for rescue re-packs (availability: "
        "with `MAITRED_AVAILABILITY_RESCUE=optimizer`); empty turns that off (`make run` sets it)",
    )
    consumer_name: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        description="this coordinator's name in the consumer group (default: host-pid)",
    )
    claim_idle_ms: int = Field(default=30_000, gt=0, description="reclaim stuck events after")
    max_deliveries: int = Field(default=5, gt=0, description="dead-letter an event after")
    stalled_after_seconds: float = Field(
        default=60.0,
        gt=0,
        description="a booking idle this long in a state the coordinator moves on is driven again",
    )
    stall_sweep_seconds: float = Field(
        default=15.0, gt=0, description="how often to look for stalled bookings"
    )
    ended_sweep_seconds: float = Field(
        default=30.0,
        gt=0,
        description="how often live assignments of cancelled, no-show or rejected bookings are "
        "looked for and released",
    )
    yield_clock_file: str = Field(
        default="",
        description="benchmarks only: a file holding an ISO 8601 moment the yield policy takes "
        "as now when it measures a booking's lead (bench/quality_api.py writes one per request); "
        "checked at start (unreadable, or no moment with its offset: the start fails) and "
        "logged as a warning; empty (the default, and always in production): the real clock",
    )
    coordinator: bool = Field(
        default=True, description="run the coordinator loops in this assigner process"
    )
