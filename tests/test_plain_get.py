"""PlainGet sends the request octodns-powerdns's requests Session sends, byte for byte, and hands
back what requests would, or nothing where requests would have done more (octo/plain_get.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from octodns_powerdns import PowerDnsProvider

from kolab_dns.octo.plain_get import PlainGet
from kolab_dns.octo.readers import PowerDnsReader

OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 14\r\n\r\n{"rrsets": []}'


@contextmanager
def server(answer: bytes) -> Iterator[tuple[int, list[bytes]]]:
    """A loopback server that records each request's bytes (up to the blank line) and answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                seen.append(data)
                conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], seen
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accept
        listener.close()
        thread.join(5)


def provider(port: int) -> PowerDnsProvider:
    return PowerDnsProvider("pdns", host="127.0.0.1", port=port, api_key="s3cret")


def plain(p: PowerDnsProvider) -> PlainGet | None:
    base = f"http://{p.host}:{p.port}/api/v1/servers/{p.server_id}/"
    return PlainGet.for_url(p._sess, base, p.timeout)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path) + "/no-netrc")


@pytest.mark.parametrize("zone", ["customer.example", "0.2.0.192.in-addr.arpa", "xn--bcher-kva.example"])
def test_the_same_request_on_the_wire(zone: str) -> None:
    path = PowerDnsReader._path(zone)
    with server(OK) as (port, seen):
        p = provider(port)
        by_requests = p._get(path)
        getter = plain(p)
        assert getter is not None
        by_plain = getter.get(path)
    assert seen[0] == seen[1]
    assert by_plain is not None and by_plain.json() == by_requests.json() == {"rrsets": []}
    assert (by_plain.status_code, by_plain.encoding, by_plain.url) == (
        by_requests.status_code,
        by_requests.encoding,
        by_requests.url,
    )


@pytest.mark.parametrize("status", [401, 404, 422, 500])
def test_errors_raise_as_raise_for_status_does(status: int) -> None:
    answer = f"HTTP/1.1 {status} Nope\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}".encode()
    with server(answer) as (port, _):
        p = provider(port)
        getter = plain(p)
        assert getter is not None
        with pytest.raises(requests.HTTPError) as plain_error:
            getter.get("zones/x.")
        with pytest.raises(requests.HTTPError) as requests_error:
            p._get("zones/x.")
    assert str(plain_error.value) == str(requests_error.value)
    assert plain_error.value.response is not None
    assert plain_error.value.response.status_code == status


@pytest.mark.parametrize(
    "extra",
    [b"Content-Encoding: gzip\r\n", b"Set-Cookie: a=b\r\n"],
)
def test_answers_requests_would_handle_otherwise_are_left_to_it(extra: bytes) -> None:
    answer = OK.replace(b"Connection: close\r\n", b"Connection: close\r\n" + extra)
    with server(answer) as (port, _):
        getter = plain(provider(port))
        assert getter is not None
        assert getter.get("zones/x.") is None
        assert getter.get("zones/x.") is None  # and not asked again this run
    assert not getter.enabled


def test_a_redirect_is_left_to_requests() -> None:
    answer = b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with server(answer) as (port, _):
        getter = plain(provider(port))
        assert getter is not None
        assert getter.get("zones/x.") is None


def test_only_plain_sessions(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    p = provider(8081)
    assert plain(p) is not None
    https = PowerDnsProvider("pdns", host="127.0.0.1", port=8081, api_key="k", scheme="https")
    base = f"https://{https.host}:{https.port}/api/v1/servers/localhost/"
    assert PlainGet.for_url(https._sess, base, https.timeout) is None
    p._sess.auth = ("user", "password")
    assert plain(p) is None
    p = provider(8081)
    p._sess.cookies.set("a", "b")
    assert plain(p) is None
    p = provider(8081)
    p._sess.mount("http://", requests.adapters.HTTPAdapter(max_retries=3))
    assert plain(p) is None
    p = provider(8081)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    assert plain(p) is None
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert plain(p) is not None
    netrc = tmp_path / "netrc"  # type: ignore[operator]
    netrc.write_text("machine 127.0.0.1 login user password secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    assert plain(p) is None
