"""Per-venue change versions, bumped once per committing transaction; owner: availability.

Every write to a venue's bookings, allocations or floor plan bumps that venue's version by
exactly one per transaction and NOTIFYs `maitred_venue_changed` with "<venue_id> <version>".
The row lock on the version row orders commits, so versions follow commit order, and
PostgreSQL delivers the notification only when (and if) the transaction commits.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
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

BUMP = """
CREATE FUNCTION maitred_bump_venue_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    this_txid bigint := pg_current_xact_id()::text::bigint;
    changed_venue text;
    bumped bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN changed_venue := OLD.venue_id;
    ELSE changed_venue := NEW.venue_id;
    END IF;
    INSERT INTO venue_change_versions AS current (venue_id, version, last_txid)
    VALUES (changed_venue, 1, this_txid)
    ON CONFLICT (venue_id) DO UPDATE
        SET version = current.version + 1, last_txid = this_txid, update_time = now()
        WHERE current.last_txid IS DISTINCT FROM this_txid
    RETURNING version INTO bumped;
    IF bumped IS NOT NULL THEN
        PERFORM pg_notify('maitred_venue_changed', changed_venue || ' ' || bumped);
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "venue_change_versions",
        sa.Column("venue_id", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("last_txid", sa.BigInteger, nullable=True),
        sa.Column(
            "update_time",
            sa.TIMESTAMP(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        comment="The change version of each venue: +1 per transaction that touches it.",
    )
    op.execute(BUMP)
    for table in WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_bump_venue_version "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION maitred_bump_venue_version()"
        )


def downgrade() -> None:
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_venue_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS maitred_bump_venue_version()")
    op.drop_table("venue_change_versions")
