"""Runs of plain `- name` lines, read by a regex instead of composed one YAML node each.

A fleet's `secondary:` list is thousands of plain `- domain` lines, and composing each as a node
(libyaml asks Python to resolve every scalar, then the located tree walks it) was most of reading
a big declaration. So located.py has libyaml compose the text with all but the first line of each
run blanked (every other node keeps its line and column), and splices the run's other names in
after the first line's node. That is the same tree: lines of `- name` at one indentation after an
item of a block sequence are further items of it, and whatever follows the run that would change
how its last item reads (a continuation line) changes how the first one reads instead, which the
splice refuses. Whenever it refuses, or YAML would not read a name as a string (`- 2024-01-01`,
`- yes`), the text is composed as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

STR_TAG = "tag:yaml.org,2002:str"
_ITEM_LINE = r"- [a-z0-9][a-z0-9.-]*+[ \t]*+\n"
_RUN_LINES = re.compile(rf"^( *){_ITEM_LINE}(?:\1{_ITEM_LINE})+", re.MULTILINE)
_RUN_NAME = re.compile(r"- ([a-z0-9][a-z0-9.-]*)")
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")  # line breaks libyaml counts and "\n" does not


@dataclass
class Run:
    """One run of plain `- name` lines: its first line (1-based), indentation and names."""

    line: int
    indent: int
    names: list[str]
    spliced: bool = False

    def splice(self, seq_node: yaml.Node, item: yaml.Node, items: list[Any], lines: list[int]) -> bool:
        """Append the run's other names and lines, if item is exactly the run's first line."""
        if not (
            seq_node.flow_style is False
            and seq_node.start_mark.column == self.indent
            and type(item) is yaml.ScalarNode
            and not item.style
            and item.tag == STR_TAG
            and item.start_mark.column == self.indent + 2
            and item.end_mark.line == item.start_mark.line
            and item.value == self.names[0]
            and not self.spliced
        ):
            return False
        items.extend(self.names[1:])
        lines.extend(range(self.line + 1, self.line + len(self.names)))
        self.spliced = True
        return True

    def all_strings(self, loader: yaml.SafeLoader) -> bool:
        """Whether YAML reads every name as a string, as it would had it composed them."""
        resolvers = loader.yaml_implicit_resolvers
        if None in resolvers:
            return False
        return all(
            loader.resolve(yaml.ScalarNode, name, (True, False)) == STR_TAG
            for name in self.names
            if name[0] in resolvers
        )


def plain_runs(text: str) -> tuple[dict[int, Run], str]:
    """The runs of plain item lines (by first line) and the text with all but their first lines
    blanked; no runs for a text with other line breaks than "\n"."""
    if any(mark in text for mark in _OTHER_BREAKS):
        return {}, text
    runs: dict[int, Run] = {}
    parts: list[str] = []
    done, line = 0, 1
    for m in _RUN_LINES.finditer(text):
        line += text.count("\n", done, m.start())
        lines = m.group().count("\n")
        first_end = text.index("\n", m.start()) + 1
        runs[line] = Run(line, len(m.group(1)), _names(m.group(), m.group(1) + "- "))
        parts += (text[done:first_end], "\n" * (lines - 1))
        done, line = m.end(), line + lines
    parts.append(text[done:])
    return runs, "".join(parts) if runs else text


def _names(run: str, prefix: str) -> list[str]:
    """The names of a run's lines, each `prefix` + name (+ spaces or tabs) + "\\n"."""
    if " \n" in run or "\t" in run:
        return _RUN_NAME.findall(run)
    return run[len(prefix) : -1].split("\n" + prefix)
