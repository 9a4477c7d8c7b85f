"""What a report says about a certificate: the names it is valid for, who issued it, how long
it has left. Validity itself is OpenSSL's verdict (tls_probe); these are the facts around it."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

MIN_DAYS = 14  # renewal should have happened long before; under this the check fails


def names(cert: x509.Certificate) -> tuple[str, ...]:
    """The DNS names of the subjectAltName (what clients match), else the subject's CN."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found = tuple(san.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        found = ()
    if found:
        return found
    return tuple(str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME))


def issuer(cert: x509.Certificate) -> str:
    common = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(common[0].value) if common else cert.issuer.rfc4514_string()


def days_left(cert: x509.Certificate, now: datetime.datetime | None = None) -> int:
    """Whole days until notAfter; negative once expired."""
    now = now or datetime.datetime.now(datetime.UTC)
    return (cert.not_valid_after_utc - now) // datetime.timedelta(days=1)


def days_ago(cert: x509.Certificate, now: datetime.datetime | None = None) -> int:
    """Whole days since notAfter (of an expired certificate)."""
    now = now or datetime.datetime.now(datetime.UTC)
    return (now - cert.not_valid_after_utc) // datetime.timedelta(days=1)


def until(cert: x509.Certificate) -> str:
    return cert.not_valid_after_utc.strftime("%Y-%m-%d %H:%M UTC")


def describe(cert: x509.Certificate) -> str:
    """`certificate for a, b (issued by X, valid until D)`"""
    named = ", ".join(names(cert)) or "(no name)"
    return f"certificate for {named} (issued by {issuer(cert)}, until {until(cert)})"


class CertificateError(ValueError):
    """Bytes that are no PEM or DER certificate."""


def load_certificate(data: bytes) -> x509.Certificate:
    """The first certificate of a PEM file (a full chain starts with the leaf) or a DER one."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)[0]
        return x509.load_der_x509_certificate(data)
    except ValueError as e:
        raise CertificateError(f"not a PEM or DER certificate ({e})") from None
