"""Composition root of the state service: reads settings once and wires everything."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import grpc

from services.state.adapters.unit_of_work import PostgresUnitOfWork
from services.state.adapters.venue_rules import PostgresVenueRules
from services.state.grpc_api import BookingServicer
from services.state.settings import StateSettings
from shared.auth import Role
from shared.db.engine import create_engine
from shared.logs import configure_logging
from shared.server import RunningServer, serve, start_server
from shared.stubs.maitred.state.v1 import state_service_pb2, state_service_pb2_grpc

SERVICE = state_service_pb2.DESCRIPTOR.services_by_name["BookingService"].full_name
ROLES_BY_METHOD = {f"/{SERVICE}/ResolveManualReview": frozenset({Role.OPS})}


def now() -> datetime:
    return datetime.now(UTC)


async def start(settings: StateSettings, *, port: int | None = None) -> RunningServer:
    """Start the state service; `port` overrides the configured one (0 picks a free port)."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    servicer = BookingServicer(
        uow=lambda: PostgresUnitOfWork(engine),
        venues=PostgresVenueRules(engine),
        clock=now,
        new_id=uuid.uuid4,
    )

    def register(server: grpc.aio.Server) -> list[str]:
        state_service_pb2_grpc.add_BookingServiceServicer_to_server(servicer, server)
        return [SERVICE]

    running = await start_server(
        settings,
        port=settings.port if port is None else port,
        register=register,
        roles_by_method=ROLES_BY_METHOD,
    )
    running.on_stop.append(engine.dispose)
    return running


async def run() -> None:
    settings = StateSettings()  # type: ignore[call-arg]
    configure_logging(settings.log_level, "state")
    running = await start(settings)
    await serve(settings, running)


if __name__ == "__main__":
    asyncio.run(run())
