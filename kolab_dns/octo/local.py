"""The embedded target: octoDNS's YamlProvider, reading its zone files with libyaml.

octoDNS parses YAML with PyYAML's pure-Python parser; reading the target's files was most of a
plan of 10,000 domains. Same files, same records, same messages' context: only the parser
differs, and anything libyaml cannot take (tags such as `!include`) goes octoDNS's own way.
"""

from __future__ import annotations

from typing import Any

import yaml
from octodns.context import ContextDict
from octodns.provider.yaml import YamlProvider
from octodns.record import Record
from octodns.zone import Zone

_CLoader: Any = getattr(yaml, "CSafeLoader", None)


class _ContextLoader(_CLoader or yaml.SafeLoader):  # type: ignore[misc]
    """octoDNS's ContextLoader on libyaml: mappings remember file, line and column for messages."""

    def construct_context_mapping(self, node: yaml.MappingNode, deep: bool = False) -> ContextDict:
        mark = node.start_mark
        context = f"{mark.name}, line {mark.line + 1}, column {mark.column + 1}"
        return ContextDict(self.construct_mapping(node, deep), context=context)


_ContextLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _ContextLoader.construct_context_mapping
)


class LocalYamlProvider(YamlProvider):
    """A YamlProvider (same options, same files) whose reads are libyaml's."""

    def _populate_from_file(self, filename: str, zone: Zone, lenient: bool) -> None:
        if _CLoader is None or self.enforce_order or not self.escaped_semicolons:
            super()._populate_from_file(filename, zone, lenient)  # order checks, escaping: octoDNS's
            return
        try:
            with open(filename, encoding="utf-8") as fh:
                data = yaml.load(fh, Loader=_ContextLoader)
        except yaml.YAMLError:
            super()._populate_from_file(filename, zone, lenient)  # octoDNS words the error, or reads tags
            return
        for name, value in (data or {}).items():
            for item in value if isinstance(value, list) else [value]:
                item.setdefault("ttl", self.default_ttl)
                record = Record.new(zone, name, item, source=self, lenient=lenient)
                zone.add_record(record, lenient=lenient, replace=self.populate_should_replace)
