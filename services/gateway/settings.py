"""The gateway's settings, from the environment: where it listens and where the services are."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# An exact origin, as a browser sends it: scheme, host and an optional port, nothing more.
# Where `npm ci` puts swagger-ui-dist in a checkout of the repository.
SWAGGER_UI_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
ORIGIN = re.compile(r"https?://([a-z0-9.\-]+|\[[0-9a-f:]+\])(:[0-9]{1,5})?")


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
    grpc_load_balancing: Literal["round_robin", "pick_first"] = Field(
        default="round_robin",
        validation_alias=AliasChoices("MAITRED_GRPC_LOAD_BALANCING", "grpc_load_balancing"),
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
    # Origins whose pages may call the gateway from a browser, comma-separated
    # (`https://ops.example.com,http://localhost:5173`); empty: no CORS; `*`: any origin.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        validation_alias=AliasChoices("MAITRED_GATEWAY_CORS_ORIGINS", "cors_origins"),
    )
    cors_max_age_seconds: int = Field(
        default=600, ge=0, le=86400,
        validation_alias=AliasChoices(
            "MAITRED_GATEWAY_CORS_MAX_AGE_SECONDS", "cors_max_age_seconds"
        ),
    )  # fmt: skip

    # The files of the npm package swagger-ui-dist, served at /docs/.
    swagger_ui_dir: Path = Field(
        default=SWAGGER_UI_DIR,
        validation_alias=AliasChoices("MAITRED_GATEWAY_SWAGGER_UI_DIR", "swagger_ui_dir"),
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            if origin != "*" and not ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin such as https://ops.example.com")
        return origins

    def addresses(self) -> dict[str, str]:
        """Each service's address, by the name its protos' package carries."""
        return {
            "state": self.state_address,
            "assigner": self.assigner_address,
            "availability": self.availability_address,
            "optimizer": self.optimizer_address,
        }
