"""The one error table: domain errors to canonical gRPC codes with google.rpc details."""

from __future__ import annotations

from collections.abc import Mapping

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from shared import domain_errors as errors
from shared.messages import CATALOGUE, DEFAULT_LOCALE, Messages, render

DOMAIN = "maitred.io"
MAX_ECHOED = 100  # characters of one value a message repeats (ErrorInfo.metadata keeps all)

CODES: dict[type[errors.DomainError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.StaleVersion: grpc.StatusCode.ABORTED,
    errors.IllegalTransition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.RequestIdReused: grpc.StatusCode.ALREADY_EXISTS,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.RoleNotAllowed: grpc.StatusCode.PERMISSION_DENIED,
    errors.VenueNotAllowed: grpc.StatusCode.PERMISSION_DENIED,
    errors.OpsRoleRequired: grpc.StatusCode.PERMISSION_DENIED,
    errors.Conflict: grpc.StatusCode.ABORTED,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.DependencyUnavailable: grpc.StatusCode.UNAVAILABLE,
}


def code_of(error: errors.DomainError) -> grpc.StatusCode:
    """The canonical code of a domain error (its nearest listed base class)."""
    for klass in type(error).__mro__:
        if klass in CODES:
            return CODES[klass]
    return grpc.StatusCode.INTERNAL


def _packed(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def to_status(
    error: errors.DomainError, locale: str, catalogue: Messages = CATALOGUE
) -> grpc.Status:
    """The rich status for a domain error, its messages in `locale` from `catalogue`."""
    code = code_of(error)
    english = render(error.key, DEFAULT_LOCALE, _brief(error.params), catalogue)
    details = [
        error_details_pb2.ErrorInfo(reason=error.reason, domain=DOMAIN, metadata=error.metadata()),
        error_details_pb2.LocalizedMessage(
            locale=locale, message=render(error.key, locale, _brief(error.params), catalogue)
        ),
    ]
    if isinstance(error, errors.InvalidArgument):
        details.append(_bad_request(error, locale, catalogue))
    if isinstance(error, errors.IllegalTransition):
        details.append(
            error_details_pb2.PreconditionFailure(
                violations=[
                    error_details_pb2.PreconditionFailure.Violation(
                        type="BOOKING_STATE",
                        subject=str(error.params.get("booking_id", "")),
                        description=f"allowed next states: {error.params.get('allowed', '')}",
                    )
                ]
            )
        )
    if isinstance(error, errors.FailedPrecondition) and error.params.get("booking_ids"):
        details.append(_stranded(error))
    status = status_pb2.Status(
        code=code.value[0], message=english, details=[_packed(d) for d in details]
    )
    return rpc_status.to_status(status)


def _brief(params: Mapping[str, object]) -> dict[str, object]:
    """`params` with long texts cut short for the messages: a request's 1,000-character id,
    echoed in the message, its localized copy and the percent-encoded grpc-message, would pass
    the 8 KiB of metadata a client accepts, and the client would see RESOURCE_EXHAUSTED."""
    return {
        name: f"{value[:MAX_ECHOED]}…"
        if isinstance(value, str) and len(value) > MAX_ECHOED
        else value
        for name, value in params.items()
    }


def _stranded(error: errors.DomainError) -> error_details_pb2.PreconditionFailure:
    causes = str(error.params.get("causes", ""))
    return error_details_pb2.PreconditionFailure(
        violations=[
            error_details_pb2.PreconditionFailure.Violation(
                type="STRANDED_BOOKING", subject=booking_id, description=causes
            )
            for booking_id in str(error.params["booking_ids"]).split(",")
        ]
    )


def _bad_request(
    error: errors.InvalidArgument, locale: str, catalogue: Messages
) -> error_details_pb2.BadRequest:
    return error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field=violation.field,
                description=render(violation.key, DEFAULT_LOCALE, violation.params, catalogue),
                reason=violation.key.removeprefix("field.").upper(),
                localized_message=error_details_pb2.LocalizedMessage(
                    locale=locale,
                    message=render(violation.key, locale, violation.params, catalogue),
                ),
            )
            for violation in error.violations
        ]
    )


def internal_status(request_id: str, locale: str) -> grpc.Status:
    """A generic INTERNAL status that reveals nothing but the request id to quote."""
    params = {"request_id": request_id}
    status = status_pb2.Status(
        code=code_pb2.INTERNAL,
        message=render("internal", DEFAULT_LOCALE, params),
        details=[
            _packed(error_details_pb2.ErrorInfo(reason="INTERNAL", domain=DOMAIN, metadata=params)),
            _packed(
                error_details_pb2.LocalizedMessage(
                    locale=locale, message=render("internal", locale, params)
                )
            ),
        ],
    )
    return rpc_status.to_status(status)
