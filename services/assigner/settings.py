"""The assigner service's settings, from the environment."""

from __future__ import annotations

import os
import socket

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class AssignerSettings(ServiceSettings):
    """Shared settings plus the port, Redis (required), peers, and the coordinator's knobs."""

    redis_url: str = Field(validation_alias=AliasChoices("REDIS_URL", "redis_url"))
    port: int = Field(
        default=50052,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("MAITRED_ASSIGNER_PORT", "port"),
    )
    state_address: str = Field(
        default="localhost:50051",
        validation_alias=AliasChoices("MAITRED_STATE_ADDRESS", "state_address"),
    )
    availability_address: str = Field(
        default="localhost:50053",
        validation_alias=AliasChoices("MAITRED_AVAILABILITY_ADDRESS", "availability_address"),
    )
    # The optimizer, asked for a re-pack before a booking waits for a retry; empty: rescue off.
    optimizer_address: str = Field(
        default="",
        validation_alias=AliasChoices("MAITRED_OPTIMIZER_ADDRESS", "optimizer_address"),
    )
    consumer_name: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        validation_alias=AliasChoices("MAITRED_CONSUMER_NAME", "consumer_name"),
    )
    claim_idle_ms: int = Field(
        default=30_000,
        gt=0,
        validation_alias=AliasChoices("MAITRED_CLAIM_IDLE_MS", "claim_idle_ms"),
    )
    max_deliveries: int = Field(
        default=5, gt=0, validation_alias=AliasChoices("MAITRED_MAX_DELIVERIES", "max_deliveries")
    )
    stalled_after_seconds: float = Field(
        default=60.0, gt=0,
        validation_alias=AliasChoices("MAITRED_STALLED_AFTER_SECONDS", "stalled_after_seconds"),
    )  # fmt: skip
    stall_sweep_seconds: float = Field(
        default=15.0, gt=0,
        validation_alias=AliasChoices("MAITRED_STALL_SWEEP_SECONDS", "stall_sweep_seconds"),
    )  # fmt: skip
    ended_sweep_seconds: float = Field(
        default=30.0, gt=0,
        validation_alias=AliasChoices("MAITRED_ENDED_SWEEP_SECONDS", "ended_sweep_seconds"),
    )  # fmt: skip
    coordinator: bool = Field(
        default=True, validation_alias=AliasChoices("MAITRED_COORDINATOR", "coordinator")
    )
