"""Stream messages become NDJSON lines once per distinct message, however many watch it."""

from __future__ import annotations

import json

from services.gateway import stream_lines
from services.gateway.stream_lines import StreamLines
from shared.stubs.maitred.availability.v1 import availability_service_pb2 as api


def wire(version: int) -> bytes:
    return api.WatchSnapshotsRequest(venue_id="v", last_version=version).SerializeToString()


def test_a_line_holds_the_message_as_json_under_result():
    line = StreamLines().line(api.WatchSnapshotsRequest, wire(7))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line)["result"]["lastVersion"] == "7"


def test_the_same_bytes_are_converted_once_and_the_oldest_line_is_dropped(monkeypatch):
    converted: list[str] = []
    real = stream_lines.to_json

    def counting(message):
        converted.append(message.last_version)
        return real(message)

    monkeypatch.setattr(stream_lines, "to_json", counting)
    lines = StreamLines(size=2)
    for version in (1, 1, 1, 2, 2, 3, 1):
        lines.line(api.WatchSnapshotsRequest, wire(version))
    assert converted == [1, 2, 3, 1]  # 1 fell out when 3 came in, so it is converted again
