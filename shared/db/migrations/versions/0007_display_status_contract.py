"""Contract: bookings.display_status becomes required, checked and indexed; owner: state.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DISPLAY_STATUSES = (
    "PENDING",
    "PENDING_ALLOCATION",
    "CONFIRMED",
    "CHECKED_IN",
    "COMPLETED",
    "CANCELLED",
    "NO_SHOW",
)
INDEX = "ix_bookings_venue_id_display_status"
KNOWN = "ck_bookings_display_status_known"
NOT_NULL = "ck_bookings_display_status_not_null"


def upgrade() -> None:
    allowed = ", ".join(f"'{status}'" for status in DISPLAY_STATUSES)
    # Each statement commits on its own, so none holds a lock that stops booking writes while
    # rows are read (NOT VALID, then VALIDATE); each can be repeated if a re-run follows a failure.
    with op.get_context().autocommit_block():
        op.drop_index(INDEX, table_name="bookings", if_exists=True, postgresql_concurrently=True)
        op.create_index(
            INDEX,
            "bookings",
            ["venue_id", "display_status", "start_time"],
            postgresql_concurrently=True,
        )
        for name, condition in (
            (KNOWN, f"display_status IN ({allowed})"),
            (NOT_NULL, "display_status IS NOT NULL"),
        ):
            op.execute(f"ALTER TABLE bookings DROP CONSTRAINT IF EXISTS {name}")
            op.execute(f"ALTER TABLE bookings ADD CONSTRAINT {name} CHECK ({condition}) NOT VALID")
            op.execute(f"ALTER TABLE bookings VALIDATE CONSTRAINT {name}")
    # The validated IS NOT NULL check spares SET NOT NULL a full scan; after it, it is redundant.
    op.alter_column("bookings", "display_status", nullable=False)
    op.drop_constraint(NOT_NULL, "bookings", type_="check")


def downgrade() -> None:
    op.alter_column("bookings", "display_status", nullable=True)
    op.drop_constraint(KNOWN, "bookings", type_="check")
    op.drop_index(INDEX, table_name="bookings")
