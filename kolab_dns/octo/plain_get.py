"""A provider's GET sent as its requests Session would send it, without requests' per-request work.

Reading 1,000 PowerDNS zones, requests spends about three times the CPU of the request itself
(preparing and merging settings, proxy and netrc lookups, cookie jars, hooks), all under the one
interpreter lock the comparison needs. For a session configured the plain way, the request on the
wire is fully known in advance: the same URL (prepared by requests), the session's headers, the
provider's timeout for connecting and for each read, no retry (requests' default adapter), no
proxy, no netrc credentials, no cookies. `PlainGet.for_url` accepts only such sessions, checked once;
anything else keeps requests. An answer requests would treat otherwise (a redirect, a compressed
body, a cookie) is not used: the caller asks requests after all, and stops using this for the run.
"""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers, get_environ_proxies, get_netrc_auth

DEFAULT_HOOKS: dict[str, list[Any]] = {"response": []}


def _plain_session(session: Any, url: str) -> bool:
    """The session sends a GET to url exactly as composed here (see the module's docstring)."""
    if type(session) is not requests.Session:
        return False
    adapter = session.get_adapter(url)
    retries = getattr(adapter, "max_retries", None)
    if (
        type(adapter) is not HTTPAdapter
        or retries is None
        or retries.total != 0
        or retries.read is not False
        or session.auth is not None
        or len(session.cookies)
        or session.proxies
        or session.params
        or session.cert is not None
        or session.stream
        or session.hooks != DEFAULT_HOOKS
    ):
        return False
    if session.trust_env and (get_environ_proxies(url) or get_netrc_auth(url) is not None):
        return False
    return True


class PlainGet:
    """GETs below one provider's API base URL, through http.client, one connection per request
    (PowerDNS closes every connection after its answer)."""

    def __init__(self, session: requests.Session, base: str, timeout: float) -> None:
        self.session = session
        self.base = base  # ends with "/"
        self.timeout = timeout
        self.enabled = True

    @classmethod
    def for_url(cls, session: Any, base: str, timeout: Any) -> PlainGet | None:
        """base: the provider's URL for paths, ending with "/"; None unless plain http."""
        if not base.startswith("http://") or type(timeout) not in (int, float):
            return None
        if not _plain_session(session, base):
            return None
        return cls(session, base, timeout)

    def get(self, path: str) -> requests.Response | None:
        """The answer as requests would hand it back (HTTPError raised from 400 on, as
        raise_for_status does), or None when requests would have gone on (redirects) or decoded
        it (compression), or kept a cookie: the caller asks requests then."""
        if not self.enabled:
            return None
        prepared = PreparedRequest()
        prepared.prepare_url(f"{self.base}{path}".rstrip("/"), None)
        url = prepared.url or ""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {k: v for k, v in self.session.headers.items() if v is not None}  # as requests merges
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.timeout)
        try:
            connection.request("GET", target, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            status, reason, received = answer.status, answer.reason, answer.getheaders()
        finally:
            connection.close()
        fields = CaseInsensitiveDict(received)
        encoding = fields.get("content-encoding", "identity").strip().lower()
        if 300 <= status < 400 or encoding != "identity" or "set-cookie" in fields:
            self.enabled = False
            return None
        response = requests.Response()
        response.status_code = status
        response.reason = reason
        response.headers = fields
        response.encoding = get_encoding_from_headers(fields)
        response.url = url
        response._content = body
        response.raise_for_status()
        return response
