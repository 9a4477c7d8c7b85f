"""The embedded target: octoDNS's YamlProvider, its zone files read and written with libyaml, a
batch of entries at a time.

octoDNS parses a zone file with PyYAML's pure-Python parser into one node tree: for a zone of
85,000 records that took 20 s and half a gigabyte before the first record was built. Here the
file, as octoDNS writes it (one top-level key per owner name), is read a batch of entries at a
time with libyaml: same files, same records, same context in messages. Anything else (tags such
as `!include`, anchors, a file not shaped so) goes octoDNS's own way. Writing is the mirror
image: octoDNS's entries, sorted as octoDNS sorts them, emitted by libyaml a batch at a time
instead of one pure-Python representation of the whole zone.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from typing import Any

import yaml
from octodns.context import ContextDict
from octodns.provider.plan import Plan
from octodns.provider.yaml import YamlProvider
from octodns.record import Delete, Record
from octodns.yaml import _dumpers
from octodns.zone import Zone
from yaml.representer import SafeRepresenter

from .convert import compact

_CLoader: Any = getattr(yaml, "CSafeLoader", None)
_CDumper: Any = getattr(yaml, "CSafeDumper", None)
BATCH_LINES = 20_000  # lines of YAML parsed at once: bounded memory, few parser starts
BATCH_NAMES = 2_000  # owner names emitted at once


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


def _batches(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(first line, text) of runs of whole top-level entries, holding one run at a time. An entry
    starts at a line in column 0 that is not a sequence item, an explicit key's value (`: `), a
    comment or a document marker."""
    start, run = 0, []
    for i, line in enumerate(lines):
        if len(run) >= BATCH_LINES and line[:1] not in ("", " ", "-", ":", "#", ".", "\n", "\t"):
            yield start, "".join(run)
            start, run = i, []
        run.append(line)
    yield start, "".join(run)


def _sorting_dumper(order_mode: str) -> type:
    """octoDNS's SortingDumper (every mapping's keys in its order) on libyaml's emitter."""
    keygen = _dumpers[order_mode].KEYGEN

    def represent(dumper: Any, data: dict[Any, Any]) -> Any:
        return dumper.represent_mapping("tag:yaml.org,2002:map", sorted(data.items(), key=keygen))

    def represent_str(dumper: Any, data: str) -> Any:  # libyaml takes exact str only, no value classes
        return SafeRepresenter.represent_str(dumper, str(data))

    dumper: type = type("SortingCDumper", (_CDumper,), {})
    dumper.add_representer(dict, represent)  # type: ignore[attr-defined]
    dumper.add_multi_representer(str, represent_str)  # type: ignore[attr-defined]
    dumper.add_multi_representer(dict, represent)  # type: ignore[attr-defined]
    return dumper


def _after(plan: Plan) -> dict[str, Record | list[Record]]:
    """The zone's records once the plan is applied, by decoded owner name, each name's records in
    octoDNS's order (by type): what YamlProvider gets from a copy of the zone with the changes
    applied (Zone.apply), without a second Zone of every record."""
    changed = {(c.record.name, c.record._type) for c in plan.changes}
    records = [r for r in plan.existing.records if (r.name, r._type) not in changed]
    records += [c.new for c in plan.changes if not isinstance(c, Delete)]
    records.sort()
    by_name: dict[str, Record | list[Record]] = {}
    for record in records:
        held = by_name.setdefault(record.decoded_name, record)
        if held is not record:
            if isinstance(held, list):
                held.append(record)
            else:
                by_name[record.decoded_name] = [held, record]
    return by_name


class LocalYamlProvider(YamlProvider):
    """A YamlProvider (same options, same files) whose reads and writes are libyaml's."""

    def _populate_from_file(self, filename: str, zone: Zone, lenient: bool) -> None:
        if _CLoader is None or self.enforce_order or not self.escaped_semicolons:
            super()._populate_from_file(filename, zone, lenient)  # order checks, escaping: octoDNS's
            return
        records = []
        try:
            with open(filename, encoding="utf-8") as fh:
                for first, text in _batches(fh):
                    for name, value in self._load(filename, first, text).items():
                        for item in value if isinstance(value, list) else [value]:
                            item.setdefault("ttl", self.default_ttl)
                            records.append(
                                compact(Record.new(zone, name, item, source=self, lenient=lenient))
                            )
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

    def _apply(self, plan: Plan) -> None:
        """YamlProvider._apply for one file per zone, written a batch of names at a time."""
        if _CDumper is None or self.split_extension or not self.escaped_semicolons:
            super()._apply(plan)
            return
        by_name = _after(plan)
        keygen = _dumpers[self.order_mode].KEYGEN
        dumper = _sorting_dumper(self.order_mode)
        os.makedirs(self.directory, exist_ok=True)
        filename = os.path.join(self.directory, f"{plan.existing.decoded_name}yaml")
        names = iter(sorted(by_name, key=keygen))
        with open(filename, "w") as fh:
            fh.write("---\n")
            while batch := list(itertools.islice(names, BATCH_NAMES)):
                entries = {name: self._entry(by_name[name]) for name in batch}
                for name in batch:
                    del by_name[name]
                yaml.dump(entries, fh, Dumper=dumper, indent=2, default_flow_style=False, allow_unicode=True)

    def _entry(self, records: Record | list[Record]) -> Any:
        """What YamlProvider._apply writes for one owner name (default TTLs left out)."""
        out = []
        for record in records if isinstance(records, list) else [records]:
            data = record.data
            data["type"] = record._type
            if record.ttl == self.default_ttl:
                del data["ttl"]
            out.append(data)
        return out[0] if len(out) == 1 else out
