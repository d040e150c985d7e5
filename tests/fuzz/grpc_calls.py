"""One fuzzed gRPC call: its request generated from the descriptor, sent as raw bytes, judged."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass

import grpc
from google.protobuf import text_format
from google.protobuf.message import DecodeError, Message
from google.rpc import status_pb2

from tests.fuzz.catalogue import Rpc
from tests.fuzz.messages import build, ids_of, strings_of
from tests.fuzz.tokens import Credentials
from tests.fuzz.values import Pool
from tests.fuzz.verdicts import Outcome, decode_details
from tests.fuzz.wire import mangle

REQUEST_IDS = ("", "fuzz-1", "a" * 2000, "id with spaces", "../x", "{venue:x}")
LOCALES = ("", "fr", "fr-CA,fr;q=0.9", "*", "xx;q=abc", "en;q=1.5", ",,,", "q=" * 300)
SHOWN_BYTES = 600
WATCH_QUIET_S = 3.0


@dataclass(frozen=True)
class Generated:
    kind: str
    payload: bytes
    shown: str  # how the request is printed on failure
    echoed: tuple[str, ...]
    venue_id: str


def generate(rng: random.Random, rpc: Rpc, pool: Pool) -> Generated:
    """A request: plausible with a few edge values, all edges, or bytes mangled on the wire."""
    roll = rng.random()
    edge_rate = 0.0 if roll < 0.3 else 0.08 if roll < 0.55 else 0.6
    message = build(rng, rpc.request_type(), pool, edge_rate=edge_rate)
    shown = text_format.MessageToString(message, as_one_line=True)[:SHOWN_BYTES]
    valid = message.SerializeToString()
    venue_id = str(getattr(message, "venue_id", ""))
    if roll < 0.85:
        kind = "plausible" if roll < 0.55 else "edges"
        return Generated(kind, valid, shown, tuple(strings_of(message)), venue_id)
    kind, payload = mangle(rng, rpc.request_type.DESCRIPTOR, valid)
    return Generated(kind, payload, f"{payload[:SHOWN_BYTES].hex()} ({len(payload)} bytes)", (), "")


def metadata(rng: random.Random, credentials: Credentials) -> list[tuple[str, str]]:
    found = []
    if credentials.authorization is not None:
        found.append(("authorization", credentials.authorization))
    if rng.random() < 0.3:
        found.append(("x-request-id", rng.choice(REQUEST_IDS) or "x"))
    if rng.random() < 0.3:
        found.append(("accept-language", rng.choice(LOCALES)))
    return found


async def send(
    channel: grpc.aio.Channel,
    rpc: Rpc,
    generated: Generated,
    metadata: list[tuple[str, str]],
    *,
    deadline_s: float,
) -> tuple[grpc.StatusCode, str, tuple[tuple[str, bytes | str], ...], list[bytes], float]:
    """Send raw bytes (nothing checked client-side); the code, message, trailers and answers."""
    started = time.monotonic()
    answers: list[bytes] = []
    if rpc.server_streaming:
        call = channel.unary_stream(rpc.path)(
            generated.payload, metadata=metadata, timeout=deadline_s
        )
        try:
            if rpc.name.startswith("Watch"):
                watched = await _watched(call, answers)
                if watched is not None:
                    return watched, "", (), answers, time.monotonic() - started
            else:
                answers.extend([wire async for wire in call])
        except grpc.aio.AioRpcError as error:
            return _failed(error, answers, started)
        code = await call.code()
        return (
            code,
            await call.details() or "",
            tuple(await call.trailing_metadata() or ()),
            answers,
            time.monotonic() - started,
        )
    unary = channel.unary_unary(rpc.path)
    try:
        answers.append(await unary(generated.payload, metadata=metadata, timeout=deadline_s))
    except grpc.aio.AioRpcError as error:
        return _failed(error, answers, started)
    return grpc.StatusCode.OK, "", (), answers, time.monotonic() - started


async def _watched(call: grpc.aio.UnaryStreamCall, answers: list[bytes]) -> grpc.StatusCode | None:
    """OK once a watch sent its first message, CANCELLED when it stayed quiet; None if it ended.

    A watch never ends by itself, and one resumed at the venue's current version stays quiet
    until the venue changes, so it is cancelled either way. A quiet one has shown nothing, not
    even a refusal, so it is judged as a cancelled call; an error or an end as any answer.
    """
    try:
        first = await asyncio.wait_for(call.read(), WATCH_QUIET_S)
    except TimeoutError:
        call.cancel()
        return grpc.StatusCode.CANCELLED
    if first is grpc.aio.EOF:
        return None
    answers.append(first)
    call.cancel()
    return grpc.StatusCode.OK


def _failed(
    error: grpc.aio.AioRpcError, answers: list[bytes], started: float
) -> tuple[grpc.StatusCode, str, tuple[tuple[str, bytes | str], ...], list[bytes], float]:
    trailers = tuple(error.trailing_metadata() or ())
    return error.code(), error.details() or "", trailers, answers, time.monotonic() - started


def judge_answer(
    rpc: Rpc,
    generated: Generated,
    credentials: Credentials,
    answer: tuple[grpc.StatusCode, str, tuple[tuple[str, bytes | str], ...], list[bytes], float],
    *,
    deadline_s: float,
    pool: Pool,
) -> Outcome:
    """The outcome of a call; ids in a successful answer go to the pool for later calls."""
    code, message, trailers, answers, elapsed = answer
    outcome = Outcome(
        method=rpc.path, kind=generated.kind, credentials=credentials.label,
        request=generated.shown, code=code, message=message, echoed=generated.echoed,
        elapsed_s=elapsed,
        ran_past_deadline=elapsed >= deadline_s and code == grpc.StatusCode.DEADLINE_EXCEEDED,
        bad_token=not credentials.valid,
        foreign_venue=bool(generated.venue_id) and not credentials.covers(generated.venue_id),
    )  # fmt: skip
    packed = dict(trailers).get("grpc-status-details-bin")
    if packed is not None:
        status = status_pb2.Status()
        try:
            status.ParseFromString(bytes(packed) if isinstance(packed, bytes) else packed.encode())
        except DecodeError:
            outcome.detail_problem = "grpc-status-details-bin does not decode"
        else:
            if status.code != code.value[0]:
                outcome.detail_problem = f"the details' code {status.code} is not the call's"
            outcome.details = decode_details(status)
    for wire in answers:
        _remember(rpc.response_type, wire, pool)
    return outcome


def _remember(response_type: type[Message], wire: bytes, pool: Pool) -> None:
    response = response_type()
    try:
        response.ParseFromString(wire)
    except DecodeError:
        return
    for name, value in ids_of(response):
        pool.remember(name, value)
