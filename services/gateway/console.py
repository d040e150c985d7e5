"""The ops console at `/console/`: its files, and (development mode only) a login minting tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc
from aiohttp import web
from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.gateway.statuses import HttpError, gateway_error
from shared.auth import ALL_VENUES, Role, mint_token

CONSOLE_DIR = Path(__file__).resolve().parents[2] / "console" / "src"
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


class ConsoleSettings(BaseSettings):
    """Where the console's files are; whether this gateway mints development tokens (never in prod).

    Development mode signs tokens, so it needs the suite's JWT secret; it is refused without one.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    directory: Path = Field(
        default=CONSOLE_DIR, validation_alias=AliasChoices("MAITRED_CONSOLE_DIR", "directory")
    )
    dev_login: bool = Field(
        default=False, validation_alias=AliasChoices("MAITRED_GATEWAY_DEV_LOGIN", "dev_login")
    )
    jwt_secret: str = Field(
        default="", repr=False, validation_alias=AliasChoices("MAITRED_JWT_SECRET", "jwt_secret")
    )
    jwt_issuer: str = Field(
        default="maitred", validation_alias=AliasChoices("MAITRED_JWT_ISSUER", "jwt_issuer")
    )
    dev_token_ttl_seconds: int = Field(default=8 * 3600, gt=0, le=24 * 3600)

    @model_validator(mode="after")
    def _secret_for_dev_login(self) -> ConsoleSettings:
        if self.dev_login and len(self.jwt_secret) < 32:
            raise ValueError("MAITRED_GATEWAY_DEV_LOGIN needs MAITRED_JWT_SECRET (32+ characters)")
        return self


def add_console(app: web.Application, settings: ConsoleSettings) -> None:
    """Serve the console under /console/ (before the API's catch-all route)."""
    index = settings.directory / "index.html"

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPPermanentRedirect(f"{PREFIX}/")

    async def page(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(index, headers=HEADERS)

    async def config(request: web.Request) -> web.StreamResponse:
        return web.json_response({"devLogin": settings.dev_login}, headers=HEADERS)

    async def dev_login(request: web.Request) -> web.StreamResponse:
        name, problem = _name_of(await request.read())
        if problem is not None:
            return _error(problem)
        token = mint_token(
            settings.jwt_secret,
            subject=f"dev:{name}",
            roles=[Role.OPS],
            venues=[ALL_VENUES],
            ttl_seconds=settings.dev_token_ttl_seconds,
            issuer=settings.jwt_issuer,
        )
        return web.json_response({"token": token}, headers=HEADERS)

    async def static(request: web.Request) -> web.StreamResponse:
        relative = request.match_info["file"]
        path = (settings.directory / relative).resolve()
        if not path.is_relative_to(settings.directory.resolve()) or not path.is_file():
            return _error(gateway_error(grpc.StatusCode.NOT_FOUND, f"no console file {relative}"))
        return web.FileResponse(path, headers=HEADERS)

    app.router.add_get(PREFIX, redirect)
    app.router.add_get(f"{PREFIX}/", page)
    app.router.add_get(f"{PREFIX}/config.json", config)
    if settings.dev_login:
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
