"""Hot Core statements SQLAlchemy cannot cache, compiled once per dialect and sent as driver SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class CompiledOnce:
    """A Core statement whose SQL is built on first use, then only bound.

    SQLAlchemy compiles a statement again on every execution when it has no cache key, as
    PostgreSQL's `INSERT .. ON CONFLICT` has none: that compile was the largest single cost of a
    CreateBooking. The statement keeps its Core form (and its types' bind processors); only the
    compile is done once. `keys` are the columns an INSERT or UPDATE is given, as the keys of
    the values passed to `execute` would have chosen them.
    """

    def __init__(self, statement: ClauseElement, keys: Sequence[str] | None = None) -> None:
        self._statement = statement
        self._keys = list(keys) if keys is not None else None
        self._compiled: dict[str, SQLCompiler] = {}

    def compiled(self, dialect: Dialect) -> SQLCompiler:
        found = self._compiled.get(dialect.name + dialect.driver)
        if found is None:
            compiled = self._statement.compile(dialect=dialect, column_keys=self._keys)
            assert isinstance(compiled, SQLCompiler)
            _check_bindable(compiled)
            found = self._compiled[dialect.name + dialect.driver] = compiled
        return found

    async def execute(
        self, connection: AsyncConnection, values: Mapping[str, Any]
    ) -> CursorResult[Any]:
        compiled = self.compiled(connection.dialect)
        params = compiled.construct_params(dict(values), escape_names=False)
        processors = compiled._bind_processors
        bound = {}
        for name, value in params.items():
            processor = processors.get(name)
            bound[name] = processor(value) if callable(processor) else value
        if compiled.positiontup is None:
            return await connection.exec_driver_sql(compiled.string, bound)
        return await connection.exec_driver_sql(
            compiled.string, tuple(bound[name] for name in compiled.positiontup)
        )


def _check_bindable(compiled: SQLCompiler) -> None:
    """Refuse what binding alone cannot carry: values computed per execution (Python-side
    column defaults), IN lists expanded at execution, values rendered into the SQL, and
    parameter names the driver SQL would spell otherwise. Inline values are frozen at their
    first compile, so only constants may be written inline."""
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError("CompiledOnce: a Python-side column default would be sent as NULL")
    for bind in compiled.binds.values():
        if bind.expanding or bind.literal_execute:
            raise ValueError(f"CompiledOnce: bind {bind.key!r} is rendered at execution")
        name = compiled.bind_names.get(bind, bind.key)
        if any(char in name for char in ".%() "):
            raise ValueError(f"CompiledOnce: bind name {name!r} is escaped in the SQL")
