"""The HTTP routes of the suite, read from the protos' `google.api.http` annotations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor, message_factory
from google.protobuf.message import Message

VARIABLE = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")
VERBS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Route:
    """One annotated RPC: its HTTP method and path, and the gRPC method it calls."""

    http_method: str
    template: str
    pattern: re.Pattern[str]
    full_method: str  # e.g. /maitred.state.v1.BookingService/GetBooking
    service: str  # the suite's service that serves it: state, availability, assigner, optimizer
    request_type: type[Message]
    response_type: type[Message]
    body: str  # "*" (the whole request), "" (none: query parameters instead)
    server_streaming: bool

    def match(self, http_method: str, path: str) -> dict[str, str] | None:
        """The path's variables when this route takes the method and path, else None."""
        if http_method != self.http_method:
            return None
        found = self.pattern.fullmatch(path)
        return None if found is None else {_field(k): v for k, v in found.groupdict().items()}


def compile_template(template: str) -> re.Pattern[str]:
    """A regex for a path template such as `/v1/venues/{venue_id}/bookings/{booking_id}:cancel`.

    A variable takes one path segment; it is matched lazily, so a custom verb after it
    (`:cancel`) stays outside the value.
    """
    parts, position = [], 0
    for variable in VARIABLE.finditer(template):
        parts.append(re.escape(template[position : variable.start()]))
        parts.append(f"(?P<{_group(variable.group(1))}>[^/]+?)")
        position = variable.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts))


def routes_of(files: Iterable[descriptor.FileDescriptor]) -> list[Route]:
    """Every annotated method of the services in `files`; unannotated ones have no route."""
    routes = []
    for file in files:
        service_name = file.package.split(".")[1]  # maitred.<service>.v1
        for service in file.services_by_name.values():
            for method in service.methods:
                rule = _rule(method)
                if rule is not None:
                    routes.append(_route(service_name, service, method, rule))
    # Most literal text first: `/v1/venues/{venue_id}:checkCapacity` before `/v1/venues/{venue_id}`.
    return sorted(routes, key=lambda route: -len(VARIABLE.sub("", route.template)))


def find(routes: Iterable[Route], http_method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for a request and its path variables; raises NoRoute naming what is wrong."""
    allowed = []
    for route in routes:
        variables = route.match(http_method, path)
        if variables is not None:
            return route, variables
        if route.pattern.fullmatch(path):
            allowed.append(route.http_method)
    if allowed:
        raise MethodNotAllowed(sorted(set(allowed)))
    raise NoRoute(f"no route for {http_method} {path}")


def methods_at(routes: Iterable[Route], path: str) -> list[str]:
    """The HTTP methods the routes take at `path`; empty when no route has it."""
    return sorted({route.http_method for route in routes if route.pattern.fullmatch(path)})


class NoRoute(LookupError):
    """No annotated RPC has this path."""


class MethodNotAllowed(NoRoute):
    """The path exists, but not with this HTTP method."""

    def __init__(self, allowed: list[str]) -> None:
        super().__init__(f"method not allowed; this path takes {', '.join(allowed)}")
        self.allowed = allowed


def _rule(method: descriptor.MethodDescriptor) -> http_pb2.HttpRule | None:
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return None
    rule: http_pb2.HttpRule = options.Extensions[annotations_pb2.http]
    return rule


def _route(
    service_name: str,
    service: descriptor.ServiceDescriptor,
    method: descriptor.MethodDescriptor,
    rule: http_pb2.HttpRule,
) -> Route:
    verb = rule.WhichOneof("pattern")
    if verb not in VERBS:
        raise ValueError(f"{method.full_name}: unsupported http rule {verb!r}")
    template = str(getattr(rule, verb))
    return Route(
        http_method=verb.upper(),
        template=template,
        pattern=compile_template(template),
        full_method=f"/{service.full_name}/{method.name}",
        service=service_name,
        request_type=message_factory.GetMessageClass(method.input_type),
        response_type=message_factory.GetMessageClass(method.output_type),
        body=rule.body,
        server_streaming=method.server_streaming,
    )


def _group(field_path: str) -> str:
    # Regex group names cannot hold dots; nested fields (`a.b`) travel as `a__b`.
    return field_path.replace(".", "__")


def _field(group: str) -> str:
    return group.replace("__", ".")
