"""The settings base every process extends: each variable is MAITRED_ and the field's name.

    class StateSettings(ServiceSettings):
        state_port: int = 50051          # read from MAITRED_STATE_PORT

Four names keep the spelling their ecosystems gave them, declared once here in UNPREFIXED:
DATABASE_URL and REDIS_URL, and OpenTelemetry's endpoint and off switch. README's
configuration table is generated from these classes (scripts/settings_table.py).
"""

from __future__ import annotations

import os
from typing import Any, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

# Field name -> the variables it is also read from, first set wins (its MAITRED_ name wins over
# them all). OpenTelemetry's order: the traces endpoint before the general one.
UNPREFIXED: dict[str, tuple[str, ...]] = {
    "database_url": ("DATABASE_URL",),
    "redis_url": ("REDIS_URL",),
    "otlp_endpoint": ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
    "otel_sdk_disabled": ("OTEL_SDK_DISABLED",),
}

# Old name -> its new one. A deployment still setting an old name is stopped at start, never
# silently run on the default it meant to change.
RENAMED: dict[str, str] = {"MAITRED_AVAILABILITY_EVENT_LOOP": "MAITRED_EVENT_LOOP"}


class UnprefixedVariables(PydanticBaseSettingsSource):
    """Reads the UNPREFIXED variables of the fields a settings class has."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        for variable in UNPREFIXED.get(field_name, ()):
            value = os.environ.get(variable, "").strip()
            if value:
                return value, variable, False
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {}
        for name, field in self.settings_cls.model_fields.items():
            value, _, _ = self.get_field_value(field, name)
            if value is not None:
                found[name] = value
        return found


class MaitredSettings(BaseSettings):
    """The base of every process's settings: the prefix, the unprefixed names, frozen values."""

    model_config = SettingsConfigDict(env_prefix="MAITRED_", extra="forbid", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, UnprefixedVariables(settings_cls))

    @model_validator(mode="after")
    def _refuse_renamed_variables(self) -> Self:
        for old, new in RENAMED.items():
            if os.environ.get(old):
                raise ValueError(f"{old} was renamed {new}: set that instead")
        return self


class ProcessSettings(MaitredSettings):
    """What every long-running process reads: where it binds, how it logs, drains and calls."""

    host: str = Field(default="0.0.0.0", description="bind address")
    log_level: str = Field(default="INFO", description="log level (logs are JSON lines on stderr)")
    grace_period_seconds: float = Field(default=10.0, gt=0, description="drain time on SIGTERM")
    grpc_load_balancing: Literal["round_robin", "pick_first"] = Field(
        default="round_robin",
        description="how a channel to another service picks among the addresses its target "
        "resolves to: `round_robin` or `pick_first`. An address `host:port` is resolved as "
        "`dns:///host:port` (every pod of a headless Service); a target with a scheme is kept "
        "(`ipv4:127.0.0.1:50051,127.0.0.2:50051`)",
    )
    jwt_issuer: str = Field(default="maitred", description="expected token issuer")


class ServiceSettings(ProcessSettings):
    """What every gRPC service needs: stores, the token secret, the server's shape, tracing."""

    database_url: str = Field(description="PostgreSQL, `postgresql://user:pass@host:5432/db`")
    redis_url: str | None = Field(
        default=None,
        description="Redis, `redis://host:6379/0` (required by availability, the assigner and "
        "the optimizer, which declare it so; for the state service it turns on the outbox relay "
        "and rate limits)",
    )
    redis_cluster: bool = Field(
        default=False,
        description="`true` when `REDIS_URL` names a node of a Redis Cluster: every service "
        "then routes each key to its slot (see Database)",
    )
    jwt_secret: SecretStr = Field(min_length=32, description="HS256 key for tokens, 32+ characters")
    max_concurrent_rpcs: int = Field(
        default=1024, gt=0, description="per-server bound on in-flight RPCs (watch streams count)"
    )
    max_connection_age_seconds: float = Field(
        default=300.0,
        gt=0,
        description="a server closes each client connection after this long (clients reconnect "
        "and resolve again, so new replicas get traffic)",
    )
    max_connection_age_grace_seconds: float = Field(
        default=3600.0, gt=0, description="time calls in flight get to finish at that close"
    )
    events_stream: str = Field(
        default="maitred:events:bookings", description="the Redis Stream of booking events"
    )
    db_pool_size: int = Field(default=10, gt=0, description="PostgreSQL connections per process")
    metrics_port: int = Field(
        default=0, ge=0, description="port of the Prometheus `/metrics` endpoint; `0` turns it off"
    )
    rate_limit_per_caller: float = Field(
        default=200.0,
        ge=0,
        description="calls per second of one caller within one venue; `0` turns it off "
        "(limits need Redis)",
    )
    rate_limit_caller_burst: int = Field(default=400, gt=0, description="that limit's burst")
    rate_limit_per_venue: float = Field(
        default=500.0, ge=0, description="calls per second of one venue from all callers; `0` off"
    )
    rate_limit_venue_burst: int = Field(default=1000, gt=0, description="that limit's burst")
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/gRPC collector that receives traces; unset turns tracing off (the "
        "other standard `OTEL_*` variables apply, see Resilience and observability)",
    )
    otel_sdk_disabled: bool = Field(
        default=False, description="`true` turns tracing off even with an endpoint"
    )

    @property
    def tracing_endpoint(self) -> str | None:
        """Where spans go; None when tracing is off."""
        return None if self.otel_sdk_disabled or not self.otlp_endpoint else self.otlp_endpoint
