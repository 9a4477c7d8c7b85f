"""YAML loading that remembers where every key and item came from.

PyYAML's plain loaders drop line numbers and silently keep the last of two duplicate keys;
both would make a typo in a declaration hard to find, so this loader composes the node tree
itself and keeps the line of every mapping key and sequence item. libyaml composes the tree of a
valid file (a declaration of 10,000 domains in a tenth of the time); errors are always reported
by the pure-Python parser, whose messages and marks the error lines are built from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import DeclarationError


class LDict(dict[Any, Any]):
    """A mapping that knows the line of each of its keys."""

    line: int
    lines: dict[Any, int]


class LList(list[Any]):
    """A sequence that knows the line of each of its items."""

    line: int
    lines: list[int]


@dataclass(frozen=True)
class Doc:
    """A loaded YAML document and the file it came from, for error messages."""

    file: str
    data: Any

    def error(self, message: str, key: str | None = None, line: int | None = None) -> DeclarationError:
        return DeclarationError(message, self.file, line, key)


_STR = "tag:yaml.org,2002:str"


def _convert(node: yaml.Node, loader: yaml.SafeLoader, file: str, path: str = "") -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = LDict()
        out.line, out.lines = line, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key = _convert(key_node, loader, file, path)
            if isinstance(key, (dict, list)):
                raise DeclarationError("a mapping key must be a plain value", file, key_line, path or None)
            where = f"{path}.{key}" if path else str(key)
            if key in out:
                raise DeclarationError(
                    f"duplicate key {key!r} (first on line {out.lines[key]})", file, key_line, where
                )
            out[key] = _convert(value_node, loader, file, where)
            out.lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line, seq.lines = line, []
        for index, item in enumerate(node.value):
            seq.append(_convert(item, loader, file, f"{path}[{index}]"))
            seq.lines.append(item.start_mark.line + 1)
        return seq
    if node.tag == _STR and type(node) is yaml.ScalarNode:
        return node.value  # what construct_object gives a string, without its bookkeeping
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as e:  # e.g. a date like 2024-02-30
        raise DeclarationError(f"invalid value: {e}", file, line, path or None) from None


_KEY_LINE = re.compile(r"^( *)(?:- +)?([^\s#:'\"{}\[\],&*!|>%@`-][^#:]*?|'[^']*'|\"[^\"]*\") *:(?:\s|$)")


def key_at(text: str, line: int) -> str | None:
    """Dotted path of the block-mapping keys enclosing a line, read from indentation alone.

    A document with a syntax error has no tree to ask, yet the user wants to know which key the
    broken line belongs to; indentation is what a reader goes by too.
    """
    path: list[tuple[int, str, bool]] = []  # indent, key, has an inline value (so no children)
    for raw in text.splitlines()[:line]:
        expanded = raw.expandtabs(8)
        m = _KEY_LINE.match(expanded)
        if not m:
            continue
        indent = len(m.group(1))
        while path and (path[-1][0] >= indent or path[-1][2]):
            path.pop()
        rest = expanded[m.end() :].strip()
        path.append((indent, m.group(2).strip("'\"").strip(), bool(rest) and not rest.startswith("#")))
    return ".".join(k for _, k, _ in path) or None


def _error_mark(e: yaml.MarkedYAMLError) -> yaml.Mark | None:
    """Where the user has to look: an unclosed quote or bracket is wrong where it opened."""
    context = e.context or ""
    if e.context_mark is not None and ("quoted" in context or "flow" in context):
        return e.context_mark
    return e.problem_mark or e.context_mark


# PyYAML's words for the usual slips, and what a person would call them.
_PLAIN = (
    ("expected <block end>, but found", "this line is indented differently from the keys around it"),
    ("mapping values are not allowed here", "a ':' where YAML allows none (indentation? quotes?)"),
    ("found character '\\t' that cannot start any token", "a tab; indent with spaces"),
    ("could not find expected ':'", "a key without its ':'"),
)


def _plain(e: yaml.MarkedYAMLError) -> str:
    problem = " ".join(str(e.problem or e.context or "invalid YAML").split())
    context = e.context or ""
    if "quoted scalar" in context:
        return f"a quoted string is not closed ({problem})"
    if "flow mapping" in context or "flow sequence" in context:
        bracket = "{" if "mapping" in context else "["
        return f"a '{bracket}' is not closed, or a value inside it needs quotes ({problem})"
    for marker, words in _PLAIN:
        if marker in problem:
            return f"{words} ({problem})"
    return problem


_FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)


def load_text(text: str, file: str) -> Doc:
    """Parse YAML text; syntax errors become one-line DeclarationErrors."""
    # libyaml is laxer about some characters the pure-Python reader rejects: those files go the slow way.
    if _FAST_LOADER is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        fast = _FAST_LOADER(text)
        try:
            node = fast.get_single_node()
            return Doc(file, None if node is None else _convert(node, fast, file))
        except yaml.YAMLError:
            pass  # reported below, in the pure-Python parser's words
        finally:
            fast.dispose()
    try:
        loader = yaml.SafeLoader(text)  # the reader checks for control characters right here
    except yaml.reader.ReaderError as e:
        raise _reader_error(e, text, file) from None
    try:
        node = loader.get_single_node()
        data = None if node is None else _convert(node, loader, file)
    except yaml.MarkedYAMLError as e:
        mark = _error_mark(e)
        line = min(mark.line + 1, text.count("\n") + 1) if mark else None
        problem = _plain(e)
        key = key_at(text, line) if line else None
        raise DeclarationError(f"YAML syntax error: {problem}", file, line, key) from None
    except yaml.reader.ReaderError as e:
        raise _reader_error(e, text, file) from None
    except yaml.YAMLError as e:
        raise DeclarationError(f"YAML error: {' '.join(str(e).split())}", file) from None
    finally:
        loader.dispose()
    return Doc(file, data)


def _reader_error(e: yaml.reader.ReaderError, text: str, file: str) -> DeclarationError:
    line = text[: e.position].count("\n") + 1
    return DeclarationError(
        f"control character U+{e.character:04X} is not allowed in YAML", file, line, key_at(text, line)
    )


def load_file(path: str, display: str | None = None) -> Doc:
    """Read and parse a YAML file; a missing or unreadable file is a DeclarationError too."""
    shown = display or path
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise DeclarationError("file not found", shown) from None
    except UnicodeDecodeError as e:
        with open(path, "rb") as fh:
            raw = fh.read()
        line = raw[: e.start].count(b"\n") + 1
        key = key_at(raw[: e.start].decode("utf-8", "replace"), line)
        raise DeclarationError(
            f"byte 0x{raw[e.start]:02x} is not UTF-8; save the file as UTF-8", shown, line, key
        ) from None
    except OSError as e:
        raise DeclarationError(f"cannot read: {e.strerror or e.__class__.__name__}", shown) from None
    return load_text(text, shown)
