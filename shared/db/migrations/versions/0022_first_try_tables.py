"""CREATED bookings may hold tables: the first try is written before one advance; owner: assigner.

The coordinator writes a new booking's tables while it is still CREATED (just after the
capacity check), then records every step from CREATED to ASSIGNED (and CONFIRMED) in one
AdvanceBooking: one transaction and one event at the state service instead of two. Migration
0012's guard refused a live assignment for a CREATED or CAPACITY_VERIFIED booking; it now
accepts those two states as well and keeps every other refusal: a booking that ended
(cancelled, no-show, rejected), completed, or is missing still cannot take tables, under the
same row lock. A cancel or rejection of a CREATED booking with tables releases them through
0010's trigger as before.

Revision ID: 0022_first_try
Revises: 0021_journey
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022_first_try"
down_revision: str | None = "0021_journey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Also the name the assigner recognises in the error (services/assigner/adapters).
CONSTRAINT = "allocations_booking_takes_tables"
SEATABLE = (
    "('CREATED', 'CAPACITY_VERIFIED', 'ASSIGNMENT_PENDING', 'ASSIGNMENT_IN_PROGRESS', "
    "'ASSIGNED', 'CONFIRMED', 'SEATED', 'MANUAL_REVIEW')"
)
# Migration 0012's list, restored by the downgrade.
SEATABLE_0012 = (
    "('ASSIGNMENT_PENDING', 'ASSIGNMENT_IN_PROGRESS', 'ASSIGNED', 'CONFIRMED', 'SEATED', "
    "'MANUAL_REVIEW')"
)


def _check(seatable: str) -> str:
    """Migration 0012's guard function over the given states (same body, same error)."""
    return f"""
CREATE OR REPLACE FUNCTION maitred_check_assignment_booking() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    booking_state text;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.kind = 'ASSIGNMENT' AND OLD.release_time IS NULL
       AND OLD.booking_id IS NOT DISTINCT FROM NEW.booking_id THEN
        RETURN NEW;  -- the row was already this booking's live assignment: nothing new is taken
    END IF;
    SELECT state INTO booking_state FROM bookings WHERE booking_id = NEW.booking_id FOR SHARE;
    IF booking_state IS NULL OR booking_state NOT IN {seatable} THEN
        -- No % placeholders: the offline SQL (alembic --sql) would double them.
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{CONSTRAINT}',
            MESSAGE = 'booking ' || NEW.booking_id || ' is '
                || coalesce(booking_state, 'missing') || ': it cannot take tables';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    op.execute(_check(SEATABLE))


def downgrade() -> None:
    op.execute(_check(SEATABLE_0012))
