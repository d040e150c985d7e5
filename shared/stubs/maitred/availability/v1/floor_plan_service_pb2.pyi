from google.api import annotations_pb2 as _annotations_pb2
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as _floor_plan_pb2
from shared.stubs.maitred.common.v1 import method_options_pb2 as _method_options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateVenueRequest(_message.Message):
    __slots__ = ("venue_id", "venue", "policy", "request_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    VENUE_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    venue: _floor_plan_pb2.Venue
    policy: _floor_plan_pb2.VenuePolicy
    request_id: str
    def __init__(self, venue_id: _Optional[str] = ..., venue: _Optional[_Union[_floor_plan_pb2.Venue, _Mapping]] = ..., policy: _Optional[_Union[_floor_plan_pb2.VenuePolicy, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateVenueResponse(_message.Message):
    __slots__ = ("venue", "policy")
    VENUE_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    venue: _floor_plan_pb2.Venue
    policy: _floor_plan_pb2.VenuePolicy
    def __init__(self, venue: _Optional[_Union[_floor_plan_pb2.Venue, _Mapping]] = ..., policy: _Optional[_Union[_floor_plan_pb2.VenuePolicy, _Mapping]] = ...) -> None: ...

class GetVenueRequest(_message.Message):
    __slots__ = ("venue_id",)
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    def __init__(self, venue_id: _Optional[str] = ...) -> None: ...

class GetVenueResponse(_message.Message):
    __slots__ = ("venue",)
    VENUE_FIELD_NUMBER: _ClassVar[int]
    venue: _floor_plan_pb2.Venue
    def __init__(self, venue: _Optional[_Union[_floor_plan_pb2.Venue, _Mapping]] = ...) -> None: ...

class UpdateVenueRequest(_message.Message):
    __slots__ = ("venue_id", "venue", "expected_version", "move_stranded_to_manual_review", "validate_only")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    VENUE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    MOVE_STRANDED_TO_MANUAL_REVIEW_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    venue: _floor_plan_pb2.Venue
    expected_version: int
    move_stranded_to_manual_review: bool
    validate_only: bool
    def __init__(self, venue_id: _Optional[str] = ..., venue: _Optional[_Union[_floor_plan_pb2.Venue, _Mapping]] = ..., expected_version: _Optional[int] = ..., move_stranded_to_manual_review: _Optional[bool] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class UpdateVenueResponse(_message.Message):
    __slots__ = ("venue", "stranded_booking_ids")
    VENUE_FIELD_NUMBER: _ClassVar[int]
    STRANDED_BOOKING_IDS_FIELD_NUMBER: _ClassVar[int]
    venue: _floor_plan_pb2.Venue
    stranded_booking_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, venue: _Optional[_Union[_floor_plan_pb2.Venue, _Mapping]] = ..., stranded_booking_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListVenuesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVenuesResponse(_message.Message):
    __slots__ = ("venues", "next_page_token")
    VENUES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    venues: _containers.RepeatedCompositeFieldContainer[_floor_plan_pb2.Venue]
    next_page_token: str
    def __init__(self, venues: _Optional[_Iterable[_Union[_floor_plan_pb2.Venue, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetFloorPlanRequest(_message.Message):
    __slots__ = ("venue_id",)
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    def __init__(self, venue_id: _Optional[str] = ...) -> None: ...

class GetFloorPlanResponse(_message.Message):
    __slots__ = ("floor_plan",)
    FLOOR_PLAN_FIELD_NUMBER: _ClassVar[int]
    floor_plan: _floor_plan_pb2.FloorPlan
    def __init__(self, floor_plan: _Optional[_Union[_floor_plan_pb2.FloorPlan, _Mapping]] = ...) -> None: ...

class CreateZoneRequest(_message.Message):
    __slots__ = ("venue_id", "zone", "request_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    zone: _floor_plan_pb2.Zone
    request_id: str
    def __init__(self, venue_id: _Optional[str] = ..., zone: _Optional[_Union[_floor_plan_pb2.Zone, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateZoneResponse(_message.Message):
    __slots__ = ("zone", "venue_version")
    ZONE_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    zone: _floor_plan_pb2.Zone
    venue_version: int
    def __init__(self, zone: _Optional[_Union[_floor_plan_pb2.Zone, _Mapping]] = ..., venue_version: _Optional[int] = ...) -> None: ...

class GetZoneRequest(_message.Message):
    __slots__ = ("venue_id", "zone_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    zone_id: str
    def __init__(self, venue_id: _Optional[str] = ..., zone_id: _Optional[str] = ...) -> None: ...

class GetZoneResponse(_message.Message):
    __slots__ = ("zone", "venue_version")
    ZONE_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    zone: _floor_plan_pb2.Zone
    venue_version: int
    def __init__(self, zone: _Optional[_Union[_floor_plan_pb2.Zone, _Mapping]] = ..., venue_version: _Optional[int] = ...) -> None: ...

class UpdateZoneRequest(_message.Message):
    __slots__ = ("venue_id", "zone_id", "zone", "expected_version")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    zone_id: str
    zone: _floor_plan_pb2.Zone
    expected_version: int
    def __init__(self, venue_id: _Optional[str] = ..., zone_id: _Optional[str] = ..., zone: _Optional[_Union[_floor_plan_pb2.Zone, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateZoneResponse(_message.Message):
    __slots__ = ("zone", "venue_version")
    ZONE_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    zone: _floor_plan_pb2.Zone
    venue_version: int
    def __init__(self, zone: _Optional[_Union[_floor_plan_pb2.Zone, _Mapping]] = ..., venue_version: _Optional[int] = ...) -> None: ...

class ListZonesRequest(_message.Message):
    __slots__ = ("venue_id", "page_size", "page_token")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    page_size: int
    page_token: str
    def __init__(self, venue_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListZonesResponse(_message.Message):
    __slots__ = ("zones", "next_page_token", "venue_version")
    ZONES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    zones: _containers.RepeatedCompositeFieldContainer[_floor_plan_pb2.Zone]
    next_page_token: str
    venue_version: int
    def __init__(self, zones: _Optional[_Iterable[_Union[_floor_plan_pb2.Zone, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., venue_version: _Optional[int] = ...) -> None: ...

class CreateTableRequest(_message.Message):
    __slots__ = ("venue_id", "table", "request_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    table: _floor_plan_pb2.Table
    request_id: str
    def __init__(self, venue_id: _Optional[str] = ..., table: _Optional[_Union[_floor_plan_pb2.Table, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateTableResponse(_message.Message):
    __slots__ = ("table", "venue_version")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    table: _floor_plan_pb2.Table
    venue_version: int
    def __init__(self, table: _Optional[_Union[_floor_plan_pb2.Table, _Mapping]] = ..., venue_version: _Optional[int] = ...) -> None: ...

class GetTableRequest(_message.Message):
    __slots__ = ("venue_id", "table_id")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    table_id: str
    def __init__(self, venue_id: _Optional[str] = ..., table_id: _Optional[str] = ...) -> None: ...

class GetTableResponse(_message.Message):
    __slots__ = ("table", "venue_version")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    table: _floor_plan_pb2.Table
    venue_version: int
    def __init__(self, table: _Optional[_Union[_floor_plan_pb2.Table, _Mapping]] = ..., venue_version: _Optional[int] = ...) -> None: ...

class UpdateTableRequest(_message.Message):
    __slots__ = ("venue_id", "table_id", "table", "expected_version", "move_stranded_to_manual_review", "validate_only")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    MOVE_STRANDED_TO_MANUAL_REVIEW_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    table_id: str
    table: _floor_plan_pb2.Table
    expected_version: int
    move_stranded_to_manual_review: bool
    validate_only: bool
    def __init__(self, venue_id: _Optional[str] = ..., table_id: _Optional[str] = ..., table: _Optional[_Union[_floor_plan_pb2.Table, _Mapping]] = ..., expected_version: _Optional[int] = ..., move_stranded_to_manual_review: _Optional[bool] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class UpdateTableResponse(_message.Message):
    __slots__ = ("table", "venue_version", "stranded_booking_ids")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    STRANDED_BOOKING_IDS_FIELD_NUMBER: _ClassVar[int]
    table: _floor_plan_pb2.Table
    venue_version: int
    stranded_booking_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, table: _Optional[_Union[_floor_plan_pb2.Table, _Mapping]] = ..., venue_version: _Optional[int] = ..., stranded_booking_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListTablesRequest(_message.Message):
    __slots__ = ("venue_id", "page_size", "page_token", "zone_id", "include_inactive")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INACTIVE_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    page_size: int
    page_token: str
    zone_id: str
    include_inactive: bool
    def __init__(self, venue_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., zone_id: _Optional[str] = ..., include_inactive: _Optional[bool] = ...) -> None: ...

class ListTablesResponse(_message.Message):
    __slots__ = ("tables", "next_page_token", "venue_version")
    TABLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    tables: _containers.RepeatedCompositeFieldContainer[_floor_plan_pb2.Table]
    next_page_token: str
    venue_version: int
    def __init__(self, tables: _Optional[_Iterable[_Union[_floor_plan_pb2.Table, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., venue_version: _Optional[int] = ...) -> None: ...

class GetAdjacencyGraphRequest(_message.Message):
    __slots__ = ("venue_id",)
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    def __init__(self, venue_id: _Optional[str] = ...) -> None: ...

class GetAdjacencyGraphResponse(_message.Message):
    __slots__ = ("adjacency_graph", "venue_version")
    ADJACENCY_GRAPH_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    adjacency_graph: _floor_plan_pb2.AdjacencyGraph
    venue_version: int
    def __init__(self, adjacency_graph: _Optional[_Union[_floor_plan_pb2.AdjacencyGraph, _Mapping]] = ..., venue_version: _Optional[int] = ...) -> None: ...

class UpdateAdjacencyGraphRequest(_message.Message):
    __slots__ = ("venue_id", "adjacency_graph", "expected_version", "move_stranded_to_manual_review", "validate_only")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    ADJACENCY_GRAPH_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    MOVE_STRANDED_TO_MANUAL_REVIEW_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    adjacency_graph: _floor_plan_pb2.AdjacencyGraph
    expected_version: int
    move_stranded_to_manual_review: bool
    validate_only: bool
    def __init__(self, venue_id: _Optional[str] = ..., adjacency_graph: _Optional[_Union[_floor_plan_pb2.AdjacencyGraph, _Mapping]] = ..., expected_version: _Optional[int] = ..., move_stranded_to_manual_review: _Optional[bool] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class UpdateAdjacencyGraphResponse(_message.Message):
    __slots__ = ("adjacency_graph", "venue_version", "stranded_booking_ids")
    ADJACENCY_GRAPH_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    STRANDED_BOOKING_IDS_FIELD_NUMBER: _ClassVar[int]
    adjacency_graph: _floor_plan_pb2.AdjacencyGraph
    venue_version: int
    stranded_booking_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, adjacency_graph: _Optional[_Union[_floor_plan_pb2.AdjacencyGraph, _Mapping]] = ..., venue_version: _Optional[int] = ..., stranded_booking_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetVenuePolicyRequest(_message.Message):
    __slots__ = ("venue_id",)
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    def __init__(self, venue_id: _Optional[str] = ...) -> None: ...

class GetVenuePolicyResponse(_message.Message):
    __slots__ = ("policy", "venue_version")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    policy: _floor_plan_pb2.VenuePolicy
    venue_version: int
    def __init__(self, policy: _Optional[_Union[_floor_plan_pb2.VenuePolicy, _Mapping]] = ..., venue_version: _Optional[int] = ...) -> None: ...

class UpdateVenuePolicyRequest(_message.Message):
    __slots__ = ("venue_id", "policy", "expected_version", "move_stranded_to_manual_review", "validate_only")
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    MOVE_STRANDED_TO_MANUAL_REVIEW_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    venue_id: str
    policy: _floor_plan_pb2.VenuePolicy
    expected_version: int
    move_stranded_to_manual_review: bool
    validate_only: bool
    def __init__(self, venue_id: _Optional[str] = ..., policy: _Optional[_Union[_floor_plan_pb2.VenuePolicy, _Mapping]] = ..., expected_version: _Optional[int] = ..., move_stranded_to_manual_review: _Optional[bool] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class UpdateVenuePolicyResponse(_message.Message):
    __slots__ = ("policy", "venue_version", "stranded_booking_ids")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    VENUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    STRANDED_BOOKING_IDS_FIELD_NUMBER: _ClassVar[int]
    policy: _floor_plan_pb2.VenuePolicy
    venue_version: int
    stranded_booking_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, policy: _Optional[_Union[_floor_plan_pb2.VenuePolicy, _Mapping]] = ..., venue_version: _Optional[int] = ..., stranded_booking_ids: _Optional[_Iterable[str]] = ...) -> None: ...
