"""The port every service's unit of work shares: one transaction, committed or rolled back."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol


class Transactional(Protocol):
    """Everything written through it commits together on `commit()`, or not at all."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
