"""The ops console at `/console/`: its files, and (development mode only) a login minting tokens."""

from __future__ import annotations

import json
from typing import Any

import grpc
from aiohttp import web

from services.gateway.settings import GatewaySettings
from services.gateway.statuses import HttpError, gateway_error
from shared.auth import ALL_VENUES, Role, mint_token

PREFIX = "/console"
MAX_NAME = 64
# The app loads nothing from elsewhere (the machines are offline): say so to the browser.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def add_console(app: web.Application, settings: GatewaySettings) -> None:
    """Serve the console under /console/ (before the API's catch-all route)."""
    index = settings.console_dir / "index.html"

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPPermanentRedirect(f"{PREFIX}/")

    async def page(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(index, headers=HEADERS)

    async def config(request: web.Request) -> web.StreamResponse:
        return web.json_response({"devLogin": settings.gateway_dev_login}, headers=HEADERS)

    async def dev_login(request: web.Request) -> web.StreamResponse:
        name, problem = _name_of(await request.read())
        if problem is not None:
            return _error(problem)
        token = mint_token(
            settings.jwt_secret.get_secret_value(),
            subject=f"dev:{name}",
            roles=[Role.OPS],
            venues=[ALL_VENUES],
            ttl_seconds=settings.gateway_dev_token_ttl_seconds,
            issuer=settings.jwt_issuer,
        )
        return web.json_response({"token": token}, headers=HEADERS)

    async def static(request: web.Request) -> web.StreamResponse:
        relative = request.match_info["file"]
        path = (settings.console_dir / relative).resolve()
        if not path.is_relative_to(settings.console_dir.resolve()) or not path.is_file():
            return _error(gateway_error(grpc.StatusCode.NOT_FOUND, f"no console file {relative}"))
        return web.FileResponse(path, headers=HEADERS)

    app.router.add_get(PREFIX, redirect)
    app.router.add_get(f"{PREFIX}/", page)
    app.router.add_get(f"{PREFIX}/config.json", config)
    if settings.gateway_dev_login:
        app.router.add_post(f"{PREFIX}/dev-login", dev_login)
    app.router.add_get(PREFIX + "/{file:[A-Za-z0-9_./-]+}", static)


def _name_of(body: bytes) -> tuple[str, HttpError | None]:
    """The developer's name from `{"name": ...}`: 1 to 64 printable characters."""
    try:
        parsed: Any = json.loads(body or b"{}")
    except ValueError:
        return "", gateway_error(
            grpc.StatusCode.INVALID_ARGUMENT, "the body is not JSON", field_name="name"
        )
    name = parsed.get("name") if isinstance(parsed, dict) else None
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name) > MAX_NAME
        or not name.isprintable()
    ):
        message = f"name must be 1 to {MAX_NAME} printable characters"
        return "", gateway_error(grpc.StatusCode.INVALID_ARGUMENT, message, field_name="name")
    return name.strip(), None


def _error(error: HttpError) -> web.Response:
    return web.json_response(error.body, status=error.status, headers=error.headers)
