"""Progress of long runs on stderr: a live counter on a terminal, a line per tenth in logs (CI)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import click

Show = Callable[[int, int], None]  # (done, total)


def counter(verb: str) -> Show:
    """show(done, total), safe to call from worker threads."""
    tty = sys.stderr.isatty()
    last = [0]
    lock = threading.Lock()

    def show(done: int, total: int) -> None:
        with lock:
            if tty:
                click.echo(f"\rkolab-dns: {verb} {done}/{total}", err=True, nl=done == total)
            elif done == total or done * 10 // total > last[0]:
                last[0] = done * 10 // total
                click.echo(f"kolab-dns: {verb} {done}/{total}", err=True)

    return show
