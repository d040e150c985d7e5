"""CompiledOnce refuses statements that binding alone cannot carry."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import asyncpg

from shared.db.compiled_once import CompiledOnce

DIALECT = asyncpg.dialect()
rows = Table("rows", MetaData(), Column("a", Integer), Column("b", Integer, default=lambda: 7))


def test_named_binds_compile_once() -> None:
    statement = CompiledOnce(select(rows.c.a).where(rows.c.a == bindparam("x")))
    assert statement.compiled(DIALECT) is statement.compiled(DIALECT)


@pytest.mark.parametrize(
    "statement",
    [
        select(rows.c.a).where(rows.c.a.in_(bindparam("xs", expanding=True))),
        select(rows.c.a).where(rows.c.a == bindparam("x", literal_execute=True)),
        insert(rows).values(a=bindparam("a")),  # b's Python-side default would go as NULL
        select(rows.c.a).where(rows.c.a == bindparam("a.b")),
    ],
    ids=["expanding", "literal_execute", "python_default", "escaped_name"],
)
def test_what_binding_cannot_carry_is_refused(statement) -> None:
    with pytest.raises(ValueError, match="CompiledOnce"):
        CompiledOnce(statement).compiled(DIALECT)
