"""The CP-SAT model of a part of the day: Booleans per (booking, table set), clique rows."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from ortools.sat.python import cp_model

from shared.seating.combinations import Candidate
from shared.seating.planning.cliques import maximal_cliques
from shared.seating.planning.model import Booking, Problem, Span
from shared.seating.planning.options import Option, options, overlaps

Unit = tuple[tuple[Booking, ...], list[tuple[Option, int]]]  # bookings, (option, variable)


class Model:
    """The CP-SAT model of one problem, ready to solve.

    Interchangeable bookings share one unit: movable, without tables, not required, and alike
    in party, span and zone wish. Merging them is exact (a table set seats at most one of
    them at a time, whichever it is) and removes their symmetry: on a busy day the hundreds
    of waiting bookings fall into a quarter as many units. Constraints are written to the
    proto directly: the Python wrappers cost seconds on a day of a thousand bookings.
    """

    def __init__(self, problem: Problem, required: Collection[str], *, hint_current: bool):
        self.model = cp_model.CpModel()
        self.units: list[Unit] = []
        self._required = required
        self.hint_value: int | None = None  # the objective of the hinted seating
        groups = _units(problem, required)
        per_unit = options(problem, (members[0] for members in groups), required)
        by_table: dict[str, list[tuple[Span, int]]] = {}  # table -> (span, variable)
        for members in groups:
            pairs = [
                (o, self.model.NewBoolVar("").Index()) for o in per_unit[members[0].booking_id]
            ]
            self.units.append((members, pairs))
            self._choose(members, [v for _, v in pairs])
            for option, variable in pairs:
                for table_id in option.candidate.table_ids:
                    by_table.setdefault(table_id, []).append((members[0].span, variable))
        proto = self.model.Proto()
        for held in by_table.values():
            for clique in maximal_cliques([span for span, _ in held]):
                if len(clique) > 1:
                    proto.constraints.add().at_most_one.literals.extend(held[i][1] for i in clique)
        self._objective(hint_current)

    @property
    def trivial_bound(self) -> int:
        """An upper bound without search: every unit at its best table sets."""
        total = 0
        for members, pairs in self.units:
            best = sorted((o.value for o, _ in pairs), reverse=True)[: len(members)]
            total += (
                best[0] if self._must_seat(members[0]) and best else sum(max(v, 0) for v in best)
            )
        return total

    def _must_seat(self, booking: Booking) -> bool:
        return bool(booking.table_ids) or booking.booking_id in self._required

    def _choose(self, members: tuple[Booking, ...], literals: list[int]) -> None:
        """A booking with tables keeps some (its own if it may not move); one required gets
        some; a unit seats at most as many as it has bookings."""
        proto = self.model.Proto()
        if self._must_seat(members[0]):
            proto.constraints.add().exactly_one.literals.extend(literals)
        elif len(members) == 1 and len(literals) > 1:
            proto.constraints.add().at_most_one.literals.extend(literals)
        elif len(literals) > len(members):
            linear = proto.constraints.add().linear
            linear.vars.extend(literals)
            linear.coeffs.extend([1] * len(literals))
            linear.domain.extend([0, len(members)])

    def _objective(self, hint_current: bool) -> None:
        proto = self.model.Proto()
        chosen = [pair for _, pairs in self.units for pair in pairs]
        # CP-SAT minimises: maximising is minimising the negated objective, scaled back by -1.
        proto.objective.vars.extend(v for _, v in chosen)
        proto.objective.coeffs.extend(-o.value for o, _ in chosen)
        proto.objective.scaling_factor = -1
        if hint_current and not self._required:  # the current seating seats no new booking
            values = [0] * len(proto.variables)
            for option, variable in chosen:
                values[variable] = int(option.current)
            self.hint(values)
            self.hint_value = sum(o.value for o, _ in chosen if o.current)

    def hint(self, values: Sequence[int]) -> None:
        """Hint a value for every variable (a complete seating)."""
        hint = self.model.Proto().solution_hint
        hint.Clear()
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)

    def value_of(self, values: Sequence[int]) -> int:
        """The objective of a complete assignment."""
        return sum(o.value for _, pairs in self.units for o, v in pairs if values[v])

    def seating(self, values: Sequence[int]) -> dict[str, Candidate | None]:
        """The table set each booking gets; a unit's sets go to its members in booking order.

        Among table sets of equal value, the higher priority wins (see `_by_priority`).
        """
        values = self._by_priority(values)
        seating: dict[str, Candidate | None] = {}
        for members, pairs in self.units:
            taken = [o.candidate for o, v in pairs if values[v]]
            for index, booking in enumerate(members):
                seating[booking.booking_id] = taken[index] if index < len(taken) else None
        return seating

    def _by_priority(self, values: Sequence[int]) -> list[int]:
        """The same seating, but a booking whose table set has a free alternative of equal
        value and higher priority (an operator's rank for a combination) takes that one:
        priority breaks ties as in the engine, and the objective does not change."""
        chosen = list(values)
        if not any(o.candidate.priority for _, pairs in self.units for o, _ in pairs):
            return chosen
        held: dict[str, list[tuple[Span, int]]] = {}  # table -> (span, variable) chosen

        def take(option: Option, span: Span, variable: int) -> None:
            for table_id in option.candidate.table_ids:
                held.setdefault(table_id, []).append((span, variable))

        for members, pairs in self.units:
            for option, variable in pairs:
                if chosen[variable]:
                    take(option, members[0].span, variable)
        for members, pairs in self.units:
            span = members[0].span
            for option, variable in pairs:
                if not chosen[variable]:
                    continue
                better = [
                    (o, v)
                    for o, v in pairs
                    if not chosen[v]
                    and o.value == option.value
                    and o.candidate.priority > option.candidate.priority
                    and all(
                        other == variable or not overlaps(span, other_span)
                        for t in o.candidate.table_ids
                        for other_span, other in held.get(t, ())
                    )
                ]
                if not better:
                    continue
                best, swapped = min(
                    better,
                    key=lambda pair: (-pair[0].candidate.priority, pair[0].candidate.table_ids),
                )
                chosen[variable], chosen[swapped] = 0, 1
                for table_id in option.candidate.table_ids:
                    held[table_id] = [h for h in held[table_id] if h[1] != variable]
                take(best, span, swapped)
        return chosen


def _units(problem: Problem, required: Collection[str]) -> list[tuple[Booking, ...]]:
    merged: dict[tuple[Any, ...], list[Booking]] = {}
    for booking in problem.bookings:
        alone = bool(booking.table_ids) or booking.booking_id in required
        key: tuple[Any, ...] = (
            (booking.booking_id,)
            if alone or not problem.is_movable(booking)
            else (booking.party_size, booking.span, booking.preferred_zone_id)
        )
        merged.setdefault(key, []).append(booking)
    return [tuple(members) for members in merged.values()]
