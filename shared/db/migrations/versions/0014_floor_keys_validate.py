"""Backfill: prove existing rows against 0013's venue-scoped foreign keys; owner: availability.

There is no value to fill in: every row that names a zone or a table already carries its
venue_id (required since 0001). What existing rows still owe is proof that each id they name
belongs to their own venue, so this step validates 0013's NOT VALID foreign keys. VALIDATE
reads the rows under a lock that lets reads and writes go on, one constraint at a time, and
a re-run after an interruption skips the ones already valid. A row that points across venues
(none can have been written through the services) stops the migration with PostgreSQL's error,
which names the constraint and the key: fix or delete that row, then run it again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of 0013's venue-scoped foreign keys: (name, table, definition).
FOREIGN_KEYS = (
    (
        "dining_tables_venue_id_zone_id_fkey",
        "dining_tables",
        "FOREIGN KEY (venue_id, zone_id) REFERENCES zones (venue_id, zone_id)",
    ),
    (
        "table_adjacency_venue_id_table_a_fkey",
        "table_adjacency",
        "FOREIGN KEY (venue_id, table_a) REFERENCES dining_tables (venue_id, table_id) "
        "ON DELETE CASCADE",
    ),
    (
        "table_adjacency_venue_id_table_b_fkey",
        "table_adjacency",
        "FOREIGN KEY (venue_id, table_b) REFERENCES dining_tables (venue_id, table_id) "
        "ON DELETE CASCADE",
    ),
    (
        "allocations_venue_id_table_id_fkey",
        "allocations",
        "FOREIGN KEY (venue_id, table_id) REFERENCES dining_tables (venue_id, table_id)",
    ),
)


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for name, table, _ in FOREIGN_KEYS:
            op.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")


def downgrade() -> None:
    # A constraint cannot be marked unvalidated again: it is replaced by its NOT VALID twin.
    for name, table, definition in FOREIGN_KEYS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID")
