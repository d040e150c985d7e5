import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shared.stubs.maitred.common.v1 import common_pb2 as _common_pb2
from shared.stubs.maitred.state.v1 import booking_pb2 as _booking_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OccupancyKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OCCUPANCY_KIND_UNSPECIFIED: _ClassVar[OccupancyKind]
    OCCUPANCY_KIND_CONFIRMED: _ClassVar[OccupancyKind]
    OCCUPANCY_KIND_ASSIGNED: _ClassVar[OccupancyKind]
    OCCUPANCY_KIND_HOLD: _ClassVar[OccupancyKind]
    OCCUPANCY_KIND_SEATED: _ClassVar[OccupancyKind]
OCCUPANCY_KIND_UNSPECIFIED: OccupancyKind
OCCUPANCY_KIND_CONFIRMED: OccupancyKind
OCCUPANCY_KIND_ASSIGNED: OccupancyKind
OCCUPANCY_KIND_HOLD: OccupancyKind
OCCUPANCY_KIND_SEATED: OccupancyKind

class OccupiedInterval(_message.Message):
    __slots__ = ("kind", "window", "allocation_id", "booking_id", "party_size", "expire_time", "combined_table_ids")
    KIND_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMBINED_TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    kind: OccupancyKind
    window: _common_pb2.TimeWindow
    allocation_id: str
    booking_id: str
    party_size: int
    expire_time: _timestamp_pb2.Timestamp
    combined_table_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kind: _Optional[_Union[OccupancyKind, str]] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., allocation_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., party_size: _Optional[int] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., combined_table_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class TableOccupancy(_message.Message):
    __slots__ = ("table_id", "intervals")
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    INTERVALS_FIELD_NUMBER: _ClassVar[int]
    table_id: str
    intervals: _containers.RepeatedCompositeFieldContainer[OccupiedInterval]
    def __init__(self, table_id: _Optional[str] = ..., intervals: _Optional[_Iterable[_Union[OccupiedInterval, _Mapping]]] = ...) -> None: ...

class PendingDemand(_message.Message):
    __slots__ = ("booking_id", "party_size", "window", "state")
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    booking_id: str
    party_size: int
    window: _common_pb2.TimeWindow
    state: _booking_pb2.BookingState
    def __init__(self, booking_id: _Optional[str] = ..., party_size: _Optional[int] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., state: _Optional[_Union[_booking_pb2.BookingState, str]] = ...) -> None: ...

class FreeTableCount(_message.Message):
    __slots__ = ("max_seats", "count")
    MAX_SEATS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    max_seats: int
    count: int
    def __init__(self, max_seats: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class SlotCapacity(_message.Message):
    __slots__ = ("start_time", "free_seats", "free_tables", "booked_covers", "booked_parties", "covers_headroom", "parties_headroom")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    FREE_SEATS_FIELD_NUMBER: _ClassVar[int]
    FREE_TABLES_FIELD_NUMBER: _ClassVar[int]
    BOOKED_COVERS_FIELD_NUMBER: _ClassVar[int]
    BOOKED_PARTIES_FIELD_NUMBER: _ClassVar[int]
    COVERS_HEADROOM_FIELD_NUMBER: _ClassVar[int]
    PARTIES_HEADROOM_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    free_seats: int
    free_tables: _containers.RepeatedCompositeFieldContainer[FreeTableCount]
    booked_covers: int
    booked_parties: int
    covers_headroom: int
    parties_headroom: int
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., free_seats: _Optional[int] = ..., free_tables: _Optional[_Iterable[_Union[FreeTableCount, _Mapping]]] = ..., booked_covers: _Optional[int] = ..., booked_parties: _Optional[int] = ..., covers_headroom: _Optional[int] = ..., parties_headroom: _Optional[int] = ...) -> None: ...

class Snapshot(_message.Message):
    __slots__ = ("venue_id", "window", "version", "floor_plan_version", "tables", "pending_demand", "slots", "compute_time")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FLOOR_PLAN_VERSION_FIELD_NUMBER: _ClassVar[int]
    TABLES_FIELD_NUMBER: _ClassVar[int]
    PENDING_DEMAND_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    window: _common_pb2.TimeWindow
    version: int
    floor_plan_version: int
    tables: _containers.RepeatedCompositeFieldContainer[TableOccupancy]
    pending_demand: _containers.RepeatedCompositeFieldContainer[PendingDemand]
    slots: _containers.RepeatedCompositeFieldContainer[SlotCapacity]
    compute_time: _timestamp_pb2.Timestamp
    def __init__(self, venue_id: _Optional[str] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., version: _Optional[int] = ..., floor_plan_version: _Optional[int] = ..., tables: _Optional[_Iterable[_Union[TableOccupancy, _Mapping]]] = ..., pending_demand: _Optional[_Iterable[_Union[PendingDemand, _Mapping]]] = ..., slots: _Optional[_Iterable[_Union[SlotCapacity, _Mapping]]] = ..., compute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PendingDemandList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[PendingDemand]
    def __init__(self, items: _Optional[_Iterable[_Union[PendingDemand, _Mapping]]] = ...) -> None: ...

class SnapshotDelta(_message.Message):
    __slots__ = ("base_version", "version", "floor_plan_version", "tables", "removed_table_ids", "pending_demand", "slots", "removed_slot_start_times", "compute_time")
    BASE_VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FLOOR_PLAN_VERSION_FIELD_NUMBER: _ClassVar[int]
    TABLES_FIELD_NUMBER: _ClassVar[int]
    REMOVED_TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    PENDING_DEMAND_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_SLOT_START_TIMES_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    base_version: int
    version: int
    floor_plan_version: int
    tables: _containers.RepeatedCompositeFieldContainer[TableOccupancy]
    removed_table_ids: _containers.RepeatedScalarFieldContainer[str]
    pending_demand: PendingDemandList
    slots: _containers.RepeatedCompositeFieldContainer[SlotCapacity]
    removed_slot_start_times: _containers.RepeatedCompositeFieldContainer[_timestamp_pb2.Timestamp]
    compute_time: _timestamp_pb2.Timestamp
    def __init__(self, base_version: _Optional[int] = ..., version: _Optional[int] = ..., floor_plan_version: _Optional[int] = ..., tables: _Optional[_Iterable[_Union[TableOccupancy, _Mapping]]] = ..., removed_table_ids: _Optional[_Iterable[str]] = ..., pending_demand: _Optional[_Union[PendingDemandList, _Mapping]] = ..., slots: _Optional[_Iterable[_Union[SlotCapacity, _Mapping]]] = ..., removed_slot_start_times: _Optional[_Iterable[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]]] = ..., compute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
