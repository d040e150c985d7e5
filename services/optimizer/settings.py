"""The optimizer service's settings, from the environment."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class OptimizerSettings(ServiceSettings):
    """Shared settings plus the port, Redis (required: the venue-day lock), and the scheduler."""

    redis_url: str = Field(validation_alias=AliasChoices("REDIS_URL", "redis_url"))
    port: int = Field(
        default=50054, ge=0, le=65535,
        validation_alias=AliasChoices("MAITRED_OPTIMIZER_PORT", "port"),
    )  # fmt: skip
    assigner_address: str = Field(
        default="localhost:50052",
        validation_alias=AliasChoices("MAITRED_ASSIGNER_ADDRESS", "assigner_address"),
    )
    solver_workers: int = Field(
        default=2, ge=1, le=16,
        validation_alias=AliasChoices("MAITRED_OPTIMIZER_WORKERS", "solver_workers"),
    )  # fmt: skip
    scheduler: bool = Field(
        default=True, validation_alias=AliasChoices("MAITRED_OPTIMIZER_SCHEDULER", "scheduler")
    )
    scheduler_lead_minutes: int = Field(
        default=120, ge=1, le=24 * 60,
        validation_alias=AliasChoices("MAITRED_OPTIMIZER_LEAD_MINUTES", "scheduler_lead_minutes"),
    )  # fmt: skip
    scheduler_time_limit_seconds: float = Field(
        default=30.0, gt=0, le=120,
        validation_alias=AliasChoices(
            "MAITRED_OPTIMIZER_TIME_LIMIT_SECONDS", "scheduler_time_limit_seconds"
        ),
    )  # fmt: skip
    scheduler_interval_seconds: float = Field(
        default=60.0, gt=0,
        validation_alias=AliasChoices(
            "MAITRED_OPTIMIZER_SCHEDULER_INTERVAL_SECONDS", "scheduler_interval_seconds"
        ),
    )  # fmt: skip
