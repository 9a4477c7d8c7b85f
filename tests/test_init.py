"""`kolab-dns init`: a starter repository that plans at once, is never written over, keeps state and
keys out of git, and stays the same as the example copies the project keeps of it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kolab_dns.cli import cli

from .conftest import ROOT

FILES = ["zones/kolab.yaml", "providers/local.yaml", ".gitignore", ".github/workflows/dns.yml"]
# A commented example line: `# key: value` or `# - item`, as the starter writes them.
COMMENTED = re.compile(r"^(?P<indent> *)# (?P<line> *(- )?[a-z0-9_.-]+: )", re.MULTILINE)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def started(tmp_path: Path) -> Path:
    """A starter repository in a git work tree, as an operator begins."""
    code, out, err = run("init", str(tmp_path / "dns"))
    assert code == 0 and err == "", err
    assert out.splitlines()[0] == f"wrote {', '.join(FILES)} in {tmp_path / 'dns'}"
    assert git(tmp_path / "dns", "init", "-q").returncode == 0
    return tmp_path / "dns"


def test_init_writes_a_repository_that_validates_and_plans_at_once(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dns"  # parents are created
    assert run("init", str(target))[0] == 0
    assert sorted(tree(target)) == sorted(FILES)
    assert "# " in (target / "zones" / "kolab.yaml").read_text()  # commented for the operator
    code, out, _ = run("-C", str(target), "validate")
    assert code == 0 and out.startswith("zones/kolab.yaml: valid: 2 domains, 2 zones")
    code, out, _ = run("-C", str(target), "plan")
    assert code == 0 and out.startswith("Plan: 2 zones, 2 with changes:")
    for record in (
        "+ mail.example.com 3600 A 192.0.2.10",
        "+ mail.example.com 3600 AAAA 2001:db8::10",
        "+ example.com 3600 MX 10 mail.example.com.",
        "+ example.net 3600 MX 10 mail.example.com.",
        "+ kolab-verify.example.net 3600 CNAME",
    ):
        assert record in out
    assert run("-C", str(target), "sync")[0] == 0
    assert (target / ".kolab-dns" / "local" / "example.com.yaml").exists()


def test_init_defaults_to_the_C_directory_and_writes_the_chosen_ci(tmp_path: Path) -> None:
    assert run("-C", str(tmp_path / "a"), "init")[0] == 0
    assert sorted(tree(tmp_path / "a")) == sorted(FILES)
    assert run("-C", str(tmp_path), "init", "b", "--ci", "gitlab")[0] == 0
    assert sorted(tree(tmp_path / "b")) == sorted([*FILES[:3], ".gitlab-ci.yml"])
    assert run("init", str(tmp_path / "c"), "--ci", "none")[0] == 0
    assert sorted(tree(tmp_path / "c")) == sorted(FILES[:3])


def test_init_again_refuses_with_one_line_and_writes_nothing(started: Path) -> None:
    (started / "zones" / "kolab.yaml").write_text("kolab: {hostname: mine.example}\n")
    before = tree(started)
    code, out, err = run("init", str(started))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"kolab-dns: error: {started}/zones/kolab.yaml, ")
    assert err.rstrip().endswith("already exist; init never overwrites, and wrote nothing")
    assert tree(started) == before


@pytest.mark.parametrize("existing", FILES)
def test_any_one_existing_file_stops_the_whole_init(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    code, _, err = run("-C", str(tmp_path), "init")
    assert (
        code == 1
        and err
        == f"kolab-dns: error: {tmp_path}/{existing} already exists; init never overwrites, and wrote nothing\n"
    )
    assert tree(tmp_path) == {existing: b"mine\n"}


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "zones").write_text("a file where a directory goes\n")
    code, _, err = run("-C", str(tmp_path), "init", "--ci", "none")
    assert code == 1 and err.count("\n") == 1 and "init wrote nothing" in err
    assert tree(tmp_path) == {"zones": b"a file where a directory goes\n"}


def test_gitignore_keeps_state_keys_and_secrets_out_of_git(started: Path) -> None:
    ignored = [".kolab-dns/local/example.com.yaml", ".kolab-dns/keys/dkim1.key", "other/dkim2.key", ".env"]
    kept = [*FILES, "requirements.txt", "zones/dkim1.pub"]
    for path in ignored:
        assert git(started, "check-ignore", "-q", path).returncode == 0, path
    for path in kept:
        assert git(started, "check-ignore", "-q", path).returncode == 1, path
    # `dkim new` writes a private key only where git ignores it: the starter lets it.
    code, _, err = run("-C", str(started), "dkim", "new", "dkim1")
    assert code == 0, err
    assert (started / ".kolab-dns" / "keys" / "dkim1.key").exists()
    assert run("-C", str(started), "sync")[0] == 0
    status = git(started, "status", "--porcelain", "--untracked-files=all").stdout.split()
    assert sorted(status[1::2]) == sorted(FILES)  # nothing from .kolab-dns/ is even visible


def test_the_commands_that_edit_the_declaration_work_on_the_starter(started: Path) -> None:
    assert run("-C", str(started), "dkim", "new", "dkim1")[0] == 0
    assert run("-C", str(started), "add", "secondary", "customer.example")[0] == 0
    code, out, _ = run("-C", str(started), "render", "--domain", "customer.example")
    assert code == 0 and "\ndkim1._domainkey 3600 IN CNAME dkim1._domainkey.example.com.\n" in out
    assert run("-C", str(started), "validate")[0] == 0
    text = (started / "zones" / "kolab.yaml").read_text()
    assert "  - example.net" in text and "  - customer.example\n" in text and "    dkim1: " in text


def _uncommented(text: str) -> str:
    return COMMENTED.sub(r"\g<indent>\g<line>", text)


def _keys(data: object, prefix: str = "", depth: int = 2) -> set[str]:
    if not isinstance(data, dict) or depth == 0:
        return set()
    out = set()
    for key, value in data.items():
        out |= {prefix + key} | _keys(value, f"{prefix}{key}.", depth - 1)
    return out


def test_every_commented_example_in_the_starter_is_valid(started: Path) -> None:
    path = started / "zones" / "kolab.yaml"
    text = path.read_text()
    path.write_text(_uncommented(text))
    added = _keys(yaml.safe_load(path.read_text())) - _keys(yaml.safe_load(text))
    assert added == {
        *(
            "kolab.spf",
            "kolab.nameservers",
            "kolab.kolab_verify",
            "kolab.caa",
            "kolab.tlsa",
            "default_provider",
        ),
        *("network", "network.public", "network.interface", "network.internal", "network.services"),
        "zones.2.0.192.in-addr.arpa",
    }
    code, out, err = run("-C", str(started), "validate")
    assert code == 0, err
    assert out.startswith("zones/kolab.yaml: valid: 4 domains, 4 zones")  # the commented domains and zone too
    code, out, err = run("-C", str(started), "network", "render")
    assert code == 0 and "192.0.2.10" in out, err


def test_the_starter_shows_every_key_the_shipped_example_uses(started: Path) -> None:
    """The starter is the operator's template, the example (zones/kolab.yaml) reproduces Kolab's
    own zones for the golden tests; they differ in values, and must not drift apart in keys."""
    assert run("-C", str(started), "dkim", "new", "dkim1")[0] == 0  # how the starter gets `dkim:`
    mine = _keys(yaml.safe_load(_uncommented((started / "zones" / "kolab.yaml").read_text())))
    example = _keys(yaml.safe_load((ROOT / "zones" / "kolab.yaml").read_text()))
    example -= {k for k in example if k.startswith("zones.")}  # zone names, not keys
    assert example - mine == set()
