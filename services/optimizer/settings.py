"""The optimizer service's settings, from the environment."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class OptimizerSettings(ServiceSettings):
    """Shared settings plus the port, Redis (required: the venue-day lock), and the scheduler."""

    redis_url: str = Field(description=ServiceSettings.model_fields["redis_url"].description)

    optimizer_port: int = Field(default=50054, ge=0, le=65535, description="optimizer port")
    assigner_address: str = Field(
        default="localhost:50052", description="where the service reaches the assigner"
    )
    optimizer_workers: int = Field(
        default=2, ge=1, le=16, description="CP-SAT search workers per run"
    )
    optimizer_scheduler: bool = Field(
        default=True, description="run the per-shift scheduler in this optimizer process"
    )
    optimizer_lead_minutes: int = Field(
        default=120,
        ge=1,
        le=24 * 60,
        description="how long before a service period its re-plan runs",
    )
    optimizer_time_limit_seconds: float = Field(
        default=30.0, gt=0, le=120, description="the scheduler's solver time limit"
    )
    optimizer_scheduler_interval_seconds: float = Field(
        default=60.0, gt=0, description="how often the scheduler looks for periods to re-plan"
    )
