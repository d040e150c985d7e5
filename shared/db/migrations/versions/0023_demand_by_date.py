"""Demand counts by service date, so a forecast learns only from days before the one decided.

`demand_counts` (0020) adds every request of a weekday into one row per slot, party size and
lead bucket, whatever its date: a decision for an evening then counted that evening's own
requests, the bookings already known, again as forecast demand, and requests for later
dates too. `demand_date_counts` keeps the same counts per local service date; the readers
take only the dates before the day they decide (and only those dates of `demand_days`).

Expand and backfill: the new table is created and filled from `demand_counts`, each venue's
and weekday's counts put on the latest date `demand_days` holds for them, so they count only
for days after all the dates they came from. `demand_counts` stays, no longer written once the
state service runs this revision (counts an older process writes meanwhile stay there); a
later migration drops it (contract).

Revision ID: 0023_demand_by_date
Revises: 0022_first_try
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_demand_by_date"
down_revision: str | None = "0022_first_try"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_date_counts",
        sa.Column("venue_id", sa.Text()),
        sa.Column("service_date", sa.Date()),
        sa.Column("slot_minute", sa.SmallInteger()),
        sa.Column("party_size", sa.SmallInteger()),
        sa.Column("lead_bucket", sa.SmallInteger()),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "venue_id",
            "service_date",
            "slot_minute",
            "party_size",
            "lead_bucket",
            name="demand_date_counts_pkey",
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_demand_date_counts_weekday"),
        sa.CheckConstraint("slot_minute >= 0", name="ck_demand_date_counts_slot_not_negative"),
        sa.CheckConstraint("party_size > 0", name="ck_demand_date_counts_party_size_positive"),
        sa.CheckConstraint(
            "lead_bucket >= 0", name="ck_demand_date_counts_lead_bucket_not_negative"
        ),
        sa.CheckConstraint("requests > 0", name="ck_demand_date_counts_requests_positive"),
        comment="Booking requests per venue, local service date, start slot, party size and "
        "lead bucket: counts only, no guest data.",
    )
    op.execute(
        """
        INSERT INTO demand_date_counts
            (venue_id, service_date, slot_minute, party_size, lead_bucket, weekday, requests)
        SELECT c.venue_id, latest.service_date, c.slot_minute, c.party_size, c.lead_bucket,
               c.weekday, c.requests
        FROM demand_counts AS c
        JOIN (
            SELECT venue_id, weekday, max(service_date) AS service_date
            FROM demand_days
            GROUP BY venue_id, weekday
        ) AS latest ON latest.venue_id = c.venue_id AND latest.weekday = c.weekday
        """
    )


def downgrade() -> None:
    op.drop_table("demand_date_counts")
