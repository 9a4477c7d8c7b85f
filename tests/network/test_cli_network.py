"""`kolab-dns network render` through the real CLI: formats, warnings and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from kolab_dns.cli import cli

from .declarations import SERVICES, section, text


def run(repo: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["-C", str(repo), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def declare(repo: Path, network: str | None = None) -> None:
    (repo / "zones" / "kolab.yaml").write_text(text(network))


def test_render_defaults_to_nftables(repo: Path) -> None:
    declare(repo)
    code, out, err = run(repo, "network", "render")
    assert (code, err) == (0, "")
    assert out.startswith("#!/usr/sbin/nft -f\n") and "table inet kolab {" in out


def test_render_iptables_and_metallb(repo: Path) -> None:
    declare(repo)
    code, out, _ = run(repo, "network", "render", "--format", "iptables")
    assert code == 0 and "*nat" in out.splitlines() and out.rstrip().endswith("COMMIT")
    code, out, _ = run(repo, "network", "render", "--format", "metallb")
    assert code == 0 and [d["kind"] for d in yaml.safe_load_all(out)][:2] == [
        "IPAddressPool",
        "L2Advertisement",
    ]


def test_a_declaration_without_network_is_one_line_error(repo: Path) -> None:
    code, out, err = run(repo, "network", "render")
    assert (code, out) == (1, "")
    assert (
        err
        == "kolab-dns: error: zones/kolab.yaml: no network: section to render (see README, 'The network: section')\n"
    )


def test_a_bad_network_is_one_located_line_and_nothing_on_stdout(repo: Path) -> None:
    declare(repo, section(public="192.168.1.1"))
    code, out, err = run(repo, "network", "render", "--format", "iptables")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("kolab-dns: error: zones/kolab.yaml:")
    assert ": network.public: 192.168.1.1 is private (RFC 1918)" in err


def test_shared_ips_warn_on_stderr_and_still_render(repo: Path) -> None:
    declare(repo, section(services={**SERVICES, "turn": SERVICES["smtp"]}))
    code, out, err = run(repo, "network", "render")
    assert code == 0 and "dnat ip to 10.0.1.2" in out
    assert err.startswith("kolab-dns: warning: zones/kolab.yaml:")
    assert "network.services.turn: smtp and turn share 10.0.1.2" in err
    code, _, err = run(repo, "validate")
    assert code == 0 and "smtp and turn share 10.0.1.2" in err  # the declaration's warnings too


def test_help() -> None:
    for args in (["network"], ["network", "render"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
