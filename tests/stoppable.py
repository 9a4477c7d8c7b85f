"""The context-manager half every test server shares: leaving the `with` block stops it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Stoppable:
    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
