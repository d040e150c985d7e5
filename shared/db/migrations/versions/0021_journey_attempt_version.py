"""Expand: a NO_TABLE attempt is counted once per booking version; owner: assigner.

Two coordinator replicas that drive one booking at one version both find no table and both
note the try before the versioned move refuses one of them, which spent the retry budget
twice. `assignment_attempts` gains the booking version a try was made at (nullable: rows from
before, and outcomes other than NO_TABLE, have none) and a partial unique index on
(booking_id, booking_version) for NO_TABLE rows, which the insert meets with ON CONFLICT DO
NOTHING. A nullable column without a default is a plain metadata change; the index is built
on a table that holds one row per try.

Revision ID: 0021_journey
Revises: 0020_yieldwire
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_journey"
down_revision: str | None = "0020_yieldwire"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ux_assignment_attempts_no_table_version"


def upgrade() -> None:
    op.add_column("assignment_attempts", sa.Column("booking_version", sa.Integer()))
    op.create_index(
        INDEX,
        "assignment_attempts",
        ["booking_id", "booking_version"],
        unique=True,
        postgresql_where=sa.text("outcome = 'NO_TABLE'"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="assignment_attempts")
    op.drop_column("assignment_attempts", "booking_version")
