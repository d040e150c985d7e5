import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shared.stubs.maitred.common.v1 import method_options_pb2 as _method_options_pb2
from shared.stubs.maitred.state.v1 import booking_pb2 as _booking_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking", "request_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking: _booking_pb2.Booking
    request_id: str
    def __init__(self, venue_id: _Optional[str] = ..., booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateBookingResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class GetBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ...) -> None: ...

class GetBookingResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class ListBookingsRequest(_message.Message):
    __slots__ = ("venue_id", "page_size", "page_token", "states", "display_statuses", "start_time_from", "start_time_to")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_STATUSES_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FROM_FIELD_NUMBER: _ClassVar[int]
    START_TIME_TO_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    page_size: int
    page_token: str
    states: _containers.RepeatedScalarFieldContainer[_booking_pb2.BookingState]
    display_statuses: _containers.RepeatedScalarFieldContainer[_booking_pb2.DisplayStatus]
    start_time_from: _timestamp_pb2.Timestamp
    start_time_to: _timestamp_pb2.Timestamp
    def __init__(self, venue_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_booking_pb2.BookingState, str]]] = ..., display_statuses: _Optional[_Iterable[_Union[_booking_pb2.DisplayStatus, str]]] = ..., start_time_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListBookingsResponse(_message.Message):
    __slots__ = ("bookings", "next_page_token")
    BOOKINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    bookings: _containers.RepeatedCompositeFieldContainer[_booking_pb2.Booking]
    next_page_token: str
    def __init__(self, bookings: _Optional[_Iterable[_Union[_booking_pb2.Booking, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListBookingHistoryRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "page_size", "page_token")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    page_size: int
    page_token: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListBookingHistoryResponse(_message.Message):
    __slots__ = ("changes", "next_page_token")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[_booking_pb2.BookingStateChange]
    next_page_token: str
    def __init__(self, changes: _Optional[_Iterable[_Union[_booking_pb2.BookingStateChange, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetTransitionMatrixRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTransitionMatrixResponse(_message.Message):
    __slots__ = ("transitions", "display_statuses")
    TRANSITIONS_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_STATUSES_FIELD_NUMBER: _ClassVar[int]
    transitions: _containers.RepeatedCompositeFieldContainer[_booking_pb2.Transition]
    display_statuses: _containers.RepeatedCompositeFieldContainer[_booking_pb2.DisplayStatusMapping]
    def __init__(self, transitions: _Optional[_Iterable[_Union[_booking_pb2.Transition, _Mapping]]] = ..., display_statuses: _Optional[_Iterable[_Union[_booking_pb2.DisplayStatusMapping, _Mapping]]] = ...) -> None: ...

class VerifyCapacityRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class VerifyCapacityResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class RejectBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class RejectBookingResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class RequestAssignmentRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class RequestAssignmentResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class StartAssignmentRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class StartAssignmentResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class RecordAssignmentRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason", "table_ids")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ..., table_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RecordAssignmentResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class RecordTableChangeRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason", "table_ids")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ..., table_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RecordTableChangeResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class BookingStep(_message.Message):
    __slots__ = ("target_state", "reason", "table_ids")
    TARGET_STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    target_state: _booking_pb2.BookingState
    reason: str
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, target_state: _Optional[_Union[_booking_pb2.BookingState, str]] = ..., reason: _Optional[str] = ..., table_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class AdvanceBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "steps")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    steps: _containers.RepeatedCompositeFieldContainer[BookingStep]
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., steps: _Optional[_Iterable[_Union[BookingStep, _Mapping]]] = ...) -> None: ...

class AdvanceBookingResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class ConfirmBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ConfirmBookingResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class SeatBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class SeatBookingResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class CompleteBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class CompleteBookingResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class CancelBookingRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelBookingResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class MarkNoShowRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class MarkNoShowResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class SendToManualReviewRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class SendToManualReviewResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...

class ResolveManualReviewRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "expected_version", "reason", "target_state", "table_ids")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TARGET_STATE_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    expected_version: int
    reason: str
    target_state: _booking_pb2.BookingState
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ..., target_state: _Optional[_Union[_booking_pb2.BookingState, str]] = ..., table_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ResolveManualReviewResponse(_message.Message):
    __slots__ = ("booking",)
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    booking: _booking_pb2.Booking
    def __init__(self, booking: _Optional[_Union[_booking_pb2.Booking, _Mapping]] = ...) -> None: ...
