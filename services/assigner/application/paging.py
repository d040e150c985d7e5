"""Use case: list allocations page by page, behind opaque keyset tokens bound to the query."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from services.assigner.application.ports import AllocationReads
from services.assigner.domain.allocation import Allocation, AllocationQuery
from services.assigner.domain.validation import fail

Position = tuple[datetime, UUID]  # (window start, allocation id) of the last item served


def _digest(query: dict[str, Any]) -> str:
    text = json.dumps(query, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_token(position: Position, query: dict[str, Any]) -> str:
    """A token that resumes after `position`, valid only for the same `query`."""
    body = {"s": position[0].isoformat(), "i": str(position[1]), "q": _digest(query)}
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode()


def decode_token(token: str, query: dict[str, Any]) -> Position | None:
    """The position of a token (None for the first page); INVALID_ARGUMENT when it is foreign."""
    if not token:
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(token.encode()))
        if body["q"] != _digest(query):
            raise ValueError("the token belongs to another query")
        start = datetime.fromisoformat(body["s"])
        if start.tzinfo is None:
            raise ValueError("the token's time has no zone")
        return start, UUID(body["i"])
    except (ValueError, KeyError, TypeError) as error:
        raise fail("page_token", "field.bad_page_token") from error


def page_size(requested: int, *, default: int, maximum: int) -> int:
    """The page size to use: the default for 0, at most `maximum`; INVALID_ARGUMENT if negative."""
    if requested < 0:
        raise fail("page_size", "field.out_of_range", min=0, max=maximum)
    return min(requested or default, maximum)


def _identity(query: AllocationQuery) -> dict[str, Any]:
    """What a token is bound to: the filters, not the moment of the call."""
    window = [w.isoformat() for w in query.window] if query.window else None
    return {
        "venue": query.venue_id,
        "booking": str(query.booking_id or ""),
        "kinds": sorted(query.kinds),
        "window": window,
        "released": query.include_released,
    }


async def list_allocations(
    query: AllocationQuery, token: str, size: int, *, store: AllocationReads
) -> tuple[list[Allocation], str]:
    """One page of allocations by window start then id, and the token of the next ("" if last)."""
    identity = _identity(query)
    found = await store.page(query, decode_token(token, identity), size + 1)
    page = found[:size]
    if len(found) <= size:
        return page, ""
    return page, encode_token((page[-1].start, page[-1].group_id), identity)
