"""Settings: one prefix, the few unprefixed names, and README's table generated from them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from services.assigner.settings import AssignerSettings
from services.gateway.settings import GatewaySettings
from services.state.settings import StateSettings
from shared.settings import UNPREFIXED

REPO = Path(__file__).resolve().parents[2]
SECRET = "s" * 32


def test_readme_configuration_table_matches_the_settings_classes():
    checked = subprocess.run(
        [sys.executable, "scripts/settings_table.py", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_field_is_read_from_maitred_and_its_name(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MAITRED_STATE_PORT", "6001")
    monkeypatch.setenv("MAITRED_DB_POOL_SIZE", "3")
    settings = StateSettings(database_url="postgresql://x", jwt_secret=SECRET)
    assert (settings.state_port, settings.db_pool_size) == (6001, 3)


def test_database_and_redis_urls_keep_their_unprefixed_names(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://from-env/db")
    monkeypatch.setenv("REDIS_URL", "redis://from-env:6379/1")
    settings = AssignerSettings(jwt_secret=SECRET)
    assert settings.database_url == "postgresql://from-env/db"
    assert settings.redis_url == "redis://from-env:6379/1"


def test_a_service_that_needs_redis_refuses_to_start_without_it(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("MAITRED_REDIS_URL", raising=False)
    with pytest.raises(ValueError, match="redis_url"):
        AssignerSettings(database_url="postgresql://x", jwt_secret=SECRET)


def test_a_misspelt_setting_keyword_is_refused_rather_than_ignored():
    # Unknown MAITRED_* variables in the environment are not refused: one ConfigMap or shell may
    # hold every service's variables, and each process reads only its own.
    with pytest.raises(ValueError, match="timeout_seconds"):
        GatewaySettings(timeout_seconds=5)  # type: ignore[call-arg]


def known_variables() -> set[str]:
    table = (REPO / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z_]+)`", table, re.MULTILINE)) | {
        name for names in UNPREFIXED.values() for name in names
    }


def test_every_maitred_variable_the_manifests_and_ci_set_is_a_setting():
    known = known_variables()
    sources = [*sorted((REPO / "deploy").rglob("*.yaml")), REPO / ".ci" / "run"]
    for source in sources:
        used = set(re.findall(r"\b(MAITRED_[A-Z_]+)\b", source.read_text()))
        assert used <= known, (source.name, used - known)


def test_no_production_module_reads_the_environment_but_the_settings():
    readers = [
        path.relative_to(REPO).as_posix()
        for folder in ("shared", "services")
        for path in (REPO / folder).rglob("*.py")
        if re.search(r"os\.environ|getenv\(", path.read_text())
    ]
    assert readers == ["shared/settings.py"]
