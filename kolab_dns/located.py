"""YAML loading that remembers where every key and item came from.

PyYAML's plain loaders drop line numbers and silently keep the last of two duplicate keys;
both would make a typo in a declaration hard to find, so this loader composes the node tree
itself and keeps the line of every mapping key and sequence item. libyaml composes the tree of a
valid file (a declaration of 10,000 domains in a tenth of the time); errors are always reported
by the pure-Python parser, whose messages and marks the error lines are built from.
"""

from __future__ import annotations

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


def _convert(node: yaml.Node, loader: yaml.SafeLoader, file: str) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = LDict()
        out.line, out.lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(key_node, loader, file)
            if isinstance(key, (dict, list)):
                raise DeclarationError(
                    "a mapping key must be a plain value", file, key_node.start_mark.line + 1
                )
            if key in out:
                raise DeclarationError(f"duplicate key {key!r}", file, key_node.start_mark.line + 1, str(key))
            out[key] = _convert(value_node, loader, file)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList()
        seq.line, seq.lines = line, []
        for item in node.value:
            seq.append(_convert(item, loader, file))
            seq.lines.append(item.start_mark.line + 1)
        return seq
    return loader.construct_object(node, deep=True)


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
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else _convert(node, loader, file)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(str(e.problem or e.context or "invalid YAML").split())
        raise DeclarationError(f"YAML syntax error: {problem}", file, line) from None
    except yaml.YAMLError as e:
        raise DeclarationError(f"YAML error: {' '.join(str(e).split())}", file) from None
    finally:
        loader.dispose()
    return Doc(file, data)


def load_file(path: str, display: str | None = None) -> Doc:
    """Read and parse a YAML file; a missing or unreadable file is a DeclarationError too."""
    shown = display or path
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise DeclarationError("file not found", shown) from None
    except (OSError, UnicodeDecodeError) as e:
        raise DeclarationError(f"cannot read: {e}", shown) from None
    return load_text(text, shown)
