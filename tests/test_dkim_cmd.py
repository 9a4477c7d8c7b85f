"""`kolab-dns dkim new`: a working key pair, the private half 0600 and never committable, the public
half one new line in the declaration that renders as the selector's TXT (k=ed25519 for ed25519)."""

from __future__ import annotations

import base64
import json
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kolab_dns.cli import cli
from kolab_dns.declaration import load
from kolab_dns.edit import add_dkim_selector
from kolab_dns.errors import DeclarationError

from .dkim_sign import DnsFunc, sign, tampered, verify

PRIMARY, SECONDARY = "kolab.klab.cc", "kolab-secondary.klab.cc"


def run(repo: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["-C", str(repo), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        check=True,
        capture_output=True,
    )


def rendered(repo: Path) -> dict[str, tuple[str, list[str]]]:
    """FQDN -> (type, values) of the rendered zones: DNS as the declaration says it."""
    out = {}
    for zone, names in json.loads(run(repo, "render", "--format", "json")[1]).items():
        for name, recs in names.items():
            for rec in recs:
                out[f"{name}.{zone}" if name else zone] = (rec["type"], rec["values"])
    return out


def dnsfunc(records: dict[str, tuple[str, list[str]]]) -> DnsFunc:
    """dkimpy's dnsfunc over rendered records, following CNAMEs as a resolver does."""

    def txt(name: bytes, timeout: int = 5) -> bytes | None:
        current = name.decode().rstrip(".")
        while current in records and records[current][0] == "CNAME":
            current = records[current][1][0].rstrip(".")
        found = records.get(current)
        return found[1][0].encode() if found and found[0] == "TXT" else None

    return txt


def test_new_rsa_key(repo: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    before = path.read_text().splitlines(keepends=True)
    code, out, err = run(repo, "dkim", "new", "s2025")
    assert code == 0, err
    public = out.strip()
    key = repo / ".kolab-dns" / "keys" / "s2025.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    private = key.read_bytes()
    assert private.startswith(b"-----BEGIN RSA PRIVATE KEY-----\n")
    body = b"".join(private.splitlines()[1:-1]).decode()
    assert body[:40] not in out + err  # the private key is never printed

    # exactly one new line, right after the existing selector, and the file still validates
    after = path.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(before) if line.startswith("    dkim1: ")) + 1
    assert after == [*before[:at], f"    s2025: {public}\n", *before[at:]]
    decl = load(str(path))
    (new,) = [k for k in decl.deployment.dkim if k.selector == "s2025"]
    assert (new.algorithm, new.bits) == ("rsa", 2048)
    assert "zones/kolab.yaml:11" in err

    records = rendered(repo)
    assert records[f"s2025._domainkey.{PRIMARY}"] == ("TXT", [f"v=DKIM1; p={public}"])
    assert records[f"s2025._domainkey.{SECONDARY}"] == ("CNAME", [f"s2025._domainkey.{PRIMARY}."])
    signed = sign(private, "s2025", SECONDARY)
    assert verify(signed, dnsfunc(records)) and not verify(tampered(signed), dnsfunc(records))


def test_new_ed25519_key_publishes_k_ed25519(repo: Path) -> None:
    code, out, err = run(repo, "dkim", "new", "ed1", "--type", "ed25519")
    assert code == 0, err
    public = out.strip()
    key = repo / ".kolab-dns" / "keys" / "ed1.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(base64.b64decode(key.read_bytes())) == 32 and len(base64.b64decode(public)) == 32
    assert key.read_bytes().strip().decode() not in out + err
    records = rendered(repo)
    assert records[f"ed1._domainkey.{PRIMARY}"] == ("TXT", [f"v=DKIM1; k=ed25519; p={public}"])
    signed = sign(key.read_bytes(), "ed1", SECONDARY, "ed25519")
    assert verify(signed, dnsfunc(records)) and not verify(tampered(signed), dnsfunc(records))


def test_bits_and_type_options(repo: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert run(repo, "dkim", "new", "big", "--bits", "3072", "--key-dir", str(keys))[0] == 0
    (big,) = [k for k in load(str(repo / "zones" / "kolab.yaml")).deployment.dkim if k.selector == "big"]
    assert big.bits == 3072
    code, _, err = run(repo, "dkim", "new", "ed", "--type", "ed25519", "--bits", "2048")
    assert code == 2 and "--bits applies to --type rsa only" in err
    assert run(repo, "dkim", "new", "small", "--bits", "512")[0] == 2


def test_refuses_existing_or_bad_selectors_and_existing_key_files(repo: Path, tmp_path: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    before = path.read_text()
    code, _, err = run(repo, "dkim", "new", "dkim1")
    assert code == 1 and "'dkim1' is already declared" in err
    code, _, err = run(repo, "dkim", "new", "../evil")
    assert code == 1 and "not a valid DKIM selector" in err
    assert not (repo / ".kolab-dns").exists()
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "taken.key").write_text("someone's key\n")
    code, _, err = run(repo, "dkim", "new", "taken", "--key-dir", str(keys))
    assert code == 1 and "already exists" in err
    assert (keys / "taken.key").read_text() == "someone's key\n"
    assert path.read_text() == before


def test_refuses_paths_git_could_commit(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = repo / "zones" / "kolab.yaml"
    git(repo, "init", "-q")
    (repo / "secrets").mkdir()
    (repo / "secrets" / "s1.key").write_text("tracked\n")
    git(repo, "add", "zones", "providers", "secrets")
    git(repo, "commit", "-q", "-m", "init")
    before = path.read_text()

    code, _, err = run(repo, "dkim", "new", "s1", "--key-dir", str(repo / "secrets"))
    assert code == 1 and "git tracks it" in err
    assert (repo / "secrets" / "s1.key").read_text() == "tracked\n"
    code, _, err = run(repo, "dkim", "new", "s2", "--key-dir", str(repo / "secrets"))
    assert code == 1 and "not git-ignored" in err
    code, _, err = run(repo, "dkim", "new", "s2")  # the default .kolab-dns/keys, not yet ignored
    assert code == 1 and "not git-ignored" in err
    assert path.read_text() == before and not (repo / ".kolab-dns").exists()

    (repo / ".gitignore").write_text(".kolab-dns/\n")
    assert run(repo, "dkim", "new", "s2")[0] == 0
    assert (repo / ".kolab-dns" / "keys" / "s2.key").exists()
    outside = tmp_path_factory.mktemp("outside") / "keys"  # the repo fixture is tmp_path itself
    assert run(repo, "dkim", "new", "s3", "--key-dir", str(outside))[0] == 0
    assert (outside / "s3.key").exists()
    assert {k.selector for k in load(str(path)).deployment.dkim} == {"dkim1", "s2", "s3"}


KEY = "kZP6IaUmz01KZOF+re28QuM0dPtVEyxCQpaLml1jKoc="


@pytest.mark.parametrize(
    ("dkim_block", "expected"),
    [
        ("", "  ttl: 3600\n  dkim:\n    new: KEY\n"),
        ("  dkim: {}   # none yet\n", "  dkim:  # none yet\n    new: KEY\n  ttl: 3600\n"),
        (
            "  dkim:\n      # rotated yearly\n      old: KEY2\n",
            "  dkim:\n      # rotated yearly\n      old: KEY2\n      new: KEY\n  ttl: 3600\n",
        ),
    ],
)
def test_add_dkim_selector_layouts(tmp_path: Path, dkim_block: str, expected: str) -> None:
    head = "kolab:\n  hostname: kolab.klab.cc\n  ipv4: [185.254.79.10]\n"
    tail = "primary: kolab.klab.cc\n"
    other = base64.b64encode(bytes(range(32))).decode()
    path = tmp_path / "kolab.yaml"
    path.write_text(head + dkim_block.replace("KEY2", other) + "  ttl: 3600\n" + tail)
    line = add_dkim_selector(str(path), "kolab.yaml", "new", KEY)
    text = path.read_text()
    assert text == head + expected.replace("KEY2", other).replace("KEY", KEY) + tail
    assert text.splitlines()[line - 1].strip() == f"new: {KEY}"


def test_add_dkim_selector_refuses_a_flow_mapping(tmp_path: Path) -> None:
    path = tmp_path / "kolab.yaml"
    text = f"kolab:\n  hostname: kolab.klab.cc\n  dkim: {{old: {KEY}}}\nprimary: kolab.klab.cc\n"
    path.write_text(text)
    with pytest.raises(DeclarationError, match="add it by hand"):
        add_dkim_selector(str(path), "kolab.yaml", "new", KEY)
    assert path.read_text() == text


def test_retire_removes_one_line_and_its_records(repo: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    assert run(repo, "dkim", "new", "s2026")[0] == 0
    before = path.read_text().splitlines()
    code, _, err = run(repo, "dkim", "retire", "dkim1")
    assert code == 0, err
    after = path.read_text().splitlines()
    assert [line for line in before if not line.lstrip().startswith("dkim1:")] == after
    assert "s2026.key is no longer published" not in err  # only the retired selector's key is named
    records = rendered(repo)
    assert not [name for name in records if name.startswith("dkim1.")]
    assert records[f"s2026._domainkey.{SECONDARY}"] == ("CNAME", [f"s2026._domainkey.{PRIMARY}."])


def test_retire_refuses_the_last_selector_and_unknown_ones(repo: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    text = path.read_text()
    code, _, err = run(repo, "dkim", "retire", "dkim1")
    assert code == 1 and "last DKIM selector" in err and path.read_text() == text
    code, _, err = run(repo, "dkim", "retire", "nope")
    assert code == 1 and "'nope' is not declared" in err and path.read_text() == text
    assert run(repo, "dkim", "retire", "dkim1", "--force")[0] == 0
    assert load(str(path)).deployment.dkim == ()
    assert not [name for name in rendered(repo) if "._domainkey." in name]


def test_retire_names_the_private_key_to_delete(repo: Path) -> None:
    run(repo, "dkim", "new", "old")
    code, _, err = run(repo, "dkim", "retire", "old")
    assert code == 0 and ".kolab-dns/keys/old.key is no longer published" in err
