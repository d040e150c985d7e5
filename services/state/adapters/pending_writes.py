"""A unit of work's appended rows (history, outbox, booking), sent with its next statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.sql.selectable import CTE

from services.state.adapters.tables import bookings
from shared.db.compiled_once import CompiledOnce

# One row to insert: its table, its values, the CTEs its statement needs at the top level (the
# booking's demand counts) and their parameters.
HeldRow = tuple[Table, Mapping[str, Any], tuple[CTE, ...], Mapping[str, Any]]
# A table's held rows, with the CTEs and parameters they need.
Group = tuple[Table, tuple[Mapping[str, Any], ...], tuple[CTE, ...], dict[str, Any]]

UPDATED = (  # the columns a transition may change
    "party_size",
    "start_time",
    "end_time",
    "state",
    "display_status",
    "version",
    "guest_reference",
    "notes",
    "preferred_zone_id",
    "pinned",
    "table_ids",
    "state_reason",
    "update_time",
)


class PendingWrites:
    """Rows appended in a transaction, written together with the statement that follows them.

    Each transition appends a history row and an outbox row, and creation a booking: sent one
    statement each they cost a round trip each. Held here, they travel as data-modifying CTEs of
    the next statement (the booking's versioned UPDATE), or of one INSERT before a read or the
    commit. One statement or several, the rows commit with their transaction or not at all.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection
        self._rows: list[HeldRow] = []

    def append(
        self,
        table: Table,
        values: Mapping[str, Any],
        ctes: tuple[CTE, ...] = (),
        cte_params: Mapping[str, Any] | None = None,
    ) -> None:
        self._rows.append((table, values, ctes, cte_params or {}))

    async def flush(self) -> None:
        """Write what is held, in one statement."""
        if not self._rows:
            return
        *carried, (table, rows, ctes, cte_params) = _grouped(self._rows)
        self._rows = []
        shape = (_shape(carried), table.name, tuple(tuple(values) for values in rows), ctes)
        statement = _INSERTS.get(shape)
        if statement is None:
            main = _insert(table, rows, "main_").add_cte(*ctes)
            statement = _INSERTS[shape] = CompiledOnce(_carrying(main, carried))
        params = {**_params(carried), **cte_params, **_prefixed(rows, "main_")}
        await statement.execute(self._db, params)

    def holds(self, table: Table, ctes: tuple[CTE, ...] = ()) -> bool:
        """Whether a row of `table` is held (one that needs all of `ctes`, when given)."""
        return any(
            held is table and all(cte in needed for cte in ctes)
            for held, _, needed, _ in self._rows
        )

    async def update_booking(
        self, values: Mapping[str, Any], booking_id: Any, expected_version: int
    ) -> CursorResult[Any]:
        """The booking's versioned UPDATE, carrying what is held; rowcount 0 when stale.

        Stale or not, the held rows are written: a caller that sees rowcount 0 rolls back.
        """
        if self.holds(bookings):
            # The UPDATE could not see a booking its own CTE inserts: write that one first.
            await self.flush()
        carried, self._rows = _grouped(self._rows), []
        shape = _shape(carried)
        statement = _UPDATES.get(shape)
        if statement is None:
            main = (
                update(bookings)
                .where(
                    bookings.c.booking_id == bindparam("key_booking_id"),
                    bookings.c.version == bindparam("key_version"),
                )
                .values({name: bindparam(name, type_=bookings.c[name].type) for name in UPDATED})
            )
            statement = _UPDATES[shape] = CompiledOnce(_carrying(main, carried))
        key = {"key_booking_id": booking_id, "key_version": expected_version}
        return await statement.execute(self._db, {**_params(carried), **values, **key})


# Compiled statements by the shape of what they carry: a handful of shapes ever occur.
_INSERTS: dict[Any, CompiledOnce] = {}
_UPDATES: dict[Any, CompiledOnce] = {}


def _grouped(held: Sequence[HeldRow]) -> list[Group]:
    """The rows by table, in the order each table first appears; a table's rows keep theirs
    (one multi-row INSERT numbers them in order, as history ids must be)."""
    groups: dict[str, Group] = {}
    for table, values, ctes, cte_params in held:
        _, rows, known, params = groups.get(table.name, (table, (), (), {}))
        fresh = tuple(cte for cte in ctes if cte not in known)
        groups[table.name] = (table, (*rows, values), known + fresh, {**params, **cte_params})
    return list(groups.values())


def _shape(groups: Sequence[Group]) -> tuple[Any, ...]:
    return tuple(
        (table.name, tuple(tuple(values) for values in rows), ctes)
        for table, rows, ctes, _ in groups
    )


def _insert(table: Table, rows: Sequence[Mapping[str, Any]], prefix: str) -> Insert:
    return insert(table).values(
        [
            {name: bindparam(f"{prefix}{i}_{name}", type_=table.c[name].type) for name in values}
            for i, values in enumerate(rows)
        ]
    )


def _carrying(main: Insert | Update, groups: Sequence[Group]) -> Insert | Update:
    ctes: list[CTE] = []
    for index, (table, rows, needed, _) in enumerate(groups):
        ctes += [*needed, _insert(table, rows, f"w{index}_").cte(f"written_{index}")]
    return main.add_cte(*ctes) if ctes else main


def _params(groups: Sequence[Group]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for index, (_, rows, _, cte_params) in enumerate(groups):
        params.update(cte_params)
        params.update(_prefixed(rows, f"w{index}_"))
    return params


def _prefixed(rows: Sequence[Mapping[str, Any]], prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}{i}_{name}": value
        for i, values in enumerate(rows)
        for name, value in values.items()
    }
