"""HTTP requests to the gateway generated from its routes: bad JSON, wrong types, huge or deep."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from google.protobuf import json_format

from services.gateway.routes import Route
from tests.fuzz.messages import build, strings_of
from tests.fuzz.values import STRINGS, Pool

BAD_PATHS = (
    "/", "/v1", "/v1/venues", "/v1/venues//bookings", "/v1/venues/demo-bistro/bookings/%00",
    "/v1/venues/%zz/bookings", "/v1/venues/demo-bistro/bookings/x:unknownVerb", "/../../etc/passwd",
    "/v1/venues/demo-bistro/bookings/%2e%2e%2f", "/" + "a" * 6000, "/healthz/x", "/metrics/../x",
    "/v1/venues/demo-bistro/bookings;x=1", "/v1/venues/%C3%28/bookings", "/v1/venues/demo-bistro/:",
)  # fmt: skip
BAD_JSON = (
    b"{", b"[1,2", b"nul", b"{'a': 1}", b"\xff\xfe{}", b"{}}", b"[]", b"1", b'"x"', b"null",
    b'{"a":}', b'{"requestId": "\\ud800"}', b"\x00", b"NaN", b'{"a": 1e999999}',
)  # fmt: skip
WRONG_VALUES: tuple[Any, ...] = (
    "abc", "", 1.5, -1, 2**70, True, None, [], [1, "x"], {}, {"a": {"b": 1}}, "NaN", "Infinity",
    "1e999", "2026-02-30T25:61:00Z", "-0", "0x10", "\u0000", "9" * 400, "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z", "10000-01-01T00:00:00Z", "2026-11-26T19:30:00+99:00",
    "315576000001s", "-1s", "1e30s", "0.5s",
)  # fmt: skip
CONTENT_TYPES = ("application/json", "text/plain", "application/json; charset=latin-1", "")
HUGE = 1_200_000  # past the gateway's 1 MiB body limit


@dataclass
class HttpCall:
    """One request to send, and what is needed to judge and print it."""

    method: str
    path: str  # already percent-encoded
    kind: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    watch: bool = False  # a stream that never ends by itself
    echoed: tuple[str, ...] = ()

    def shown(self) -> str:
        body = self.body[:400].decode("utf-8", "replace")
        more = f" ... ({len(self.body)} bytes)" if len(self.body) > 400 else ""
        return f"{self.method} {self.path[:300]} [{self.kind}] {body}{more}"


def _path(rng: random.Random, route: Route, message: Any, edge: bool) -> str:
    path = route.template
    for variable in [part.split("}")[0] for part in path.split("{")[1:]]:
        value = message
        for name in variable.split("."):
            value = getattr(value, name, "")
        text = rng.choice(STRINGS) if edge else str(value) or "x"
        path = path.replace("{" + variable + "}", quote(text, safe="") or "%20")
    return path


def _query(message: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A GET request's fields as query parameters (`window.startTime=...`, repeated ones again)."""
    found: list[tuple[str, str]] = []
    for key, value in json_format.MessageToDict(message).items():
        found.extend(_flatten(f"{prefix}{key}", value))
    return found


def _flatten(key: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flatten(f"{key}.{k}", v)]
    if isinstance(value, list):
        return [pair for item in value for pair in _flatten(key, item)]
    return [(key, str(value).lower() if isinstance(value, bool) else str(value))]


def _encode(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='.')}={quote(v, safe='')}" for k, v in pairs)


def _mangled_body(rng: random.Random, document: dict[str, Any]) -> tuple[str, bytes]:
    roll = rng.randrange(6)
    if roll == 0 and document:
        key = rng.choice(list(document))
        return f"wrong type for {key}", json.dumps(
            document | {key: rng.choice(WRONG_VALUES)}
        ).encode()
    if roll == 1:
        return "unknown field", json.dumps(document | {"noSuchField": 1}).encode()
    if roll == 2:
        return "bad JSON", rng.choice(BAD_JSON)
    if roll == 3:
        depth = rng.choice((200, 5000, 50_000))
        deep = rng.choice(("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth))
        return f"nested {depth} deep", deep.encode()
    if roll == 4:
        return "body over 1 MiB", json.dumps(document | {"notes": "a" * HUGE}).encode()
    nested = {key: {"x": value} if rng.random() < 0.3 else value for key, value in document.items()}
    return "objects for scalars", json.dumps(nested).encode()


def _mangled_query(rng: random.Random, pairs: list[tuple[str, str]]) -> tuple[str, str]:
    roll = rng.randrange(5)
    if roll == 0 and pairs:
        index = rng.randrange(len(pairs))
        pairs[index] = (pairs[index][0], str(rng.choice(WRONG_VALUES)))
        return "wrong type in query", _encode(pairs)
    if roll == 1:
        return "unknown parameter", _encode([*pairs, ("noSuchField", "1")])
    if roll == 2:
        return "broken escapes", _encode(pairs) + "&%zz=%&=x&&a=%C3%28"
    if roll == 3:
        # Past aiohttp's 8190-byte request line, which its parser refuses before the gateway runs.
        size = rng.choice((3000, 9000))
        return "long query value", _encode([*pairs, ("pageToken", "a" * size)])
    return "repeated scalars", _encode(pairs + pairs)


def generate_http(rng: random.Random, routes: list[Route], pool: Pool) -> HttpCall:
    """A request for a route (its body or query mangled one time in two), or a bad path."""
    if rng.random() < 0.08:
        return HttpCall(rng.choice(("GET", "POST", "DELETE")), rng.choice(BAD_PATHS), "bad path")
    route = rng.choice(routes)
    message = build(rng, route.request_type(), pool, edge_rate=0.05)
    try:
        json_format.MessageToDict(message)
    except (
        json_format.SerializeToJsonError
    ):  # an edge Timestamp JSON cannot spell; see WRONG_VALUES
        message = build(rng, route.request_type(), pool, edge_rate=0.0)
    edge_path = rng.random() < 0.1
    call = HttpCall(
        route.http_method.upper(), _path(rng, route, message, edge_path),
        "edge path" if edge_path else "plausible", watch="/Watch" in route.full_method,
        echoed=tuple(strings_of(message)),
    )  # fmt: skip
    if rng.random() < 0.05:
        call.method, call.kind = rng.choice(("PUT", "DELETE", "PATCH")), "wrong method"
    mangle = rng.random() < 0.5
    if route.body == "*":
        document = json_format.MessageToDict(message)
        call.body = json.dumps(document).encode()
        if mangle:
            call.kind, call.body = _mangled_body(rng, document)
        call.headers["Content-Type"] = rng.choice(CONTENT_TYPES) or "application/json"
    else:
        query = _encode(_query(message))
        if mangle:
            call.kind, query = _mangled_query(rng, _query(message))
        elif rng.random() < 0.05:
            call.kind, call.body = "body on a GET", b'{"a": 1}'
        call.path += f"?{query}" if query else ""
    return call
