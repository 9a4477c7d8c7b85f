"""Editing the declaration as text, so comments, order and formatting survive.

`add secondary` inserts one line after the last item of the `secondary:` block, then reloads
the file to prove the result still validates, and restores the original if it does not.
"""

from __future__ import annotations

import os
import re
import tempfile

from . import declaration as declaration_mod
from . import names
from .errors import DeclarationError

_KEY = re.compile(r"^secondary\s*:\s*(#.*)?$")


def _item_line(domain: str, overrides: dict[str, object]) -> str:
    if not overrides:
        return f"- {domain}"
    inner = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in overrides.items())
    return f"- {domain}: {{{inner}}}"


def add_secondary(path: str, display: str, domain: str, overrides: dict[str, object]) -> str:
    """Append a secondary domain; returns its IDNA form."""
    try:
        ascii_name = names.to_ascii(domain)
    except names.NameError_ as e:
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

    new_text = "".join(lines)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".kolab-dns-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new_text)
        check = declaration_mod.load(tmp, display)
        if check.domain(ascii_name) is None:
            raise DeclarationError(
                "could not add the line: the secondary: block has an unusual layout; add it by hand",
                display,
                None,
                "secondary",
            )
        os.chmod(tmp, os.stat(path).st_mode & 0o777)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return ascii_name
