"""Settings every service reads from the environment; each service extends them with its own."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every service needs: stores, the token secret, the server's shape."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = Field(validation_alias=AliasChoices("DATABASE_URL", "database_url"))
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "redis_url")
    )
    # REDIS_URL names one node of a Redis Cluster; the client finds the others (open_redis).
    redis_cluster: bool = Field(
        default=False, validation_alias=AliasChoices("MAITRED_REDIS_CLUSTER", "redis_cluster")
    )
    jwt_secret: SecretStr = Field(
        min_length=32, validation_alias=AliasChoices("MAITRED_JWT_SECRET", "jwt_secret")
    )
    jwt_issuer: str = Field(
        default="maitred", validation_alias=AliasChoices("MAITRED_JWT_ISSUER", "jwt_issuer")
    )
    host: str = Field(default="0.0.0.0", validation_alias=AliasChoices("MAITRED_HOST", "host"))
    grace_period_seconds: float = Field(
        default=10.0,
        gt=0,
        validation_alias=AliasChoices("MAITRED_GRACE_PERIOD_SECONDS", "grace_period_seconds"),
    )
    max_concurrent_rpcs: int = Field(
        default=1024,
        gt=0,
        validation_alias=AliasChoices("MAITRED_MAX_CONCURRENT_RPCS", "max_concurrent_rpcs"),
    )
    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("MAITRED_LOG_LEVEL", "log_level")
    )
    # How a channel to another service picks among the addresses its target resolves to.
    grpc_load_balancing: Literal["round_robin", "pick_first"] = Field(
        default="round_robin",
        validation_alias=AliasChoices("MAITRED_GRPC_LOAD_BALANCING", "grpc_load_balancing"),
    )
    # A client's connection is closed (GOAWAY) after this long, so it resolves the target
    # again and new replicas get their share; calls in flight get the grace to finish.
    max_connection_age_seconds: float = Field(
        default=300.0,
        gt=0,
        validation_alias=AliasChoices(
            "MAITRED_MAX_CONNECTION_AGE_SECONDS", "max_connection_age_seconds"
        ),
    )
    max_connection_age_grace_seconds: float = Field(
        default=3600.0,
        gt=0,
        validation_alias=AliasChoices(
            "MAITRED_MAX_CONNECTION_AGE_GRACE_SECONDS", "max_connection_age_grace_seconds"
        ),
    )
    events_stream: str = Field(
        default="maitred:events:bookings",
        validation_alias=AliasChoices("MAITRED_EVENTS_STREAM", "events_stream"),
    )
    db_pool_size: int = Field(
        default=10, gt=0, validation_alias=AliasChoices("MAITRED_DB_POOL_SIZE", "db_pool_size")
    )
    metrics_port: int = Field(
        default=0, ge=0, validation_alias=AliasChoices("MAITRED_METRICS_PORT", "metrics_port")
    )
    # Calls per second; 0 turns a limit off. Limits need Redis: without it none applies.
    rate_limit_per_caller: float = Field(
        default=200.0,
        ge=0,
        validation_alias=AliasChoices("MAITRED_RATE_LIMIT_PER_CALLER", "rate_limit_per_caller"),
    )
    rate_limit_caller_burst: int = Field(
        default=400,
        gt=0,
        validation_alias=AliasChoices("MAITRED_RATE_LIMIT_CALLER_BURST", "rate_limit_caller_burst"),
    )
    rate_limit_per_venue: float = Field(
        default=500.0,
        ge=0,
        validation_alias=AliasChoices("MAITRED_RATE_LIMIT_PER_VENUE", "rate_limit_per_venue"),
    )
    rate_limit_venue_burst: int = Field(
        default=1000,
        gt=0,
        validation_alias=AliasChoices("MAITRED_RATE_LIMIT_VENUE_BURST", "rate_limit_venue_burst"),
    )
