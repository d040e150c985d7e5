"""Cross-origin access to the gateway for browsers on the origins the deployment allows.

aiohttp-cors does not fit here: it refuses a resource served by a `*` route (the gateway's one
catch-all route, which matches the annotated paths itself), it answers a preflight 200 with
only the requested method, and it sends no `Vary: Origin` on preflights. This module is the
small policy the Ops UI needs, applied in one middleware (preflights) and one response hook
(every other answer, streams and errors included, before its headers leave).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import hdrs, web

# The request headers a browser may send across origins (besides the CORS-safelisted ones).
ALLOWED_HEADERS = (
    "authorization",
    "content-type",
    "accept-language",
    "traceparent",
    "x-request-id",
)
# The answer headers a cross-origin page may read (besides the CORS-safelisted ones).
EXPOSED_HEADERS = ("X-Request-Id", "Retry-After")
ANY_ORIGIN = "*"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MethodsOf = Callable[[str], list[str]]


@dataclass(frozen=True)
class CorsPolicy:
    """Which origins may call, and how long a browser may keep a preflight's answer."""

    origins: frozenset[str]
    max_age_seconds: int = 600

    def allows(self, origin: str | None) -> bool:
        """True when a page on `origin` may call the gateway."""
        return origin is not None and (origin in self.origins or ANY_ORIGIN in self.origins)

    def allow_origin(self, origin: str) -> str:
        """The `Access-Control-Allow-Origin` value: the caller's origin, or `*` for anyone.

        Credentials (cookies) are never allowed: tokens travel in `Authorization`, so the
        wildcard never meets `Access-Control-Allow-Credentials`.
        """
        return ANY_ORIGIN if ANY_ORIGIN in self.origins else origin


def preflight_headers(
    policy: CorsPolicy, origin: str, methods: Iterable[str], requested_headers: str
) -> dict[str, str]:
    """The headers of a preflight's 204: the route's methods and the allowed requested headers."""
    requested = [name.strip().lower() for name in requested_headers.split(",") if name.strip()]
    headers = {
        "Access-Control-Allow-Origin": policy.allow_origin(origin),
        "Access-Control-Allow-Methods": ", ".join(methods),
        "Access-Control-Max-Age": str(policy.max_age_seconds),
        "Vary": "Origin",
    }
    allowed = [name for name in requested if name in ALLOWED_HEADERS]
    if allowed:
        headers["Access-Control-Allow-Headers"] = ", ".join(allowed)
    return headers


def install(app: web.Application, policy: CorsPolicy, methods_of: MethodsOf) -> None:
    """Answer preflights for the paths `methods_of` knows; mark every answer to an allowed origin.

    With no origins configured nothing is installed: the gateway answers as it did.
    """
    if not policy.origins:
        return

    @web.middleware
    async def preflight(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get(hdrs.ORIGIN)
        requested_method = request.headers.get(hdrs.ACCESS_CONTROL_REQUEST_METHOD)
        if request.method != hdrs.METH_OPTIONS or requested_method is None:
            return await handler(request)
        methods = methods_of(request.path)
        if origin is None or not policy.allows(origin) or requested_method not in methods:
            # Not ours to allow: the request goes on and its answer carries no CORS header.
            return await handler(request)
        requested_headers = request.headers.get(hdrs.ACCESS_CONTROL_REQUEST_HEADERS, "")
        return web.Response(
            status=204, headers=preflight_headers(policy, origin, methods, requested_headers)
        )

    async def mark(request: web.Request, response: web.StreamResponse) -> None:
        origin = request.headers.get(hdrs.ORIGIN)
        if hdrs.ACCESS_CONTROL_ALLOW_ORIGIN in response.headers:
            return  # a preflight's own answer
        if ANY_ORIGIN not in policy.origins:
            response.headers.add(hdrs.VARY, "Origin")  # caches keep one answer per origin
        if origin is not None and policy.allows(origin):
            response.headers[hdrs.ACCESS_CONTROL_ALLOW_ORIGIN] = policy.allow_origin(origin)
            response.headers[hdrs.ACCESS_CONTROL_EXPOSE_HEADERS] = ", ".join(EXPOSED_HEADERS)

    app.middlewares.append(preflight)
    app.on_response_prepare.append(mark)
