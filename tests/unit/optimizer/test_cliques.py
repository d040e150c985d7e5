"""The maximal cliques of spans: every overlap is caught, and nothing but overlaps."""

from __future__ import annotations

from datetime import timedelta
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from shared.seating.planning.cliques import maximal_cliques
from shared.seating.planning.model import Span
from tests.unit.optimizer.scenes import at

spans = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 12)).map(
        lambda s: (at(12) + timedelta(minutes=15 * s[0]), at(12) + timedelta(minutes=15 * sum(s)))
    ),
    max_size=25,
)


@given(spans)
def test_two_spans_that_overlap_share_a_clique_and_no_others_do(found: list[Span]) -> None:
    cliques = [set(c) for c in maximal_cliques(found)]

    for i, j in combinations(range(len(found)), 2):
        overlap = found[i][0] < found[j][1] and found[j][0] < found[i][1]
        assert overlap == any({i, j} <= clique for clique in cliques)


@given(spans)
def test_no_clique_is_contained_in_another(found: list[Span]) -> None:
    cliques = [frozenset(c) for c in maximal_cliques(found)]

    assert not any(a < b for a in cliques for b in cliques)
    assert len(set(cliques)) == len(cliques)


def test_back_to_back_spans_do_not_overlap() -> None:
    assert maximal_cliques([(at(18), at(19)), (at(19), at(20))]) == [[0], [1]]
