"""The gateway's settings, from the environment: where it listens and where the services are."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Where `npm ci` puts swagger-ui-dist in a checkout of the repository.
SWAGGER_UI_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
# The ops console's files in a checkout of the repository.
CONSOLE_DIR = Path(__file__).resolve().parents[2] / "console" / "src"
# An exact origin, as a browser sends it: scheme, host and an optional port, nothing more.
ORIGIN = re.compile(r"https?://([a-z0-9.\-]+|\[[0-9a-f:]+\])(:[0-9]{1,5})?")


class GatewaySettings(BaseSettings):
    """The gateway holds no data: tokens pass through to the services. Its one secret is the
    JWT secret, and only in development mode (`dev_login`), where the console mints tokens."""

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

    # The ops console at /console/, and its development login (never set in a deploy overlay).
    console_dir: Path = Field(
        default=CONSOLE_DIR, validation_alias=AliasChoices("MAITRED_CONSOLE_DIR", "console_dir")
    )
    dev_login: bool = Field(
        default=False, validation_alias=AliasChoices("MAITRED_GATEWAY_DEV_LOGIN", "dev_login")
    )
    jwt_secret: SecretStr = Field(
        default=SecretStr(""), validation_alias=AliasChoices("MAITRED_JWT_SECRET", "jwt_secret")
    )
    jwt_issuer: str = Field(
        default="maitred", validation_alias=AliasChoices("MAITRED_JWT_ISSUER", "jwt_issuer")
    )
    dev_token_ttl_seconds: int = Field(default=8 * 3600, gt=0, le=24 * 3600)

    @model_validator(mode="after")
    def _secret_for_dev_login(self) -> GatewaySettings:
        if self.dev_login and len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("MAITRED_GATEWAY_DEV_LOGIN needs MAITRED_JWT_SECRET (32+ characters)")
        return self

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
