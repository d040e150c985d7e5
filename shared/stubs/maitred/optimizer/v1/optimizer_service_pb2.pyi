import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as _allocation_pb2
from shared.stubs.maitred.common.v1 import common_pb2 as _common_pb2
from shared.stubs.maitred.common.v1 import method_options_pb2 as _method_options_pb2
from shared.stubs.maitred.optimizer.v1 import plan_pb2 as _plan_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OptimizeVenueDayRequest(_message.Message):
    __slots__ = ("venue_id", "service_date", "service_period", "options", "request_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_DATE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    service_date: str
    service_period: str
    options: _plan_pb2.OptimizeOptions
    request_id: str
    def __init__(self, venue_id: _Optional[str] = ..., service_date: _Optional[str] = ..., service_period: _Optional[str] = ..., options: _Optional[_Union[_plan_pb2.OptimizeOptions, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class OptimizeVenueDayResponse(_message.Message):
    __slots__ = ("run_id", "plan_id", "progress", "plan")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    plan_id: str
    progress: _plan_pb2.OptimizationProgress
    plan: _plan_pb2.Plan
    def __init__(self, run_id: _Optional[str] = ..., plan_id: _Optional[str] = ..., progress: _Optional[_Union[_plan_pb2.OptimizationProgress, _Mapping]] = ..., plan: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ...) -> None: ...

class GetPlanRequest(_message.Message):
    __slots__ = ("venue_id", "plan_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    plan_id: str
    def __init__(self, venue_id: _Optional[str] = ..., plan_id: _Optional[str] = ...) -> None: ...

class GetPlanResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: _plan_pb2.Plan
    def __init__(self, plan: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ...) -> None: ...

class ListPlansRequest(_message.Message):
    __slots__ = ("venue_id", "page_size", "page_token", "service_date", "statuses")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_DATE_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    page_size: int
    page_token: str
    service_date: str
    statuses: _containers.RepeatedScalarFieldContainer[_plan_pb2.PlanStatus]
    def __init__(self, venue_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., service_date: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_plan_pb2.PlanStatus, str]]] = ...) -> None: ...

class ListPlansResponse(_message.Message):
    __slots__ = ("plans", "next_page_token")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[_plan_pb2.Plan]
    next_page_token: str
    def __init__(self, plans: _Optional[_Iterable[_Union[_plan_pb2.Plan, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ApplyPlanRequest(_message.Message):
    __slots__ = ("venue_id", "plan_id", "force", "reason")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    plan_id: str
    force: bool
    reason: str
    def __init__(self, venue_id: _Optional[str] = ..., plan_id: _Optional[str] = ..., force: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class ApplyPlanResponse(_message.Message):
    __slots__ = ("plan", "results")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    plan: _plan_pb2.Plan
    results: _containers.RepeatedCompositeFieldContainer[_allocation_pb2.BookingMoveResult]
    def __init__(self, plan: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ..., results: _Optional[_Iterable[_Union[_allocation_pb2.BookingMoveResult, _Mapping]]] = ...) -> None: ...

class FindRescuePlanRequest(_message.Message):
    __slots__ = ("venue_id", "booking_id", "party_size", "window", "time_limit")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    booking_id: str
    party_size: int
    window: _common_pb2.TimeWindow
    time_limit: _duration_pb2.Duration
    def __init__(self, venue_id: _Optional[str] = ..., booking_id: _Optional[str] = ..., party_size: _Optional[int] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class FindRescuePlanResponse(_message.Message):
    __slots__ = ("found", "table_ids", "plan")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    found: bool
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    plan: _plan_pb2.Plan
    def __init__(self, found: _Optional[bool] = ..., table_ids: _Optional[_Iterable[str]] = ..., plan: _Optional[_Union[_plan_pb2.Plan, _Mapping]] = ...) -> None: ...
