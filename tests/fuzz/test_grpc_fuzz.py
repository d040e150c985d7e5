"""Generated requests to every RPC of every service: none breaks a service or lets a stranger in."""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from collections.abc import AsyncIterator

import grpc
import pytest

from tests.fuzz.catalogue import every_rpc
from tests.fuzz.conftest import FuzzRun
from tests.fuzz.database_checks import broken_rules
from tests.fuzz.grpc_calls import generate, judge_answer, metadata, send
from tests.fuzz.suite import Suite
from tests.fuzz.tokens import bad_credentials, good_credentials, pick_credentials
from tests.fuzz.values import Pool
from tests.fuzz.verdicts import Outcome, problems_of

RUN = FuzzRun.from_environment()
SHOWN_FAILURES = int(os.environ.get("MAITRED_FUZZ_SHOWN") or 25)
REFUSED = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)


@pytest.fixture(scope="module")
async def channels(suite: Suite) -> AsyncIterator[dict[str, grpc.aio.Channel]]:
    opened = {name: grpc.aio.insecure_channel(address) for name, address in suite.addresses.items()}
    yield opened
    for channel in opened.values():
        await channel.close()


async def fuzz(suite: Suite, channels: dict[str, grpc.aio.Channel], run: FuzzRun) -> list[Outcome]:
    """`run.grpc_calls` calls, spread evenly over the methods, `run.concurrency` at a time."""
    rpcs, pool = every_rpc(), Pool()
    good, bad = good_credentials(suite.secret), bad_credentials(suite.secret)
    outcomes: list[Outcome] = []
    queue = iter(range(run.grpc_calls))

    async def worker() -> None:
        for index in queue:
            rng = random.Random(f"{run.seed}:{index}")
            rpc = rpcs[index % len(rpcs)]
            credentials = pick_credentials(rng, good, bad)
            generated = generate(rng, rpc, pool)
            answer = await send(
                channels[rpc.service], rpc, generated, metadata(rng, credentials),
                deadline_s=run.deadline_s,
            )  # fmt: skip
            outcomes.append(
                judge_answer(
                    rpc, generated, credentials, answer, deadline_s=run.deadline_s, pool=pool
                )
            )

    await asyncio.gather(*(worker() for _ in range(run.concurrency)))
    return outcomes


def report(outcomes: list[Outcome], run: FuzzRun) -> str:
    failed = [(outcome, problems) for outcome in outcomes if (problems := problems_of(outcome))]
    if not failed:
        return ""
    by_method = Counter(outcome.method.rsplit("/", 1)[1] for outcome, _ in failed)
    shown = "\n".join(outcome.report(problems) for outcome, problems in failed[:SHOWN_FAILURES])
    return (
        f"{len(failed)} of {len(outcomes)} calls failed (seed {run.seed}; replay: "
        f"{run.replay()})\nby method: {dict(by_method.most_common())}\n{shown}"
    )


@pytest.mark.timeout(RUN.timeout_s(RUN.grpc_calls))
async def test_no_generated_request_breaks_a_service_or_passes_a_bad_token(
    suite, channels, fuzz_run, fuzz_engine
):
    outcomes = await fuzz(suite, channels, fuzz_run)
    codes = Counter(outcome.code.name for outcome in outcomes)
    slowest = max(outcomes, key=lambda outcome: outcome.elapsed_s)
    print(
        f"\n{len(outcomes)} gRPC calls, seed {fuzz_run.seed}: {dict(codes.most_common())}; "
        f"slowest {slowest.elapsed_s:.2f} s ({slowest.method.rsplit('/', 1)[1]})"
    )
    failures = report(outcomes, fuzz_run)
    assert not failures, failures
    # The fuzz must reach the handlers of every method, not only the token check.
    reached = {o.method for o in outcomes if o.code not in REFUSED}
    missed = {rpc.path for rpc in every_rpc()} - reached
    assert not missed, f"no call got past authentication on {sorted(missed)}"
    assert codes["OK"] > 0, "no call succeeded: the generator sends nothing a service accepts"
    assert await broken_rules(fuzz_engine) == {}
