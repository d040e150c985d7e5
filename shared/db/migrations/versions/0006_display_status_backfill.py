"""Backfill: derive bookings.display_status from state where it is still missing; owner: state.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the state service's mapping as of this revision (migrations never import it).
DISPLAY_STATUS_BY_STATE = {
    "CREATED": "PENDING",
    "CAPACITY_VERIFIED": "PENDING",
    "ASSIGNMENT_PENDING": "PENDING_ALLOCATION",
    "ASSIGNMENT_IN_PROGRESS": "PENDING_ALLOCATION",
    "ASSIGNED": "PENDING_ALLOCATION",
    "MANUAL_REVIEW": "PENDING_ALLOCATION",
    "CONFIRMED": "CONFIRMED",
    "SEATED": "CHECKED_IN",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED",
    "REJECTED": "CANCELLED",
    "NO_SHOW": "NO_SHOW",
}


def upgrade() -> None:
    cases = "\n".join(
        f"        WHEN '{state}' THEN '{status}'"
        for state, status in DISPLAY_STATUS_BY_STATE.items()
    )
    # Only rows still missing it: code deployed with 0005 already writes the column, and a
    # re-run after an interruption picks up where it stopped.
    op.execute(
        f"UPDATE bookings SET display_status = CASE state\n{cases}\n    END\n"
        "WHERE display_status IS NULL"
    )


def downgrade() -> None:
    # Nothing to undo: the values are derived from state, and 0005's nullable column accepts
    # them; clearing them would also erase what newer code wrote.
    pass
