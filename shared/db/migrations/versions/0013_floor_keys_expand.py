"""Expand: keys that scope zone and table ids by venue, beside the global ones; owner: availability.

Zone and table ids are unique within a venue, not across venues (issue 10). This step only adds:
unique indexes on (venue_id, zone_id), (venue_id, table_id) and (venue_id, table_a, table_b),
built CONCURRENTLY so writes go on; foreign keys that name the venue beside the id (a table's
zone, an edge's two tables, an allocation's table), added NOT VALID so they read no existing row
(0014 validates them) yet hold for every new one; the indexes behind them; and the exclusion
constraint `allocations_no_overlap_in_venue` over (venue_id, table_id, during). The global keys
stay until 0015, so code that predates this change and code that follows it both run: every row
either writes already names its own venue, and the global keys are the stricter ones. The new
exclusion constraint's name contains `allocations_no_overlap`, the name both generations of
the assigner look for in a conflict. Adding it blocks reads and writes of allocations while
its GiST index is built over the live rows (an exclusion constraint cannot be built
concurrently): 128 s for 270,000 live rows on a 2-core machine at load 20, while every other
write waited at most 0.13 s (bench/results/floor_keys_migration.md). Run it in a quiet hour.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, table, columns) of each unique index that becomes the table's primary key in 0015.
UNIQUE = (
    ("ux_zones_venue_id_zone_id", "zones", "venue_id, zone_id"),
    ("ux_dining_tables_venue_id_table_id", "dining_tables", "venue_id, table_id"),
    (
        "ux_table_adjacency_venue_id_table_a_table_b",
        "table_adjacency",
        "venue_id, table_a, table_b",
    ),
)
# (name, table, columns) of the indexes a venue-scoped foreign key's deletes look up.
INDEXES = (
    ("ix_dining_tables_venue_id_zone_id", "dining_tables", "venue_id, zone_id"),
    ("ix_table_adjacency_venue_id_table_b", "table_adjacency", "venue_id, table_b"),
)
# (name, table, definition) of each venue-scoped foreign key.
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
EXCLUSION = "allocations_no_overlap_in_venue"


def upgrade() -> None:
    # Each statement commits on its own, so no lock outlives its statement (the exclusion
    # constraint's long build holds the allocations table only), and each can be repeated: a
    # build cut off leaves an invalid index or no constraint, which a re-run drops and makes.
    with op.get_context().autocommit_block():
        for name, table, columns in UNIQUE:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            op.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({columns})")
        for name, table, columns in INDEXES:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            op.execute(f"CREATE INDEX CONCURRENTLY {name} ON {table} ({columns})")
        for name, table, definition in FOREIGN_KEYS:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID")
        op.execute(f"ALTER TABLE allocations DROP CONSTRAINT IF EXISTS {EXCLUSION}")
        op.execute(
            f"ALTER TABLE allocations ADD CONSTRAINT {EXCLUSION} EXCLUDE USING gist "
            "(venue_id WITH =, table_id WITH =, during WITH &&) WHERE (release_time IS NULL)"
        )


def downgrade() -> None:
    op.execute(f"ALTER TABLE allocations DROP CONSTRAINT {EXCLUSION}")
    for name, table, _ in reversed(FOREIGN_KEYS):
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _, _ in (*INDEXES, *UNIQUE):
        op.execute(f"DROP INDEX {name}")
