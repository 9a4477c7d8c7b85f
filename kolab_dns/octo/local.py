"""The embedded target: octoDNS's YamlProvider, reading its zone files with libyaml, an entry at a time.

octoDNS parses a zone file with PyYAML's pure-Python parser into one node tree: for a zone of
85,000 records that took 20 s and half a gigabyte before the first record was built. Here the
file, as octoDNS writes it (one top-level key per owner name), is read a batch of entries at a
time with libyaml: same files, same records, same context in messages. Anything else (tags such
as `!include`, anchors, a file not shaped so) goes octoDNS's own way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from octodns.context import ContextDict
from octodns.provider.yaml import YamlProvider
from octodns.record import Record
from octodns.zone import Zone

_CLoader: Any = getattr(yaml, "CSafeLoader", None)
BATCH_LINES = 20_000  # lines of YAML parsed at once: bounded memory, few parser starts


class _ContextLoader(_CLoader or yaml.SafeLoader):  # type: ignore[misc]
    """octoDNS's ContextLoader on libyaml: mappings remember file, line and column for messages."""

    file = ""
    first_line = 0  # of this batch within the file

    def construct_context_mapping(self, node: yaml.MappingNode, deep: bool = False) -> ContextDict:
        mark = node.start_mark
        context = f"{self.file}, line {self.first_line + mark.line + 1}, column {mark.column + 1}"
        return ContextDict(self.construct_mapping(node, deep), context=context)


_ContextLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _ContextLoader.construct_context_mapping
)


def _batches(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(first line, text) of runs of whole top-level entries. An entry starts at a line in column
    0 that is not a sequence item, an explicit key's value (`: `), a comment or a document marker."""
    start = 0
    for i, line in enumerate(lines):
        if i - start >= BATCH_LINES and line[:1] not in ("", " ", "-", ":", "#", ".", "\n", "\t"):
            yield start, "".join(lines[start:i])
            start = i
    yield start, "".join(lines[start:])


class LocalYamlProvider(YamlProvider):
    """A YamlProvider (same options, same files) whose reads are libyaml's."""

    def _populate_from_file(self, filename: str, zone: Zone, lenient: bool) -> None:
        if _CLoader is None or self.enforce_order or not self.escaped_semicolons:
            super()._populate_from_file(filename, zone, lenient)  # order checks, escaping: octoDNS's
            return
        with open(filename, encoding="utf-8") as fh:
            lines = fh.readlines()
        records = []
        try:
            for first, text in _batches(lines):
                for name, value in self._load(filename, first, text).items():
                    for item in value if isinstance(value, list) else [value]:
                        item.setdefault("ttl", self.default_ttl)
                        records.append(Record.new(zone, name, item, source=self, lenient=lenient))
        except (yaml.YAMLError, ValueError):
            super()._populate_from_file(filename, zone, lenient)  # octoDNS words the error, or reads tags
            return
        for record in records:
            zone.add_record(record, lenient=lenient, replace=self.populate_should_replace)

    @staticmethod
    def _load(filename: str, first: int, text: str) -> dict[str, Any]:
        loader = _ContextLoader(text)
        loader.file, loader.first_line = filename, first
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ValueError(f"{filename}: not a mapping of names")
        return data
