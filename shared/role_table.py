"""The roles allowed per method: each service's one table, and the start-up check that it is whole.

Every service keeps its table in `services/<name>/roles.py` as `ROLES`, built with `role_table`
from its generated descriptors and naming every method. `start_server` refuses to start when a
registered service has a method the table does not name (or the table names one that does not
exist), and the call pipeline denies a method missing from it, so authorization fails closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import ServiceDescriptor

from shared.auth import Role

RoleTable = Mapping[str, frozenset[Role]]

EVERY_ROLE = frozenset(Role)
OPS_ONLY = frozenset({Role.OPS})
SERVICE_ONLY = frozenset({Role.SERVICE})
OPS_OR_SERVICE = frozenset({Role.OPS, Role.SERVICE})


class IncompleteRoleTable(Exception):
    """A role table that does not name exactly the methods of the services it guards."""


def role_table(service: ServiceDescriptor, roles: Mapping[str, frozenset[Role]]) -> RoleTable:
    """`/package.Service/Method` -> roles for each method of `service` named in `roles`.

    Raises `IncompleteRoleTable` when `roles` misses a method of the service or names one it
    does not have, so a table and its contract cannot drift apart silently.
    """
    methods = {method.name for method in service.methods}
    missing, unknown = sorted(methods - set(roles)), sorted(set(roles) - methods)
    if missing or unknown:
        raise IncompleteRoleTable(
            f"role table of {service.full_name}: no roles for {missing}, unknown methods {unknown}"
        )
    return {f"/{service.full_name}/{name}": frozenset(allowed) for name, allowed in roles.items()}


def methods_without_roles(table: RoleTable, service_names: Iterable[str]) -> list[str]:
    """The full names of the services' methods that `table` does not name."""
    pool = descriptor_pool.Default()
    return [
        path
        for name in service_names
        for method in pool.FindServiceByName(name).methods
        if (path := f"/{name}/{method.name}") not in table
    ]


def check_role_table(table: RoleTable, service_names: Iterable[str]) -> None:
    """Raise `IncompleteRoleTable` unless `table` names every method of the served services."""
    missing = methods_without_roles(table, service_names)
    if missing:
        raise IncompleteRoleTable(f"no roles for {', '.join(missing)}; add them to ROLES")
