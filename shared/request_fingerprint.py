"""The digest of a create request's whole payload, to tell a replay from a reused request id."""

from __future__ import annotations

import hashlib

from google.protobuf.message import Message


def request_fingerprint(request: Message, request_id_field: str = "request_id") -> str:
    """SHA-256 of the deterministic serialization of a copy of `request` without its request id.

    Every field takes part, a field added later included, so two requests that differ in
    anything but their request id never share a fingerprint.
    """
    payload = type(request)()
    payload.CopyFrom(request)
    payload.ClearField(request_id_field)
    return hashlib.sha256(payload.SerializeToString(deterministic=True)).hexdigest()
