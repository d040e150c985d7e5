"""Opaque page tokens: a keyset position bound to the query that produced it."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from shared.domain_errors import FieldViolation, InvalidArgument

T = TypeVar("T")


def _query_digest(query: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode_token(position: dict[str, Any], query: dict[str, Any]) -> str:
    """A token that resumes after `position`, valid only for the same `query`."""
    body = json.dumps({"p": position, "q": _query_digest(query)}, default=str)
    return base64.urlsafe_b64encode(body.encode()).decode()


def decode_token(token: str, query: dict[str, Any]) -> dict[str, Any] | None:
    """The position of a token (None for the first page); INVALID_ARGUMENT when it is foreign."""
    if not token:
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(token.encode()))
        position = body["p"]
        valid = body["q"] == _query_digest(query) and isinstance(position, dict)
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise InvalidArgument([FieldViolation("page_token", "field.bad_page_token")])
    return dict(position)


def read_position(position: dict[str, Any], read: Callable[[dict[str, Any]], T]) -> T:
    """`read(position)`; INVALID_ARGUMENT naming page_token when the position does not read.

    A token's digest only binds it to its query; its position is still caller input.
    """
    try:
        return read(position)
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidArgument([FieldViolation("page_token", "field.bad_page_token")]) from error


def page_size(requested: int, *, default: int, maximum: int) -> int:
    """The page size to use: the default for 0, INVALID_ARGUMENT when negative."""
    if requested < 0:
        raise InvalidArgument(
            [FieldViolation("page_size", "field.out_of_range", {"min": 0, "max": maximum})]
        )
    return min(requested or default, maximum)


def page_after(
    items: Sequence[T], key: Callable[[T], str], token: str, size: int, query: dict[str, Any]
) -> tuple[list[T], str]:
    """One page of `items` (sorted by `key`) after the token's position, and the next token."""
    limit = page_size(size, default=100, maximum=500)
    position = decode_token(token, query)
    after = str(position["after"]) if position else None
    rest = [item for item in items if after is None or key(item) > after]
    page = rest[:limit]
    next_token = encode_token({"after": key(page[-1])}, query) if len(rest) > limit else ""
    return page, next_token
