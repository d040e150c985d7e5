import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Weekday(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEEKDAY_UNSPECIFIED: _ClassVar[Weekday]
    WEEKDAY_MONDAY: _ClassVar[Weekday]
    WEEKDAY_TUESDAY: _ClassVar[Weekday]
    WEEKDAY_WEDNESDAY: _ClassVar[Weekday]
    WEEKDAY_THURSDAY: _ClassVar[Weekday]
    WEEKDAY_FRIDAY: _ClassVar[Weekday]
    WEEKDAY_SATURDAY: _ClassVar[Weekday]
    WEEKDAY_SUNDAY: _ClassVar[Weekday]
WEEKDAY_UNSPECIFIED: Weekday
WEEKDAY_MONDAY: Weekday
WEEKDAY_TUESDAY: Weekday
WEEKDAY_WEDNESDAY: Weekday
WEEKDAY_THURSDAY: Weekday
WEEKDAY_FRIDAY: Weekday
WEEKDAY_SATURDAY: Weekday
WEEKDAY_SUNDAY: Weekday

class Venue(_message.Message):
    __slots__ = ("venue_id", "display_name", "time_zone", "max_party_size", "version", "create_time", "update_time")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    MAX_PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    display_name: str
    time_zone: str
    max_party_size: int
    version: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, venue_id: _Optional[str] = ..., display_name: _Optional[str] = ..., time_zone: _Optional[str] = ..., max_party_size: _Optional[int] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Zone(_message.Message):
    __slots__ = ("venue_id", "zone_id", "display_name", "create_time", "update_time")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    zone_id: str
    display_name: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, venue_id: _Optional[str] = ..., zone_id: _Optional[str] = ..., display_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Table(_message.Message):
    __slots__ = ("venue_id", "table_id", "display_name", "zone_id", "min_seats", "max_seats", "combinable", "active", "create_time", "update_time")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_SEATS_FIELD_NUMBER: _ClassVar[int]
    MAX_SEATS_FIELD_NUMBER: _ClassVar[int]
    COMBINABLE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    table_id: str
    display_name: str
    zone_id: str
    min_seats: int
    max_seats: int
    combinable: bool
    active: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, venue_id: _Optional[str] = ..., table_id: _Optional[str] = ..., display_name: _Optional[str] = ..., zone_id: _Optional[str] = ..., min_seats: _Optional[int] = ..., max_seats: _Optional[int] = ..., combinable: _Optional[bool] = ..., active: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TableAdjacency(_message.Message):
    __slots__ = ("first_table_id", "second_table_id")
    FIRST_TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    SECOND_TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    first_table_id: str
    second_table_id: str
    def __init__(self, first_table_id: _Optional[str] = ..., second_table_id: _Optional[str] = ...) -> None: ...

class AdjacencyGraph(_message.Message):
    __slots__ = ("venue_id", "edges")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    edges: _containers.RepeatedCompositeFieldContainer[TableAdjacency]
    def __init__(self, venue_id: _Optional[str] = ..., edges: _Optional[_Iterable[_Union[TableAdjacency, _Mapping]]] = ...) -> None: ...

class LocalTime(_message.Message):
    __slots__ = ("hours", "minutes")
    HOURS_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    hours: int
    minutes: int
    def __init__(self, hours: _Optional[int] = ..., minutes: _Optional[int] = ...) -> None: ...

class ServicePeriod(_message.Message):
    __slots__ = ("name", "weekdays", "first_seating", "last_seating")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WEEKDAYS_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEATING_FIELD_NUMBER: _ClassVar[int]
    LAST_SEATING_FIELD_NUMBER: _ClassVar[int]
    name: str
    weekdays: _containers.RepeatedScalarFieldContainer[Weekday]
    first_seating: LocalTime
    last_seating: LocalTime
    def __init__(self, name: _Optional[str] = ..., weekdays: _Optional[_Iterable[_Union[Weekday, str]]] = ..., first_seating: _Optional[_Union[LocalTime, _Mapping]] = ..., last_seating: _Optional[_Union[LocalTime, _Mapping]] = ...) -> None: ...

class TurnTimeBand(_message.Message):
    __slots__ = ("min_party_size", "max_party_size", "turn_duration")
    MIN_PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_PARTY_SIZE_FIELD_NUMBER: _ClassVar[int]
    TURN_DURATION_FIELD_NUMBER: _ClassVar[int]
    min_party_size: int
    max_party_size: int
    turn_duration: _duration_pb2.Duration
    def __init__(self, min_party_size: _Optional[int] = ..., max_party_size: _Optional[int] = ..., turn_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Pacing(_message.Message):
    __slots__ = ("max_covers_per_slot", "max_parties_per_slot")
    MAX_COVERS_PER_SLOT_FIELD_NUMBER: _ClassVar[int]
    MAX_PARTIES_PER_SLOT_FIELD_NUMBER: _ClassVar[int]
    max_covers_per_slot: int
    max_parties_per_slot: int
    def __init__(self, max_covers_per_slot: _Optional[int] = ..., max_parties_per_slot: _Optional[int] = ...) -> None: ...

class RetryBudget(_message.Message):
    __slots__ = ("max_attempts", "initial_backoff", "max_backoff", "deadline")
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_BACKOFF_FIELD_NUMBER: _ClassVar[int]
    MAX_BACKOFF_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    initial_backoff: _duration_pb2.Duration
    max_backoff: _duration_pb2.Duration
    deadline: _duration_pb2.Duration
    def __init__(self, max_attempts: _Optional[int] = ..., initial_backoff: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_backoff: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., deadline: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class StrategyWeight(_message.Message):
    __slots__ = ("strategy", "weight")
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    strategy: str
    weight: float
    def __init__(self, strategy: _Optional[str] = ..., weight: _Optional[float] = ...) -> None: ...

class VenuePolicy(_message.Message):
    __slots__ = ("venue_id", "service_periods", "slot_interval", "turn_time_bands", "cleaning_buffer", "pacing", "hold_ttl", "auto_confirm", "max_tables_per_combination", "allow_cross_zone_combinations", "optimizer_threshold_percent", "retry_budget", "freeze_window", "strategy_weights", "update_time", "combination_rule", "table_combinations", "seating_knobs", "yield_settings")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PERIODS_FIELD_NUMBER: _ClassVar[int]
    SLOT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    TURN_TIME_BANDS_FIELD_NUMBER: _ClassVar[int]
    CLEANING_BUFFER_FIELD_NUMBER: _ClassVar[int]
    PACING_FIELD_NUMBER: _ClassVar[int]
    HOLD_TTL_FIELD_NUMBER: _ClassVar[int]
    AUTO_CONFIRM_FIELD_NUMBER: _ClassVar[int]
    MAX_TABLES_PER_COMBINATION_FIELD_NUMBER: _ClassVar[int]
    ALLOW_CROSS_ZONE_COMBINATIONS_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZER_THRESHOLD_PERCENT_FIELD_NUMBER: _ClassVar[int]
    RETRY_BUDGET_FIELD_NUMBER: _ClassVar[int]
    FREEZE_WINDOW_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMBINATION_RULE_FIELD_NUMBER: _ClassVar[int]
    TABLE_COMBINATIONS_FIELD_NUMBER: _ClassVar[int]
    SEATING_KNOBS_FIELD_NUMBER: _ClassVar[int]
    YIELD_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    service_periods: _containers.RepeatedCompositeFieldContainer[ServicePeriod]
    slot_interval: _duration_pb2.Duration
    turn_time_bands: _containers.RepeatedCompositeFieldContainer[TurnTimeBand]
    cleaning_buffer: _duration_pb2.Duration
    pacing: Pacing
    hold_ttl: _duration_pb2.Duration
    auto_confirm: bool
    max_tables_per_combination: int
    allow_cross_zone_combinations: bool
    optimizer_threshold_percent: float
    retry_budget: RetryBudget
    freeze_window: _duration_pb2.Duration
    strategy_weights: _containers.RepeatedCompositeFieldContainer[StrategyWeight]
    update_time: _timestamp_pb2.Timestamp
    combination_rule: CombinationRule
    table_combinations: _containers.RepeatedCompositeFieldContainer[TableCombination]
    seating_knobs: SeatingKnobs
    yield_settings: YieldSettings
    def __init__(self, venue_id: _Optional[str] = ..., service_periods: _Optional[_Iterable[_Union[ServicePeriod, _Mapping]]] = ..., slot_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., turn_time_bands: _Optional[_Iterable[_Union[TurnTimeBand, _Mapping]]] = ..., cleaning_buffer: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., pacing: _Optional[_Union[Pacing, _Mapping]] = ..., hold_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., auto_confirm: _Optional[bool] = ..., max_tables_per_combination: _Optional[int] = ..., allow_cross_zone_combinations: _Optional[bool] = ..., optimizer_threshold_percent: _Optional[float] = ..., retry_budget: _Optional[_Union[RetryBudget, _Mapping]] = ..., freeze_window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., strategy_weights: _Optional[_Iterable[_Union[StrategyWeight, _Mapping]]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., combination_rule: _Optional[_Union[CombinationRule, _Mapping]] = ..., table_combinations: _Optional[_Iterable[_Union[TableCombination, _Mapping]]] = ..., seating_knobs: _Optional[_Union[SeatingKnobs, _Mapping]] = ..., yield_settings: _Optional[_Union[YieldSettings, _Mapping]] = ...) -> None: ...

class CombinationRule(_message.Message):
    __slots__ = ("seats_lost_per_join", "min_covers")
    SEATS_LOST_PER_JOIN_FIELD_NUMBER: _ClassVar[int]
    MIN_COVERS_FIELD_NUMBER: _ClassVar[int]
    seats_lost_per_join: int
    min_covers: int
    def __init__(self, seats_lost_per_join: _Optional[int] = ..., min_covers: _Optional[int] = ...) -> None: ...

class TableCombination(_message.Message):
    __slots__ = ("table_ids", "min_covers", "max_covers", "priority")
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    MIN_COVERS_FIELD_NUMBER: _ClassVar[int]
    MAX_COVERS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    table_ids: _containers.RepeatedScalarFieldContainer[str]
    min_covers: int
    max_covers: int
    priority: int
    def __init__(self, table_ids: _Optional[_Iterable[str]] = ..., min_covers: _Optional[int] = ..., max_covers: _Optional[int] = ..., priority: _Optional[int] = ...) -> None: ...

class SeatingKnobs(_message.Message):
    __slots__ = ("rescue_time_limit", "rescue_max_movers", "look_ahead_horizon")
    RESCUE_TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    RESCUE_MAX_MOVERS_FIELD_NUMBER: _ClassVar[int]
    LOOK_AHEAD_HORIZON_FIELD_NUMBER: _ClassVar[int]
    rescue_time_limit: _duration_pb2.Duration
    rescue_max_movers: int
    look_ahead_horizon: _duration_pb2.Duration
    def __init__(self, rescue_time_limit: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., rescue_max_movers: _Optional[int] = ..., look_ahead_horizon: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class YieldSettings(_message.Message):
    __slots__ = ("enabled", "min_days_observed")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    MIN_DAYS_OBSERVED_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    min_days_observed: int
    def __init__(self, enabled: _Optional[bool] = ..., min_days_observed: _Optional[int] = ...) -> None: ...

class FloorPlan(_message.Message):
    __slots__ = ("venue", "zones", "tables", "adjacency", "policy")
    VENUE_FIELD_NUMBER: _ClassVar[int]
    ZONES_FIELD_NUMBER: _ClassVar[int]
    TABLES_FIELD_NUMBER: _ClassVar[int]
    ADJACENCY_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    venue: Venue
    zones: _containers.RepeatedCompositeFieldContainer[Zone]
    tables: _containers.RepeatedCompositeFieldContainer[Table]
    adjacency: AdjacencyGraph
    policy: VenuePolicy
    def __init__(self, venue: _Optional[_Union[Venue, _Mapping]] = ..., zones: _Optional[_Iterable[_Union[Zone, _Mapping]]] = ..., tables: _Optional[_Iterable[_Union[Table, _Mapping]]] = ..., adjacency: _Optional[_Union[AdjacencyGraph, _Mapping]] = ..., policy: _Optional[_Union[VenuePolicy, _Mapping]] = ...) -> None: ...
