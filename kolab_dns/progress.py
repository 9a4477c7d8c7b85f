"""Progress of long runs on stderr: a live counter on a terminal, a line per tenth in logs (CI)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import click

Progress = Callable[[int, int], None]  # told (done, total) as work completes


def counter(verb: str) -> Progress:
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
