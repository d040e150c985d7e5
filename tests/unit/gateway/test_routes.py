"""The gateway's routes, read from the protos' annotations, and how a path finds its RPC."""

from __future__ import annotations

import pytest

from services.gateway.main import FILES
from services.gateway.routes import MethodNotAllowed, NoRoute, compile_template, find, routes_of

ROUTES = routes_of(FILES)


def test_a_custom_verb_stays_outside_the_variable_before_it():
    pattern = compile_template("/v1/venues/{venue_id}/bookings/{booking_id}:cancel")
    found = pattern.fullmatch("/v1/venues/demo-bistro/bookings/b-1:cancel")
    assert found is not None and found.groupdict() == {
        "venue_id": "demo-bistro",
        "booking_id": "b-1",
    }
    assert pattern.fullmatch("/v1/venues/demo/bookings/b-1") is None
    assert pattern.fullmatch("/v1/venues/demo/x/bookings/b-1:cancel") is None


def test_a_verb_route_wins_over_the_bare_resource_it_extends():
    route, variables = find(ROUTES, "GET", "/v1/venues/demo:checkCapacity")
    assert route.full_method == "/maitred.availability.v1.AvailabilityService/CheckCapacity"
    assert variables == {"venue_id": "demo"}
    route, _ = find(ROUTES, "GET", "/v1/venues/demo")
    assert route.full_method == "/maitred.availability.v1.FloorPlanService/GetVenue"


def test_each_route_knows_its_service_body_and_streaming():
    route, variables = find(ROUTES, "POST", "/v1/venues/v/bookings/b:confirm")
    assert (route.service, route.body, route.server_streaming) == ("state", "*", False)
    assert variables == {"venue_id": "v", "booking_id": "b"}
    watch, _ = find(ROUTES, "GET", "/v1/venues/v/snapshot:watch")
    assert (watch.service, watch.body, watch.server_streaming) == ("availability", "", True)
    optimize, variables = find(ROUTES, "POST", "/v1/venues/v/days/2026-11-25:optimize")
    assert optimize.service == "optimizer" and optimize.server_streaming
    assert variables == {"venue_id": "v", "service_date": "2026-11-25"}


def test_every_annotated_rpc_has_exactly_one_route():
    methods = [route.full_method for route in ROUTES]
    assert len(methods) == len(set(methods))
    assert "/maitred.state.v1.BookingService/CreateBooking" in methods
    assert "/maitred.optimizer.v1.OptimizerService/ApplyPlan" in methods


def test_a_known_path_with_another_method_is_not_allowed_and_says_which_are():
    with pytest.raises(MethodNotAllowed) as refused:
        find(ROUTES, "DELETE", "/v1/venues/demo")
    assert refused.value.allowed == ["GET", "PUT"]


def test_an_unknown_path_has_no_route():
    with pytest.raises(NoRoute, match="no route for GET /v2/nothing"):
        find(ROUTES, "GET", "/v2/nothing")
