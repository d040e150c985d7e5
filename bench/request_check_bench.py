"""Benchmark of the shared request check (shared/request_check.py) on typical and large requests.

`python -m bench.request_check_bench` times `request_violations` on a CreateBooking request, a
venue policy update and a MoveBookings request of 200 moves, the largest the suite sends (an
optimizer plan). Results go to bench/results/request_check.{json,md}, with the load average.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from shared.request_check import request_violations
from shared.stubs.maitred.assigner.v1 import assigner_service_pb2 as assigner
from shared.stubs.maitred.availability.v1 import floor_plan_pb2 as floor
from shared.stubs.maitred.availability.v1 import floor_plan_service_pb2 as floor_api
from shared.stubs.maitred.state.v1 import booking_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2 as state

RESULTS = Path(__file__).resolve().parent / "results"
ROUNDS = 7


def requests() -> dict[str, Message]:
    booking = booking_pb2.Booking(
        party_size=4,
        start_time=Timestamp(seconds=1_796_758_200),
        guest_reference="guest-1",
        notes="window seat, a birthday",
    )
    policy = floor.VenuePolicy(
        slot_interval=Duration(seconds=900),
        strategy_weights=[floor.StrategyWeight(strategy=f"s{i}", weight=1.0) for i in range(5)],
        turn_time_bands=[floor.TurnTimeBand(min_party_size=1, max_party_size=4)] * 4,
    )
    moves = [
        assigner.BookingMove(booking_id=f"b{i}", expected_version=3, table_ids=["t1", "t2"])
        for i in range(200)
    ]
    return {
        "CreateBooking": state.CreateBookingRequest(
            venue_id="demo-bistro", request_id="r-1", booking=booking
        ),
        "UpdateVenuePolicy": floor_api.UpdateVenuePolicyRequest(venue_id="v", policy=policy),
        "MoveBookings (200 moves)": assigner.MoveBookingsRequest(
            venue_id="v", request_id="r", reason="plan", moves=moves
        ),
    }


def per_call_us(check: Callable[[], object], calls: int) -> float:
    """The median over ROUNDS of the mean time of one call, in microseconds."""
    means = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(calls):
            check()
        means.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(means)


def main() -> None:
    load = os.getloadavg()
    rows = {}
    for name, message in requests().items():
        calls = max(20, 200_000 // max(1, message.ByteSize()))
        rows[name] = {
            "bytes": message.ByteSize(),
            "us_per_call": round(
                per_call_us(functools.partial(request_violations, message), calls), 1
            ),
        }
    RESULTS.mkdir(exist_ok=True)
    result = {"python": platform.python_version(), "load_average": load, "requests": rows}
    (RESULTS / "request_check.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Request check cost",
        "",
        f"`python -m bench.request_check_bench`; load average {load[0]:.2f} (1 min) on",
        f"{os.cpu_count()} cores, Python {platform.python_version()}. Median of {ROUNDS} rounds.",
        "",
        "| request | bytes | µs per check |",
        "|---|---|---|",
        *(f"| {name} | {row['bytes']} | {row['us_per_call']} |" for name, row in rows.items()),
        "",
    ]
    (RESULTS / "request_check.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
