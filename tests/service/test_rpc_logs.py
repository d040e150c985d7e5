"""Each RPC leaves one structured log line with method, code, duration and ids."""

from __future__ import annotations

import json
import logging

import grpc
import pytest

from shared.logs import JsonFormatter
from shared.stubs.maitred.state.v1 import state_service_pb2 as api
from tests.service.conftest import SERVICE


async def test_one_log_line_per_rpc_carries_method_code_duration_and_ids(bookings, caplog):
    caplog.set_level(logging.INFO, logger="maitred.rpc")
    booking_id = "00000000-0000-0000-0000-00000000abcd"
    with pytest.raises(grpc.aio.AioRpcError):
        await bookings.GetBooking(
            api.GetBookingRequest(venue_id="venue-a", booking_id=booking_id),
            metadata=[*SERVICE, ("x-request-id", "log-test-1")],
        )
    lines = [r for r in caplog.records if getattr(r, "request_id", None) == "log-test-1"]
    assert len(lines) == 1
    line = json.loads(JsonFormatter().format(lines[0]))
    assert line["method"] == "/maitred.state.v1.BookingService/GetBooking"
    assert line["code"] == "NOT_FOUND"
    assert line["venue_id"] == "venue-a" and line["booking_id"] == booking_id
    assert line["duration_ms"] >= 0 and line["caller"] == "tester"
