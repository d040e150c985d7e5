"""OptimizerService on real servers: runs stream and store plans, apply checks versions, rescue."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, time, timedelta

import grpc
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.optimizer import cli
from services.optimizer.adapters.assigner_client import GrpcMover
from services.optimizer.adapters.day_reader import DayReader
from services.optimizer.adapters.plan_store import PlanStore
from services.optimizer.adapters.run_lock import RedisRunLocks
from services.optimizer.application.applying import Applier
from services.optimizer.application.runs import Runs
from services.optimizer.application.scheduler import Scheduler
from services.optimizer.domain.records import PlanStatus, RunOptions
from services.optimizer.main import start as start_optimizer
from services.optimizer.settings import OptimizerSettings
from shared.auth import Role
from shared.locks import lock_key
from shared.service_token import ServiceToken
from shared.stubs.maitred.assigner.v1 import allocation_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc as rpc
from shared.stubs.maitred.optimizer.v1 import plan_pb2 as pb
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state_api
from tests.service.assigner_fixtures import (
    advance,
    assigner_address_fixture,  # noqa: F401 (a fixture)
    assigner_fixture,  # noqa: F401 (a fixture)
    hour_window,
    table,
    venue_fixture,  # noqa: F401 (a fixture)
)
from tests.service.availability_floor import tomorrow_at
from tests.service.conftest import OPS, SECRET, SERVICE, auth, details_of, token
from tests.service.optimizer_fixtures import (
    optimize,
    optimizer_address_fixture,  # noqa: F401 (a fixture)
    optimizer_fixture,  # noqa: F401 (a fixture)
    seated,
    waiting,
)

SEVEN = tomorrow_at(19)
DAY = SEVEN.date().isoformat()


async def squeezed(bookings, assigner, venue):  # type: ignore[no-untyped-def]
    """A four on t4 and a two on t2 leave a waiting six nowhere to sit, unless one of them moves
    (the four to t3 frees t4; the two to t1 frees t2+t3)."""
    four = await seated(bookings, assigner, venue, SEVEN, 4, ["t4"])
    two = await seated(bookings, assigner, venue, SEVEN, 2, ["t2"])
    six = await waiting(bookings, venue, SEVEN, 6)
    return four, two, six


async def no_overlap(engine: AsyncEngine) -> None:
    async with engine.connect() as db:
        clashes = await db.scalar(
            text(
                "SELECT count(*) FROM allocations a JOIN allocations b "
                "ON a.venue_id = b.venue_id AND a.table_id = b.table_id "
                "AND a.group_id < b.group_id AND a.during && b.during "
                "WHERE a.release_time IS NULL AND b.release_time IS NULL"
            )
        )
    assert clashes == 0


async def test_a_run_streams_progress_then_a_plan_that_seats_the_waiting_party(
    bookings, assigner, optimizer, venue
):
    four, two, six = await squeezed(bookings, assigner, venue)

    messages = await optimize(optimizer, venue, DAY, dry_run=True)

    assert messages[0].WhichOneof("event") == "progress"
    assert messages[0].progress.phase == pb.OPTIMIZATION_PHASE_LOADING
    assert all(m.WhichOneof("event") == "progress" for m in messages[:-1])
    assert {m.run_id for m in messages} == {messages[0].run_id}
    plan = messages[-1].plan
    assert plan.plan_id == messages[0].plan_id
    assert plan.status == pb.PLAN_STATUS_PROPOSED
    assert plan.status_detail == "dry run: not applied"
    assert [m.booking_id for m in plan.new_assignments] == [six.booking_id]
    assert [m.booking_id for m in plan.moves] in ([four.booking_id], [two.booking_id])
    moved = plan.moves[0]
    assert moved.booking_version in (four.version, two.version)
    assert plan.optimal and plan.best_bound == pytest.approx(plan.new_objective)
    assert plan.new_objective > plan.current_objective
    assert plan.benefit_percent > 10
    assert plan.unassigned_booking_ids == []
    assert plan.kind == pb.PLAN_KIND_DAY and plan.options.seed == 7

    stored = (await optimizer.GetPlan(
        api.GetPlanRequest(venue_id=venue, plan_id=plan.plan_id), metadata=OPS
    )).plan  # fmt: skip
    assert stored == plan
    listed = await optimizer.ListPlans(api.ListPlansRequest(venue_id=venue), metadata=OPS)
    assert [p.plan_id for p in listed.plans] == [plan.plan_id]


async def test_applying_a_plan_moves_and_seats_through_the_assigner(
    bookings, assigner, optimizer, venue, engine
):
    _four, _two, six = await squeezed(bookings, assigner, venue)
    plan = (await optimize(optimizer, venue, DAY, dry_run=True))[-1].plan

    applied = await optimizer.ApplyPlan(
        api.ApplyPlanRequest(venue_id=venue, plan_id=plan.plan_id, reason="busy night"),
        metadata=OPS,
    )

    assert applied.plan.status == pb.PLAN_STATUS_APPLIED
    assert [r.outcome for r in applied.results] == [allocation_pb2.MOVE_OUTCOME_APPLIED] * 2
    assert list(applied.plan.move_results) == list(applied.results)
    after = (await bookings.GetBooking(
        state_api.GetBookingRequest(venue_id=venue, booking_id=six.booking_id), metadata=SERVICE
    )).booking  # fmt: skip
    assert after.state == booking_pb2.BOOKING_STATE_ASSIGNED
    assert sorted(after.table_ids) == sorted(plan.new_assignments[0].to_table_ids)
    await no_overlap(engine)

    again = await optimizer.ApplyPlan(
        api.ApplyPlanRequest(venue_id=venue, plan_id=plan.plan_id), metadata=OPS
    )
    assert again.plan == applied.plan  # applied once: the second call changes nothing


async def test_a_run_over_the_threshold_applies_itself(
    bookings, assigner, optimizer, venue, engine
):
    _, _, six = await squeezed(bookings, assigner, venue)

    messages = await optimize(optimizer, venue, DAY)

    phases = [m.progress.phase for m in messages[:-1]]
    assert pb.OPTIMIZATION_PHASE_APPLYING in phases
    plan = messages[-1].plan
    assert plan.status == pb.PLAN_STATUS_APPLIED
    assert plan.HasField("apply_time")
    seated_six = (await bookings.GetBooking(
        state_api.GetBookingRequest(venue_id=venue, booking_id=six.booking_id), metadata=SERVICE
    )).booking  # fmt: skip
    assert list(seated_six.table_ids)
    await no_overlap(engine)


async def test_a_stale_move_is_skipped_and_reported(bookings, assigner, optimizer, venue):
    four, two, six = await squeezed(bookings, assigner, venue)
    plan = (await optimize(optimizer, venue, DAY, dry_run=True))[-1].plan
    mover = next(b for b in (four, two) if b.booking_id == plan.moves[0].booking_id)
    await advance(bookings, mover, "ConfirmBooking")  # the booking changed after planning

    applied = await optimizer.ApplyPlan(
        api.ApplyPlanRequest(venue_id=venue, plan_id=plan.plan_id), metadata=OPS
    )

    outcomes = {r.booking_id: r.outcome for r in applied.results}
    assert outcomes[mover.booking_id] == allocation_pb2.MOVE_OUTCOME_SKIPPED_STALE
    assert applied.plan.status == pb.PLAN_STATUS_PARTIALLY_APPLIED
    # Its old tables were never freed, so the six cannot take them: skipped, not overlapped.
    assert outcomes[six.booking_id] != allocation_pb2.MOVE_OUTCOME_APPLIED


async def test_pinned_bookings_never_move(bookings, assigner, optimizer, venue):
    pinned_four = await seated(bookings, assigner, venue, SEVEN, 4, ["t4"], pinned=True)
    two = await seated(bookings, assigner, venue, SEVEN, 2, ["t2"])
    six = await waiting(bookings, venue, SEVEN, 6)

    plan = (await optimize(optimizer, venue, DAY, dry_run=True))[-1].plan

    assert [m.booking_id for m in plan.moves] == [two.booking_id]
    assert [m.booking_id for m in plan.new_assignments] == [six.booking_id]
    assert pinned_four.booking_id not in {m.booking_id for m in plan.moves}


async def test_a_small_gain_is_below_threshold_and_needs_force(
    bookings, assigner, optimizer, venue
):
    await seated(bookings, assigner, venue, SEVEN, 4, ["t2", "t3"])  # t4 would waste fewer seats

    plan = (await optimize(optimizer, venue, DAY))[-1].plan

    assert plan.status == pb.PLAN_STATUS_BELOW_THRESHOLD
    assert 0 < plan.benefit_percent < 10
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await optimizer.ApplyPlan(
            api.ApplyPlanRequest(venue_id=venue, plan_id=plan.plan_id), metadata=OPS
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    forced = await optimizer.ApplyPlan(
        api.ApplyPlanRequest(venue_id=venue, plan_id=plan.plan_id, force=True), metadata=OPS
    )
    assert forced.plan.status == pb.PLAN_STATUS_APPLIED


async def test_nothing_to_gain_is_no_improvement(bookings, assigner, optimizer, venue):
    await seated(bookings, assigner, venue, SEVEN, 2, ["t1"])

    plan = (await optimize(optimizer, venue, DAY))[-1].plan

    assert plan.status == pb.PLAN_STATUS_NO_IMPROVEMENT
    assert not plan.moves and not plan.new_assignments


async def test_one_run_per_venue_day(optimizer, venue, redis_url):
    redis = Redis.from_url(redis_url)
    key = lock_key(f"optimizer:{DAY}", venue)
    await redis.set(key, "another-run", px=10_000)  # another replica is running this day
    try:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await optimize(optimizer, venue, DAY)
    finally:
        await redis.delete(key)
        await redis.aclose()
    assert refused.value.code() == grpc.StatusCode.ABORTED
    info = details_of(refused.value)["ErrorInfo"]
    assert info.reason == "ALREADY_RUNNING"
    assert info.metadata["run_id"] == "another-run"


async def test_a_replayed_request_id_attaches_to_the_same_run(bookings, assigner, optimizer, venue):
    await squeezed(bookings, assigner, venue)
    request_id = uuid.uuid4().hex

    first = await optimize(optimizer, venue, DAY, dry_run=True, request_id=request_id)
    second = await optimize(optimizer, venue, DAY, dry_run=True, request_id=request_id)

    assert second[-1].plan.plan_id == first[-1].plan.plan_id
    assert second[-1].plan == first[-1].plan


async def test_a_service_period_run_plans_only_its_bookings(bookings, assigner, optimizer, venue):
    await squeezed(bookings, assigner, venue)

    plan = (await optimize(optimizer, venue, DAY, dry_run=True, period="all"))[-1].plan

    assert plan.service_period == "all" and plan.new_assignments


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"service_date": "tomorrow"}, "service_date"),
        ({"service_date": DAY, "service_period": "brunch"}, "service_period"),
        ({"service_date": DAY, "options": pb.OptimizeOptions(time_limit={"seconds": 500})},
         "options.time_limit"),
    ],
)  # fmt: skip
async def test_bad_requests_name_their_field(optimizer, venue, request_fields, field):
    request = api.OptimizeVenueDayRequest(venue_id=venue, **request_fields)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        [m async for m in optimizer.OptimizeVenueDay(request, metadata=OPS)]
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in details_of(refused.value)["BadRequest"].field_violations] == [field]


async def test_apply_is_for_ops_only(optimizer, venue):
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await optimizer.ApplyPlan(
            api.ApplyPlanRequest(venue_id=venue, plan_id=str(uuid.uuid4())),
            metadata=auth(Role.SERVICE),
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_rescue_finds_the_repack_that_seats_a_new_party(bookings, assigner, optimizer, venue):
    four = await seated(bookings, assigner, venue, SEVEN, 4, ["t4"])
    two = await seated(bookings, assigner, venue, SEVEN, 2, ["t2"])

    answer = await optimizer.FindRescuePlan(
        api.FindRescuePlanRequest(
            venue_id=venue, party_size=6, window=hour_window(SEVEN, 2),
            time_limit={"nanos": 500_000_000},
        ),
        metadata=SERVICE,
    )  # fmt: skip

    assert answer.found
    assert answer.plan.kind == pb.PLAN_KIND_RESCUE and answer.plan.plan_id == ""
    moved = {m.booking_id: m for m in answer.plan.moves}
    assert set(moved) <= {four.booking_id, two.booking_id} and moved
    assert set(answer.table_ids) in ({table(venue, "t4")}, {table(venue, "t2"), table(venue, "t3")})
    freed = set(answer.table_ids)
    assert all(freed.isdisjoint(m.to_table_ids) for m in answer.plan.moves)


async def test_rescue_says_no_when_no_repack_exists(bookings, assigner, optimizer, venue):
    await seated(bookings, assigner, venue, SEVEN, 6, ["t4"])
    await seated(bookings, assigner, venue, SEVEN, 8, ["t2", "t3"])

    answer = await optimizer.FindRescuePlan(
        api.FindRescuePlanRequest(
            venue_id=venue, party_size=6, window=hour_window(SEVEN + timedelta(minutes=30), 2)
        ),
        metadata=SERVICE,
    )  # fmt: skip

    assert not answer.found and not answer.HasField("plan")


class _OneVenue:
    """The venues port, narrowed to one test venue so the scheduler leaves the others alone."""

    def __init__(self, reader: DayReader, venue_id: str) -> None:
        self._reader = reader
        self._venue_id = venue_id

    async def venue(self, venue_id: str):  # type: ignore[no-untyped-def]
        return await self._reader.venue(venue_id)

    async def venue_ids(self) -> list[str]:
        return [self._venue_id]


async def test_the_scheduler_runs_each_shift_once_before_it_starts(
    bookings, assigner, venue, engine, redis_url, assigner_address
):
    await squeezed(bookings, assigner, venue)
    before_lunch = datetime.combine(SEVEN.date(), time(11), UTC)  # the floor opens at 12:00
    redis = Redis.from_url(redis_url)
    channel = grpc.aio.insecure_channel(assigner_address)
    reader, plans = DayReader(engine), PlanStore(engine)
    mover = GrpcMover(channel, ServiceToken(SECRET, issuer="maitred", subject="optimizer"))
    runs = Runs(
        reader=reader, plans=plans, locks=RedisRunLocks(redis),
        applier=Applier(plans=plans, mover=mover, clock=lambda: before_lunch),
        clock=lambda: before_lunch, new_id=uuid.uuid4,
    )  # fmt: skip
    scheduler = Scheduler(
        runs=runs, plans=plans, venues=_OneVenue(reader, venue), clock=lambda: before_lunch,
        lead=timedelta(hours=2), options=RunOptions(time_limit_s=5),
    )  # fmt: skip
    try:
        started = await scheduler.tick()
        await runs.wait()
        again = await scheduler.tick()
    finally:
        await channel.close()
        await redis.aclose()

    assert started == [f"{venue}/{DAY}/all"] and again == []
    stored = await plans.page(venue, SEVEN.date(), (), None, 10)
    assert [(p.actor, p.service_period, p.status) for p in stored] == [
        ("scheduler", "all", PlanStatus.APPLIED)
    ]


async def test_the_cli_shows_progress_and_a_summary(
    bookings, assigner, venue, optimizer_address, monkeypatch
):
    await squeezed(bookings, assigner, venue)
    monkeypatch.setenv("MAITRED_TOKEN", token(Role.OPS))
    out, err = io.StringIO(), io.StringIO()
    args = cli.parser().parse_args(
        ["--address", optimizer_address, "--venue", venue, "--date", DAY, "--dry-run"]
    )

    assert await cli.optimize(args, out, err) == 0

    assert "LOADING" in err.getvalue() and "[" in err.getvalue()
    summary = out.getvalue()
    assert "PROPOSED (dry run: not applied)" in summary
    assert "newly seated    1" in summary


async def test_ops_applying_a_plan_seat_a_booking_out_of_manual_review(
    bookings, assigner, optimizer, venue
):
    await seated(bookings, assigner, venue, SEVEN, 4, ["t4"])
    await seated(bookings, assigner, venue, SEVEN, 2, ["t2"])
    six = await advance(bookings, await waiting(bookings, venue, SEVEN, 6), "SendToManualReview")
    plan = (await optimize(optimizer, venue, DAY, dry_run=True))[-1].plan
    assert [m.booking_id for m in plan.new_assignments] == [six.booking_id]

    applied = await optimizer.ApplyPlan(
        api.ApplyPlanRequest(venue_id=venue, plan_id=plan.plan_id), metadata=OPS
    )

    assert applied.plan.status == pb.PLAN_STATUS_APPLIED
    history = await bookings.ListBookingHistory(
        state_api.ListBookingHistoryRequest(venue_id=venue, booking_id=six.booking_id),
        metadata=OPS,
    )
    last = history.changes[-1]
    assert last.from_state == booking_pb2.BOOKING_STATE_MANUAL_REVIEW
    assert last.to_state == booking_pb2.BOOKING_STATE_ASSIGNED
    assert last.actor == "tester"  # the ops user who applied the plan, not a service


async def test_a_run_started_by_ops_seats_manual_review_and_one_without_ops_leaves_it(
    bookings, assigner, optimizer, venue
):
    await seated(bookings, assigner, venue, SEVEN, 4, ["t4"])
    await seated(bookings, assigner, venue, SEVEN, 2, ["t2"])
    six = await advance(bookings, await waiting(bookings, venue, SEVEN, 6), "SendToManualReview")
    request = api.OptimizeVenueDayRequest(venue_id=venue, service_date=DAY)

    by_service = [m async for m in optimizer.OptimizeVenueDay(request, metadata=SERVICE)]
    assert by_service[-1].plan.status == pb.PLAN_STATUS_NO_IMPROVEMENT  # nobody moves for nothing

    by_ops = (await optimize(optimizer, venue, DAY))[-1].plan  # applied as the ops caller
    assert by_ops.status == pb.PLAN_STATUS_APPLIED
    assert [m.booking_id for m in by_ops.new_assignments] == [six.booking_id]


async def test_with_the_assigner_away_a_plan_waits_for_apply_plan(
    bookings, assigner, venue, database_url, redis_url
):
    _, _, six = await squeezed(bookings, assigner, venue)
    settings = OptimizerSettings(
        database_url=database_url, redis_url=redis_url, jwt_secret=SECRET, host="127.0.0.1",
        grace_period_seconds=5, assigner_address="127.0.0.1:1", optimizer_scheduler=False,
    )  # fmt: skip
    running = await start_optimizer(settings, port=0)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            lonely = rpc.OptimizerServiceStub(channel)
            plan = (await optimize(lonely, venue, DAY))[-1].plan
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await lonely.ApplyPlan(
                    api.ApplyPlanRequest(venue_id=venue, plan_id=plan.plan_id), metadata=OPS
                )
    finally:
        await running.stop(1)

    assert plan.status == pb.PLAN_STATUS_PROPOSED
    assert plan.status_detail.startswith("not applied: The assigner (UNAVAILABLE) did not answer")
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert details_of(refused.value)["ErrorInfo"].reason == "DEPENDENCY_UNAVAILABLE"
    still = (await bookings.GetBooking(
        state_api.GetBookingRequest(venue_id=venue, booking_id=six.booking_id), metadata=SERVICE
    )).booking  # fmt: skip
    assert still.state == booking_pb2.BOOKING_STATE_ASSIGNMENT_PENDING


async def test_rescue_seats_by_the_venues_combinations(optimizer, venue, engine):
    async def rescue_seven() -> api.FindRescuePlanResponse:
        return await optimizer.FindRescuePlan(
            api.FindRescuePlanRequest(venue_id=venue, party_size=7, window=hour_window(SEVEN, 2)),
            metadata=SERVICE,
        )

    async def set_policy(**values: object) -> None:
        async with engine.begin() as db:
            await db.execute(
                text(
                    "UPDATE venue_policies SET combination_seats_lost_per_join = :lost, "
                    "table_combinations = CAST(:combinations AS jsonb) WHERE venue_id = :v"
                ),
                {"v": venue, **values},
            )

    assert set((await rescue_seven()).table_ids) == {table(venue, "t2"), table(venue, "t3")}
    await set_policy(lost=2, combinations="[]")  # t2 + t3 now seat 6
    assert not (await rescue_seven()).found
    t1, t2, t3 = (table(venue, n) for n in ("t1", "t2", "t3"))
    explicit = f'[{{"table_ids": ["{t1}", "{t2}", "{t3}"], "min_covers": 5, "max_covers": 9}}]'
    await set_policy(lost=2, combinations=explicit)
    assert set((await rescue_seven()).table_ids) == {t1, t2, t3}


async def test_rescue_without_a_time_limit_searches_for_the_venues_own(
    bookings, assigner, optimizer, venue, engine
):
    await seated(bookings, assigner, venue, SEVEN, 4, ["t4"])
    await seated(bookings, assigner, venue, SEVEN, 2, ["t2"])
    async with engine.begin() as db:
        await db.execute(
            text("UPDATE venue_policies SET rescue_time_limit_ms = 800 WHERE venue_id = :v"),
            {"v": venue},
        )

    answer = await optimizer.FindRescuePlan(
        api.FindRescuePlanRequest(venue_id=venue, party_size=6, window=hour_window(SEVEN, 2)),
        metadata=SERVICE,
    )

    assert answer.found and answer.plan.moves
    assert answer.plan.options.time_limit.ToMilliseconds() == 800
