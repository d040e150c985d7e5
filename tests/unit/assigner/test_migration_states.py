"""The booking states frozen in migrations and other services are the domain enum's."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

from services.assigner.domain.booking import HOLDS_NO_TABLES, TAKES_TABLES, BookingState
from services.state.domain.states import BookingState as StateState
from shared.seating.planning.states import BookingState as OptimizerState

VERSIONS = Path(__file__).parents[3] / "shared" / "db" / "migrations" / "versions"


def _migration(name: str) -> ModuleType:
    """A migration module by file name (migrations import no application code, nor it them)."""
    spec = importlib.util.spec_from_file_location(f"migration_{name}", VERSIONS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _states(sql_list: str) -> set[str]:
    """The states of an SQL list such as "('CANCELLED', 'NO_SHOW')"."""
    found = ast.literal_eval(sql_list)
    return set(found if isinstance(found, tuple) else (found,))


def test_every_service_names_the_states_the_state_service_does():
    assert [s.value for s in BookingState] == [s.value for s in StateState]
    assert [s.value for s in OptimizerState] == [s.value for s in StateState]


def test_the_release_trigger_of_0010_frees_the_tables_of_the_tableless_states():
    frozen = _states(_migration("0010_release_allocations_with_booking").TABLELESS)
    assert frozen == {s.value for s in HOLDS_NO_TABLES}


def test_the_guard_of_0022_lets_only_the_seatable_states_take_tables():
    widened = _migration("0022_first_try_tables")
    frozen = _states(widened.SEATABLE)
    assert frozen == {s.value for s in TAKES_TABLES}
    # 0022 widens 0012's list by the two states before assignment, and its downgrade restores it.
    before = _states(_migration("0012_assignments_need_a_seatable_booking").SEATABLE)
    assert _states(widened.SEATABLE_0012) == before
    assert frozen - before == {BookingState.CREATED.value, BookingState.CAPACITY_VERIFIED.value}
    # Ended states never take tables; every state that takes them is one the domain knows.
    ended = {BookingState.CANCELLED, BookingState.NO_SHOW, BookingState.REJECTED}
    assert not TAKES_TABLES & ended
