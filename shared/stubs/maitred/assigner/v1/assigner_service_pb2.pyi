import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as _allocation_pb2
from shared.stubs.maitred.common.v1 import common_pb2 as _common_pb2
from shared.stubs.maitred.common.v1 import method_options_pb2 as _method_options_pb2
from shared.stubs.maitred.state.v1 import booking_pb2 as _booking_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class QuoteTablesRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "party_size", "window", "preferred_zone_id", "max_plans")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_PLANS_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    party_size: int
    window: _common_pb2.TimeWindow
    preferred_zone_id: str
    max_plans: int
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., party_size: _Optional[int] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., preferred_zone_id: _Optional[str] = ..., max_plans: _Optional[int] = ...) -> None: ...

class QuoteTablesResponse(_message.Message):
    __slots__ = ("plans", "snapshot_version", "yield_decision")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_VERSION_FIELD_NUMBER: _ClassVar[int]
    YIELD_DECISION_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[_allocation_pb2.TablePlan]
    snapshot_version: int
    yield_decision: YieldDecision
    def __init__(self, plans: _Optional[_Iterable[_Union[_allocation_pb2.TablePlan, _Mapping]]] = ..., snapshot_version: _Optional[int] = ..., yield_decision: _Optional[_Union[YieldDecision, _Mapping]] = ...) -> None: ...

class YieldDecision(_message.Message):
    __slots__ = ("admit", "expected_gain", "expected_loss", "protected_slot_start_time", "protected_party_size", "reason")
    ADMIT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GAIN_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_LOSS_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_SLOT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    admit: bool
    expected_gain: float
    expected_loss: float
    protected_slot_start_time: _timestamp_pb2.Timestamp
    protected_party_size: int
    reason: str
    def __init__(self, admit: _Optional[bool] = ..., expected_gain: _Optional[float] = ..., expected_loss: _Optional[float] = ..., protected_slot_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., protected_party_size: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class AssignBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class AssignBookingResponse(_message.Message):
    __slots__ = ("allocation", "booking")
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    allocation: _allocation_pb2.Allocation
    booking: _booking_pb2.Booking
    def __init__(self, allocation: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ..., booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class ManualAssignRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "table_ids", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., table_ids: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ManualAssignResponse(_message.Message):
    __slots__ = ("allocation", "booking")
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    allocation: _allocation_pb2.Allocation
    booking: _booking_pb2.Booking
    def __init__(self, allocation: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ..., booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class ReassignBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "table_ids", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., table_ids: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ReassignBookingResponse(_message.Message):
    __slots__ = ("allocation", "previous_allocation", "booking")
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    allocation: _allocation_pb2.Allocation
    previous_allocation: _allocation_pb2.Allocation
    booking: _booking_pb2.Booking
    def __init__(self, allocation: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ..., previous_allocation: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ..., booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class BookingMove(_message.Message):
    __slots__ = ("booking_id", "expected_version", "table_ids")
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    booking_id: str
    expected_version: int
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., table_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class MoveBookingsRequest(_message.Message):
    __slots__ = ("venue_id", "moves", "reason", "request_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    MOVES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    moves: _containers.RepeatedCompositeFieldContainer[BookingMove]
    reason: str
    request_id: str
    def __init__(self, venue_id: _Optional[str] = ..., moves: _Optional[_Iterable[_Union[BookingMove, _Mapping]]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class MoveBookingsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[_allocation_pb2.BookingMoveResult]
    def __init__(self, results: _Optional[_Iterable[_Union[_allocation_pb2.BookingMoveResult, _Mapping]]] = ...) -> None: ...

class PlaceHoldRequest(_message.Message):
    __slots__ = ("venue_id", "table_ids", "window", "ttl", "request_id", "booking_id", "party_size")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    window: _common_pb2.TimeWindow
    ttl: _duration_pb2.Duration
    request_id: str
    booking_id: str
    party_size: int
    def __init__(self, venue_id: _Optional[str] = ..., table_ids: _Optional[_Iterable[str]] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., request_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., party_size: _Optional[int] = ...) -> None: ...

class PlaceHoldResponse(_message.Message):
    __slots__ = ("hold",)
    HOLD_FIELD_NUMBER: _ClassVar[int]
    hold: _allocation_pb2.Allocation
    def __init__(self, hold: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ...) -> None: ...

class ExtendHoldRequest(_message.Message):
    __slots__ = ("venue_id", "hold_id", "ttl")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_ID_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    hold_id: str
    ttl: _duration_pb2.Duration
    def __init__(self, venue_id: _Optional[str] = ..., hold_id: _Optional[str] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class ExtendHoldResponse(_message.Message):
    __slots__ = ("hold",)
    HOLD_FIELD_NUMBER: _ClassVar[int]
    hold: _allocation_pb2.Allocation
    def __init__(self, hold: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ...) -> None: ...

class ReleaseHoldRequest(_message.Message):
    __slots__ = ("venue_id", "hold_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    hold_id: str
    def __init__(self, venue_id: _Optional[str] = ..., hold_id: _Optional[str] = ...) -> None: ...

class ReleaseHoldResponse(_message.Message):
    __slots__ = ("hold",)
    HOLD_FIELD_NUMBER: _ClassVar[int]
    hold: _allocation_pb2.Allocation
    def __init__(self, hold: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ...) -> None: ...

class ConfirmHoldRequest(_message.Message):
    __slots__ = ("venue_id", "hold_id", "booking_id", "expected_version")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    hold_id: str
    booking_id: str
    expected_version: int
    def __init__(self, venue_id: _Optional[str] = ..., hold_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ConfirmHoldResponse(_message.Message):
    __slots__ = ("allocation", "booking")
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    allocation: _allocation_pb2.Allocation
    booking: _booking_pb2.Booking
    def __init__(self, allocation: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ..., booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class GetAllocationRequest(_message.Message):
    __slots__ = ("venue_id", "allocation_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    allocation_id: str
    def __init__(self, venue_id: _Optional[str] = ..., allocation_id: _Optional[str] = ...) -> None: ...

class GetAllocationResponse(_message.Message):
    __slots__ = ("allocation",)
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    allocation: _allocation_pb2.Allocation
    def __init__(self, allocation: _Optional[_Union[_allocation_pb2.Allocation, _Mapping]] = ...) -> None: ...

class ListAllocationsRequest(_message.Message):
    __slots__ = ("venue_id", "page_size", "page_token", "window", "booking_id", "kinds", "include_released")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_RELEASED_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    page_size: int
    page_token: str
    window: _common_pb2.TimeWindow
    booking_id: str
    kinds: _containers.RepeatedScalarFieldContainer[_allocation_pb2.AllocationKind]
    include_released: bool
    def __init__(self, venue_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., booking_id: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[_allocation_pb2.AllocationKind, str]]] = ..., include_released: _Optional[bool] = ...) -> None: ...

class ListAllocationsResponse(_message.Message):
    __slots__ = ("allocations", "next_page_token")
    ALLOCATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    allocations: _containers.RepeatedCompositeFieldContainer[_allocation_pb2.Allocation]
    next_page_token: str
    def __init__(self, allocations: _Optional[_Iterable[_Union[_allocation_pb2.Allocation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
