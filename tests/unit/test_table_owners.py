"""Each table has one definition, its owner's; a reader's copy names only columns the owner has."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import Table, TableClause
from sqlalchemy.dialects import postgresql

from services.assigner.adapters import read_only_tables as assigner_reads
from services.availability.adapters import read_only_tables as availability_reads
from services.optimizer.adapters import read_only_tables as optimizer_reads
from services.tables import OWNERS, metadata

REPO = Path(__file__).resolve().parents[2]
READERS = {
    "assigner": assigner_reads,
    "availability": availability_reads,
    "optimizer": optimizer_reads,
}
DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _tables_of(module: object) -> dict[str, TableClause]:
    return {v.name: v for v in vars(module).values() if isinstance(v, TableClause)}


def test_every_migrated_table_is_defined_by_exactly_one_owner() -> None:
    owned = [name for module in OWNERS.values() for name in _tables_of(module)]
    assert sorted(owned) == sorted(metadata.tables)


def test_shared_defines_no_table() -> None:
    for path in (REPO / "shared").rglob("*.py"):
        if "stubs" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
        named = [f for f in calls if isinstance(f, ast.Name) and f.id in {"Table", "table"}]
        assert not named, f"{path.relative_to(REPO)} defines a table: its owner should"


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_reader_reads_other_services_tables_only_through_columns_their_owner_defines(
    reader: str,
) -> None:
    copies = _tables_of(READERS[reader])
    assert copies, "a reader module with no table"
    for name, copy in copies.items():
        assert not isinstance(copy, Table), f"{name}: a read-only copy must stay out of MetaData"
        owner = metadata.tables[name]
        assert name not in _tables_of(OWNERS[reader]), f"{reader} owns {name}: no copy needed"
        for column in copy.c:
            assert column.name in owner.c, f"{name}.{column.name} is not a column of its owner"
            theirs = owner.c[column.name].type.compile(dialect=DIALECT)
            assert column.type.compile(dialect=DIALECT) == theirs, f"{name}.{column.name}"
