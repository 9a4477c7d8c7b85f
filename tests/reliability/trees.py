"""Declaration data trees for the property tests: made of any values, and edited at one path."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def replace(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of tree with the node at path (mapping keys and list indexes) replaced by value."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {k: replace(v, rest, value) if k == head else v for k, v in tree.items()}
    return [replace(v, rest, value) if i == head else v for i, v in enumerate(tree)]


def scalars(more: Any) -> Any:
    """YAML's plain values of every kind, and `more` beside them."""
    return (
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=True)
        | st.text(max_size=20)
        | more
    )


def trees(leaves: Any, size: int, max_leaves: int) -> Any:
    """Lists and mappings of leaves, nested."""
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=size) | st.dictionaries(leaves, children, max_size=size),
        max_leaves=max_leaves,
    )
