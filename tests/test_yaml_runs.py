"""Runs of plain `- name` lines are spliced into libyaml's tree instead of composed one node each
(kolab_dns/yaml_runs.py). Whatever the text, the located tree, its lines and any error are exactly
what composing the text as written gives; and a fleet's list is indeed read by the splice."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import generate
from kolab_dns import located
from kolab_dns.errors import DeclarationError
from kolab_dns.located import LDict, LList, load_text


def tree(value: Any) -> Any:
    """Everything the located tree says: values, their types, and the line of every key and item."""
    if isinstance(value, LDict):
        return ("map", value.line, [(tree(k), value.lines[k], tree(v)) for k, v in value.items()])
    if isinstance(value, LList):
        return ("seq", value.line, [(line, tree(v)) for v, line in zip(value, value.lines, strict=True)])
    return (type(value).__name__, value)


def outcome(text: str) -> Any:
    try:
        return tree(load_text(text, "zones/kolab.yaml").data)
    except DeclarationError as e:
        return ("error", str(e))


def as_written(text: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The outcome with no run taken out of the text: every line composed by libyaml."""
    with monkeypatch.context() as m:
        m.setattr(located, "plain_runs", lambda text: ({}, text))
        return outcome(text)


LINES = st.sampled_from(
    [
        "secondary:\n",
        "  - a.example\n",
        "  - b.example\n",
        "  - c.example  \n",
        "- a.example\n",
        "- top.example\n",
        "    - deep.example\n",
        "    continued.example\n",
        "  key: value\n",
        "  - k.example: {managed: false}\n",
        "  - 2024-01-01\n",
        "  - 2024-02-30\n",
        "  - yes\n",
        "  - null\n",
        "  - 0x1f\n",
        "  - 1.5\n",
        "  - 10\n",
        "note: |\n",
        "note: >\n",
        'quoted: "open\n',
        '  close"\n',
        "flow: [\n",
        "  ]\n",
        "  # a comment\n",
        "\n",
        "   \n",
        "other:\n",
        "  - &anchor x.example\n",
        "  - *anchor\n",
        "dup: 1\n",
        "\t- tab.example\n",
        "  - a.example\r\n",
    ]
)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=14))
def test_any_text_reads_as_it_does_composed_as_written(lines: list[str]) -> None:
    text = "".join(lines)
    with pytest.MonkeyPatch.context() as m:
        assert outcome(text) == as_written(text, m)


@pytest.mark.parametrize(
    "text",
    [
        "secondary:\n  - a.example\n  - b.example\n  - c.example\n",
        "secondary:\n- a.example\n- b.example\nprimary: x.example\n",
        "a:\n  - x.example\n  - y.example\nb:\n  - z.example\n  - w.example\n",
        "secondary:\n  - a.example\n  - b.example\n    continued.example\n",  # the last one continues
        "secondary:\n  - a.example\n  - b.example\n\n    continued.example\n",
        "secondary:\n  - a.example\n  - b.example\n  : value\n",
        "note: |\n  - a.example\n  - b.example\nx: 1\n",
        "note: >\n  - a.example\n  - b.example\n",
        'note: "x\n  - a.example\n  - b.example\n  "\n',
        "note: x\n  - a.example\n  - b.example\n",  # a plain scalar going on over the lines
        "flow: [\n  - a.example\n  - b.example\n]\n",
        "s:\n  - 2024-01-01\n  - yes\n  - 0x1f\n  - null\n  - 1.5\n  - 10\n  - on\n",
        "s:\n  - a.example\n  - 2024-02-30\n",  # an invalid date: the error of the text as written
        "s:\n  - a.example\n  - b.example\ns: 1\n",  # a duplicate key after a run
        "s:\n  - a.example\n  - b.example\n  - a.example\n",
        "- a.example\n- b.example\n",
        "s:\n  - a.example\n  - b.example",  # no line break after the last
        "s:\n  - a.example\n  - b.example\r\n  - c.example\n",
        "s:\n  - a.example\n  - b.example\n  - c.example\u2028x: 1\n",
        "x: &a 1\ns:\n  - a.example\n  - b.example\ny: *a\n",
    ],
)
def test_edge_cases_read_as_composed_as_written(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert outcome(text) == as_written(text, monkeypatch)


def test_names_yaml_reads_as_other_values_stay_those_values() -> None:
    data = load_text("s:\n  - 2024-01-01\n  - yes\n  - 0x1f\n  - a.example\n", "f").data
    assert data["s"] == [datetime.date(2024, 1, 1), True, 31, "a.example"]
    assert data["s"].lines == [2, 3, 4, 5]


def test_a_fleet_is_read_by_the_splice(monkeypatch: pytest.MonkeyPatch) -> None:
    """1,000 domains compose as a few dozen nodes, and read exactly as composing all of them."""
    text = generate.declaration(1000, report_authorization="wildcard")
    composed = []
    convert = located._convert

    def counting(node: Any, *args: Any, **kwargs: Any) -> Any:
        composed.append(node)
        return convert(node, *args, **kwargs)

    monkeypatch.setattr(located, "_convert", counting)
    spliced = outcome(text)
    assert len(composed) < 100
    composed.clear()
    assert spliced == as_written(text, monkeypatch)
    assert len(composed) > 1000
    secondary = load_text(text, "f").data["secondary"]
    assert len(secondary) == 1000 and secondary.lines == list(
        range(secondary.lines[0], secondary.lines[0] + 1000)
    )


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2030), max_size=20))
def test_printable_is_the_pure_python_readers_check(text: str) -> None:
    assert located._printable(text) == (yaml.reader.Reader.NON_PRINTABLE.search(text) is None)
