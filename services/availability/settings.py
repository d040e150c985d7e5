"""The availability service's settings, from the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.event_loop import EventLoopSettings
from shared.settings import ServiceSettings


class AvailabilitySettings(ServiceSettings, EventLoopSettings):
    """Shared settings plus the port, Redis (required here), the state service and rescue."""

    redis_url: str = Field(description=ServiceSettings.model_fields["redis_url"].description)

    availability_port: int = Field(
        default=50053, ge=0, le=65535, description="availability service port"
    )
    state_address: str = Field(
        default="localhost:50051", description="where the service reaches the state service"
    )
    watch_poll_seconds: float = Field(
        default=2.0, gt=0, description="safety poll of venue versions behind the change feed"
    )
    availability_rescue: Literal["memory", "optimizer", "off"] = Field(
        default="memory",
        description="where a capacity check or slot search that finds no free table looks for a "
        "re-pack of seated bookings: on this process's day models (`memory`), by asking the "
        "optimizer at `MAITRED_OPTIMIZER_ADDRESS` (`optimizer`; empty address: off), or nowhere "
        "(`off`). `off` seats fewer parties, so give every replica the same value",
    )
    optimizer_address: str = Field(
        default="",
        description="where the service asks the optimizer for rescue re-packs (availability: "
        "with `MAITRED_AVAILABILITY_RESCUE=optimizer`); empty turns that off (`make run` sets it)",
    )
    day_models_max: int = Field(
        default=256, ge=1, description="venue days an availability process holds in memory at most"
    )
    day_model_idle_seconds: float = Field(
        default=1800.0,
        gt=0,
        description="a day nobody asked about for this long is dropped from memory",
    )
    change_log_retention_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="age after which `venue_changes` rows are pruned (a model further behind is "
        "rebuilt)",
    )
