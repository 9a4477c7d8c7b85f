"""Editing the declaration as text, so comments, order and formatting survive.

`add secondary` inserts one line after the last item of the `secondary:` block, `dkim new` one
line under `kolab: dkim:` and `dkim retire` removes one; each reloads the result to prove it still
validates and holds the edit, and only then replaces the file, so a failed edit leaves the original
untouched.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable

from . import declaration as declaration_mod
from . import names
from .errors import DeclarationError
from .located import LDict, load_file
from .model import Declaration

_KEY = re.compile(r"^secondary\s*:\s*(#.*)?$")
_KOLAB = re.compile(r"^kolab\s*:\s*(#.*)?$")
_DKIM = re.compile(r"^(?P<indent>[ \t]+)dkim\s*:\s*(?P<rest>[^#]*?)\s*(?P<comment>#.*)?$")


def _item_line(domain: str, overrides: dict[str, object]) -> str:
    if not overrides:
        return f"- {domain}"
    inner = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in overrides.items())
    return f"- {domain}: {{{inner}}}"


def add_secondary(path: str, display: str, domain: str, overrides: dict[str, object]) -> str:
    """Append a secondary domain; returns its IDNA form."""
    try:
        ascii_name = names.to_ascii(domain)
    except names.InvalidName as e:
        raise DeclarationError(str(e), display, None, "secondary") from None
    decl = declaration_mod.load(path, display)
    existing = decl.domain(ascii_name)
    if existing is not None:
        where = "the primary domain" if existing.primary else f"already listed on line {existing.line}"
        raise DeclarationError(f"{ascii_name!r} is {where}", display, existing.line, "secondary")

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    lines = text.splitlines(keepends=True)
    item = _item_line(domain.strip(), overrides)
    start = next((i for i, line in enumerate(lines) if _KEY.match(line.rstrip("\n"))), None)
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines += ["secondary:\n", f"  {item}\n"]
    else:
        last, indent = start, "  "
        for i in range(start + 1, len(lines)):
            stripped = lines[i].strip()
            if not stripped or stripped.startswith("#"):
                continue
            if lines[i][0] in " \t" or stripped.startswith("-"):
                last = i
                if stripped.startswith("-"):
                    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
                continue
            break
        if not lines[last].endswith("\n"):
            lines[last] += "\n"
        lines.insert(last + 1, f"{indent}{item}\n")

    _replace_checked(
        path,
        display,
        "".join(lines),
        lambda check: check.domain(ascii_name) is not None,
        "secondary",
    )
    return ascii_name


def _replace_checked(
    path: str, display: str, new_text: str, holds: Callable[[Declaration], bool], key: str
) -> None:
    """Write beside the file, prove the result validates and `holds` the edit, then swap it in."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".kolab-dns-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new_text)
        if not holds(declaration_mod.load(tmp, display)):
            raise DeclarationError(
                f"could not edit the {key}: block, its layout is unusual; edit it by hand",
                display,
                None,
                key,
            )
        os.chmod(tmp, os.stat(path).st_mode & 0o777)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block_end(lines: list[str], start: int) -> int:
    """Index of the last line nested under lines[start] (blank and comment lines skipped)."""
    last, depth = start, len(_indent(lines[start]))
    for i in range(start + 1, len(lines)):
        if not _is_content(lines[i]):
            continue
        if len(_indent(lines[i])) <= depth:
            break
        last = i
    return last


def add_dkim_selector(path: str, display: str, selector: str, public_key: str) -> int:
    """Add `SELECTOR: KEY` under `kolab: dkim:` (creating `dkim:` if needed); returns its line."""
    key = f"kolab.dkim.{selector}"
    decl = declaration_mod.load(path, display)
    if any(k.selector == selector for k in decl.deployment.dkim):
        raise DeclarationError("DKIM selector is already declared; pick a new name", display, None, key)

    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines(keepends=True)
    layout = DeclarationError(
        "could not add the line: kolab: is not a block mapping; add it by hand", display, None, key
    )
    start = next((i for i, line in enumerate(lines) if _KOLAB.match(line.rstrip("\r\n"))), None)
    if start is None:
        raise layout
    end = _block_end(lines, start)
    children = [i for i in range(start + 1, end + 1) if _is_content(lines[i])]
    if not children:
        raise layout
    child = _indent(lines[children[0]])
    matches = ((i, _DKIM.match(lines[i].rstrip("\r\n"))) for i in children)
    i, m = next(((i, m) for i, m in matches if m and m["indent"] == child), (None, None))
    if i is None or m is None:  # no dkim: yet: append the whole block to kolab:
        at, new = end + 1, [f"{child}dkim:\n", f"{child * 2}{selector}: {public_key}\n"]
    else:
        if m["rest"] not in ("", "{}"):
            raise DeclarationError(
                "could not add the line: kolab.dkim is a flow mapping; add it by hand", display, None, key
            )
        if m["rest"] == "{}":
            lines[i] = f"{child}dkim:" + (f"  {m['comment']}" if m["comment"] else "") + "\n"
        dkim_end = _block_end(lines, i)
        grand = next((_indent(lines[j]) for j in range(i + 1, dkim_end + 1) if _is_content(lines[j])), None)
        at, new = dkim_end + 1, [f"{grand or child * 2}{selector}: {public_key}\n"]
    if not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    lines[at:at] = new
    _replace_checked(
        path,
        display,
        "".join(lines),
        lambda check: (selector, public_key) in {(k.selector, k.public_key) for k in check.deployment.dkim},
        "kolab.dkim",
    )
    return at + len(new)


def remove_dkim_selector(path: str, display: str, selector: str) -> int:
    """Delete the `SELECTOR: KEY` entry under `kolab: dkim:`; returns the line it was on."""
    key = f"kolab.dkim.{selector}"
    doc = load_file(path, display)
    dkim = doc.data.get("kolab", {}).get("dkim") if isinstance(doc.data, dict) else None
    if not isinstance(dkim, LDict) or selector not in dkim:
        raise DeclarationError("no such DKIM selector is declared", display, None, key)
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines(keepends=True)
    start = dkim.lines[selector] - 1
    if not lines[start].lstrip().startswith(f"{selector}:"):
        raise DeclarationError(
            "could not remove the line: kolab.dkim is a flow mapping; remove it by hand",
            display,
            start + 1,
            key,
        )
    del lines[start : _block_end(lines, start) + 1]  # the key may continue on indented lines
    _replace_checked(
        path,
        display,
        "".join(lines),
        lambda check: selector not in {k.selector for k in check.deployment.dkim},
        "kolab.dkim",
    )
    return start + 1
