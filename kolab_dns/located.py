"""YAML loading that remembers where every key and item came from.

PyYAML's plain loaders drop line numbers and silently keep the last of two duplicate keys;
both would make a typo in a declaration hard to find, so this loader composes the node tree
itself and keeps the line of every mapping key and sequence item. libyaml composes the tree of a
valid file (a declaration of 10,000 domains in a tenth of the time); errors are always reported
by the pure-Python parser, whose messages and marks the error lines are built from.

Loading is kept linear in the file's size, so a hostile or botched file fails in seconds: aliases
are refused (nested ones expand exponentially, the "billion laughs"; nothing here needs them), as
are files over MAX_BYTES and nesting deeper than MAX_DEPTH (PyYAML composes recursively).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import DeclarationError
from .gc_batches import fewer_collections
from .yaml_runs import STR_TAG, Run, plain_runs

#: 100,000 domains, one line each, are 2.3 MB (bench/generate.py); with overrides on every one, ~10.
MAX_BYTES = 16 * 1024 * 1024
#: A declaration nests 5 levels deep (secondary, item, overrides, value); provider files a few more.
MAX_DEPTH = 64


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


class _Refused(Exception):
    """What the pure-Python loader will not compose, and where it is."""

    def __init__(self, problem: str, mark: yaml.Mark, hint: str = "") -> None:
        super().__init__(problem)
        self.problem, self.mark, self.hint = problem, mark, hint


class _Unusual(Exception):
    """libyaml's tree holds an alias or is too deep: the pure-Python loader says where."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases and deep nesting before it composes them."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and event.anchor in self.anchors:  # an undefined one is
            raise _Refused(
                "aliases are not allowed", event.start_mark, f" (*{event.anchor}: write the value out)"
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(f"nesting deeper than {MAX_DEPTH} levels is not allowed", event.start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


def _convert(
    node: yaml.Node,
    loader: yaml.SafeLoader,
    file: str,
    path: str = "",
    seen: set[int] | None = None,
    depth: int = 1,
    runs: dict[int, Run] | None = None,
) -> Any:
    """The located tree of a composed one. In libyaml's tree (`seen` given) it checks what _Loader
    refuses, before anything is expanded: a node met twice is an alias, and the depth. `runs`: the
    plain item runs taken out of the text, spliced back after their first item."""
    line = node.start_mark.line + 1
    if seen is not None:
        if id(node) in seen or depth > MAX_DEPTH:
            raise _Unusual
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = LDict()
        out.line, out.lines = line, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key = _convert(key_node, loader, file, path, seen, depth + 1, runs)
            if isinstance(key, (dict, list)):
                raise DeclarationError("a mapping key must be a plain value", file, key_line, path or None)
            where = f"{path}.{key}" if path else str(key)
            if key in out:
                raise DeclarationError(
                    f"duplicate key {key!r} (first on line {out.lines[key]})", file, key_line, where
                )
            out[key] = _convert(value_node, loader, file, where, seen, depth + 1, runs)
            out.lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line, seq.lines = line, []
        for index, item in enumerate(node.value):
            seq.append(_convert(item, loader, file, f"{path}[{index}]", seen, depth + 1, runs))
            seq.lines.append(item.start_mark.line + 1)
            if runs and (run := runs.get(seq.lines[-1])) is not None:
                if not run.splice(node, item, seq, seq.lines):
                    raise _Unusual
        return seq
    if node.tag == STR_TAG and type(node) is yaml.ScalarNode:
        return node.value  # what construct_object gives a string, without its bookkeeping
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as e:  # e.g. a date like 2024-02-30
        raise DeclarationError(f"invalid value: {e}", file, line, path or None) from None


# Linear on any line: a plain key runs greedily to its ':' (a lazy one before ` *:` backtracks
# quadratically over a long run of spaces); only a quoted key may have spaces before the ':'.
_KEY_LINE = re.compile(r"^( *)(?:- +)?(?:([^\s#:'\"{}\[\],&*!|>%@`-][^#:]*)|('[^']*'|\"[^\"]*\") *):(?:\s|$)")


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
        name = (m.group(2) or m.group(3)).strip().strip("'\"").strip()
        path.append((indent, name, bool(rest) and not rest.startswith("#")))
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
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def _printable(text: str) -> bool:
    """Whether the pure-Python reader accepts every character (its NON_PRINTABLE finds none);
    an ASCII text, the usual one, is told by one C pass instead of a regex over each character."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return not yaml.reader.Reader.NON_PRINTABLE.search(text)


def _fast(text: str, file: str, runs: dict[int, Run] | None = None) -> Doc:
    """libyaml's tree of a text, located; every run must have been spliced back in."""
    assert _FAST_LOADER is not None
    fast = _FAST_LOADER(text)
    try:
        node = fast.get_single_node()
        data = None if node is None else _convert(node, fast, file, seen=set(), runs=runs)
        if runs and not all(run.spliced and run.all_strings(fast) for run in runs.values()):
            raise _Unusual
    finally:
        fast.dispose()
    return Doc(file, data)


@fewer_collections()
def load_text(text: str, file: str, what: str = "declaration") -> Doc:
    """Parse YAML text; syntax errors become one-line DeclarationErrors. `what` names the kind of
    file in messages ("declaration", "provider file")."""
    if len(text) > MAX_BYTES:
        raise DeclarationError(_too_large(len(text), what), file)
    # libyaml is laxer about some characters the pure-Python reader rejects: those files go the slow way.
    if _FAST_LOADER is not None and _printable(text):
        runs, blanked = plain_runs(text)
        if runs:
            try:
                return _fast(blanked, file, runs)
            except (yaml.YAMLError, _Unusual, DeclarationError):
                pass  # composed below as written, whatever went wrong, and reported from that
        try:
            return _fast(text, file)
        except (yaml.YAMLError, _Unusual):
            pass  # reported below, in the pure-Python parser's words
    try:
        loader = _Loader(text)  # the reader checks for control characters right here
    except yaml.reader.ReaderError as e:
        raise _reader_error(e, text, file) from None
    try:
        node = loader.get_single_node()
        data = None if node is None else _convert(node, loader, file)
    except _Refused as e:
        line = e.mark.line + 1
        raise DeclarationError(f"{e.problem} in a {what}{e.hint}", file, line, key_at(text, line)) from None
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


def _too_large(size: int, what: str) -> str:
    mb = MAX_BYTES // (1024 * 1024)
    return f"{size / (1024 * 1024):.1f} MB is larger than any {what} needs (at most {mb} MB)"


def _reader_error(e: yaml.reader.ReaderError, text: str, file: str) -> DeclarationError:
    line = text[: e.position].count("\n") + 1
    return DeclarationError(
        f"control character U+{e.character:04X} is not allowed in YAML", file, line, key_at(text, line)
    )


def load_file(path: str, display: str | None = None, what: str = "declaration") -> Doc:
    """Read and parse a YAML file; a missing, unreadable or oversized file is a DeclarationError
    too. Never more than MAX_BYTES is read, whatever the path is (/dev/zero, a FIFO)."""
    shown = display or path
    try:
        with open(path, encoding="utf-8") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                raise DeclarationError(_too_large(size, what), shown)
            text = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DeclarationError("file not found", shown) from None
    except UnicodeDecodeError as e:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        line = raw[: e.start].count(b"\n") + 1
        key = key_at(raw[: e.start].decode("utf-8", "replace"), line)
        raise DeclarationError(
            f"byte 0x{raw[e.start]:02x} is not UTF-8; save the file as UTF-8", shown, line, key
        ) from None
    except OSError as e:
        raise DeclarationError(f"cannot read: {e.strerror or e.__class__.__name__}", shown) from None
    return load_text(text, shown, what)
