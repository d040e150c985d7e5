"""The checked-in OpenAPI document describes every route the gateway serves, and only those."""

from __future__ import annotations

import json

from services.gateway.docs import DOCUMENT
from services.gateway.main import FILES
from services.gateway.routes import routes_of


def test_the_document_has_every_annotated_route_with_its_method():
    paths = json.loads(DOCUMENT.read_text())["paths"]
    routes = {(route.template, route.http_method.lower()) for route in routes_of(FILES)}
    documented = {(path, method) for path, item in paths.items() for method in item}
    assert documented == routes


def test_the_document_names_each_operation_after_its_rpc():
    paths = json.loads(DOCUMENT.read_text())["paths"]
    for route in routes_of(FILES):
        operation = paths[route.template][route.http_method.lower()]
        assert operation["operationId"] == route.full_method.rsplit("/", 1)[1]
