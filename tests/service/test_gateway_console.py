"""The gateway serves the ops console at /console/; it mints tokens only in development mode."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError
from yarl import URL

from services.gateway.main import start
from services.gateway.settings import CONSOLE_DIR, GatewaySettings
from shared.auth import Role, verify_token

SECRET = "s" * 40
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def nowhere() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


@asynccontextmanager
async def gateway(**console: Any) -> AsyncIterator[aiohttp.ClientSession]:
    """A real gateway on port 0 (its services away: the console needs none of them), with the
    console settings given (`gateway_dev_login`, `jwt_secret`, `console_dir`)."""
    settings = GatewaySettings(
        host="127.0.0.1",
        state_address=nowhere(),
        assigner_address=nowhere(),
        availability_address=nowhere(),
        optimizer_address=nowhere(),
        **console,
    )
    running = await start(settings, port=0)
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{running.port}") as http:
            yield http
    finally:
        await running.stop(1)


async def test_the_console_page_and_its_modules_are_served_with_a_same_origin_only_policy():
    async with gateway(gateway_dev_login=False) as http:
        async with http.get("/console/") as page:
            assert page.status == 200
            assert page.content_type == "text/html"
            assert "default-src 'self'" in page.headers["Content-Security-Policy"]
            assert '<script type="module" src="app.js"></script>' in await page.text()
        async with http.get("/console/app.js") as script:
            assert script.status == 200
            assert "javascript" in script.content_type
            assert await script.text() == (CONSOLE_DIR / "app.js").read_text()
        async with http.get("/console", allow_redirects=False) as bare:
            assert bare.status == 308
            assert bare.headers["Location"] == "/console/"


async def test_a_missing_console_file_or_one_outside_its_folder_is_a_json_not_found(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "index.html").write_text("<!doctype html>")
    (tmp_path / "secret.txt").write_text("not for the browser")
    async with gateway(console_dir=tmp_path / "app") as http:
        async with http.get("/console/nothing.js") as missing:
            assert missing.status == 404
            assert (await missing.json())["code"] == 5
        outside = URL("/console/../secret.txt", encoded=True)
        async with http.get(outside) as escaped:
            assert escaped.status == 404
            assert "not for the browser" not in await escaped.text()
        async with http.get(URL("/console/%2e%2e/secret.txt", encoded=True)) as encoded:
            assert encoded.status == 404


async def test_without_development_mode_the_console_offers_no_login_and_none_is_served():
    async with gateway(jwt_secret=SECRET) as http:
        async with http.get("/console/config.json") as config:
            assert await config.json() == {"devLogin": False}
        async with http.post("/console/dev-login", json={"name": "mallory"}) as login:
            assert login.status == 404
            assert "token" not in await login.json()


async def test_in_development_mode_a_login_mints_an_ops_token_for_every_venue():
    async with gateway(gateway_dev_login=True, jwt_secret=SECRET) as http:
        async with http.get("/console/config.json") as config:
            assert await config.json() == {"devLogin": True}
        async with http.post("/console/dev-login", json={"name": "alice"}) as login:
            assert login.status == 200
            token = (await login.json())["token"]
    caller = verify_token(token, SECRET, issuer="maitred")
    assert caller.subject == "dev:alice"
    assert caller.roles == frozenset({Role.OPS})
    assert caller.covers("any-venue")


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 65}, {"name": 7}, "alice"])
async def test_a_development_login_without_a_usable_name_is_invalid_argument_naming_the_field(body):
    console = dict(gateway_dev_login=True, jwt_secret=SECRET)
    async with gateway(**console) as http, http.post("/console/dev-login", json=body) as login:
        assert login.status == 400
        answer = await login.json()
    (bad_request,) = [d for d in answer["details"] if d["@type"] == BAD_REQUEST]
    assert [v["field"] for v in bad_request["fieldViolations"]] == ["name"]


async def test_a_development_login_body_that_is_not_json_is_invalid_argument():
    console = dict(gateway_dev_login=True, jwt_secret=SECRET)
    async with gateway(**console) as http, http.post("/console/dev-login", data=b"{") as login:
        assert login.status == 400
        assert (await login.json())["code"] == 3


def test_development_mode_without_a_signing_secret_is_refused_at_start():
    with pytest.raises(ValidationError, match="MAITRED_JWT_SECRET"):
        GatewaySettings(gateway_dev_login=True, jwt_secret="short")
