import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shared.stubs.maitred.assigner.v1 import allocation_pb2 as _allocation_pb2
from shared.stubs.maitred.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlanStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_STATUS_UNSPECIFIED: _ClassVar[PlanStatus]
    PLAN_STATUS_SOLVING: _ClassVar[PlanStatus]
    PLAN_STATUS_PROPOSED: _ClassVar[PlanStatus]
    PLAN_STATUS_BELOW_THRESHOLD: _ClassVar[PlanStatus]
    PLAN_STATUS_NO_IMPROVEMENT: _ClassVar[PlanStatus]
    PLAN_STATUS_APPLIED: _ClassVar[PlanStatus]
    PLAN_STATUS_PARTIALLY_APPLIED: _ClassVar[PlanStatus]
    PLAN_STATUS_FAILED: _ClassVar[PlanStatus]

class PlanKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_KIND_UNSPECIFIED: _ClassVar[PlanKind]
    PLAN_KIND_DAY: _ClassVar[PlanKind]
    PLAN_KIND_RESCUE: _ClassVar[PlanKind]

class OptimizationPhase(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPTIMIZATION_PHASE_UNSPECIFIED: _ClassVar[OptimizationPhase]
    OPTIMIZATION_PHASE_LOADING: _ClassVar[OptimizationPhase]
    OPTIMIZATION_PHASE_SOLVING: _ClassVar[OptimizationPhase]
    OPTIMIZATION_PHASE_FALLBACK: _ClassVar[OptimizationPhase]
    OPTIMIZATION_PHASE_APPLYING: _ClassVar[OptimizationPhase]
PLAN_STATUS_UNSPECIFIED: PlanStatus
PLAN_STATUS_SOLVING: PlanStatus
PLAN_STATUS_PROPOSED: PlanStatus
PLAN_STATUS_BELOW_THRESHOLD: PlanStatus
PLAN_STATUS_NO_IMPROVEMENT: PlanStatus
PLAN_STATUS_APPLIED: PlanStatus
PLAN_STATUS_PARTIALLY_APPLIED: PlanStatus
PLAN_STATUS_FAILED: PlanStatus
PLAN_KIND_UNSPECIFIED: PlanKind
PLAN_KIND_DAY: PlanKind
PLAN_KIND_RESCUE: PlanKind
OPTIMIZATION_PHASE_UNSPECIFIED: OptimizationPhase
OPTIMIZATION_PHASE_LOADING: OptimizationPhase
OPTIMIZATION_PHASE_SOLVING: OptimizationPhase
OPTIMIZATION_PHASE_FALLBACK: OptimizationPhase
OPTIMIZATION_PHASE_APPLYING: OptimizationPhase

class OptimizeOptions(_message.Message):
    __slots__ = ("time_limit", "seed", "move_penalty", "dry_run")
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MOVE_PENALTY_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    time_limit: _duration_pb2.Duration
    seed: int
    move_penalty: float
    dry_run: bool
    def __init__(self, time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., seed: _Optional[int] = ..., move_penalty: _Optional[float] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class PlanMove(_message.Message):
    __slots__ = ("booking_id", "party_size", "window", "from_table_ids", "to_table_ids", "booking_version", "benefit")
    BOOKING_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    FROM_TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    TO_TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    BOOKING_VERSION_FIELD_NUMBER: _ClassVar[int]
    BENEFIT_FIELD_NUMBER: _ClassVar[int]
    booking_id: str
    party_size: int
    window: _common_pb2.TimeWindow
    from_table_ids: _containers.RepeatedScalarFieldContainer[str]
    to_table_ids: _containers.RepeatedScalarFieldContainer[str]
    booking_version: int
    benefit: float
    def __init__(self, booking_id: _Optional[str] = ..., party_size: _Optional[int] = ..., window: _Optional[_Union[_common_pb2.TimeWindow, _Mapping]] = ..., from_table_ids: _Optional[_Iterable[str]] = ..., to_table_ids: _Optional[_Iterable[str]] = ..., booking_version: _Optional[int] = ..., benefit: _Optional[float] = ...) -> None: ...

class Plan(_message.Message):
    __slots__ = ("plan_id", "run_id", "venue_id", "service_date", "service_period", "kind", "status", "status_detail", "moves", "new_assignments", "unassigned_booking_ids", "current_objective", "new_objective", "benefit_percent", "optimal", "best_bound", "solve_duration", "options", "snapshot_version", "move_results", "actor", "create_time", "complete_time", "apply_time")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_DATE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_DETAIL_FIELD_NUMBER: _ClassVar[int]
    MOVES_FIELD_NUMBER: _ClassVar[int]
    NEW_ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    UNASSIGNED_BOOKING_IDS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    NEW_OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BENEFIT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    OPTIMAL_FIELD_NUMBER: _ClassVar[int]
    BEST_BOUND_FIELD_NUMBER: _ClassVar[int]
    SOLVE_DURATION_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_VERSION_FIELD_NUMBER: _ClassVar[int]
    MOVE_RESULTS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    APPLY_TIME_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    run_id: str
    venue_id: str
    service_date: str
    service_period: str
    kind: PlanKind
    status: PlanStatus
    status_detail: str
    moves: _containers.RepeatedCompositeFieldContainer[PlanMove]
    new_assignments: _containers.RepeatedCompositeFieldContainer[PlanMove]
    unassigned_booking_ids: _containers.RepeatedScalarFieldContainer[str]
    current_objective: float
    new_objective: float
    benefit_percent: float
    optimal: bool
    best_bound: float
    solve_duration: _duration_pb2.Duration
    options: OptimizeOptions
    snapshot_version: int
    move_results: _containers.RepeatedCompositeFieldContainer[_allocation_pb2.BookingMoveResult]
    actor: str
    create_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    apply_time: _timestamp_pb2.Timestamp
    def __init__(self, plan_id: _Optional[str] = ..., run_id: _Optional[str] = ..., venue_id: _Optional[str] = ..., service_date: _Optional[str] = ..., service_period: _Optional[str] = ..., kind: _Optional[_Union[PlanKind, str]] = ..., status: _Optional[_Union[PlanStatus, str]] = ..., status_detail: _Optional[str] = ..., moves: _Optional[_Iterable[_Union[PlanMove, _Mapping]]] = ..., new_assignments: _Optional[_Iterable[_Union[PlanMove, _Mapping]]] = ..., unassigned_booking_ids: _Optional[_Iterable[str]] = ..., current_objective: _Optional[float] = ..., new_objective: _Optional[float] = ..., benefit_percent: _Optional[float] = ..., optimal: _Optional[bool] = ..., best_bound: _Optional[float] = ..., solve_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., options: _Optional[_Union[OptimizeOptions, _Mapping]] = ..., snapshot_version: _Optional[int] = ..., move_results: _Optional[_Iterable[_Union[_allocation_pb2.BookingMoveResult, _Mapping]]] = ..., actor: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., apply_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OptimizationProgress(_message.Message):
    __slots__ = ("phase", "elapsed", "solutions_found", "best_objective", "best_bound", "detail")
    PHASE_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_FIELD_NUMBER: _ClassVar[int]
    SOLUTIONS_FOUND_FIELD_NUMBER: _ClassVar[int]
    BEST_OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BEST_BOUND_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    phase: OptimizationPhase
    elapsed: _duration_pb2.Duration
    solutions_found: int
    best_objective: float
    best_bound: float
    detail: str
    def __init__(self, phase: _Optional[_Union[OptimizationPhase, str]] = ..., elapsed: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., solutions_found: _Optional[int] = ..., best_objective: _Optional[float] = ..., best_bound: _Optional[float] = ..., detail: _Optional[str] = ...) -> None: ...
