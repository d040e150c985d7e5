"""The one MetaData every service's tables join, and the column pieces they share."""

from datetime import datetime

from sqlalchemy import Column, MetaData, text
from sqlalchemy.dialects.postgresql import TIMESTAMP

# Each service defines the tables it writes in its own adapters (`services/<name>/adapters/
# tables.py`), on this MetaData: one database, one ordered Alembic history over all of them.
metadata = MetaData()

NOW = text("now()")
EMPTY_TEXT = text("''")
EMPTY_OBJECT = text("'{}'::jsonb")
EMPTY_TEXT_ARRAY = text("'{}'::text[]")


def timestamp_column(name: str, *, nullable: bool = False) -> Column[datetime]:
    """A timestamptz column; the non-null ones default to the database's clock."""
    return Column(
        name, TIMESTAMP(timezone=True), nullable=nullable, server_default=None if nullable else NOW
    )
