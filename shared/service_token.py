"""A service's own short-lived bearer token for calls to other maitred services."""

from __future__ import annotations

import time
from collections.abc import Callable

from shared.auth import Role, mint_token

TOKEN_TTL_SECONDS = 300
# Re-mint this long before expiry, so a token never expires in flight or on a skewed clock.
TOKEN_MARGIN_SECONDS = 60


class ServiceToken:
    """Mints `service`-role tokens for all venues, anew shortly before each expires."""

    def __init__(
        self, secret: str, *, issuer: str, subject: str, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._subject = subject
        self._clock = clock
        self._token = ""
        self._expires = 0.0

    def metadata(self) -> list[tuple[str, str]]:
        """The authorization metadata for the next call."""
        now = self._clock()
        if now >= self._expires - TOKEN_MARGIN_SECONDS:
            self._token = mint_token(
                self._secret,
                subject=self._subject,
                roles=[Role.SERVICE],
                venues=["*"],
                ttl_seconds=TOKEN_TTL_SECONDS,
                issuer=self._issuer,
                now=now,
            )
            self._expires = now + TOKEN_TTL_SECONDS
        return [("authorization", f"Bearer {self._token}")]
