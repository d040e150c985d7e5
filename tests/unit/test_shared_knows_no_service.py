"""shared/ is the suite's common machinery: no module of it imports a service."""

from __future__ import annotations

import ast
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_module_of_shared_imports_a_service():
    offenders = {
        str(path.relative_to(SHARED.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] == "services"
        )
        for path in sorted(SHARED.rglob("*.py"))
        if "stubs" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}
