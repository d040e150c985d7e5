"""Demand counts for the yield forecast (owner: state) and the yield policy columns (availability).

`demand_counts` holds how many booking requests a venue saw per local weekday, start slot,
party size and lead bucket, with no guest data; `demand_days` the local service dates those
requests were for, so the forecast can divide by days observed per weekday. Both are new and
empty, and the two policy columns have defaults, so no statement rewrites a table: expand only.

Revision ID: 0020_yieldwire
Revises: 0019_combos
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_yieldwire"
down_revision: str | None = "0019_combos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ("venue_id", "weekday", "slot_minute", "party_size", "lead_bucket")


def upgrade() -> None:
    op.add_column(
        "venue_policies",
        sa.Column("yield_enabled", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.add_column("venue_policies", sa.Column("yield_min_days_observed", sa.Integer()))
    op.create_check_constraint(
        "ck_venue_policies_yield_min_days_positive",
        "venue_policies",
        "yield_min_days_observed IS NULL OR yield_min_days_observed >= 1",
    )
    op.create_table(
        "demand_counts",
        sa.Column("venue_id", sa.Text()),
        sa.Column("weekday", sa.SmallInteger()),
        sa.Column("slot_minute", sa.SmallInteger()),
        sa.Column("party_size", sa.SmallInteger()),
        sa.Column("lead_bucket", sa.SmallInteger()),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "venue_id",
            "weekday",
            "slot_minute",
            "party_size",
            "lead_bucket",
            name="demand_counts_pkey",
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_demand_counts_weekday"),
        sa.CheckConstraint("slot_minute >= 0", name="ck_demand_counts_slot_not_negative"),
        sa.CheckConstraint("party_size > 0", name="ck_demand_counts_party_size_positive"),
        sa.CheckConstraint("lead_bucket >= 0", name="ck_demand_counts_lead_bucket_not_negative"),
        sa.CheckConstraint("requests > 0", name="ck_demand_counts_requests_positive"),
        comment="Booking requests per venue, local weekday, start slot, party size and lead "
        "bucket: counts only, no guest data.",
    )
    op.create_table(
        "demand_days",
        sa.Column("venue_id", sa.Text()),
        sa.Column("service_date", sa.Date()),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("venue_id", "service_date", name="demand_days_pkey"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_demand_days_weekday"),
        comment="The local service dates demand_counts has seen requests for, to count days "
        "per weekday.",
    )


def downgrade() -> None:
    op.drop_table("demand_days")
    op.drop_table("demand_counts")
    op.drop_constraint("ck_venue_policies_yield_min_days_positive", "venue_policies")
    op.drop_column("venue_policies", "yield_min_days_observed")
    op.drop_column("venue_policies", "yield_enabled")
