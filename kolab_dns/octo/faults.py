"""Provider failures as one line naming the provider, what it was doing, and the cause.

octoDNS lets a provider's exception escape as whatever the HTTP or DNS library raised (a requests
ConnectionError three wrappers deep, a dnspython Timeout, a bare Exception). kolab-dns wraps each
target's populate and apply, so a failure says which provider (and its file), which zone, whether
it was reading or writing, which zones were already written, and the cause in words.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import dns.exception
import dns.tsig
import requests

from ..errors import KolabDnsError


class ProviderFailure(KolabDnsError):
    """A provider failed mid-run; the message carries what was and was not written."""


@dataclass
class Written:
    """Zones a sync has written so far, in order: what a failure message reports."""

    applied: list[str] = field(default_factory=list)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (cause, context, urllib3's reason, args)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if e in seen or len(seen) > 20:
            continue
        seen.append(e)
        nested = [e.__cause__, e.__context__, getattr(e, "reason", None), *getattr(e, "args", ())]
        todo.extend(n for n in nested if isinstance(n, BaseException))
    return seen


def _os_cause(exc: BaseException) -> str | None:
    for e in _chain(exc):
        if isinstance(e, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused: is the server running, on that host and port?"
        if isinstance(e, (ConnectionResetError, BrokenPipeError)):
            return "the connection was reset"
        if isinstance(e, OSError) and e.strerror:
            return e.strerror[0].lower() + e.strerror[1:]
    text = " ".join(str(exc).split())
    for marker, words in (
        ("RemoteDisconnected", "the server closed the connection without answering"),
        ("Connection aborted", "the server closed the connection without answering"),
        ("Connection refused", "connection refused: is the server running, on that host and port?"),
    ):
        if marker in text:
            return words
    return None


def _where(exc: requests.RequestException) -> str:
    request = exc.request
    if request is None or not request.url:
        return ""
    url = urlsplit(request.url)
    return f" ({request.method} {url.scheme}://{url.netloc}{url.path})"


def _http_error(exc: requests.HTTPError) -> str:
    response = exc.response
    if response is None:
        return "HTTP error"
    detail = ""
    try:
        body = response.json()
        detail = str(body.get("error") or body.get("errors") or "") if isinstance(body, dict) else ""
    except ValueError:
        detail = response.text
    detail = " ".join(detail.split())[:200]
    reason = f"HTTP {response.status_code} {response.reason or ''}".strip()
    if response.status_code in (401, 403):
        reason += " (the API key or token was refused)"
    return f"{reason}: {detail}" if detail else reason


def cause(exc: BaseException, timeout: Any = None) -> str:
    """The cause of a provider failure in words, on one line."""
    after = f" within {timeout} s" if timeout else ""
    if isinstance(exc, requests.HTTPError):
        return _http_error(exc) + _where(exc)
    if isinstance(exc, requests.Timeout):
        kind = "no connection" if isinstance(exc, requests.ConnectTimeout) else "no answer"
        return f"{kind}{after} (timeout){_where(exc)}"
    if isinstance(exc, requests.ConnectionError) and exc.request is not None and exc.request.url:
        return f"cannot reach {urlsplit(exc.request.url).netloc}: {_os_cause(exc) or exc.__class__.__name__}"
    if isinstance(exc, requests.RequestException):
        return (_os_cause(exc) or exc.__class__.__name__) + _where(exc)
    if isinstance(exc, dns.exception.Timeout):
        return f"no answer{after} (timeout)"
    text = " ".join(str(exc).split())
    if "unauthorized" in text.lower():
        return f"{text}: the API key was refused"
    for e in _chain(exc):
        if isinstance(e, dns.exception.Timeout):
            return f"no answer{after} (timeout)"
        if isinstance(e, dns.tsig.PeerError):
            return f"{text}: the server refused the TSIG key (check key_name, key_secret, key_algorithm)"
        if isinstance(e, dns.exception.DNSException) and e is not exc:
            inner = " ".join(str(e).split())
            detail = e.__class__.__name__ if inner in text else f"{e.__class__.__name__}: {inner}"
            return f"{text or exc.__class__.__name__} ({detail})"
    os_cause = _os_cause(exc)
    if os_cause:
        return os_cause
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _atomic(provider: Any, plan: Any) -> bool:
    """Whether the provider writes a zone in one request the server applies whole: PowerDNS (one
    PATCH, one transaction), BIND (one RFC 2136 UPDATE per batch of changes)."""
    bases = {c.__name__ for c in type(provider).__mro__}
    if "PowerDnsBaseProvider" in bases:
        return True
    return "Rfc2136Provider" in bases and len(plan.changes) <= getattr(provider, "update_batch_size", 0)


def _answered(exc: BaseException) -> bool:
    """The server answered the write with an error (so it did not apply it), rather than not at all."""
    return isinstance(exc, requests.HTTPError) or "Unable to perform update" in str(exc)


def wrap(provider: Any, name: str, file: str, written: Written, pending: Callable[[], list[str]]) -> None:
    """Make a provider instance's populate and apply fail with a ProviderFailure."""
    populate, apply = provider.populate, provider.apply
    timeout = getattr(provider, "timeout", None)
    who = f"provider {name!r} ({file})"

    def reading(zone: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return populate(zone, *args, **kwargs)
        except KolabDnsError:
            raise
        except Exception as e:
            # octoDNS reads every zone before it writes any; a provider may read again while writing
            before = (
                f"zones written before: {', '.join(written.applied)}"
                if written.applied
                else "nothing was written"
            )
            raise ProviderFailure(
                f"{who} failed reading zone {zone.decoded_name.rstrip('.')}: {cause(e, timeout)}; "
                f"{before}. Fix the cause and run again"
            ) from e

    def writing(plan: Any) -> Any:
        zone = plan.desired.decoded_name.rstrip(".")
        try:
            result = apply(plan)
        except KolabDnsError:
            raise
        except Exception as e:
            done = ", ".join(written.applied) or "none"
            rest = [z for z in pending() if z != zone and z not in written.applied]
            if not _atomic(provider, plan):
                state = f"{zone} may hold part of the change"
            elif _answered(e):
                state = f"the server refused the write, so {zone} is unchanged"
            else:
                state = f"{zone} holds all of the change or none of it"
            raise ProviderFailure(
                f"{who} failed writing zone {zone}: {cause(e, timeout)}. Zones written before: {done}; "
                f"not written: {', '.join(rest) or 'none'}; {state}. "
                "Run `kolab-dns sync` again: it plans from what the server holds"
            ) from e
        written.applied.append(zone)
        return result

    provider.populate = reading
    provider.apply = writing
