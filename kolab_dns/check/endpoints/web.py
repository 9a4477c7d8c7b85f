"""HTTPS on 443: the mail host's Thunderbird autoconfig (`/mail/config-v1.1.xml`), each domain's
Outlook autodiscover (`autodiscover.<domain>`) and MTA-STS host (`mta-sts.<domain>`).

Each host name gets one TLS connection (TLS 1.2+, certificate valid for that name, days left);
the request, if any, goes over that same connection. The MTA-STS policy's content is the
`mta-sts` check's: here only the certificate its senders verify.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Callable
from urllib.parse import quote

from ...model import MailDomain
from ...records.discovery import AUTODISCOVER, has_autodiscover
from ...records.mta_sts import POLICY_HOST
from ..context import CheckContext
from ..results import Result, Status
from . import autoconfig, tls_probe, verdicts
from .dialogues import HTTPS
from .targets import settings, target

AUTOCONFIG_PATH = "/mail/config-v1.1.xml"
AUTODISCOVER_PATH = "/autodiscover/autodiscover.xml"
MAX_BYTES = 64 * 1024

Parser = Callable[[bytes], list[autoconfig.Server]]


def _fetch(
    sock: ssl.SSLSocket, host: str, method: str, path: str, body: str | None, timeout: float
) -> tuple[int, bytes]:
    conn = http.client.HTTPSConnection(host, 443, timeout=timeout)
    conn.sock = sock  # the probed, verified connection: no second one
    headers = {"Host": host, "User-Agent": "kolab-dns-check"}
    if body is not None:
        headers["Content-Type"] = "text/xml; charset=utf-8"
    conn.request(method, path, body=body.encode() if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise http.client.HTTPException(f"the answer is larger than {MAX_BYTES // 1024} KiB")
    return response.status, data


def _content(
    domain: str, check: str, url: str, mail_host: str, fetched: tuple[int, bytes] | str, parse: Parser
) -> Result:
    expected = autoconfig.expected(mail_host)
    if isinstance(fetched, str):
        return Result(domain, check, url, Status.FAIL, expected, (fetched,), f"serve {url}")
    status, body = fetched
    if status != 200:
        return Result(domain, check, url, Status.FAIL, expected, (f"HTTP {status}",), f"serve {url}")
    try:
        servers = parse(body)
    except autoconfig.ConfigError as e:
        return Result(
            domain,
            check,
            url,
            Status.FAIL,
            expected,
            (f"unparsable: {e}",),
            f"serve a valid document at {url}",
        )
    found = tuple(str(s) for s in servers) or ("no IMAP or SMTP server",)
    problems = autoconfig.wrong(servers, mail_host)
    if problems:
        hint = f"clients would be set up wrongly: {'; '.join(problems)}"
        return Result(domain, check, url, Status.DIFFERENT, expected, found, hint)
    return Result(domain, check, url, Status.OK, expected, found)


def _https(
    ctx: CheckContext,
    domain: str,
    name: str,
    request: tuple[str, str, str, str | None, Parser] | None = None,
) -> list[Result]:
    """TLS results for name:443 and, with a request (check, method, path, body, parser), its content."""
    where = target(ctx, domain, HTTPS.check, name, HTTPS.port)
    if isinstance(where, Result):
        return [where]
    config = settings(ctx)
    with tls_probe.session(where, HTTPS, config) as (probe, sock):
        out = verdicts.judge(domain, HTTPS, probe)
        if request is None:
            return out
        check, method, path, body, parse = request
        url = f"https://{name}{path.split('?')[0]}"
        fetched: tuple[int, bytes] | str = "not asked: TLS failed (see the https result)"
        if sock is not None:
            try:
                fetched = _fetch(sock, name, method, path, body, config.timeout)
            except (OSError, http.client.HTTPException) as e:
                fetched = f"HTTPS failed: {tls_probe.why(e, config.timeout)}"
        return [*out, _content(domain, check, url, ctx.decl.deployment.hostname, fetched, parse)]


def check_host(ctx: CheckContext) -> list[Result]:
    """Thunderbird autoconfig on the mail host, as Kolab's ingress serves it."""
    host = ctx.decl.deployment.hostname
    path = f"{AUTOCONFIG_PATH}?emailaddress={quote('postmaster@' + ctx.decl.primary.name)}"
    return _https(ctx, host, host, ("autoconfig", "GET", path, None, autoconfig.thunderbird))


def check_domain(ctx: CheckContext, domain: MailDomain) -> list[Result]:
    out: list[Result] = []
    if domain.mta_sts:
        out += _https(ctx, domain.name, POLICY_HOST + domain.name)
    if has_autodiscover(domain):
        body = autoconfig.OUTLOOK_REQUEST.format(address=f"postmaster@{domain.name}")
        request = ("autodiscover", "POST", AUTODISCOVER_PATH, body, autoconfig.outlook)
        out += _https(ctx, domain.name, AUTODISCOVER + domain.name, request)
    return out
