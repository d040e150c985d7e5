"""The fuzz tier's judge: it must flag every kind of bad answer it is meant to catch."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2

from tests.fuzz.verdicts import Outcome, leaks, problems_of


def outcome(code: grpc.StatusCode, message: str = "", **fields: object) -> Outcome:
    return Outcome(
        method="/maitred.state.v1.BookingService/CreateBooking", kind="plausible",
        credentials="ops@demo-bistro", request='venue_id: "demo-bistro"', code=code,
        message=message, **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def named(field: str) -> error_details_pb2.BadRequest:
    return error_details_pb2.BadRequest(
        field_violations=[error_details_pb2.BadRequest.FieldViolation(field=field)]
    )


@pytest.mark.parametrize("code", [grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN])
def test_an_internal_or_unknown_answer_is_a_problem(code):
    assert problems_of(outcome(code)) == [f"ended {code.name}"]


def test_an_invalid_argument_must_name_its_field():
    assert problems_of(outcome(grpc.StatusCode.INVALID_ARGUMENT, details=[named("booking")])) == []
    for details in ([], [named("")], [error_details_pb2.ErrorInfo(reason="INVALID_ARGUMENT")]):
        assert problems_of(outcome(grpc.StatusCode.INVALID_ARGUMENT, details=details)) == [
            "INVALID_ARGUMENT without a BadRequest naming the field"
        ]


@pytest.mark.parametrize(
    "text",
    [
        "Unexpected <class 'google.protobuf.message.DecodeError'>: bad",
        "the token is invalid (InvalidAudienceError)",
        'Traceback (most recent call last):\n  File "x", line 1',
        "failed in /app/services/state/adapters/repository.py line 3",
        "INSERT INTO bookings (venue_id) VALUES ($1)",
        "(sqlalchemy.dialects.postgresql.asyncpg.Error) boom",
        'duplicate key value violates unique constraint "bookings_pkey"',
    ],
)
def test_internals_in_an_answer_are_a_problem(text):
    assert leaks(text)
    found = problems_of(outcome(grpc.StatusCode.NOT_FOUND, text))
    assert found and all(problem.startswith("the answer shows internals") for problem in found)


def test_what_the_caller_sent_may_be_quoted_back():
    sent = "SELECT name FROM venues WHERE 1=1"
    assert leaks(f"Venue {sent} was not found.", [sent]) == []
    assert leaks(f"Venue {sent} was not found.") != []


def test_plain_answers_are_not_internals():
    for text in ("Booking 42 was not found.", "The request has invalid fields: booking.notes.",
                 "Update the venue's policy first.", "Error while reading? No."):  # fmt: skip
        assert leaks(text) == []


def test_a_bad_or_foreign_token_must_not_be_let_through():
    assert problems_of(outcome(grpc.StatusCode.OK, bad_token=True)) == [
        "a bad token was let through"
    ]
    assert problems_of(outcome(grpc.StatusCode.OK, foreign_venue=True)) == [
        "a token of another venue was let through"
    ]
    assert problems_of(outcome(grpc.StatusCode.UNAUTHENTICATED, bad_token=True)) == []


def test_a_call_that_ran_past_its_deadline_is_a_problem():
    late = outcome(grpc.StatusCode.DEADLINE_EXCEEDED, ran_past_deadline=True)
    assert problems_of(late) == ["ran past its deadline"]
