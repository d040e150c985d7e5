"""NDJSON lines of stream messages, converted once for all the watchers of the same message."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from google.protobuf.message import Message

from services.gateway.transcode import to_json

# A venue's change reaches each of its watchers as the same bytes within moments; a few dozen
# recent messages cover every venue changing at once.
DEFAULT_SIZE = 64


def json_line(payload: dict[str, Any]) -> bytes:
    """One NDJSON line."""
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


class StreamLines:
    """`{"result": ...}` lines by the message's wire bytes, most recent first kept.

    Converting a snapshot to JSON costs milliseconds of pure Python; fifty watchers of a venue
    would pay it fifty times per change, and the last would wait for all the others.
    """

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._lines: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()

    def line(self, message_type: type[Message], wire: bytes) -> bytes:
        """The line for the message of `message_type` that `wire` encodes."""
        key = (message_type.DESCRIPTOR.full_name, wire)
        cached = self._lines.get(key)
        if cached is not None:
            self._lines.move_to_end(key)
            return cached
        line = json_line({"result": to_json(message_type.FromString(wire))})
        self._lines[key] = line
        if len(self._lines) > self._size:
            self._lines.popitem(last=False)
        return line
