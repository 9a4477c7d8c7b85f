"""Reading a located YAML tree: typed values out, or a DeclarationError naming file, line and key.

Every section of the declaration (and the `network:` section) is read through one Reader, so every
mistake is reported the same way: `file:line: dotted.key: what is wrong`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from . import names
from .errors import DeclarationError
from .located import Doc, LDict, LList

T = TypeVar("T")


def kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        LDict: "a mapping",
        LList: "a list",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
    }.get(type(value), type(value).__name__)


def short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


class Reader:
    """Walks a located YAML tree and raises DeclarationErrors with file, line and key."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc

    def fail(self, msg: str, key: str, line: int | None) -> DeclarationError:
        return self.doc.error(msg, key, line)

    def mapping(
        self, value: Any, key: str, line: int | None, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> LDict:
        if not isinstance(value, LDict):
            raise self.fail(f"expected a mapping, got {kind(value)}", key or "(top level)", line)
        allowed = list(allowed)
        for k in value:
            if k not in allowed:
                hint = difflib.get_close_matches(str(k), allowed, n=1)
                extra = (
                    f" (did you mean {hint[0]!r}?)" if hint else f"; expected one of: {', '.join(allowed)}"
                )
                raise self.fail(f"unknown key {k!r}{extra}", join(key, str(k)), value.lines[k])
        for k in required:
            if k not in value or value[k] is None:
                raise self.fail("missing required key", join(key, k), value.lines.get(k, value.line))
        return value

    def typed(self, value: Any, want: type | tuple[type, ...], key: str, line: int | None, what: str) -> Any:
        if (isinstance(value, bool) and want is int) or not isinstance(value, want):
            raise self.fail(f"expected {what}, got {kind(value)} {short(value)}", key, line)
        return value

    def choice(self, value: Any, choices: Iterable[str], key: str, line: int | None) -> str:
        choices = list(choices)
        if value not in choices:
            hint = difflib.get_close_matches(str(value), choices, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise self.fail(f"expected one of {', '.join(choices)}, got {value!r}{extra}", key, line)
        return value

    def name(self, value: Any, key: str, line: int | None) -> str:
        self.typed(value, str, key, line, "a domain name")
        try:
            return names.to_ascii(value)
        except names.InvalidName as e:
            raise self.fail(str(e), key, line) from None

    def parsed(self, value: Any, parse: Callable[[Any], T], key: str, line: int | None) -> T:
        """parse(value), with its ValueError (the standard library's way of refusing) located."""
        try:
            return parse(value)
        except ValueError as e:
            raise self.fail(str(e), key, line) from None

    def items(self, value: Any, key: str, line: int | None) -> list[tuple[Any, int]]:
        """A list (or a single scalar) as (item, line) pairs."""
        if value is None:
            return []
        if isinstance(value, LList):
            return list(zip(value, value.lines, strict=False))
        if isinstance(value, (str, int)):
            return [(value, line or 0)]
        raise self.fail(f"expected a list, got {kind(value)}", key, line)

    def boolean(self, value: Any, key: str, line: int | None) -> bool:
        return bool(self.typed(value, bool, key, line, "true or false"))
