"""Logging to stderr with every known secret value masked, whatever logs it."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable

MASK = "********"


class Redactor(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        # octoDNS forces its Checksum logger to INFO; kolab-dns prints the checksum itself.
        self.quiet = {"Checksum"}

    def add(self, values: Iterable[str]) -> None:
        self.secrets.update(v for v in values if v and len(v) >= 4)

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        terse = logging.getLogger().level > logging.INFO
        if record.name in self.quiet and terse:
            return False
        if terse and record.levelno >= logging.ERROR and not record.name.startswith("kolab_dns"):
            # A library's error is on its way up as an exception that kolab-dns reports in one
            # line; -v shows the library's own log of it too.
            return False
        if self.secrets:
            record.msg = self.redact(record.getMessage())
            record.args = None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


REDACTOR = Redactor()


def env_secrets(configs: Iterable[dict[str, object]]) -> list[str]:
    """Values of every env/VAR a provider config names: those are the secrets to mask."""
    out = []
    for config in configs:
        for value in config.values():
            if isinstance(value, str) and value.startswith("env/"):
                out.append(os.environ.get(value[4:].split("/")[0], ""))
    return out


def setup(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACTOR)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
