"""DKIM public keys as a declaration gives them: base64 DER, a PEM/.pub file, or a DKIM TXT text.

Parsing goes through dkimpy so that what we accept is what a verifier will accept.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from dkim.crypto import UnparsableKeyError, parse_public_key

# DER prefix of an ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows it.
_ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
_MIN_RSA_BITS = 1024
WEAK_RSA_BITS = 2048


@dataclass(frozen=True)
class DkimKey:
    selector: str
    algorithm: str  # "rsa" or "ed25519", as in the DKIM k= tag
    public_key: str  # base64, exactly what goes after p=
    bits: int

    @property
    def txt(self) -> str:
        """The DKIM TXT value; k= only where it is not the default rsa."""
        k = "" if self.algorithm == "rsa" else f"k={self.algorithm}; "
        return f"v=DKIM1; {k}p={self.public_key}"


def _b64(text: str) -> bytes:
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None


def _from_text(text: str) -> tuple[bytes, str | None]:
    """The key bytes and any k= tag from PEM, a DKIM TXT value, or bare base64."""
    if "-----BEGIN" in text:
        body = re.search(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END", text, re.S)
        if not body:
            raise ValueError("is a malformed PEM block")
        if "PRIVATE" in body.group(1):
            raise ValueError("is a PRIVATE key: give the public key only")
        return _b64(body.group(2)), None
    if "p=" in text:
        # opendkim-genkey style .txt: ( "v=DKIM1; h=sha256; k=rsa; " "p=..." )
        joined = "".join(re.findall(r'"([^"]*)"', text)) or text
        tags = dict(
            (k.strip(), v.strip())
            for k, _, v in (part.partition("=") for part in joined.split(";"))
            if k.strip()
        )
        return _b64(tags.get("p", "")), tags.get("k")
    return _b64(text), None


def parse_dkim_key(selector: str, text: str) -> DkimKey:
    """A validated DkimKey; ValueError says what is wrong in words fit for the user."""
    raw, k = _from_text(text)
    if not raw:
        raise ValueError("is empty")
    if raw.startswith(_ED25519_SPKI_PREFIX) and len(raw) == 44:
        raw = raw[len(_ED25519_SPKI_PREFIX) :]
    if len(raw) == 32 and k in (None, "ed25519"):
        return DkimKey(selector, "ed25519", base64.b64encode(raw).decode(), 256)
    if k not in (None, "rsa"):
        raise ValueError(f"has unsupported key type k={k}")
    try:
        parsed = parse_public_key(raw)
    except (UnparsableKeyError, IndexError, ValueError, TypeError):
        raise ValueError("is neither an RSA public key (DER) nor a 32-byte ed25519 key") from None
    bits = int(parsed["modulus"]).bit_length()
    if bits < _MIN_RSA_BITS:
        raise ValueError(f"is a {bits}-bit RSA key; DKIM verifiers reject keys under 1024 bits")
    return DkimKey(selector, "rsa", base64.b64encode(raw).decode(), bits)
