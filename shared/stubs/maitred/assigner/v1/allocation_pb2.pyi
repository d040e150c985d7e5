import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shared.stubs.maitred.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AllocationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALLOCATION_KIND_UNSPECIFIED: _ClassVar[AllocationKind]
    ALLOCATION_KIND_HOLD: _ClassVar[AllocationKind]
    ALLOCATION_KIND_ASSIGNMENT: _ClassVar[AllocationKind]

class AllocationSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALLOCATION_SOURCE_UNSPECIFIED: _ClassVar[AllocationSource]
    ALLOCATION_SOURCE_ENGINE: _ClassVar[AllocationSource]
    ALLOCATION_SOURCE_REQUESTED: _ClassVar[AllocationSource]
    ALLOCATION_SOURCE_MANUAL: _ClassVar[AllocationSource]
    ALLOCATION_SOURCE_OPTIMIZER: _ClassVar[AllocationSource]

class MoveOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MOVE_OUTCOME_UNSPECIFIED: _ClassVar[MoveOutcome]
    MOVE_OUTCOME_APPLIED: _ClassVar[MoveOutcome]
    MOVE_OUTCOME_SKIPPED_STALE: _ClassVar[MoveOutcome]
    MOVE_OUTCOME_SKIPPED_CONFLICT: _ClassVar[MoveOutcome]
    MOVE_OUTCOME_SKIPPED_FROZEN: _ClassVar[MoveOutcome]
ALLOCATION_KIND_UNSPECIFIED: AllocationKind
ALLOCATION_KIND_HOLD: AllocationKind
ALLOCATION_KIND_ASSIGNMENT: AllocationKind
ALLOCATION_SOURCE_UNSPECIFIED: AllocationSource
ALLOCATION_SOURCE_ENGINE: AllocationSource
ALLOCATION_SOURCE_REQUESTED: AllocationSource
ALLOCATION_SOURCE_MANUAL: AllocationSource
ALLOCATION_SOURCE_OPTIMIZER: AllocationSource
MOVE_OUTCOME_UNSPECIFIED: MoveOutcome
MOVE_OUTCOME_APPLIED: MoveOutcome
MOVE_OUTCOME_SKIPPED_STALE: MoveOutcome
MOVE_OUTCOME_SKIPPED_CONFLICT: MoveOutcome
MOVE_OUTCOME_SKIPPED_FROZEN: MoveOutcome

class StrategyContribution(_message.Message):
    __slots__ = ("strategy", "weight", "score", "reason")
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    strategy: str
    weight: float
    score: float
    reason: str
    def __init__(self, strategy: _Optional[str] = ..., weight: _Optional[float] = ..., score: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class TablePlan(_message.Message):
    __slots__ = ("table_ids", "total_seats", "total_score", "contributions")
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SEATS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SCORE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    total_seats: int
    total_score: float
    contributions: _containers.RepeatedCompositeFieldContainer[StrategyContribution]
    def __init__(self, table_ids: _Optional[_Iterable[str]] = ..., total_seats: _Optional[int] = ..., total_score: _Optional[float] = ..., contributions: _Optional[_Iterable[_Union[StrategyContribution, _Mapping]]] = ...) -> None: ...

class Allocation(_message.Message):
    __slots__ = ("allocation_id", "venue_id", "booking_id", "table_ids", "kind", "window", "expire_time", "party_size", "actor", "source", "strategy", "total_score", "contributions", "reason", "create_time", "release_time")
    ALLOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SCORE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    allocation_id: str
    venue_id: str
    booking_id: str
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    kind: AllocationKind
    window: _common_pb2.TimeWindow
    expire_time: _timestamp_pb2.Timestamp
    party_size: int
    actor: str
    source: AllocationSource
    strategy: str
    total_score: float
    contributions: _containers.RepeatedCompositeFieldContainer[StrategyContribution]
    reason: str
    create_time: _timestamp_pb2.Timestamp
    release_time: _timestamp_pb2.Timestamp
    def __init__(self, allocation_id: _Optional[str] = ..., venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., table_ids: _Optional[_Iterable[str]] = ..., kind: _Optional[_Union[AllocationKind, str]] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., party_size: _Optional[int] = ..., actor: _Optional[str] = ..., source: _Optional[_Union[AllocationSource, str]] = ..., strategy: _Optional[str] = ..., total_score: _Optional[float] = ..., contributions: _Optional[_Iterable[_Union[StrategyContribution, _Mapping]]] = ..., reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., release_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BookingMoveResult(_message.Message):
    __slots__ = ("booking_id", "outcome", "detail", "booking_version", "allocation_id")
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    BOOKING_VERSION_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    booking_id: str
    outcome: MoveOutcome
    detail: str
    booking_version: int
    allocation_id: str
    def __init__(self, booking_id: _Optional[str] = ..., outcome: _Optional[_Union[MoveOutcome, str]] = ..., detail: _Optional[str] = ..., booking_version: _Optional[int] = ..., allocation_id: _Optional[str] = ...) -> None: ...
