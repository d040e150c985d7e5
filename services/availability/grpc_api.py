"""The AvailabilityService servicer: proto in, snapshot use case, proto out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime

import grpc

from services.availability.application.snapshots import Snapshots, check_window
from services.availability.application.watch import Update, WatchHub
from services.availability.delta_convert import delta_to_proto
from services.availability.domain.snapshot import Snapshot
from services.availability.snapshot_convert import (
    moment_of,
    option_to_proto,
    snapshot_to_proto,
    verdict_to_proto,
    window_of,
)
from shared.domain_errors import FieldViolation, InvalidArgument
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api
from shared.stubs.maitred.availability.v1 import availability_service_pb2_grpc as rpc
from shared.stubs.maitred.availability.v1 import snapshot_pb2 as pb
from shared.time_range import check_day

SERVICE = api.DESCRIPTOR.services_by_name["AvailabilityService"].full_name


def _venue(venue_id: str) -> str:
    if not venue_id:
        raise InvalidArgument([FieldViolation("venue_id", "field.required")])
    return venue_id


def _party(party_size: int) -> int:
    if not 1 <= party_size <= 100:
        raise InvalidArgument(
            [FieldViolation("party_size", "field.out_of_range", {"min": 1, "max": 100})]
        )
    return party_size


def _span_of(request: api.SearchSlotsRequest) -> tuple[datetime, datetime] | date:
    if request.HasField("window"):
        start, end = window_of(request)
        check_window(start, end)
        return start, end
    if not request.service_date:
        raise InvalidArgument([FieldViolation("service_date", "field.required")])
    try:
        day = date.fromisoformat(request.service_date)
    except ValueError as error:
        violation = FieldViolation("service_date", "field.bad_format", {"format": "YYYY-MM-DD"})
        raise InvalidArgument([violation]) from error
    return check_day(day, "service_date")


class AvailabilityServicer(rpc.AvailabilityServiceServicer):  # type: ignore[misc]
    """Serves snapshots, their stream, capacity checks and slot search."""

    def __init__(self, *, snapshots: Snapshots, hub: WatchHub) -> None:
        self._snapshots = snapshots
        self._hub = hub
        self._recent: list[tuple[Snapshot, pb.Snapshot]] = []
        self._sent: list[tuple[Update, bytes]] = []

    async def GetSnapshot(
        self, request: api.GetSnapshotRequest, context: grpc.aio.ServicerContext
    ) -> api.GetSnapshotResponse:
        start, end = window_of(request)
        snapshot = await self._snapshots.snapshot(_venue(request.venue_id), start, end)
        return api.GetSnapshotResponse(snapshot=self._converted(snapshot))

    async def WatchSnapshots(
        self, request: api.WatchSnapshotsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[bytes]:
        start, end = window_of(request)
        if request.last_version < 0:
            raise InvalidArgument([FieldViolation("last_version", "field.out_of_range",
                                                  {"min": 0, "max": "any"})])  # fmt: skip
        updates = self._hub.watch(
            _venue(request.venue_id), start, end, request.last_version, deltas=request.deltas
        )
        async for update in updates:
            yield self._serialized(update)

    def _serialized(self, update: Update) -> bytes:
        """The wire bytes of a watch message, made once for every stream it is sent on (the
        hub hands the same Update to every stream that gets the same message)."""
        if self._sent and self._sent[0][0] is update:
            return self._sent[0][1]
        for known, sent in self._sent:
            if known is update:
                return sent
        message = api.WatchSnapshotsResponse(
            skipped_versions=update.skipped_versions, resync=update.resync
        )
        if update.delta is None:
            message.snapshot.CopyFrom(self._converted(update.snapshot))
        else:
            message.delta.CopyFrom(delta_to_proto(update.delta))
        data: bytes = message.SerializeToString()
        # Holding the update itself keeps identity checks sound; a few entries are enough.
        self._sent = [(update, data), *self._sent[:15]]
        return data

    def _converted(self, snapshot: Snapshot) -> pb.Snapshot:
        """The proto of a snapshot, converted once for all the calls it answers."""
        for known, message in self._recent:
            if known is snapshot:
                return message
        message = snapshot_to_proto(snapshot)
        self._recent = [(snapshot, message), *self._recent[:7]]
        return message

    async def CheckCapacity(
        self, request: api.CheckCapacityRequest, context: grpc.aio.ServicerContext
    ) -> api.CheckCapacityResponse:
        start = moment_of(request, "start_time", "start_time")
        verdict, version = await self._snapshots.check(
            _venue(request.venue_id), start, _party(request.party_size), request.booking_id or None
        )
        return verdict_to_proto(verdict, version)

    async def SearchSlots(
        self, request: api.SearchSlotsRequest, context: grpc.aio.ServicerContext
    ) -> api.SearchSlotsResponse:
        span = _span_of(request)
        if not 0 <= request.max_results <= 50:
            raise InvalidArgument([FieldViolation("max_results", "field.out_of_range",
                                                  {"min": 0, "max": 50})])  # fmt: skip
        preferred = None
        if request.HasField("preferred_start_time"):
            preferred = moment_of(request, "preferred_start_time", "preferred_start_time")
        options, version = await self._snapshots.search(
            _venue(request.venue_id), _party(request.party_size), span, preferred,
            request.max_results or 10,
        )  # fmt: skip
        return api.SearchSlotsResponse(
            candidates=[option_to_proto(o) for o in options], snapshot_version=version
        )


def add_to_server(servicer: AvailabilityServicer, server: grpc.aio.Server) -> None:
    """The generated registration, except that WatchSnapshots sends the bytes its servicer
    serialized once for all the streams a message goes to (see `_serialized`)."""
    generated = _Handlers()
    rpc.add_AvailabilityServiceServicer_to_server(servicer, generated)
    handlers = dict(generated.handlers)
    watch = handlers["WatchSnapshots"]
    # No serializer: the bytes go out as they are, without a Python call per message.
    handlers["WatchSnapshots"] = grpc.unary_stream_rpc_method_handler(
        watch.unary_stream, request_deserializer=watch.request_deserializer
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    server.add_registered_method_handlers(SERVICE, handlers)


class _Handlers:
    """Stands in for a server to collect the generated code's method handlers."""

    def __init__(self) -> None:
        self.handlers: dict[str, grpc.RpcMethodHandler] = {}

    def add_generic_rpc_handlers(self, handlers: object) -> None:
        """The registered handlers below say the same."""

    def add_registered_method_handlers(
        self, service: str, handlers: dict[str, grpc.RpcMethodHandler]
    ) -> None:
        self.handlers.update(handlers)
