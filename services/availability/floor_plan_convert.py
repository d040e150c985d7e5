"""Translations between the FloorPlanService protos and the floor-plan domain objects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from services.availability.domain.floor import ServicePeriod, Table, TurnBand
from services.availability.domain.floor_plan import (
    FloorPlan,
    RetryBudget,
    TableRecord,
    Venue,
    VenuePolicy,
    Zone,
)
from services.availability.domain.policy_validation import PeriodDraft, PolicyDraft
from services.availability.seating_convert import seating_from_proto, seating_to_proto
from shared.seating.yield_policy import YieldSettings
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as pb


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def duration(span: timedelta) -> Duration:
    result = Duration()
    result.FromTimedelta(span)
    return result


def span(value: Duration) -> timedelta:
    result: timedelta = value.ToTimedelta()
    return result


def venue_to_proto(venue: Venue) -> pb.Venue:
    return pb.Venue(
        venue_id=venue.venue_id,
        display_name=venue.display_name,
        time_zone=venue.time_zone,
        max_party_size=venue.max_party_size,
        version=venue.version,
        create_time=timestamp(venue.create_time),
        update_time=timestamp(venue.update_time),
    )


def venue_from_proto(venue_id: str, venue: pb.Venue) -> Venue:
    """The writable fields of a venue; the id comes from the request, not the body."""
    return Venue(venue_id, venue.display_name, venue.time_zone, venue.max_party_size)


def zone_to_proto(zone: Zone) -> pb.Zone:
    return pb.Zone(
        venue_id=zone.venue_id,
        zone_id=zone.zone_id,
        display_name=zone.display_name,
        create_time=timestamp(zone.create_time),
        update_time=timestamp(zone.update_time),
    )


def zone_from_proto(venue_id: str, zone_id: str, zone: pb.Zone) -> Zone:
    return Zone(venue_id, zone_id, zone.display_name)


def table_to_proto(table: TableRecord) -> pb.Table:
    seats = table.seats
    return pb.Table(
        venue_id=table.venue_id,
        table_id=seats.table_id,
        display_name=table.display_name,
        zone_id=seats.zone_id,
        min_seats=seats.min_seats,
        max_seats=seats.max_seats,
        combinable=seats.combinable,
        active=seats.active,
        create_time=timestamp(table.create_time),
        update_time=timestamp(table.update_time),
    )


def table_from_proto(venue_id: str, table_id: str, table: pb.Table) -> TableRecord:
    seats = Table(
        table_id, table.zone_id, table.min_seats, table.max_seats, table.combinable, table.active
    )
    return TableRecord(venue_id, seats, table.display_name)


def graph_to_proto(venue_id: str, edges: Iterable[tuple[str, str]]) -> pb.AdjacencyGraph:
    return pb.AdjacencyGraph(
        venue_id=venue_id,
        edges=[pb.TableAdjacency(first_table_id=a, second_table_id=b) for a, b in sorted(edges)],
    )


def pairs_from_proto(graph: pb.AdjacencyGraph) -> list[tuple[str, str]]:
    return [(e.first_table_id, e.second_table_id) for e in graph.edges]


def _period_to_proto(period: ServicePeriod) -> pb.ServicePeriod:
    return pb.ServicePeriod(
        name=period.name,
        # The domain counts weekdays from 0 (Monday), the proto enum from 1.
        weekdays=[day + 1 for day in sorted(period.weekdays)],  # type: ignore[misc]
        first_seating=pb.LocalTime(
            hours=period.first_seating.hour, minutes=period.first_seating.minute
        ),
        last_seating=pb.LocalTime(
            hours=period.last_seating.hour, minutes=period.last_seating.minute
        ),
    )


def _clock(message: pb.ServicePeriod, name: str) -> tuple[int, int] | None:
    if not message.HasField(name):
        return None
    value = getattr(message, name)
    return int(value.hours), int(value.minutes)


def _period_from_proto(period: pb.ServicePeriod) -> PeriodDraft:
    return PeriodDraft(
        name=period.name,
        weekdays=tuple(int(day) - 1 for day in period.weekdays),
        first_seating=_clock(period, "first_seating"),
        last_seating=_clock(period, "last_seating"),
    )


def policy_to_proto(policy: VenuePolicy) -> pb.VenuePolicy:
    retry = policy.retry_budget
    return pb.VenuePolicy(
        venue_id=policy.venue_id,
        service_periods=[_period_to_proto(p) for p in policy.service_periods],
        slot_interval=duration(policy.slot_interval),
        turn_time_bands=[
            pb.TurnTimeBand(
                min_party_size=band.min_party,
                max_party_size=band.max_party,
                turn_duration=duration(band.duration),
            )
            for band in policy.turn_bands
        ],
        cleaning_buffer=duration(policy.cleaning_buffer),
        pacing=pb.Pacing(
            max_covers_per_slot=policy.max_covers_per_slot or 0,
            max_parties_per_slot=policy.max_parties_per_slot or 0,
        ),
        hold_ttl=duration(policy.hold_ttl),
        auto_confirm=policy.auto_confirm,
        max_tables_per_combination=policy.max_tables_per_combination,
        allow_cross_zone_combinations=policy.allow_cross_zone_combinations,
        optimizer_threshold_percent=policy.optimizer_threshold_percent,
        retry_budget=pb.RetryBudget(
            max_attempts=retry.max_attempts,
            initial_backoff=duration(retry.initial_backoff),
            max_backoff=duration(retry.max_backoff),
            deadline=duration(retry.deadline),
        ),
        freeze_window=duration(policy.freeze_window),
        strategy_weights=[
            pb.StrategyWeight(strategy=s, weight=w) for s, w in policy.strategy_weights
        ],
        update_time=timestamp(policy.update_time),
        **seating_to_proto(policy),
        yield_settings=pb.YieldSettings(
            enabled=policy.yield_settings.enabled,
            min_days_observed=policy.yield_settings.min_days_observed,
        ),
    )


def draft_from_proto(venue_id: str, policy: pb.VenuePolicy) -> PolicyDraft:
    """A policy as the request states it; a pacing limit of 0 means no limit."""
    retry = policy.retry_budget
    rules = VenuePolicy(
        venue_id=venue_id,
        service_periods=(),
        turn_bands=tuple(
            TurnBand(band.min_party_size, band.max_party_size, span(band.turn_duration))
            for band in policy.turn_time_bands
        ),
        slot_interval=span(policy.slot_interval),
        cleaning_buffer=span(policy.cleaning_buffer),
        max_covers_per_slot=policy.pacing.max_covers_per_slot or None,
        max_parties_per_slot=policy.pacing.max_parties_per_slot or None,
        hold_ttl=span(policy.hold_ttl),
        auto_confirm=policy.auto_confirm,
        max_tables_per_combination=policy.max_tables_per_combination,
        allow_cross_zone_combinations=policy.allow_cross_zone_combinations,
        optimizer_threshold_percent=policy.optimizer_threshold_percent,
        retry_budget=RetryBudget(
            max_attempts=retry.max_attempts,
            initial_backoff=span(retry.initial_backoff),
            max_backoff=span(retry.max_backoff),
            deadline=span(retry.deadline),
        ),
        freeze_window=span(policy.freeze_window),
        strategy_weights=tuple((w.strategy, w.weight) for w in policy.strategy_weights),
        **seating_from_proto(policy),
        yield_settings=_yield_from_proto(policy.yield_settings),
    )
    periods = tuple(_period_from_proto(p) for p in policy.service_periods)
    return PolicyDraft(periods=periods, policy=rules)


def _yield_from_proto(settings: pb.YieldSettings) -> YieldSettings:
    """The yield settings as requested; an unset message or a 0 minimum takes the defaults."""
    default = YieldSettings()
    return YieldSettings(
        enabled=settings.enabled,
        min_days_observed=settings.min_days_observed or default.min_days_observed,
    )


def floor_plan_to_proto(plan: FloorPlan) -> pb.FloorPlan:
    return pb.FloorPlan(
        venue=venue_to_proto(plan.venue),
        zones=[zone_to_proto(z) for z in plan.zones],
        tables=[table_to_proto(t) for t in plan.tables],
        adjacency=graph_to_proto(plan.venue.venue_id, plan.edges),
        policy=policy_to_proto(plan.policy),
    )
