"""DKIM: the key each selector publishes, as a verifier finds it, equals the declared key.

A secondary's `SELECTOR._domainkey` is a CNAME to the primary's; the key is looked up through it,
as a receiving MTA would. `--dkim-key SELECTOR=PATH` also proves that the signer's private key is
the half of what is published. The private key is read, turned into its public half and dropped:
it is never printed, logged or kept.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from ..declaration import MailDomain
from ..dkimkey import DkimKey
from ..errors import KolabDnsError
from ..recordset import RecordSet
from . import tags
from .context import CheckContext
from .records import check_recordset
from .resolver import DnsError
from .results import Result, Status, dns_error

CHECK = "dkim"


def _keys(values: tuple[str, ...]) -> list[dict[str, str]]:
    return [tags.parse(v) for v in values if "p=" in v]


def _published(found: dict[str, str]) -> tuple[str, str]:
    return found.get("k", "rsa").lower(), found.get("p", "")


def check_selector(ctx: CheckContext, domain: MailDomain, key: DkimKey, rs: RecordSet) -> Result:
    name = f"{key.selector}._domainkey.{domain.name}"
    if rs.type == "CNAME":
        delegation = check_recordset(ctx, domain.name, CHECK, rs)
        if not delegation.ok:
            return delegation
    subject = f"{name} TXT" + (" (through the CNAME)" if rs.type == "CNAME" else "")
    try:
        found = ctx.resolver.values(name, "TXT")
    except DnsError as e:
        return dns_error(domain.name, CHECK, subject, e)
    expected = (key.txt,)
    published = _keys(found)
    if not published:
        return Result(domain.name, CHECK, subject, Status.MISSING, expected, found, ctx.publish_hint(name))
    if len(published) == 1 and _published(published[0]) == (key.algorithm, key.public_key):
        return Result(domain.name, CHECK, subject, Status.OK, expected, found)
    hint = (
        f"the published key of selector {key.selector} is not the declared one: mail signed with "
        f"the declared key fails DKIM; "
        + ("`kolab-dns sync` publishes it" if ctx.managed(name) else ctx.publish_hint(name))
    )
    if len(published) > 1:
        hint = f"{name} publishes {len(published)} keys; a verifier needs exactly one"
    return Result(domain.name, CHECK, subject, Status.DIFFERENT, expected, found, hint)


def check_domain(ctx: CheckContext, domain: MailDomain, recordsets: list[RecordSet]) -> list[Result]:
    by_name = {rs.name: rs for rs in recordsets if "_domainkey" in rs.name.split(".")}
    out = []
    for key in ctx.decl.deployment.dkim:
        rs = by_name.get(f"{key.selector}._domainkey.{domain.name}")
        if rs is not None:
            out.append(check_selector(ctx, domain, key, rs))
    return out


# --- --dkim-key ---------------------------------------------------------------------------------


def public_of(path: str) -> tuple[str, str]:
    """(k=, p=) of a private key file: PEM (RSA or ed25519) or dkimpy's base64 ed25519 seed."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise KolabDnsError(f"--dkim-key: cannot read {path}: {e.strerror}") from None
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password=None)
        else:
            seed = base64.b64decode(b"".join(data.split()), validate=True)
            key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    except (ValueError, TypeError):
        raise KolabDnsError(f"--dkim-key: {path} is not an unencrypted RSA or ed25519 private key") from None
    if isinstance(key, rsa.RSAPrivateKey):
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return "rsa", base64.b64encode(der).decode()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return "ed25519", base64.b64encode(raw).decode()
    raise KolabDnsError(f"--dkim-key: {path} is neither an RSA nor an ed25519 key")


def check_private_key(ctx: CheckContext, selector: str, path: str, algorithm: str, public: str) -> Result:
    """The public half (algorithm, public) of the private key at path, against what is published."""
    primary = ctx.decl.primary.name
    name = f"{selector}._domainkey.{primary}"
    subject = f"{selector}: private key {path}"
    expected = (f"k={algorithm}; p={public}",)
    try:
        found = ctx.resolver.values(name, "TXT")
    except DnsError as e:
        return dns_error(primary, "dkim-key", subject, e)
    published = [_published(k) for k in _keys(found)]
    if (algorithm, public) in published and len(published) == 1:
        return Result(primary, "dkim-key", subject, Status.OK, expected, found)
    status = Status.MISSING if not published else Status.DIFFERENT
    return Result(
        primary,
        "dkim-key",
        subject,
        status,
        expected,
        found,
        f"the private key does not belong to the key {name} publishes: the signer would fail DKIM; "
        "give the signer the selector's key, or publish this key under a new selector",
    )
