"""Every service's own tables on the one MetaData, as the single Alembic history migrates them."""

from services.assigner.adapters import tables as assigner_tables
from services.availability.adapters import tables as availability_tables
from services.optimizer.adapters import tables as optimizer_tables
from services.state.adapters import tables as state_tables
from shared.db.schema import metadata

# Importing every owner's module registers all the tables in `metadata`.
OWNERS = {
    "assigner": assigner_tables,
    "availability": availability_tables,
    "optimizer": optimizer_tables,
    "state": state_tables,
}
__all__ = ["OWNERS", "metadata"]
