"""Expand: venue policies hold combinations and seating knobs; owner: availability.

Adds to venue_policies the rule for derived combinations (seats lost per join, least covers),
the venue's explicit combinations (a JSON list of tables with min and max covers and a
priority), and the seating knobs that were process settings (the rescue time limit and its
number of movers, the look-ahead horizon). Every column has a default that keeps today's
behaviour, so a running fleet that does not know them seats as before: a plain metadata change
(PostgreSQL 11+ adds a column with a constant default without rewriting the table).

Revision ID: 0019_combos
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0019_combos"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("combination_seats_lost_per_join", sa.Integer, "0", "combination_seats_lost_per_join >= 0"),
    ("combination_min_covers", sa.Integer, "0", "combination_min_covers >= 0"),
    ("rescue_time_limit_ms", sa.Integer, "500", "rescue_time_limit_ms BETWEEN 1 AND 2000"),
    ("rescue_max_movers", sa.Integer, "40", "rescue_max_movers BETWEEN 1 AND 200"),
    ("look_ahead_horizon_minutes", sa.Integer, "720",
     "look_ahead_horizon_minutes BETWEEN 1 AND 1440"),
)  # fmt: skip


def upgrade() -> None:
    for name, kind, default, check in COLUMNS:
        op.add_column(
            "venue_policies",
            sa.Column(name, kind, nullable=False, server_default=sa.text(default)),
        )
        op.create_check_constraint(f"ck_venue_policies_{name}", "venue_policies", check)
    op.add_column(
        "venue_policies",
        sa.Column("table_combinations", JSONB, nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_check_constraint(
        "ck_venue_policies_table_combinations_array",
        "venue_policies",
        "jsonb_typeof(table_combinations) = 'array'",
    )


def downgrade() -> None:
    op.drop_column("venue_policies", "table_combinations")
    for name, _, _, _ in reversed(COLUMNS):
        op.drop_column("venue_policies", name)
