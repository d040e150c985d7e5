"""CreateBooking's fingerprint covers the whole request but its request id."""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from shared.request_fingerprint import request_fingerprint
from shared.stubs.maitred.state.v1 import booking_pb2, state_service_pb2


def request(**booking: object) -> state_service_pb2.CreateBookingRequest:
    wanted = booking_pb2.Booking(party_size=4, guest_reference="g-1", notes="window")
    wanted.start_time.FromSeconds(1_790_000_000)
    for name, value in booking.items():
        setattr(wanted, name, value)
    return state_service_pb2.CreateBookingRequest(venue_id="v-1", booking=wanted, request_id="r-1")


def leaf_paths(descriptor: Descriptor, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The path of every scalar, enum or repeated field, through singular messages."""
    paths: list[tuple[str, ...]] = []
    for field in descriptor.fields:
        path = (*prefix, field.name)
        if field.type == FieldDescriptor.TYPE_MESSAGE and not _repeated(field):
            paths.extend(leaf_paths(field.message_type, path))
        else:
            paths.append(path)
    return paths


def _repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def change(message: Message, path: tuple[str, ...]) -> None:
    """Give the field at `path` a value that differs from the one it holds."""
    for name in path[:-1]:
        message = getattr(message, name)
    field = message.DESCRIPTOR.fields_by_name[path[-1]]
    if _repeated(field):
        values = getattr(message, field.name)
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            values.add()
        else:
            values.append(_other(field, None))
    else:
        setattr(message, field.name, _other(field, getattr(message, field.name)))


def _other(field: FieldDescriptor, value: object) -> object:
    if field.type == FieldDescriptor.TYPE_BOOL:
        return not value
    if field.type == FieldDescriptor.TYPE_STRING:
        return f"{value or ''}x"
    if field.type == FieldDescriptor.TYPE_ENUM:
        return max(v.number for v in field.enum_type.values if v.number != value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return b"x"
    return int(value or 0) + 1  # type: ignore[call-overload]


PATHS = leaf_paths(state_service_pb2.CreateBookingRequest.DESCRIPTOR)


def test_every_field_but_the_request_id_changes_the_fingerprint():
    base = request_fingerprint(request())
    assert ("request_id",) in PATHS and ("booking", "preferred_zone_id") in PATHS
    for path in PATHS:
        changed = request()
        change(changed, path)
        if path == ("request_id",):
            assert request_fingerprint(changed) == base
        else:
            assert request_fingerprint(changed) != base, path


@given(party_size=st.integers(1, 500), notes=st.text(max_size=50), request_id=st.text(max_size=20))
def test_the_same_payload_has_the_same_fingerprint_whatever_its_request_id(
    party_size, notes, request_id
):
    first = request(party_size=party_size, notes=notes)
    second = request(party_size=party_size, notes=notes)
    second.request_id = request_id
    assert request_fingerprint(first) == request_fingerprint(second)


def test_the_fingerprint_does_not_touch_the_request():
    sent = request()
    request_fingerprint(sent)
    assert sent.request_id == "r-1"
