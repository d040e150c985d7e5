"""The maximal cliques of an interval graph: the sets of spans that share a moment."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime


def maximal_cliques(spans: Sequence[tuple[datetime, datetime]]) -> list[list[int]]:
    """The indices of the spans `[start, end)` that cover each start point, maximal sets only.

    Two spans overlap exactly when both cover the later start, so at most one span of every
    returned set may hold a table: together these at-most-ones forbid every overlap, and an
    interval graph being perfect, they are also the tightest linear description there is.
    The set at a start point is kept only if a span ends before the next start point (else it
    is contained in the next set).
    """
    order = sorted(
        (i for i in range(len(spans)) if spans[i][0] < spans[i][1]), key=lambda i: spans[i][0]
    )
    points = sorted({spans[i][0] for i in order})
    active: dict[int, None] = {}
    ending: list[tuple[datetime, int]] = []
    cliques: list[list[int]] = []
    next_span = 0
    for index, point in enumerate(points):
        while next_span < len(order) and spans[order[next_span]][0] == point:
            started = order[next_span]
            active[started] = None
            heapq.heappush(ending, (spans[started][1], started))
            next_span += 1
        while ending and ending[0][0] <= point:
            del active[heapq.heappop(ending)[1]]
        following = points[index + 1] if index + 1 < len(points) else None
        if following is None or ending[0][0] <= following:
            cliques.append(list(active))
    return cliques
