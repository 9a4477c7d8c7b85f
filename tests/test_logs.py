"""The Redactor: every secret value is masked in log messages, arguments, tracebacks and stacks."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from kolab_dns import logs

SECRET = "s3cr3t-api-key-0f9a"
TSIG = "q83vEjRWeJq8N4y2dGh9bW9yZSBzZWNyZXQ="


class Captured:
    """stderr as logs.setup writes it (pytest's capsys), with a fresh Redactor."""

    def __init__(self, capsys: pytest.CaptureFixture[str], redactor: logs.Redactor) -> None:
        self.capsys, self.redactor = capsys, redactor

    def setup(self, verbosity: int) -> None:
        logs.setup(verbosity)  # in the test's call phase, so the handler writes to capsys

    def getvalue(self) -> str:
        return self.capsys.readouterr().err


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Captured]:
    redactor = logs.Redactor()
    monkeypatch.setattr(logs, "REDACTOR", redactor)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield Captured(capsys, redactor)
    root.handlers[:] = handlers
    root.setLevel(level)


def test_secrets_in_messages_and_arguments_are_masked(stderr: Captured) -> None:
    stream, redactor = stderr, stderr.redactor
    stream.setup(2)
    redactor.add([SECRET, TSIG])
    log = logging.getLogger("octodns_powerdns.PowerDnsProvider")
    log.debug("header X-API-Key: %s", SECRET)
    log.info(f"key_secret={TSIG} inline")
    log.warning("both %s and %r", SECRET, {"key_secret": TSIG})
    out = stream.getvalue()
    assert SECRET not in out and TSIG not in out
    assert out.count(logs.MASK) == 4
    assert "header X-API-Key: ********" in out


def test_tracebacks_and_stacks_are_masked(stderr: Captured) -> None:
    stream, redactor = stderr, stderr.redactor
    stream.setup(2)
    redactor.add([SECRET])
    log = logging.getLogger("kolab_dns.test")
    try:
        raise ValueError(f"invalid literal for int() with base 10: {SECRET!r}")
    except ValueError:
        log.exception("construction failed")
    log.debug("where am I (%s)", SECRET, stack_info=True)
    out = stream.getvalue()
    assert "Traceback" in out and "Stack (most recent call last)" in out
    assert SECRET not in out


def test_longer_secrets_are_masked_first_and_short_values_never(
    stderr: Captured,
) -> None:
    stream, redactor = stderr, stderr.redactor
    stream.setup(0)
    redactor.add(["abcd", "abcdefgh", "xyz", "", None])
    assert redactor.secrets == {"abcd", "abcdefgh"}
    assert redactor.redact("abcdefgh abcd xyz") == f"{logs.MASK} {logs.MASK} xyz"


def test_a_malformed_log_call_does_not_crash(stderr: Captured) -> None:
    stream, redactor = stderr, stderr.redactor
    stream.setup(0)
    redactor.add([SECRET])
    logging.getLogger("kolab_dns.test").warning("two %s %s but one arg", SECRET)
    out = stream.getvalue()
    assert SECRET not in out
    assert "two" in out


def test_library_errors_and_checksum_only_with_v(stderr: Captured) -> None:
    """At the default level a library's ERROR is left to kolab-dns's own one-line error."""
    stream = stderr
    stream.setup(0)
    logging.getLogger("PowerDnsProvider[pdns]").error("_apply: status=500")
    logging.getLogger("Checksum").warning("checksum=abc")
    logging.getLogger("kolab_dns.engine").error("our own error")
    logging.getLogger("octodns.Manager").warning("a library warning")
    assert stream.getvalue().splitlines() == [
        "ERROR kolab_dns.engine: our own error",
        "WARNING octodns.Manager: a library warning",
    ]
    stream.getvalue()
    stream.setup(1)
    logging.getLogger("PowerDnsProvider[pdns]").error("_apply: status=500")
    logging.getLogger("Checksum").info("checksum=abc")
    assert len(stream.getvalue().splitlines()) == 2
