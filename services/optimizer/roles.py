"""Which roles may call each OptimizerService method: the service's one role table."""

from __future__ import annotations

from shared.role_table import EVERY_ROLE, OPS_ONLY, OPS_OR_SERVICE, role_table
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2 as api

# Ops and the scheduler (service) run re-plans; only ops apply a plan by hand; rescue re-packs
# are asked by availability and the assigner (service) or ops; every role may read plans.
ROLES = role_table(
    api.DESCRIPTOR.services_by_name["OptimizerService"],
    {
        "OptimizeVenueDay": OPS_OR_SERVICE,
        "GetPlan": EVERY_ROLE,
        "ListPlans": EVERY_ROLE,
        "ApplyPlan": OPS_ONLY,
        "FindRescuePlan": OPS_OR_SERVICE,
    },
)
