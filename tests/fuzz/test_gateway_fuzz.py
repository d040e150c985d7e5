"""Generated HTTP requests to the gateway: no 5xx but 503/504, errors as google.rpc.Status JSON."""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from yarl import URL

from services.gateway.main import FILES
from services.gateway.routes import routes_of
from tests.fuzz.conftest import FuzzRun
from tests.fuzz.database_checks import broken_rules
from tests.fuzz.http_requests import HttpCall, generate_http
from tests.fuzz.suite import Suite
from tests.fuzz.tokens import bad_credentials, good_credentials, pick_credentials
from tests.fuzz.values import Pool
from tests.fuzz.verdicts import leaks

RUN = FuzzRun.from_environment()
SHOWN_FAILURES = int(os.environ.get("MAITRED_FUZZ_SHOWN") or 25)
SERVICE_AWAY = (503, 504)
WATCH_QUIET_S = 3.0
QUIET, NO_ANSWER = 0, 599  # pseudo statuses: a watch with nothing to say yet; no answer at all
LINE_LIMIT = 8190 - len(" HTTP/1.1")  # aiohttp's request line limit


@dataclass
class HttpOutcome:
    call: HttpCall
    credentials: str
    bad_token: bool
    status: int
    body: str

    def problems(self) -> list[str]:
        found = []
        if self.status >= 500 and self.status not in SERVICE_AWAY:
            found.append(f"answered {self.status}")
        if self.status == 200 and self.bad_token and self.call.kind != "bad path":
            found.append("a bad token was let through")
        if len(self.call.method) + len(self.call.path) > LINE_LIMIT:
            # aiohttp's parser answers these itself, in plain text, before the gateway sees them.
            if not 400 <= self.status < 500:
                found.append(f"an over-long request line answered {self.status}, not 4xx")
        elif self.status >= 400 and not _is_status_json(self.body):
            found.append("the error is not a google.rpc.Status JSON")
        for leak in leaks(self.body, (*self.call.echoed, self.call.path)):
            found.append(f"the answer shows internals: {leak!r}")
        return found

    def report(self) -> str:
        return (
            f"{self.call.shown()}\n  token {self.credentials} -> {self.status} "
            f"{self.body[:500]}\n  problems: {', '.join(self.problems())}"
        )


def _is_status_json(body: str) -> bool:
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return isinstance(document, dict) and "code" in document and "message" in document


@pytest.fixture(scope="module")
async def http(suite: Suite) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _send(
    http: aiohttp.ClientSession, base: str, call: HttpCall, wait_s: float
) -> tuple[int, str]:
    url = URL(base + call.path, encoded=True)
    timeout = aiohttp.ClientTimeout(total=wait_s)
    # A stream, not raw bytes: aiohttp warns that a large raw body could block the loop.
    body = io.BytesIO(call.body) if call.body else None
    async with http.request(
        call.method, url, data=body, headers=call.headers, timeout=timeout
    ) as response:
        if call.watch and response.status == 200:
            # A watch never ends by itself: its first line is its answer.
            return response.status, (await response.content.readline()).decode("utf-8", "replace")
        return response.status, (await response.read()).decode("utf-8", "replace")


async def _answer(
    http: aiohttp.ClientSession, base: str, call: HttpCall, wait_s: float
) -> tuple[int, str]:
    """The status and body; QUIET for a watch still quiet after a while, as a resumed one is."""
    try:
        if call.watch:
            return await asyncio.wait_for(_send(http, base, call, wait_s), WATCH_QUIET_S)
        return await _send(http, base, call, wait_s)
    except TimeoutError:
        if call.watch:
            return QUIET, "a quiet watch"
        return NO_ANSWER, f"no answer within {wait_s} s"


async def fuzz_http(suite: Suite, http: aiohttp.ClientSession, run: FuzzRun) -> list[HttpOutcome]:
    routes, pool = routes_of(FILES), Pool()
    good, bad = good_credentials(suite.secret), bad_credentials(suite.secret)
    outcomes: list[HttpOutcome] = []
    queue = iter(range(run.http_calls))

    async def worker() -> None:
        for index in queue:
            rng = random.Random(f"{run.seed}:http:{index}")
            call = generate_http(rng, routes, pool)
            credentials = pick_credentials(rng, good, bad)
            if credentials.authorization is not None:
                call.headers["Authorization"] = credentials.authorization
            status, body = await _answer(http, suite.gateway, call, run.deadline_s)
            outcomes.append(
                HttpOutcome(call, credentials.label, not credentials.valid, status, body)
            )

    await asyncio.gather(*(worker() for _ in range(run.concurrency)))
    return outcomes


@pytest.mark.timeout(RUN.timeout_s(RUN.http_calls))
async def test_no_generated_http_request_gets_a_5xx_or_an_unshaped_error(
    suite, http, fuzz_run, fuzz_engine
):
    outcomes = await fuzz_http(suite, http, fuzz_run)
    statuses = Counter(outcome.status for outcome in outcomes)
    print(f"\n{len(outcomes)} HTTP calls, seed {fuzz_run.seed}: {dict(statuses.most_common())}")
    failed = [outcome for outcome in outcomes if outcome.problems()]
    shown = "\n".join(outcome.report() for outcome in failed[:SHOWN_FAILURES])
    assert not failed, (
        f"{len(failed)} of {len(outcomes)} HTTP calls failed (seed {fuzz_run.seed}; replay: "
        f"{fuzz_run.replay()})\n{shown}"
    )
    assert statuses[200] > 0, "no request succeeded: the generator sends nothing the gateway takes"
    assert await broken_rules(fuzz_engine) == {}
