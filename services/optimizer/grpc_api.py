"""OptimizerService over the optimizer's use cases: protos in, domain calls, protos out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from uuid import UUID

import grpc

from services.optimizer.application.applying import Applier
from services.optimizer.application.feed import Progress
from services.optimizer.application.ports import Plans
from services.optimizer.application.rescues import Rescues
from services.optimizer.application.runs import Runs
from services.optimizer.convert import (
    date_of,
    fail,
    plan_to_proto,
    progress_to_proto,
    required,
    rescue_ask,
    result_to_proto,
    run_request,
    uuid_of,
)
from services.optimizer.domain.records import PlanStatus
from shared.call_context import current_caller
from shared.domain_errors import NotFound
from shared.paging import decode_token, encode_token, page_size, read_position
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc as rpc
from shared.stubs.maitred.optimizer.v1 import plan_pb2 as pb

SERVICE = api.DESCRIPTOR.services_by_name["OptimizerService"].full_name
MAX_REASON = 500


class OptimizerServicer(rpc.OptimizerServiceServicer):  # type: ignore[misc]
    """Serves OptimizerService: runs stream their progress; plans are read and applied."""

    def __init__(self, *, runs: Runs, plans: Plans, applier: Applier, rescues: Rescues) -> None:
        self._runs = runs
        self._plans = plans
        self._applier = applier
        self._rescues = rescues

    async def OptimizeVenueDay(
        self, request: api.OptimizeVenueDayRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.OptimizeVenueDayResponse]:
        caller = current_caller()
        authorization = _authorization(context) if caller.is_ops else ""
        feed = await self._runs.start(run_request(request, caller.subject, authorization))
        run_id, plan_id = str(feed.record.run_id), str(feed.record.plan_id)
        async for event in feed.follow():
            response = api.OptimizeVenueDayResponse(run_id=run_id, plan_id=plan_id)
            if isinstance(event, Progress):
                response.progress.CopyFrom(progress_to_proto(event))
            else:
                response.plan.CopyFrom(plan_to_proto(event))
            yield response

    async def GetPlan(
        self, request: api.GetPlanRequest, context: grpc.aio.ServicerContext
    ) -> api.GetPlanResponse:
        venue_id = required(request.venue_id, "venue_id")
        plan_id = uuid_of(request.plan_id, "plan_id")
        record = await self._plans.get(venue_id, plan_id)
        if record is None:
            raise NotFound(resource="Plan", id=plan_id)
        return api.GetPlanResponse(plan=plan_to_proto(record))

    async def ListPlans(
        self, request: api.ListPlansRequest, context: grpc.aio.ServicerContext
    ) -> api.ListPlansResponse:
        venue_id = required(request.venue_id, "venue_id")
        day = date_of(request.service_date, "service_date") if request.service_date else None
        statuses = [_status(value, index) for index, value in enumerate(request.statuses)]
        size = page_size(request.page_size, default=20, maximum=100)
        query = {"venue": venue_id, "day": str(day), "statuses": sorted(s.value for s in statuses)}
        position = decode_token(request.page_token, query)
        after = None
        if position is not None:
            after = read_position(
                position, lambda p: (datetime.fromisoformat(p["t"]), UUID(p["id"]))
            )
        records = await self._plans.page(venue_id, day, statuses, after, size + 1)
        page = records[:size]
        token = ""
        if len(records) > size:
            last = page[-1]
            position = {"t": last.create_time.isoformat(), "id": str(last.plan_id)}
            token = encode_token(position, query)
        return api.ListPlansResponse(plans=[plan_to_proto(r) for r in page], next_page_token=token)

    async def ApplyPlan(
        self, request: api.ApplyPlanRequest, context: grpc.aio.ServicerContext
    ) -> api.ApplyPlanResponse:
        if len(request.reason) > MAX_REASON:
            raise fail("reason", "field.too_long", max=MAX_REASON)
        record = await self._applier.apply_plan(
            required(request.venue_id, "venue_id"),
            uuid_of(request.plan_id, "plan_id"),
            force=request.force,
            reason=request.reason,
            actor=current_caller().subject,
            authorization=_authorization(context),
        )
        return api.ApplyPlanResponse(
            plan=plan_to_proto(record), results=[result_to_proto(r) for r in record.results]
        )

    async def FindRescuePlan(
        self, request: api.FindRescuePlanRequest, context: grpc.aio.ServicerContext
    ) -> api.FindRescuePlanResponse:
        answer = await self._rescues.find(rescue_ask(request))
        if answer.plan is None:
            return api.FindRescuePlanResponse(found=False)
        return api.FindRescuePlanResponse(
            found=True,
            table_ids=list(answer.table_ids),
            plan=plan_to_proto(answer.plan, rescue=True),
        )


def _authorization(context: grpc.aio.ServicerContext) -> str:
    """The caller's own credentials, forwarded so ops' moves out of manual review are theirs."""
    return str(dict(context.invocation_metadata() or ()).get("authorization", ""))


def _status(value: int, index: int) -> PlanStatus:
    if value not in pb.PlanStatus.values() or value == pb.PLAN_STATUS_UNSPECIFIED:
        raise fail(f"statuses[{index}]", "field.out_of_range", min=1, max=7)
    return PlanStatus(pb.PlanStatus.Name(value).removeprefix("PLAN_STATUS_"))
