"""The console's development login is off unless asked for, and the manifests never ask."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.gateway.settings import GatewaySettings

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def test_the_development_login_is_off_by_default(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MAITRED_GATEWAY_DEV_LOGIN", raising=False)
    assert GatewaySettings().gateway_dev_login is False


def test_the_development_login_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MAITRED_GATEWAY_DEV_LOGIN", "true")
    monkeypatch.setenv("MAITRED_JWT_SECRET", "k" * 32)
    assert GatewaySettings().gateway_dev_login is True


def test_no_deployment_manifest_turns_the_development_login_on():
    manifests = sorted(DEPLOY.rglob("*.yaml"))
    assert manifests
    for manifest in manifests:
        assert "MAITRED_GATEWAY_DEV_LOGIN" not in manifest.read_text(), manifest
