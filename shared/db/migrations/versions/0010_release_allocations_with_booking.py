"""Free a booking's tables in the same transaction that takes them from it; owner: assigner.

When a booking moves to a state that holds no tables (cancelled, no-show, rejected, back to
assignment pending, or manual review), its live allocations are released by a trigger in the
transaction of that state change, so a cancelled booking never blocks a table, not even for
the moment between two services' writes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RELEASE = """
CREATE FUNCTION maitred_release_allocations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE allocations SET release_time = now()
    WHERE booking_id = NEW.booking_id AND release_time IS NULL;
    RETURN NULL;
END $$
"""

TABLELESS = "('CANCELLED', 'NO_SHOW', 'REJECTED', 'ASSIGNMENT_PENDING', 'MANUAL_REVIEW')"


def upgrade() -> None:
    op.execute(RELEASE)
    op.execute(
        "CREATE TRIGGER bookings_release_allocations AFTER UPDATE OF state ON bookings "
        f"FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state AND NEW.state IN {TABLELESS}) "
        "EXECUTE FUNCTION maitred_release_allocations()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS bookings_release_allocations ON bookings")
    op.execute("DROP FUNCTION IF EXISTS maitred_release_allocations()")
