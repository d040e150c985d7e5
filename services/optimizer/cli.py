"""`python -m services.optimizer.cli`: run the optimizer on a venue's day with a progress bar."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from typing import TextIO

import grpc
from google.protobuf.duration_pb2 import Duration
from pydantic import Field, SecretStr

from shared.auth import Role, mint_token
from shared.settings import MaitredSettings
from shared.stubs.maitred.assigner.v1 import allocation_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2_grpc as rpc
from shared.stubs.maitred.optimizer.v1 import plan_pb2 as pb

WIDTH = 30


def bar(progress: pb.OptimizationProgress, time_limit_s: float) -> str:
    """One line: the phase, a bar of the time used, the best objective, bound and gap."""
    elapsed = progress.elapsed.ToTimedelta().total_seconds()
    done = min(elapsed / time_limit_s, 1.0) if time_limit_s > 0 else 1.0
    filled = round(done * WIDTH)
    phase = pb.OptimizationPhase.Name(progress.phase).removeprefix("OPTIMIZATION_PHASE_")
    line = f"{phase:<9} [{'#' * filled}{'.' * (WIDTH - filled)}] {elapsed:5.1f}/{time_limit_s:g}s"
    if progress.solutions_found:
        gap = _gap(progress.best_objective, progress.best_bound)
        line += (
            f"  solutions {progress.solutions_found}  best {progress.best_objective:.0f}"
            f"  bound {progress.best_bound:.0f}  gap {gap:.2f}%"
        )
    if progress.detail:
        line += f"  {progress.detail}"
    return line


def _gap(objective: float, bound: float) -> float:
    return abs(bound - objective) / max(abs(bound), 1.0) * 100


def summary(plan: pb.Plan) -> str:
    """The finished plan as a small table, then one line per move and its outcome."""
    status = pb.PlanStatus.Name(plan.status).removeprefix("PLAN_STATUS_")
    rows = [
        ("plan", plan.plan_id),
        ("status", status + (f" ({plan.status_detail})" if plan.status_detail else "")),
        ("objective", f"{plan.current_objective:.0f} -> {plan.new_objective:.0f}"),
        ("benefit", f"{plan.benefit_percent:.2f}%"),
        ("optimal", f"{'yes' if plan.optimal else 'no'} (bound {plan.best_bound:.0f})"),
        ("solve time", f"{plan.solve_duration.ToTimedelta().total_seconds():.2f}s"),
        ("moves", str(len(plan.moves))),
        ("newly seated", str(len(plan.new_assignments))),
        ("still unseated", str(len(plan.unassigned_booking_ids))),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    outcomes = {r.booking_id: r for r in plan.move_results}
    for move in (*plan.moves, *plan.new_assignments):
        source = ",".join(move.from_table_ids) or "(none)"
        line = f"  {move.booking_id}  party {move.party_size}: {source} -> "
        line += ",".join(move.to_table_ids)
        if move.booking_id in outcomes:
            outcome = outcomes[move.booking_id].outcome
            line += "  " + allocation_pb2.MoveOutcome.Name(outcome).removeprefix("MOVE_OUTCOME_")
        lines.append(line)
    return "\n".join(lines)


class OptimizerCliSettings(MaitredSettings):
    """What the optimizer command reads: where the optimizer is, and a token or how to mint one."""

    token: SecretStr = Field(
        default=SecretStr(""), description="(optimizer command) the bearer token to call with"
    )
    jwt_secret: SecretStr = Field(
        default=SecretStr(""), description="HS256 key for tokens, 32+ characters"
    )
    jwt_issuer: str = Field(default="maitred", description="expected token issuer")
    optimizer_address: str = Field(
        default="localhost:50054", description="where the optimizer command reaches the optimizer"
    )


def _token(settings: OptimizerCliSettings) -> str:
    given = settings.token.get_secret_value()
    if given:
        return given
    secret = settings.jwt_secret.get_secret_value()
    if len(secret) < 32:
        raise SystemExit("set MAITRED_TOKEN, or MAITRED_JWT_SECRET to mint an ops token")
    return mint_token(secret, subject="optimizer-cli", roles=[Role.OPS], venues=["*"],
                      ttl_seconds=900, issuer=settings.jwt_issuer)  # fmt: skip


async def optimize(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    limit = Duration()
    limit.FromMilliseconds(int(args.time_limit * 1000))
    request = api.OptimizeVenueDayRequest(
        venue_id=args.venue, service_date=args.date, service_period=args.period or "",
        request_id=uuid.uuid4().hex,
        options=pb.OptimizeOptions(time_limit=limit, seed=args.seed, dry_run=args.dry_run),
    )  # fmt: skip
    metadata = [("authorization", f"Bearer {_token(OptimizerCliSettings())}")]
    async with grpc.aio.insecure_channel(args.address) as channel:
        stub = rpc.OptimizerServiceStub(channel)
        try:
            async for message in stub.OptimizeVenueDay(request, metadata=metadata):
                if message.WhichOneof("event") == "progress":
                    err.write("\r" + bar(message.progress, args.time_limit)[:160].ljust(160))
                    err.flush()
                else:
                    err.write("\n")
                    out.write(summary(message.plan) + "\n")
                    return 0 if message.plan.status != pb.PLAN_STATUS_FAILED else 1
        except grpc.aio.AioRpcError as error:
            err.write(f"\n{error.code().name}: {error.details()}\n")
            return 1
    return 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="optimizer", description=__doc__)
    root.add_argument("--address", default=OptimizerCliSettings().optimizer_address)
    root.add_argument("--venue", required=True)
    root.add_argument("--date", required=True, help="YYYY-MM-DD in the venue's time zone")
    root.add_argument("--period", help="one service period by name; the whole day when unset")
    root.add_argument("--time-limit", type=float, default=10.0, help="seconds (at most 120)")
    root.add_argument("--seed", type=int, default=0)
    root.add_argument("--dry-run", action="store_true", help="store the plan, never apply it")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return asyncio.run(optimize(args, sys.stdout, sys.stderr))


if __name__ == "__main__":
    sys.exit(main())
