"""A live assignment is written only for a booking that can take tables; owner: assigner.

Migration 0010 frees a booking's tables when its state changes, so it cannot catch an allocation
written after that change (a cancel racing a write). This trigger closes the gap from the other
side: every row that becomes a live ASSIGNMENT reads its booking FOR SHARE and refuses the write
unless the booking is being assigned (pending or in progress), assigned, confirmed, seated, or
in manual review. Pending and manual review are there because MoveBookings and ops seat such a
booking by writing its tables just before recording them (ResolveManualReview goes straight to
ASSIGNED); a booking that ended (cancelled, no-show, rejected, completed) or was never verified
is refused. The row lock serialises the write with the state service's update: a cancel that
committed first is seen and the write is refused; a cancel that comes later waits for the write,
and its 0010 trigger releases the rows. The bookings table stays the state service's to write;
it is only read here.

Revision ID: 0012
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Also the name the assigner recognises in the error (services/assigner/adapters).
CONSTRAINT = "allocations_booking_takes_tables"
SEATABLE = (
    "('ASSIGNMENT_PENDING', 'ASSIGNMENT_IN_PROGRESS', 'ASSIGNED', 'CONFIRMED', 'SEATED', "
    "'MANUAL_REVIEW')"
)

CHECK = f"""
CREATE FUNCTION maitred_check_assignment_booking() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    booking_state text;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.kind = 'ASSIGNMENT' AND OLD.release_time IS NULL
       AND OLD.booking_id IS NOT DISTINCT FROM NEW.booking_id THEN
        RETURN NEW;  -- the row was already this booking's live assignment: nothing new is taken
    END IF;
    SELECT state INTO booking_state FROM bookings WHERE booking_id = NEW.booking_id FOR SHARE;
    IF booking_state IS NULL OR booking_state NOT IN {SEATABLE} THEN
        -- No % placeholders: the offline SQL (alembic --sql) would double them.
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{CONSTRAINT}',
            MESSAGE = 'booking ' || NEW.booking_id || ' is '
                || coalesce(booking_state, 'missing') || ': it cannot take tables';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    op.execute(CHECK)
    op.execute(
        "CREATE TRIGGER allocations_check_assignment_booking "
        "BEFORE INSERT OR UPDATE ON allocations "
        "FOR EACH ROW WHEN (NEW.kind = 'ASSIGNMENT' AND NEW.release_time IS NULL) "
        "EXECUTE FUNCTION maitred_check_assignment_booking()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS allocations_check_assignment_booking ON allocations")
    op.execute("DROP FUNCTION IF EXISTS maitred_check_assignment_booking()")
