"""What a run needs to be reproduced and replayed: who, how, from which snapshot; owner: optimizer.

Expand only: every new column has a default, so a running optimizer that does not know them
keeps writing runs; the unique index makes a run idempotent by its caller's request id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, JSONB

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNS = "optimizer_runs"


def upgrade() -> None:
    op.add_column(RUNS, sa.Column("request_id", sa.Text))
    op.add_column(RUNS, sa.Column("actor", sa.Text, nullable=False, server_default=sa.text("''")))
    op.add_column(
        RUNS, sa.Column("options", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))
    )
    op.add_column(
        RUNS,
        sa.Column("snapshot_version", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        RUNS,
        sa.Column("solve_seconds", DOUBLE_PRECISION, nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        RUNS, sa.Column("unassigned", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))
    )
    op.create_index(
        "ux_optimizer_runs_venue_id_request_id",
        RUNS,
        ["venue_id", "request_id"],
        unique=True,
        postgresql_where=sa.text("request_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_optimizer_runs_venue_id_request_id", table_name=RUNS)
    for column in ("unassigned", "solve_seconds", "snapshot_version", "options", "actor"):
        op.drop_column(RUNS, column)
    op.drop_column(RUNS, "request_id")
