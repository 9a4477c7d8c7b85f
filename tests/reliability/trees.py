"""Editing a declaration's data tree at one path, for the property tests that break it key by key."""

from __future__ import annotations

from typing import Any


def replace(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of tree with the node at path (mapping keys and list indexes) replaced by value."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {k: replace(v, rest, value) if k == head else v for k, v in tree.items()}
    return [replace(v, rest, value) if i == head else v for i, v in enumerate(tree)]
