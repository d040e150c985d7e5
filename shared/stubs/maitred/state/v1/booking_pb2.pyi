import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BookingState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BOOKING_STATE_UNSPECIFIED: _ClassVar[BookingState]
    BOOKING_STATE_CREATED: _ClassVar[BookingState]
    BOOKING_STATE_CAPACITY_VERIFIED: _ClassVar[BookingState]
    BOOKING_STATE_ASSIGNMENT_PENDING: _ClassVar[BookingState]
    BOOKING_STATE_ASSIGNMENT_IN_PROGRESS: _ClassVar[BookingState]
    BOOKING_STATE_ASSIGNED: _ClassVar[BookingState]
    BOOKING_STATE_CONFIRMED: _ClassVar[BookingState]
    BOOKING_STATE_SEATED: _ClassVar[BookingState]
    BOOKING_STATE_COMPLETED: _ClassVar[BookingState]
    BOOKING_STATE_MANUAL_REVIEW: _ClassVar[BookingState]
    BOOKING_STATE_REJECTED: _ClassVar[BookingState]
    BOOKING_STATE_CANCELLED: _ClassVar[BookingState]
    BOOKING_STATE_NO_SHOW: _ClassVar[BookingState]

class DisplayStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISPLAY_STATUS_UNSPECIFIED: _ClassVar[DisplayStatus]
    DISPLAY_STATUS_PENDING: _ClassVar[DisplayStatus]
    DISPLAY_STATUS_PENDING_ALLOCATION: _ClassVar[DisplayStatus]
    DISPLAY_STATUS_CONFIRMED: _ClassVar[DisplayStatus]
    DISPLAY_STATUS_CHECKED_IN: _ClassVar[DisplayStatus]
    DISPLAY_STATUS_COMPLETED: _ClassVar[DisplayStatus]
    DISPLAY_STATUS_CANCELLED: _ClassVar[DisplayStatus]
    DISPLAY_STATUS_NO_SHOW: _ClassVar[DisplayStatus]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_SERVICE: _ClassVar[Role]
    ROLE_BACKEND: _ClassVar[Role]
    ROLE_OPS: _ClassVar[Role]
BOOKING_STATE_UNSPECIFIED: BookingState
BOOKING_STATE_CREATED: BookingState
BOOKING_STATE_CAPACITY_VERIFIED: BookingState
BOOKING_STATE_ASSIGNMENT_PENDING: BookingState
BOOKING_STATE_ASSIGNMENT_IN_PROGRESS: BookingState
BOOKING_STATE_ASSIGNED: BookingState
BOOKING_STATE_CONFIRMED: BookingState
BOOKING_STATE_SEATED: BookingState
BOOKING_STATE_COMPLETED: BookingState
BOOKING_STATE_MANUAL_REVIEW: BookingState
BOOKING_STATE_REJECTED: BookingState
BOOKING_STATE_CANCELLED: BookingState
BOOKING_STATE_NO_SHOW: BookingState
DISPLAY_STATUS_UNSPECIFIED: DisplayStatus
DISPLAY_STATUS_PENDING: DisplayStatus
DISPLAY_STATUS_PENDING_ALLOCATION: DisplayStatus
DISPLAY_STATUS_CONFIRMED: DisplayStatus
DISPLAY_STATUS_CHECKED_IN: DisplayStatus
DISPLAY_STATUS_COMPLETED: DisplayStatus
DISPLAY_STATUS_CANCELLED: DisplayStatus
DISPLAY_STATUS_NO_SHOW: DisplayStatus
ROLE_UNSPECIFIED: Role
ROLE_SERVICE: Role
ROLE_BACKEND: Role
ROLE_OPS: Role

class Booking(_message.Message):
    __slots__ = ("booking_id", "venue_id", "party_size", "start_time", "end_time", "state", "display_status", "version", "guest_reference", "notes", "preferred_zone_id", "pinned", "table_ids", "state_reason", "create_time", "update_time")
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    GUEST_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    PINNED_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    booking_id: str
    venue_id: str
    party_size: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    state: BookingState
    display_status: DisplayStatus
    version: int
    guest_reference: str
    notes: str
    preferred_zone_id: str
    pinned: bool
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    state_reason: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, booking_id: _Optional[str] = ..., venue_id: _Optional[str] = ..., party_size: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[BookingState, str]] = ..., display_status: _Optional[_Union[DisplayStatus, str]] = ..., version: _Optional[int] = ..., guest_reference: _Optional[str] = ..., notes: _Optional[str] = ..., preferred_zone_id: _Optional[str] = ..., pinned: _Optional[bool] = ..., table_ids: _Optional[_Iterable[str]] = ..., state_reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BookingStateChange(_message.Message):
    __slots__ = ("from_state", "to_state", "version", "actor", "reason", "trace_id", "change_time")
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    from_state: BookingState
    to_state: BookingState
    version: int
    actor: str
    reason: str
    trace_id: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, from_state: _Optional[_Union[BookingState, str]] = ..., to_state: _Optional[_Union[BookingState, str]] = ..., version: _Optional[int] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., trace_id: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Transition(_message.Message):
    __slots__ = ("from_state", "to_state", "rpc", "allowed_roles")
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    RPC_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_ROLES_FIELD_NUMBER: _ClassVar[int]
    from_state: BookingState
    to_state: BookingState
    rpc: str
    allowed_roles: _containers.RepeatedScalarFieldContainer[Role]
    def __init__(self, from_state: _Optional[_Union[BookingState, str]] = ..., to_state: _Optional[_Union[BookingState, str]] = ..., rpc: _Optional[str] = ..., allowed_roles: _Optional[_Iterable[_Union[Role, str]]] = ...) -> None: ...

class DisplayStatusMapping(_message.Message):
    __slots__ = ("state", "display_status")
    STATE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_STATUS_FIELD_NUMBER: _ClassVar[int]
    state: BookingState
    display_status: DisplayStatus
    def __init__(self, state: _Optional[_Union[BookingState, str]] = ..., display_status: _Optional[_Union[DisplayStatus, str]] = ...) -> None: ...
