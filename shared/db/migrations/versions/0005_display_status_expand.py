"""Expand: bookings.display_status, the Ops UI's linear status, as a nullable column; owner: state.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and without a default: adding it is instant, and code that does not know the
    # column yet keeps inserting bookings without it.
    op.add_column("bookings", sa.Column("display_status", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("bookings", "display_status")
