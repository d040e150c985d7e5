"""The gateway's allowed origins, as read from the environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.gateway.settings import GatewaySettings


def test_origins_are_read_comma_separated_from_the_environment(monkeypatch):
    monkeypatch.setenv(
        "MAITRED_GATEWAY_CORS_ORIGINS", "https://ops.example.com, http://localhost:5173"
    )
    settings = GatewaySettings()
    assert settings.gateway_cors_origins == ("https://ops.example.com", "http://localhost:5173")


def test_no_origins_by_default_means_no_cors(monkeypatch):
    monkeypatch.delenv("MAITRED_GATEWAY_CORS_ORIGINS", raising=False)
    assert GatewaySettings().gateway_cors_origins == ()


@pytest.mark.parametrize(
    "origin", ["https://ops.example.com/app", "ops.example.com", "https://*.example.com"]
)
def test_an_origin_that_is_not_exact_is_refused(origin):
    with pytest.raises(ValidationError):
        GatewaySettings(gateway_cors_origins=(origin,))
