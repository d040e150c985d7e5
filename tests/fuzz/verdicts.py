"""What a fuzzed call must never do: end INTERNAL/UNKNOWN, leak internals, pass a bad token."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

DETAIL_TYPES: tuple[type[Message], ...] = (
    error_details_pb2.BadRequest, error_details_pb2.ErrorInfo,
    error_details_pb2.LocalizedMessage, error_details_pb2.PreconditionFailure,
    error_details_pb2.RetryInfo, error_details_pb2.ResourceInfo, error_details_pb2.Help,
    error_details_pb2.DebugInfo, error_details_pb2.QuotaFailure, error_details_pb2.RequestInfo,
)  # fmt: skip
# Internals an answer must not show: exception classes, tracebacks, source files, SQL.
LEAKS = (
    re.compile(r"\b[A-Z]\w*(Error|Exception|Warning)\b"),
    re.compile(r"<class '|Traceback|File \"|\w\.py\b|site-packages"),
    re.compile(r"\b(SELECT|INSERT INTO|DELETE FROM|UPDATE)\b.*\b(FROM|VALUES|WHERE|SET)\b"),
    re.compile(r"sqlalchemy|asyncpg|psycopg|\[SQL:|\bviolates\b.*\bconstraint\b", re.IGNORECASE),
)
NEVER = (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)


@dataclass
class Outcome:
    """One call and its answer, with what is needed to judge and to replay it."""

    method: str
    kind: str  # "plausible", "edges", "random bytes", "wrong wire type", ...
    credentials: str  # the token's label
    request: str  # text format of the request, or the bytes' hex
    code: grpc.StatusCode
    message: str
    details: list[Message] = field(default_factory=list)
    detail_problem: str = ""  # the status details would not decode
    elapsed_s: float = 0.0
    ran_past_deadline: bool = False
    bad_token: bool = False  # the call carried a token that must not verify
    foreign_venue: bool = False  # a valid token whose venues exclude the request's venue_id
    echoed: tuple[str, ...] = ()  # the request's own strings, which an answer may quote

    def report(self, problems: Iterable[str]) -> str:
        details = "; ".join(type(d).__name__ + " " + _one_line(d) for d in self.details)
        return (
            f"{self.method} [{self.kind}, token {self.credentials}] -> {self.code.name} "
            f"{self.message!r}\n  details: {details or '-'}\n  problems: {', '.join(problems)}"
            f"\n  request: {self.request}"
        )


def _one_line(message: Message) -> str:
    return str(message).replace("\n", " ")[:400]


def decode_details(status: status_pb2.Status) -> list[Message]:
    found: list[Message] = []
    for packed in status.details:
        for kind in DETAIL_TYPES:
            if packed.Is(kind.DESCRIPTOR):
                message = kind()
                packed.Unpack(message)
                found.append(message)
    return found


def _texts(message: Message) -> list[str]:
    texts: list[str] = []
    for _, value in message.ListFields():
        values = value if isinstance(value, list | tuple) or hasattr(value, "extend") else [value]
        for item in values:
            if isinstance(item, str):
                texts.append(item)
            elif isinstance(item, Message):
                texts.extend(_texts(item))
            elif hasattr(item, "items"):
                texts.extend(f"{k}={v}" for k, v in item.items())
    return texts


def leaks(text: str, echoed: Iterable[str] = ()) -> list[str]:
    """The internals `text` shows, once what the caller itself sent is taken out."""
    for sent in sorted(echoed, key=len, reverse=True):
        if len(sent) >= 3:
            text = text.replace(sent, "")
    return [found.group(0)[:60] for pattern in LEAKS if (found := pattern.search(text))]


def problems_of(outcome: Outcome) -> list[str]:
    """Everything wrong with one answer; empty when it is a clear, safe answer."""
    found = []
    if outcome.code in NEVER:
        found.append(f"ended {outcome.code.name}")
    if outcome.ran_past_deadline:
        found.append("ran past its deadline")
    if outcome.detail_problem:
        found.append(outcome.detail_problem)
    if outcome.code == grpc.StatusCode.INVALID_ARGUMENT:
        requests = [d for d in outcome.details if isinstance(d, error_details_pb2.BadRequest)]
        fields = [v.field for d in requests for v in d.field_violations]
        if not fields or not all(fields):
            found.append("INVALID_ARGUMENT without a BadRequest naming the field")
    if outcome.code == grpc.StatusCode.OK and outcome.bad_token:
        found.append("a bad token was let through")
    if outcome.code == grpc.StatusCode.OK and outcome.foreign_venue:
        found.append("a token of another venue was let through")
    texts = [outcome.message, *(t for d in outcome.details for t in _texts(d))]
    for text in texts:
        for leak in leaks(text, outcome.echoed):
            found.append(f"the answer shows internals: {leak!r}")
    return found
