import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shared.stubs.maitred.availability.v1 import snapshot_pb2 as _snapshot_pb2
from shared.stubs.maitred.common.v1 import common_pb2 as _common_pb2
from shared.stubs.maitred.common.v1 import method_options_pb2 as _method_options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CapacityRejectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAPACITY_REJECTION_REASON_UNSPECIFIED: _ClassVar[CapacityRejectionReason]
    CAPACITY_REJECTION_REASON_CLOSED: _ClassVar[CapacityRejectionReason]
    CAPACITY_REJECTION_REASON_OFF_SLOT: _ClassVar[CapacityRejectionReason]
    CAPACITY_REJECTION_REASON_IN_PAST: _ClassVar[CapacityRejectionReason]
    CAPACITY_REJECTION_REASON_PARTY_TOO_LARGE: _ClassVar[CapacityRejectionReason]
    CAPACITY_REJECTION_REASON_PACING_COVERS: _ClassVar[CapacityRejectionReason]
    CAPACITY_REJECTION_REASON_PACING_PARTIES: _ClassVar[CapacityRejectionReason]
    CAPACITY_REJECTION_REASON_NO_TABLE_FITS: _ClassVar[CapacityRejectionReason]
CAPACITY_REJECTION_REASON_UNSPECIFIED: CapacityRejectionReason
CAPACITY_REJECTION_REASON_CLOSED: CapacityRejectionReason
CAPACITY_REJECTION_REASON_OFF_SLOT: CapacityRejectionReason
CAPACITY_REJECTION_REASON_IN_PAST: CapacityRejectionReason
CAPACITY_REJECTION_REASON_PARTY_TOO_LARGE: CapacityRejectionReason
CAPACITY_REJECTION_REASON_PACING_COVERS: CapacityRejectionReason
CAPACITY_REJECTION_REASON_PACING_PARTIES: CapacityRejectionReason
CAPACITY_REJECTION_REASON_NO_TABLE_FITS: CapacityRejectionReason

class GetSnapshotRequest(_message.Message):
    __slots__ = ("venue_id", "window")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    window: _common_pb2.TimeWindow
    def __init__(self, venue_id: _Optional[str] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ...) -> None: ...

class GetSnapshotResponse(_message.Message):
    __slots__ = ("snapshot",)
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    snapshot: _snapshot_pb2.Snapshot
    def __init__(self, snapshot: _Optional[_Union[_snapshot_pb2.Snapshot, _Mapping]] = ...) -> None: ...

class WatchSnapshotsRequest(_message.Message):
    __slots__ = ("venue_id", "window", "last_version", "deltas")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    LAST_VERSION_FIELD_NUMBER: _ClassVar[int]
    DELTAS_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    window: _common_pb2.TimeWindow
    last_version: int
    deltas: bool
    def __init__(self, venue_id: _Optional[str] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., last_version: _Optional[int] = ..., deltas: _Optional[bool] = ...) -> None: ...

class WatchSnapshotsResponse(_message.Message):
    __slots__ = ("snapshot", "skipped_versions", "resync", "delta")
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    RESYNC_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    snapshot: _snapshot_pb2.Snapshot
    skipped_versions: int
    resync: bool
    delta: _snapshot_pb2.SnapshotDelta
    def __init__(self, snapshot: _Optional[_Union[_snapshot_pb2.Snapshot, _Mapping]] = ..., skipped_versions: _Optional[int] = ..., resync: _Optional[bool] = ..., delta: _Optional[_Union[_snapshot_pb2.SnapshotDelta, _Mapping]] = ...) -> None: ...

class CheckCapacityRequest(_message.Message):
    __slots__ = ("venue_id", "start_time", "party_size", "booking_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    start_time: _timestamp_pb2.Timestamp
    party_size: int
    booking_id: str
    def __init__(self, venue_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., party_size: _Optional[int] = ..., booking_id: _Optional[str] = ...) -> None: ...

class CheckCapacityResponse(_message.Message):
    __slots__ = ("accepted", "rejection_reason", "detail", "end_time", "rescue_needed", "snapshot_version")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    RESCUE_NEEDED_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_VERSION_FIELD_NUMBER: _ClassVar[int]
    accepted: bool
    rejection_reason: CapacityRejectionReason
    detail: str
    end_time: _timestamp_pb2.Timestamp
    rescue_needed: bool
    snapshot_version: int
    def __init__(self, accepted: _Optional[bool] = ..., rejection_reason: _Optional[_Union[CapacityRejectionReason, str]] = ..., detail: _Optional[str] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rescue_needed: _Optional[bool] = ..., snapshot_version: _Optional[int] = ...) -> None: ...

class SearchSlotsRequest(_message.Message):
    __slots__ = ("venue_id", "party_size", "service_date", "window", "preferred_start_time", "max_results")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_DATE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_START_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    party_size: int
    service_date: str
    window: _common_pb2.TimeWindow
    preferred_start_time: _timestamp_pb2.Timestamp
    max_results: int
    def __init__(self, venue_id: _Optional[str] = ..., party_size: _Optional[int] = ..., service_date: _Optional[str] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., preferred_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_results: _Optional[int] = ...) -> None: ...

class SlotCandidate(_message.Message):
    __slots__ = ("start_time", "end_time", "service_period", "rescue_needed")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    RESCUE_NEEDED_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    service_period: str
    rescue_needed: bool
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_period: _Optional[str] = ..., rescue_needed: _Optional[bool] = ...) -> None: ...

class SearchSlotsResponse(_message.Message):
    __slots__ = ("candidates", "snapshot_version")
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_VERSION_FIELD_NUMBER: _ClassVar[int]
    candidates: _containers.RepeatedCompositeFieldContainer[SlotCandidate]
    snapshot_version: int
    def __init__(self, candidates: _Optional[_Iterable[_Union[SlotCandidate, _Mapping]]] = ..., snapshot_version: _Optional[int] = ...) -> None: ...
