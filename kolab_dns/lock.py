"""One sync at a time per repository: an flock on .kolab-dns/sync.lock."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import KolabDnsError


@contextmanager
def sync_lock(state_dir: str) -> Iterator[None]:
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, "sync.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise KolabDnsError(
                f"another kolab-dns sync is running on this repository (pid {holder}); "
                "wait for it to finish, then run again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
