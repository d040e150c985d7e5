"""Contract: zone and table ids are unique per venue only; the global keys go; owner: availability.

The unique indexes of 0013 become the primary keys of zones, dining_tables and table_adjacency;
the foreign keys that named an id without its venue are dropped (0013's venue-scoped ones,
validated by 0014, stay), and so are the indexes that served them. The venue-scoped exclusion
constraint takes the name `allocations_no_overlap`, which it already answered to. No statement
reads a table's rows: the new primary keys reuse built indexes on columns that are NOT NULL,
so the locks are held for moments. From here two venues may hold the same zone or table id.

Downgrade refuses (PostgreSQL's unique or exclusion violation, naming the key) while two venues
share a zone or table id: rename one of them first.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, index of 0013 that becomes the primary key, its columns, the global key's columns)
KEYS = (
    ("zones", "ux_zones_venue_id_zone_id", "venue_id, zone_id", "zone_id"),
    ("dining_tables", "ux_dining_tables_venue_id_table_id", "venue_id, table_id", "table_id"),
    (
        "table_adjacency",
        "ux_table_adjacency_venue_id_table_a_table_b",
        "venue_id, table_a, table_b",
        "table_a, table_b",
    ),
)
# (name, table, definition) of the global foreign keys of 0001 and 0003.
GLOBAL_FOREIGN_KEYS = (
    (
        "dining_tables_zone_id_fkey",
        "dining_tables",
        "FOREIGN KEY (zone_id) REFERENCES zones (zone_id)",
    ),
    (
        "table_adjacency_table_a_fkey",
        "table_adjacency",
        "FOREIGN KEY (table_a) REFERENCES dining_tables (table_id) ON DELETE CASCADE",
    ),
    (
        "table_adjacency_table_b_fkey",
        "table_adjacency",
        "FOREIGN KEY (table_b) REFERENCES dining_tables (table_id) ON DELETE CASCADE",
    ),
    (
        "allocations_table_id_fkey",
        "allocations",
        "FOREIGN KEY (table_id) REFERENCES dining_tables (table_id)",
    ),
)
# Frozen copy of 0013's venue-scoped foreign keys: (name, table, definition).
VENUE_FOREIGN_KEYS = (
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
# (name, table, columns) of the global foreign keys' indexes, superseded by 0013's.
GLOBAL_INDEXES = (
    ("ix_dining_tables_zone_id", "dining_tables", "zone_id"),
    ("ix_table_adjacency_table_b", "table_adjacency", "table_b"),
)
EXCLUSION = "allocations_no_overlap"
EXCLUSION_IN_VENUE = "allocations_no_overlap_in_venue"


def upgrade() -> None:
    for name, table, _ in GLOBAL_FOREIGN_KEYS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for table, index, _, _ in KEYS:
        op.execute(
            f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, "
            f"ADD CONSTRAINT {table}_pkey PRIMARY KEY USING INDEX {index}"
        )
    for name, _, _ in GLOBAL_INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute(f"ALTER TABLE allocations DROP CONSTRAINT {EXCLUSION}")
    op.execute(f"ALTER TABLE allocations RENAME CONSTRAINT {EXCLUSION_IN_VENUE} TO {EXCLUSION}")


def downgrade() -> None:
    op.execute(f"ALTER TABLE allocations RENAME CONSTRAINT {EXCLUSION} TO {EXCLUSION_IN_VENUE}")
    op.execute(
        f"ALTER TABLE allocations ADD CONSTRAINT {EXCLUSION} EXCLUDE USING gist "
        "(table_id WITH =, during WITH &&) WHERE (release_time IS NULL)"
    )
    # The venue-scoped keys hang on the primary keys' indexes: off while the keys change.
    for name, table, _ in reversed(VENUE_FOREIGN_KEYS):
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for table, index, columns, global_columns in reversed(KEYS):
        op.execute(
            f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, "
            f"ADD CONSTRAINT {table}_pkey PRIMARY KEY ({global_columns})"
        )
        op.execute(f"CREATE UNIQUE INDEX {index} ON {table} ({columns})")
    for name, table, columns in GLOBAL_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} ({columns})")
    for name, table, definition in (*VENUE_FOREIGN_KEYS, *GLOBAL_FOREIGN_KEYS):
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
