"""Expand: floor-plan fields the FloorPlanService contract needs; owner: availability.

Zones and tables get create/update times and the request id that created them (creates are
idempotent by request id); venues get that request id too. Policies get the retry budget's
backoff and deadline and an update time. A service period may have one seating time only
(first = last seating), so its check widens from `<` to `<=`. Every new column is nullable or
has a default, and the wider check accepts every row the old one did: a running fleet that does
not know these columns keeps working.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TIMESTAMP

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIOD_WINDOW = "ck_service_periods_window"
RETRY_BACKOFF = "ck_venue_policies_retry_backoff"
RETRY_DEADLINE = "ck_venue_policies_retry_deadline_positive"


def _time(name: str) -> sa.Column[datetime]:
    # now() is stable, not volatile: existing rows take the migration's time without a rewrite.
    return sa.Column(
        name, TIMESTAMP(timezone=True), nullable=False, server_default=sa.text("now()")
    )


def _int(name: str, default: int) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=False, server_default=sa.text(str(default)))


def upgrade() -> None:
    op.add_column("venues", sa.Column("create_request_id", sa.Text, nullable=True))
    for table in ("zones", "dining_tables"):
        op.add_column(table, _time("create_time"))
        op.add_column(table, _time("update_time"))
        op.add_column(table, sa.Column("create_request_id", sa.Text, nullable=True))
    op.add_column("venue_policies", _int("retry_initial_backoff_ms", 1000))
    op.add_column("venue_policies", _int("retry_max_backoff_ms", 30000))
    op.add_column("venue_policies", _int("retry_deadline_seconds", 120))
    op.add_column("venue_policies", _time("update_time"))
    op.create_check_constraint(
        RETRY_BACKOFF,
        "venue_policies",
        "retry_initial_backoff_ms > 0 AND retry_max_backoff_ms >= retry_initial_backoff_ms",
    )
    op.create_check_constraint(RETRY_DEADLINE, "venue_policies", "retry_deadline_seconds > 0")
    op.drop_constraint(PERIOD_WINDOW, "service_periods", type_="check")
    op.create_check_constraint(PERIOD_WINDOW, "service_periods", "start_local <= end_local")


def downgrade() -> None:
    # Narrowing the check fails while single-seating periods exist: delete them first.
    op.drop_constraint(PERIOD_WINDOW, "service_periods", type_="check")
    op.create_check_constraint(PERIOD_WINDOW, "service_periods", "start_local < end_local")
    op.drop_constraint(RETRY_DEADLINE, "venue_policies", type_="check")
    op.drop_constraint(RETRY_BACKOFF, "venue_policies", type_="check")
    for column in (
        "update_time",
        "retry_deadline_seconds",
        "retry_max_backoff_ms",
        "retry_initial_backoff_ms",
    ):
        op.drop_column("venue_policies", column)
    for table in ("dining_tables", "zones"):
        for column in ("create_request_id", "update_time", "create_time"):
            op.drop_column(table, column)
    op.drop_column("venues", "create_request_id")
