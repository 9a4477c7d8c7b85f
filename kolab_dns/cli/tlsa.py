"""`tlsa`: the DANE record pinning the mail host's key, `_25._tcp.<host> TLSA 3 1 1 <sha256 of SPKI>`.

From the certificate file the MTA serves, or read from the live endpoint (STARTTLS as the port
speaks it, the certificate verified for the host as clients verify it: a record computed from an
unverified connection could pin an impostor's key). Senders use it only in a DNSSEC-signed zone.
"""

from __future__ import annotations

import click
from cryptography import x509

from ..check.endpoints import tls_probe
from ..check.endpoints.certs import CertificateError, load_certificate
from ..check.endpoints.dialogues import BY_PORT
from ..check.endpoints.settings import EndpointSettings
from ..check.https import HttpsSettings
from ..errors import KolabDnsError
from ..records.tlsa import SMTP_PORT, dane_ee, tlsa_name
from .common import Context, handled, note


def _endpoint(value: str) -> tuple[str, int]:
    host, colon, port = value.rpartition(":")
    if not colon:
        return value.rstrip(".").lower(), SMTP_PORT
    if not port.isdigit() or int(port) not in BY_PORT:
        ports = ", ".join(str(p) for p in sorted(BY_PORT))
        raise click.BadParameter(f"{value!r}: the port must be one of {ports}", param_hint="--from-endpoint")
    return host.rstrip(".").lower(), int(port)


def _live(host: str, port: int, address: str | None) -> x509.Certificate:
    settings = EndpointSettings(address, HttpsSettings.from_env().ca_bundle)
    probe = tls_probe.probe(tls_probe.Target(host, port, address or host), BY_PORT[port], settings)
    if probe.stage:
        raise KolabDnsError(f"{host}:{port}: {probe.error}")
    if probe.verify_error or probe.cert is None:
        raise KolabDnsError(
            f"{host}:{port}: the certificate is not valid for {host} ({probe.verify_error}); "
            "compute the record from the certificate file instead: kolab-dns tlsa CERT.pem"
        )
    return probe.cert


@click.command("tlsa")
@click.argument("cert", required=False, type=click.Path(dir_okay=False), metavar="[CERT.pem]")
@click.option(
    "--from-endpoint",
    "endpoint",
    metavar="HOST[:PORT]",
    help="Read the certificate from this live endpoint (port 25 by default) instead of a file.",
)
@click.option(
    "--address",
    metavar="HOST",
    help="With --from-endpoint: connect here; TLS still verifies the endpoint's host name.",
)
@click.pass_obj
@handled
def tlsa(ctx: Context, cert: str | None, endpoint: str | None, address: str | None) -> None:
    """Print the TLSA record (3 1 1) for the mail host's certificate.

    CERT.pem (a full chain starts with the leaf) gives `_25._tcp.<kolab.hostname>`;
    --from-endpoint HOST[:PORT] gives `_PORT._tcp.HOST` for the certificate served there.
    """
    if (cert is None) == (endpoint is None):
        raise click.UsageError("give CERT.pem or --from-endpoint HOST[:PORT] (one of them)")
    if endpoint is not None:
        host, port = _endpoint(endpoint)
        certificate = _live(host, port, address)
    else:
        assert cert is not None
        if address:
            raise click.UsageError("--address goes with --from-endpoint")
        host, port = ctx.project.load().deployment.hostname, SMTP_PORT
        try:
            with open(cert, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise KolabDnsError(f"{cert}: {e.strerror or e}") from None
        try:
            certificate = load_certificate(data)
        except CertificateError as e:
            raise KolabDnsError(f"{cert}: {e}") from None
    record = dane_ee(certificate)
    click.echo(f"{tlsa_name(host, port)}. IN TLSA {record}")
    if port == SMTP_PORT:
        note(f"to publish it: kolab.tlsa: ['{record}'] in the declaration, then `kolab-dns sync`")
    note("DANE senders use TLSA only in a DNSSEC-signed zone")
