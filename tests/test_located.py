"""The YAML loader's guards: no aliases, no deep nesting, no huge file, and each refusal fast.

Every case runs through both ways a file is loaded: libyaml's (the usual, fast one) and the
pure-Python parser (taken when libyaml is missing, or when a file holds a character it is lax
about). Each guard keeps loading linear in the file's size, so the tests also hold it to seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bench.generate import declaration as generated
from kolab_dns import located
from kolab_dns.cli import cli
from kolab_dns.errors import DeclarationError
from kolab_dns.located import MAX_BYTES, MAX_DEPTH, load_file, load_text
from kolab_dns.octo.providers import Providers
from kolab_dns.project import Project

from .conftest import write

FAST_ENOUGH = 5.0  # seconds; each refusal below takes well under a tenth of that


@pytest.fixture(params=["libyaml", "pure-python"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "libyaml":
        if getattr(yaml, "CSafeLoader", None) is None:
            pytest.skip("PyYAML is built without libyaml here")
        assert located._FAST_LOADER is not None
    else:
        monkeypatch.setattr(located, "_FAST_LOADER", None)
    yield request.param


def refused(text: str) -> DeclarationError:
    start = time.monotonic()
    with pytest.raises(DeclarationError) as info:
        load_text(text, "zones/kolab.yaml")
    assert time.monotonic() - start < FAST_ENOUGH
    assert "\n" not in str(info.value)
    return info.value


# --- aliases ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("path")
def test_an_alias_is_refused_where_it_is_written() -> None:
    e = refused("kolab:\n  hostname: &host kolab.klab.cc\nprimary: *host\n")
    assert str(e) == (
        "zones/kolab.yaml:3: primary: aliases are not allowed in a declaration (*host: write the value out)"
    )


@pytest.mark.usefixtures("path")
def test_an_alias_to_a_list_and_a_merge_key_are_refused() -> None:
    assert refused("a: &l [1, 2]\nb:\n  c: *l\n").line == 3
    e = refused("x: &base {managed: false}\ny:\n  <<: *base\n")
    assert (e.line, e.key) == (3, "y.<<")


@pytest.mark.usefixtures("path")
def test_the_billion_laughs_fail_at_once() -> None:
    """Ten levels of nine aliases each would be 9^10 (3.5 billion) nodes if they were followed."""
    text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 11)
    )
    e = refused(text)
    assert (e.line, e.key) == (2, "a1")
    assert "aliases are not allowed" in e.message


@pytest.mark.usefixtures("path")
def test_an_undefined_alias_stays_a_syntax_error_and_an_unused_anchor_is_harmless() -> None:
    assert "found undefined alias 'nope'" in refused("a: *nope\n").message
    assert load_text("a: &anchor 1\nb: 2\n", "f").data == {"a": 1, "b": 2}


def test_a_provider_file_with_an_alias_names_itself(repo: Path) -> None:
    write(repo / "providers" / "x.yaml", "class: &c kolab_dns.octo.local.LocalYamlProvider\ndirectory: *c\n")
    with pytest.raises(DeclarationError) as info:
        Providers(Project.at(str(repo))).get("x")
    assert str(info.value) == (
        "providers/x.yaml:2: directory: aliases are not allowed in a provider file (*c: write the value out)"
    )


# --- nesting ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("path")
@pytest.mark.parametrize(
    "text, line, key",
    [
        ("kolab:\n  ipv4: " + "[" * 10_000 + "1.2.3.4" + "]" * 10_000 + "\n", 2, "kolab.ipv4"),
        ("kolab: " + "{a: " * 10_000 + "x" + "}" * 10_000 + "\n", 1, "kolab"),
        ("kolab:\n  ipv4:\n    " + "- " * 10_000 + "x\n", 3, "kolab.ipv4"),
        ("".join(" " * i + "k:\n" for i in range(200)), MAX_DEPTH, ".".join(["k"] * MAX_DEPTH)),
    ],
    ids=["flow-lists", "flow-mappings", "block-lists", "block-mappings"],
)
def test_10000_levels_of_nesting_fail_fast_with_a_line(text: str, line: int, key: str) -> None:
    e = refused(text)
    assert e.message == f"nesting deeper than {MAX_DEPTH} levels is not allowed in a declaration"
    assert (e.line, e.key) == (line, key)


@pytest.mark.usefixtures("path")
def test_nesting_up_to_the_limit_loads() -> None:
    """Both loaders count alike: the top mapping is level 1, the innermost value level MAX_DEPTH."""
    lists = MAX_DEPTH - 2  # the top mapping and the innermost scalar are levels too
    data = load_text("a: " + "[" * lists + "x" + "]" * lists + "\n", "f").data
    for _ in range(lists):
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data == ["x"]
    refused("a: " + "[" * (lists + 1) + "x" + "]" * (lists + 1) + "\n")


# --- size ---------------------------------------------------------------------------------------------


def test_a_50_mb_declaration_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "kolab.yaml"
    with open(big, "wb") as fh:  # sparse: 50 MB on paper, nothing on disk
        fh.truncate(50 * 1024 * 1024)
    start = time.monotonic()
    with pytest.raises(DeclarationError) as info:
        load_file(str(big), "zones/kolab.yaml")
    assert time.monotonic() - start < 1.0
    assert str(info.value) == (
        f"zones/kolab.yaml: 50.0 MB is larger than any declaration needs (at most {MAX_BYTES >> 20} MB)"
    )


def test_the_cli_refuses_a_50_mb_declaration_in_one_line(repo: Path) -> None:
    decl = repo / "zones" / "kolab.yaml"
    with open(decl, "ab") as fh:
        fh.truncate(50 * 1024 * 1024)
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["-C", str(repo), "validate"])
    assert time.monotonic() - start < FAST_ENOUGH
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "kolab-dns: error: zones/kolab.yaml: 50.0 MB is larger than any declaration needs (at most 16 MB)\n"
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_an_endless_file_is_read_no_further_than_the_limit() -> None:
    """A device or FIFO has no size to check first: reading stops one byte past the limit."""
    with pytest.raises(DeclarationError, match=r"^/dev/zero: 16\.0 MB is larger than"):
        load_file("/dev/zero")


def test_text_over_the_limit_is_refused_too() -> None:
    """`plan --since REF` loads the declaration from git as text, not from a file."""
    e = refused("# " + "x" * MAX_BYTES + "\n")
    assert e.line is None and "larger than any declaration needs" in e.message


def test_the_limit_is_far_above_a_100000_domain_declaration() -> None:
    plain = generated(100_000)
    assert len(plain.encode()) * 4 < MAX_BYTES  # 2.3 MB
    overrides = plain.replace(
        ".example\n", ".example: {provider: local, managed: true, mta_sts: true, kolab_verify: true}\n"
    )
    assert len(overrides.encode()) < MAX_BYTES  # overrides on every other domain: 6.5 MB
    start = time.monotonic()
    doc = load_text(plain, "zones/kolab.yaml")
    assert len(doc.data["secondary"]) == 100_000
    assert time.monotonic() - start < FAST_ENOUGH


@pytest.mark.usefixtures("path")
def test_a_syntax_error_below_long_lines_is_found_fast() -> None:
    """The key of a broken line is read from the lines above it: a run of a million spaces on one
    of them once cost minutes (a regular expression backtracking quadratically)."""
    lines = ["kolab:", "  hostname: kolab.klab.cc" + " " * 1_000_000 + "# a comment"]
    lines += ["  note" + " " * 1_000_000 + "x", "  ipv4: [1.2.3.4", ""]
    e = refused("\n".join(lines))
    assert (e.line, e.key) == (4, "kolab.ipv4")
