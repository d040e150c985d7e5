"""Log lines carry the current OpenTelemetry span's ids, and nothing when there is none."""

from __future__ import annotations

import json
import logging

import pytest

from shared.logs import JsonFormatter, trace_fields

trace = pytest.importorskip("opentelemetry.trace")


def a_record() -> logging.LogRecord:
    return logging.LogRecord("maitred.test", logging.INFO, __file__, 1, "hello", None, None)


def test_without_a_current_span_no_ids_are_added():
    assert trace_fields() == {}
    assert "trace_id" not in json.loads(JsonFormatter().format(a_record()))


def test_within_a_span_the_line_carries_its_trace_and_span_ids():
    context = trace.SpanContext(
        trace_id=0x0AF7651916CD43DD8448EB211C80319C,
        span_id=0x00F067AA0BA902B7,
        is_remote=False,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )
    with trace.use_span(trace.NonRecordingSpan(context)):
        line = json.loads(JsonFormatter().format(a_record()))
    assert line["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert line["span_id"] == "00f067aa0ba902b7"
