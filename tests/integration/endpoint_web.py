"""The mail host's web side for `check --endpoints`: certificates from the test CA with any
validity (an expired one included), and an HTTPS server on address:443 serving what Kolab's
ingress serves: the MTA-STS policy, Thunderbird autoconfig and Outlook autodiscover.

The server counts TLS connections per SNI name, so a test can prove how often the check came.
"""

from __future__ import annotations

import datetime
import ssl
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..stoppable import Stoppable
from .https_policy import LocalCA

POLICY_PATH = "/.well-known/mta-sts.txt"
AUTOCONFIG_PATH = "/mail/config-v1.1.xml"
AUTODISCOVER_PATH = "/autodiscover/autodiscover.xml"


def issue(
    ca: LocalCA, hosts: list[str], stem: str, days: int = 90, expired: bool = False
) -> tuple[Path, Path]:
    """A leaf certificate for hosts (cert path, key path); expired: it ended two days ago."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    start, end = (
        (now - datetime.timedelta(days=30), now - datetime.timedelta(days=2))
        if expired
        else (
            now - datetime.timedelta(minutes=5),
            now + datetime.timedelta(days=days),
        )
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    cert_path, key_path = ca.dir / f"{stem}.crt", ca.dir / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def thunderbird(host: str, domain: str, imap: tuple[int, str] = (993, "SSL")) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="{domain}">
    <domain>{domain}</domain>
    <displayName>{domain} Email</displayName>
    <incomingServer type="imap">
      <hostname>{host}</hostname><port>{imap[0]}</port><socketType>{imap[1]}</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>{host}</hostname><port>587</port><socketType>STARTTLS</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""


def outlook(host: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol><Type>IMAP</Type><Server>{host}</Server><Port>993</Port><SSL>on</SSL></Protocol>
      <Protocol><Type>SMTP</Type><Server>{host}</Server><Port>465</Port><SSL>on</SSL></Protocol>
    </Account>
  </Response>
</Autodiscover>
"""


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that refuses the certificate ends the handshake: expected in these tests


class EndpointWeb(Stoppable):
    """HTTPS on address:443 with one certificate; documents by path (and policy by Host)."""

    def __init__(self, address: str, cert: Path, key: Path, host: str) -> None:
        self.policies: dict[str, str] = {}
        self.autoconfig = thunderbird(host, host)
        self.autodiscover = outlook(host)
        self.connections: Counter[str] = Counter()  # TLS handshakes per SNI name
        self.requests: list[str] = []
        web = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, body: str | None, content_type: str) -> None:
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                web.requests.append(f"GET {host}{self.path}")
                path = self.path.split("?")[0]
                if path == POLICY_PATH:
                    self._send(web.policies.get(host), "text/plain")
                else:
                    self._send(web.autoconfig if path == AUTOCONFIG_PATH else None, "text/xml")

            def do_POST(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                web.requests.append(f"POST {host}{self.path}")
                self._send(web.autodiscover if self.path == AUTODISCOVER_PATH else None, "text/xml")

            def log_message(self, format: str, *args: object) -> None:
                pass

        def count(sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, ctx: ssl.SSLContext) -> None:
            self.connections[name or ""] += 1

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = count
        self.httpd = _Quiet((address, 443), Handler)
        # The handshake runs in the request's thread, so one slow client cannot stall accept().
        self.httpd.socket = context.wrap_socket(
            self.httpd.socket, server_side=True, do_handshake_on_connect=False
        )
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
