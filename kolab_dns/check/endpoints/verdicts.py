"""From a probe to Results: the dialogue (reachable, greeting, STARTTLS offered), TLS (1.2 or
newer, a certificate valid for the host) and the certificate's days left.

`strict` says whether a certificate not valid for the host fails: clients always refuse it, but
sending MTAs on port 25 deliver anyway unless the domain demands TLS (MTA-STS enforce).
"""

from __future__ import annotations

from ..results import Result, Status
from . import certs
from .dialogues import Service
from .tls_probe import Probe

MODERN = ("TLSv1.2", "TLSv1.3")


def _greeting(probe: Probe) -> str:
    return probe.lines[0] if probe.lines else "(no greeting)"


def dialogue(domain: str, service: Service, probe: Probe) -> Result | None:
    """Reachable, the greeting, STARTTLS offered; None for HTTPS (its TLS result covers it)."""
    if service.dialogue is None:
        return None
    t, protocol = probe.target, service.dialogue.protocol
    subject = f"{t.name} {service.label}"
    expected = [f"{protocol} answers at {t.address} port {t.port}"]
    if not service.implicit:
        expected.append("STARTTLS offered")
    if probe.stage == "connect":
        hint = f"open port {t.port} on {t.host}: Kolab exposes {service.label} there"
        return Result(domain, service.check, subject, Status.FAIL, tuple(expected), (probe.error,), hint)
    if probe.stage in ("greeting", "capabilities"):
        found = (*probe.lines[:1], f"{probe.stage}: {probe.error}")
        hint = f"port {t.port} does not speak {protocol} as expected: is the right service behind it?"
        return Result(domain, service.check, subject, Status.FAIL, tuple(expected), found, hint)
    if probe.stage == "starttls":
        found = (_greeting(probe), probe.error)
        hint = (
            f"offer STARTTLS on port {t.port} (a TLS certificate and key in the {protocol} server's "
            "configuration)"
        )
        return Result(domain, service.check, subject, Status.FAIL, tuple(expected), found, hint)
    found = [_greeting(probe)]
    if not service.implicit:
        found.append("STARTTLS offered")
    return Result(domain, service.check, subject, Status.OK, tuple(expected), tuple(found))


def _certificate_hint(host: str, port: int, refused: str) -> str:
    if "expired" in refused:
        return f"renew the certificate of {host} port {port}: it has expired"
    if "mismatch" in refused.lower():
        return f"install a certificate whose names include {host} on port {port}"
    return f"install a certificate for {host} from a CA clients trust, with its full chain, on port {port}"


def tls(domain: str, service: Service, probe: Probe, strict: bool = True, why: str = "") -> Result | None:
    """TLS 1.2+ with a certificate valid for the host; `why` explains a non-strict mismatch."""
    t = probe.target
    subject = f"{t.name} TLS"
    expected = ("TLS 1.2 or newer", f"a certificate valid for {t.host}")
    if probe.stage in ("greeting", "capabilities", "starttls") or (
        probe.stage == "connect" and service.dialogue is not None
    ):
        return None  # the dialogue result says why TLS never started
    if probe.stage in ("connect", "tls"):
        hint = f"serve TLS 1.2 or newer on {t.host} port {t.port} with a certificate for {t.host}"
        return Result(domain, service.check, subject, Status.FAIL, expected, (probe.error,), hint)
    found = (probe.version, certs.describe(probe.cert) if probe.cert else "no certificate")
    if probe.version not in MODERN:
        hint = f"{probe.version} is obsolete: allow only TLS 1.2 and 1.3"
        return Result(domain, service.check, subject, Status.FAIL, expected, found, hint)
    if probe.verify_error:
        found = (*found, f"refused: {probe.verify_error}")
        hint = _certificate_hint(t.host, t.port, probe.verify_error)
        status = Status.FAIL if strict else Status.WARN
        return Result(
            domain, service.check, subject, status, expected, found, f"{hint}; {why}" if why else hint
        )
    return Result(domain, service.check, subject, Status.OK, expected, found)


def expiry(domain: str, service: Service, probe: Probe) -> Result | None:
    if probe.cert is None or probe.stage:
        return None
    t = probe.target
    subject = f"{t.name} certificate expiry"
    days = certs.days_left(probe.cert)
    expected = (f"{certs.MIN_DAYS} days or more",)
    if days < 0:
        ago = certs.days_ago(probe.cert)
        found = (f"expired {ago} day{'s' * (ago != 1)} ago ({certs.until(probe.cert)})",)
    else:
        found = (f"{days} day{'s' * (days != 1)} left (until {certs.until(probe.cert)})",)
    if days < certs.MIN_DAYS:
        hint = f"renew the certificate of {t.host} port {t.port}: clients refuse it once it expires"
        return Result(domain, service.check, subject, Status.FAIL, expected, found, hint)
    return Result(domain, service.check, subject, Status.OK, expected, found)


def judge(domain: str, service: Service, probe: Probe, strict: bool = True, why: str = "") -> list[Result]:
    """Every result of one probe, in the order a reader follows them."""
    out = [
        dialogue(domain, service, probe),
        tls(domain, service, probe, strict, why),
        expiry(domain, service, probe),
    ]
    return [r for r in out if r is not None]
