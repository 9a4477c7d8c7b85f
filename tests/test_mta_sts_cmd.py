"""`kolab-dns mta-sts policy`: the exact RFC 8461 text, the files a web server serves, and the id
in DNS that changes exactly when that text does."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kolab_dns.cli import cli
from kolab_dns.declaration import load
from kolab_dns.records.mta_sts import policy_id, policy_text

POLICY = "version: STSv1\r\nmode: enforce\r\nmx: kolab.klab.cc\r\nmax_age: 604800\r\n"
SECONDARY_ON = "  - kolab-secondary.klab.cc: {mta_sts: true}\n"


def run(repo: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["-C", str(repo), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    # stdout_bytes: Result.stdout turns CRLF into LF, and CRLF is what is under test here
    return result.exit_code, result.stdout_bytes.decode(), result.stderr


def edit(repo: Path, old: str, new: str) -> None:
    path = repo / "zones" / "kolab.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def secondary_publishes(repo: Path) -> None:
    edit(repo, "  - kolab-secondary.klab.cc\n", SECONDARY_ON)


def test_policy_is_the_exact_crlf_text(repo: Path) -> None:
    code, out, _ = run(repo, "mta-sts", "policy")
    assert code == 0 and out == POLICY
    assert run(repo, "mta-sts", "policy", "KOLAB.klab.cc")[1] == POLICY
    edit(
        repo,
        "mta_sts: {mode: enforce, max_age: 604800}",
        "mta_sts: {mode: testing, mx: [kolab.klab.cc, '*.mx.klab.cc'], max_age: 86400}",
    )
    assert run(repo, "mta-sts", "policy")[1] == (
        "version: STSv1\r\nmode: testing\r\nmx: kolab.klab.cc\r\nmx: *.mx.klab.cc\r\nmax_age: 86400\r\n"
    )


def test_policy_for_a_domain_without_mta_sts_fails(repo: Path) -> None:
    code, out, err = run(repo, "mta-sts", "policy", "kolab-secondary.klab.cc")
    assert code == 1 and out == ""
    assert "kolab-secondary.klab.cc does not publish MTA-STS" in err
    code, _, err = run(repo, "mta-sts", "policy", "other.example")
    assert code == 1 and "not a domain of this declaration" in err


def test_write_lays_out_one_file_per_mta_sts_host(repo: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "www"
    code, out, err = run(repo, "mta-sts", "policy", "--write", str(out_dir))
    assert code == 0 and out == ""
    files = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert files == ["mta-sts.kolab.klab.cc/.well-known/mta-sts.txt"]
    assert (out_dir / files[0]).read_bytes() == POLICY.encode()
    assert f"wrote {out_dir / files[0]}" in err

    secondary_publishes(repo)
    run(repo, "mta-sts", "policy", "--write", str(out_dir))
    files = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert files == [
        "mta-sts.kolab-secondary.klab.cc/.well-known/mta-sts.txt",
        "mta-sts.kolab.klab.cc/.well-known/mta-sts.txt",
    ]
    assert {(out_dir / f).read_bytes() for f in files} == {POLICY.encode()}


def test_the_published_id_is_the_digest_of_the_policy_text(repo: Path) -> None:
    secondary_publishes(repo)
    text = run(repo, "mta-sts", "policy")[1]
    assert text == policy_text(load(str(repo / "zones" / "kolab.yaml")))
    zone = json.loads(run(repo, "render", "--format", "json")[1])["klab.cc"]
    for name in ("_mta-sts.kolab", "_mta-sts.kolab-secondary"):
        assert zone[name] == [{"type": "TXT", "ttl": 3600, "values": [f"v=STSv1; id={policy_id(text)};"]}]


def test_changing_max_age_updates_each_mta_sts_id_once(repo: Path) -> None:
    secondary_publishes(repo)
    assert run(repo, "sync")[0] == 0
    edit(repo, "max_age: 604800", "max_age: 86400")
    data = json.loads(run(repo, "plan", "--format", "json")[1])
    assert data["summary"]["updates"] == 2 and data["summary"]["creates"] == data["summary"]["deletes"] == 0
    new_id = policy_id(run(repo, "mta-sts", "policy")[1])
    assert [(c["action"], c["name"], c["type"], c["new"]) for c in data["changes"]] == [
        ("update", "_mta-sts.kolab-secondary.klab.cc", "TXT", [f"v=STSv1; id={new_id};"]),
        ("update", "_mta-sts.kolab.klab.cc", "TXT", [f"v=STSv1; id={new_id};"]),
    ]


def test_mta_sts_on_a_secondary_adds_its_cname_and_txt(repo: Path) -> None:
    assert run(repo, "sync")[0] == 0
    secondary_publishes(repo)
    data = json.loads(run(repo, "plan", "--format", "json")[1])
    text = run(repo, "mta-sts", "policy", "kolab-secondary.klab.cc")[1]
    assert [(c["action"], c["name"], c["type"], c["new"]) for c in data["changes"]] == [
        ("update", "_kolab-dns.kolab-secondary.klab.cc", "TXT", data["changes"][0]["new"]),
        ("create", "_mta-sts.kolab-secondary.klab.cc", "TXT", [f"v=STSv1; id={policy_id(text)};"]),
        ("create", "mta-sts.kolab-secondary.klab.cc", "CNAME", ["kolab.klab.cc."]),
    ]
    # the only other change is the domain's ownership note, which now lists the two new names
    assert "_mta-sts/TXT" in data["changes"][0]["new"][0] and "mta-sts/CNAME" in data["changes"][0]["new"][0]


def test_help_of_the_mail_commands() -> None:
    for args in (["mta-sts"], ["mta-sts", "policy"], ["dkim"], ["dkim", "new"], ["dkim", "retire"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
