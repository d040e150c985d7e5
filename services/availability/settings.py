"""The availability service's settings, from the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class AvailabilitySettings(ServiceSettings):
    """Shared settings plus the port, Redis (required here), the state service and rescue."""

    redis_url: str = Field(validation_alias=AliasChoices("REDIS_URL", "redis_url"))
    port: int = Field(
        default=50053,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("MAITRED_AVAILABILITY_PORT", "port"),
    )
    state_address: str = Field(
        default="localhost:50051",
        validation_alias=AliasChoices("MAITRED_STATE_ADDRESS", "state_address"),
    )
    watch_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        validation_alias=AliasChoices("MAITRED_WATCH_POLL_SECONDS", "watch_poll_seconds"),
    )
    # Where a capacity check or slot search that finds no free table looks for a re-pack of
    # seated bookings: on this process's day models ("memory"), by asking the optimizer at
    # optimizer_address ("optimizer"; empty address: off), or nowhere ("off").
    rescue: Literal["memory", "optimizer", "off"] = Field(
        default="memory",
        validation_alias=AliasChoices("MAITRED_AVAILABILITY_RESCUE", "rescue"),
    )
    optimizer_address: str = Field(
        default="",
        validation_alias=AliasChoices("MAITRED_OPTIMIZER_ADDRESS", "optimizer_address"),
    )
    # The venue days held in memory: at most this many, and none unasked for this long.
    day_models_max: int = Field(
        default=256,
        ge=1,
        validation_alias=AliasChoices("MAITRED_DAY_MODELS_MAX", "day_models_max"),
    )
    day_model_idle_seconds: float = Field(
        default=1800.0,
        gt=0,
        validation_alias=AliasChoices("MAITRED_DAY_MODEL_IDLE_SECONDS", "day_model_idle_seconds"),
    )
    # How long the venue change log keeps its rows; a day model further behind is rebuilt.
    change_log_retention_seconds: float = Field(
        default=3600.0,
        gt=0,
        validation_alias=AliasChoices(
            "MAITRED_CHANGE_LOG_RETENTION_SECONDS", "change_log_retention_seconds"
        ),
    )
