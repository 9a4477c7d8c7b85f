"""The installed command ends without the interpreter's teardown (cli.main), and nothing else changes:
the same exit code, output and error text as click's own exit, exit handlers run, output flushed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

NEW = "import sys; from kolab_dns.cli import main; sys.argv[0] = 'kolab-dns'; main()"
OLD = "import sys; from kolab_dns.cli import cli; sys.argv[0] = 'kolab-dns'; cli(prog_name='kolab-dns')"


def run(code: str, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output is buffered,
    env["PYTHONPATH"] = str(ROOT)  # as it is for a user: the exit must flush it
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("no-such-command",),
        ("render", "--format", "zone"),
        ("render", "--format", "json"),
        ("validate",),
        ("-C", "/nonexistent/repo", "validate"),
    ],
)
def test_the_same_exit_as_before(repo: Path, args: tuple[str, ...]) -> None:
    full = (
        args
        if args[0] == "-C" or args[0].startswith("--v") or args[0] == "no-such-command"
        else ("-C", str(repo), *args)
    )
    new, old = run(NEW, *full), run(OLD, *full)
    assert new == old
    assert new[0] in (0, 1, 2)


def test_exit_handlers_run_and_output_is_flushed(repo: Path) -> None:
    code = "import atexit; atexit.register(print, 'handler ran'); " + NEW
    status, out, _ = run(code, "-C", str(repo), "render", "--format", "zone")
    assert status == 0
    assert out.endswith("handler ran\n")
    assert len(out) > 1000  # the zones, then the handler's line


def test_a_message_as_exit_code_takes_pythons_exit() -> None:
    code = "import kolab_dns.cli as c; c.cli = lambda **kw: exit('bye'); c.main()"
    assert run(code) == (1, "", "bye\n")
