"""A log of what each venue version changed, so day models catch up by key; owner: availability.

Beside the version bump (0008), every written row of a watched table leaves one row here with
the version its transaction made: the booking or allocation group it touched, or its table
name for a floor-plan change. An availability process that holds a venue's days at version v
reads the rows after v and re-reads only those bookings and groups. The log is pruned by age;
a process that finds a version missing from it rebuilds the day from the tables instead.

Revision ID: 0018
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0018"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = (
    "venues",
    "zones",
    "dining_tables",
    "table_adjacency",
    "venue_policies",
    "turn_times",
    "service_periods",
    "bookings",
    "allocations",
)

# The trigger's name sorts after `<table>_bump_venue_version`, and PostgreSQL fires a table's
# row triggers in name order, so the version row already holds this transaction's version.
LOG = """
CREATE FUNCTION maitred_log_venue_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed record;
    this_version bigint;
    changed_booking uuid;
    changed_group uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    SELECT version INTO this_version FROM venue_change_versions
    WHERE venue_id = changed.venue_id;
    IF TG_TABLE_NAME = 'bookings' THEN
        changed_booking := changed.booking_id;
    ELSIF TG_TABLE_NAME = 'allocations' THEN
        changed_booking := changed.booking_id;
        changed_group := changed.group_id;
    END IF;
    INSERT INTO venue_changes (venue_id, version, source, booking_id, group_id)
    VALUES (changed.venue_id, this_version, TG_TABLE_NAME, changed_booking, changed_group);
    -- Nested, because PL/pgSQL does not promise to skip OLD.booking_id on other tables.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME IN ('bookings', 'allocations') THEN
        IF OLD.booking_id IS DISTINCT FROM NEW.booking_id THEN
            INSERT INTO venue_changes (venue_id, version, source, booking_id, group_id)
            VALUES (changed.venue_id, this_version, TG_TABLE_NAME, OLD.booking_id, changed_group);
        END IF;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "venue_changes",
        sa.Column("change_id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("venue_id", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("booking_id", UUID(as_uuid=True)),
        sa.Column("group_id", UUID(as_uuid=True)),
        sa.Column(
            "change_time",
            sa.TIMESTAMP(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        comment="What each venue version changed: one row per written row of a watched table.",
    )
    op.create_index("ix_venue_changes_venue_version", "venue_changes", ["venue_id", "version"])
    op.create_index("ix_venue_changes_change_time", "venue_changes", ["change_time"])
    op.execute(LOG)
    for table in WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_log_venue_change "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION maitred_log_venue_change()"
        )


def downgrade() -> None:
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_log_venue_change ON {table}")
    op.execute("DROP FUNCTION IF EXISTS maitred_log_venue_change()")
    op.drop_index("ix_venue_changes_change_time", table_name="venue_changes")
    op.drop_index("ix_venue_changes_venue_version", table_name="venue_changes")
    op.drop_table("venue_changes")
