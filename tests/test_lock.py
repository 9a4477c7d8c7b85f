"""Two syncs on one repository never interleave: the second one says so and exits 1."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kolab_dns.cli import cli
from kolab_dns.lock import sync_lock


def test_second_sync_is_refused_while_one_holds_the_lock(repo: Path) -> None:
    with sync_lock(str(repo / ".kolab-dns")):
        result = CliRunner().invoke(cli, ["-C", str(repo), "sync"])
        assert result.exit_code == 1
        assert "another kolab-dns sync is running on this repository" in result.stderr
        assert not (repo / ".kolab-dns" / "local").exists()
    assert CliRunner().invoke(cli, ["-C", str(repo), "sync"]).exit_code == 0
