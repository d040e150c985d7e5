"""The gateway's settings, from the environment: where it listens and where the services are."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """The gateway holds no data and no secret: tokens pass through to the services."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    host: str = Field(default="0.0.0.0", validation_alias=AliasChoices("MAITRED_HOST", "host"))
    port: int = Field(
        default=8080, ge=0, le=65535,
        validation_alias=AliasChoices("MAITRED_GATEWAY_PORT", "port"),
    )  # fmt: skip
    state_address: str = Field(
        default="localhost:50051",
        validation_alias=AliasChoices("MAITRED_STATE_ADDRESS", "state_address"),
    )
    assigner_address: str = Field(
        default="localhost:50052",
        validation_alias=AliasChoices("MAITRED_ASSIGNER_ADDRESS", "assigner_address"),
    )
    availability_address: str = Field(
        default="localhost:50053",
        validation_alias=AliasChoices("MAITRED_AVAILABILITY_ADDRESS", "availability_address"),
    )
    optimizer_address: str = Field(
        default="localhost:50054",
        validation_alias=AliasChoices("MAITRED_OPTIMIZER_ADDRESS", "optimizer_address"),
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, le=300,
        validation_alias=AliasChoices("MAITRED_GATEWAY_TIMEOUT_SECONDS", "timeout_seconds"),
    )  # fmt: skip
    # Watching snapshots and following an optimizer run are long calls by nature.
    stream_timeout_seconds: float = Field(
        default=3600.0, gt=0,
        validation_alias=AliasChoices(
            "MAITRED_GATEWAY_STREAM_TIMEOUT_SECONDS", "stream_timeout_seconds"
        ),
    )  # fmt: skip
    grace_period_seconds: float = Field(
        default=10.0, gt=0,
        validation_alias=AliasChoices("MAITRED_GRACE_PERIOD_SECONDS", "grace_period_seconds"),
    )  # fmt: skip
    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("MAITRED_LOG_LEVEL", "log_level")
    )

    def addresses(self) -> dict[str, str]:
        """Each service's address, by the name its protos' package carries."""
        return {
            "state": self.state_address,
            "assigner": self.assigner_address,
            "availability": self.availability_address,
            "optimizer": self.optimizer_address,
        }
