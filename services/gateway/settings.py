"""The gateway's settings, from the environment: where it listens and where the services are."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from shared.settings import ProcessSettings

# Where `npm ci` puts swagger-ui-dist in a checkout of the repository.
SWAGGER_UI_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
# The ops console's files in a checkout of the repository.
CONSOLE_DIR = Path(__file__).resolve().parents[2] / "console" / "src"
# An exact origin, as a browser sends it: scheme, host and an optional port, nothing more.
ORIGIN = re.compile(r"https?://([a-z0-9.\-]+|\[[0-9a-f:]+\])(:[0-9]{1,5})?")


class GatewaySettings(ProcessSettings):
    """The gateway holds no data: tokens pass through to the services. Its one secret is the
    JWT secret, and only in development mode (`gateway_dev_login`), where the console mints
    tokens."""

    gateway_port: int = Field(
        default=8080,
        ge=0,
        le=65535,
        description="the HTTP/JSON gateway's port (it needs no database, Redis or secret, "
        "unless `MAITRED_GATEWAY_DEV_LOGIN` is on)",
    )
    state_address: str = Field(
        default="localhost:50051", description="where the service reaches the state service"
    )
    assigner_address: str = Field(
        default="localhost:50052", description="where the service reaches the assigner"
    )
    availability_address: str = Field(
        default="localhost:50053", description="where the service reaches availability"
    )
    optimizer_address: str = Field(
        default="localhost:50054", description="where the gateway reaches the optimizer"
    )
    gateway_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="the gateway's deadline for one call"
    )
    # Watching snapshots and following an optimizer run are long calls by nature.
    gateway_stream_timeout_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="the gateway's deadline for one stream (a watch or an optimizer run)",
    )
    gateway_cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="origins whose pages may call the gateway from a browser, comma-separated "
        "exact origins (`https://ops.example.com`); `*` allows any; empty: no CORS",
    )
    gateway_cors_max_age_seconds: int = Field(
        default=600, ge=0, le=86400, description="how long a browser may keep a preflight's answer"
    )
    gateway_swagger_ui_dir: Path = Field(
        default=SWAGGER_UI_DIR,
        description="the files of swagger-ui-dist served at `/docs/` (default: "
        "`node_modules/swagger-ui-dist` of the checkout, `/app/swagger-ui` in the image)",
    )
    console_dir: Path = Field(
        default=CONSOLE_DIR,
        description="the folder of the ops console's files (default: `console/src` of the "
        "checkout, `/app/console/src` in the image)",
    )
    gateway_dev_login: bool = Field(
        default=False,
        description="development mode: the console's page may mint ops tokens "
        "(`POST /console/dev-login`); needs `MAITRED_JWT_SECRET`; never set it in production "
        "(no overlay does; `make run` sets `true`)",
    )
    jwt_secret: SecretStr = Field(
        default=SecretStr(""), description="HS256 key for tokens, 32+ characters"
    )
    gateway_dev_token_ttl_seconds: int = Field(
        default=8 * 3600, gt=0, le=24 * 3600, description="lifetime of a dev-login token"
    )

    @model_validator(mode="after")
    def _secret_for_dev_login(self) -> GatewaySettings:
        if self.gateway_dev_login and len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("MAITRED_GATEWAY_DEV_LOGIN needs MAITRED_JWT_SECRET (32+ characters)")
        return self

    @field_validator("gateway_cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("gateway_cors_origins")
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
