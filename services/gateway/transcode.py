"""JSON <-> Protobuf for the gateway: a request from path, query and body; replies as JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import descriptor, json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from services.gateway.routes import Route

# json_format's words: "Failed to parse booking field: ... has no field named "nope" at ...".
PARSE_FAILED = re.compile(r"Failed to parse (\w+) field")
UNKNOWN_FIELD = re.compile(r'has no field named "(\w+)"')
CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# No request message nests deeper than a few levels; JSON nested deeper is refused.
MAX_DEPTH = 32
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


class BadRequest(ValueError):
    """The HTTP request cannot become the RPC's request; `field` names the culprit."""

    def __init__(self, field: str, description: str) -> None:
        super().__init__(f"{field}: {description}")
        self.field = field
        self.description = description


def build_request(
    route: Route,
    path_variables: Mapping[str, str],
    query: Iterable[tuple[str, str]],
    body: bytes,
) -> Message:
    """The RPC's request: the JSON body (when the route takes one), query fields, path fields.

    A path variable is authoritative: a body or query value that contradicts it is refused
    rather than silently replaced, so a request can never act on another venue than its URL.
    """
    fields: dict[str, Any] = {}
    if route.body == "*":
        fields = _body(body)
    elif body.strip():
        raise BadRequest("body", f"{route.http_method} {route.template} takes no body")
    else:
        for name, value in query:
            _set_query_field(route.request_type.DESCRIPTOR, fields, name, value)
    for name, value in path_variables.items():
        _set_path_field(fields, name, value)
    request = route.request_type()
    try:
        json_format.ParseDict(fields, request, max_recursion_depth=MAX_DEPTH)
    except json_format.ParseError as error:
        raise BadRequest(_culprit(str(error)), str(error)) from error
    except RecursionError as error:
        raise BadRequest("body", TOO_DEEP) from error
    return request


def _culprit(parse_error: str) -> str:
    """The field a json_format error is about, as `booking.party_size`; `body` if it names none."""
    path = PARSE_FAILED.findall(parse_error) + UNKNOWN_FIELD.findall(parse_error)
    return ".".join(CAMEL_HUMP.sub("_", name).lower() for name in path) or "body"


def to_json(message: Message) -> dict[str, Any]:
    """A message as the proto3 JSON mapping gives it, fields at their defaults included."""
    result: dict[str, Any] = json_format.MessageToDict(
        message, always_print_fields_with_no_presence=True
    )
    return result


def _body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest("body", f"not JSON: {error}") from error
    except RecursionError as error:  # the JSON decoder's own guard against deep nesting
        raise BadRequest("body", TOO_DEEP) from error
    if not isinstance(parsed, dict):
        raise BadRequest("body", "must be a JSON object")
    try:  # JSON may escape a lone UTF-16 surrogate ("\udc80"), which is no character at all
        json.dumps(parsed, ensure_ascii=False).encode()
    except UnicodeEncodeError as error:
        raise BadRequest("body", "holds a string that is not valid Unicode") from error
    return parsed


def _set_path_field(fields: dict[str, Any], path: str, value: str) -> None:
    *parents, leaf = path.split(".")
    target = fields
    for parent in parents:
        target = target.setdefault(_json_key(target, parent), {})
        if not isinstance(target, dict):
            raise BadRequest(parent, "must be a JSON object")
    key = _json_key(target, leaf)
    if key in target and str(target[key]) != value:
        raise BadRequest(path, f"is {value!r} in the path but {target[key]!r} in the request")
    target[key] = value


def _json_key(fields: dict[str, Any], name: str) -> str:
    # The body may spell a field either way (proto3 JSON accepts both); keep the one it used.
    camel = _lower_camel(name)
    return camel if camel in fields and name not in fields else name


def _lower_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _set_query_field(
    message: descriptor.Descriptor, fields: dict[str, Any], name: str, value: str
) -> None:
    *parents, leaf = name.split(".")
    target = fields
    for parent in parents:
        field = _field(message, parent, name)
        if field.message_type is None or field.is_repeated:
            raise BadRequest(name, "is not a field of the request")
        message = field.message_type
        target = target.setdefault(field.name, {})
    field = _field(message, leaf, name)
    if field.message_type is not None and not _is_well_known_scalar(field):
        raise BadRequest(name, "is a message; set its fields as name.field=value")
    converted = _query_value(field, value, name)
    if field.is_repeated:
        target.setdefault(field.name, []).append(converted)
    elif field.name in target:
        raise BadRequest(name, "is given more than once")
    else:
        target[field.name] = converted


def _field(message: descriptor.Descriptor, name: str, full_name: str) -> FieldDescriptor:
    field = message.fields_by_name.get(name) or next(
        (f for f in message.fields if f.json_name == name), None
    )
    if field is None:
        raise BadRequest(full_name, "is not a field of the request")
    return field


def _is_well_known_scalar(field: FieldDescriptor) -> bool:
    # Timestamps and durations are strings in JSON ("2026-11-25T19:30:00Z", "90s").
    return field.message_type.full_name in {"google.protobuf.Timestamp", "google.protobuf.Duration"}


def _query_value(field: FieldDescriptor, value: str, name: str) -> Any:
    if field.type != FieldDescriptor.TYPE_BOOL:
        return value  # ParseDict turns numbers, enum names, timestamps given as text
    if value.lower() in {"true", "1"}:
        return True
    if value.lower() in {"false", "0"}:
        return False
    raise BadRequest(name, f"must be true or false, not {value!r}")
