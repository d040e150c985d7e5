"""Errors the pure domains raise; shared/error_table.py maps them to gRPC codes and details."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldViolation:
    """One invalid request field: its path (e.g. `booking.party_size`) and a catalogue key."""

    field: str
    key: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


class DomainError(Exception):
    """Base of every expected failure: a stable ErrorReason name and a catalogue key."""

    reason = "INTERNAL"
    key = "internal"

    def __init__(self, key: str | None = None, /, **params: object) -> None:
        self.key = key or type(self).key
        self.params: dict[str, object] = dict(params)
        super().__init__(f"{self.reason}: {self.key} {self.params}")

    def metadata(self) -> dict[str, str]:
        """Machine-readable facts for ErrorInfo.metadata."""
        return {name: str(value) for name, value in self.params.items()}


# The details travel in trailing metadata, which gRPC clients cap at 8 KiB: past it a client gets
# RESOURCE_EXHAUSTED instead. A request with hundreds of bad fields gets the first ones named.
MAX_VIOLATIONS = 10


class InvalidArgument(DomainError):
    """One or more request fields are invalid; every violation is listed."""

    reason = "INVALID_ARGUMENT"
    key = "invalid_argument"

    def __init__(self, violations: Iterable[FieldViolation]) -> None:
        every = list(violations)
        self.violations = every[:MAX_VIOLATIONS]
        fields = ", ".join(v.field for v in self.violations)
        if len(every) > MAX_VIOLATIONS:
            fields += f" (+{len(every) - MAX_VIOLATIONS})"
        super().__init__(fields=fields)


class NotFound(DomainError):
    """The resource does not exist (or is outside the caller's venues)."""

    reason = "NOT_FOUND"
    key = "not_found"


class StaleVersion(DomainError):
    """The caller's expected version is not the current one."""

    reason = "STALE_VERSION"
    key = "stale_version"


class IllegalTransition(DomainError):
    """The asked move is not in the transition matrix from the current state."""

    reason = "ILLEGAL_TRANSITION"
    key = "illegal_transition"


class RequestIdReused(DomainError):
    """A request_id came back with a different payload."""

    reason = "REQUEST_ID_REUSED"
    key = "request_id_reused"


class Unauthenticated(DomainError):
    """No credentials, or credentials that do not verify."""

    reason = "UNAUTHENTICATED"
    key = "unauthenticated"


class RoleNotAllowed(DomainError):
    """The caller's roles do not allow the call."""

    reason = "ROLE_NOT_ALLOWED"
    key = "role_not_allowed"


class VenueNotAllowed(DomainError):
    """The caller's token does not cover the venue."""

    reason = "VENUE_NOT_ALLOWED"
    key = "venue_not_allowed"


class OpsRoleRequired(DomainError):
    """Only ops may move a booking out of manual review."""

    reason = "OPS_ROLE_REQUIRED"
    key = "ops_role_required"


class Conflict(DomainError):
    """A concurrent write got there first; the caller may retry (for example another plan)."""

    reason = "CONFLICT"
    key = "conflict"


class DependencyUnavailable(DomainError):
    """A store or service the call needs did not answer; the same call may be retried."""

    reason = "DEPENDENCY_UNAVAILABLE"
    key = "dependency_unavailable"


class FailedPrecondition(DomainError):
    """The resource is not in a state that allows the call."""

    reason = "FAILED_PRECONDITION"
    key = "failed_precondition"
