"""DKIM key material: public keys as a declaration gives them, new key pairs, the public half of a
private key, and private key files that never reach the repository.

Public keys are parsed by OpenSSL (through `cryptography`), as the verifiers built on it (OpenDKIM,
rspamd, Exim) parse them: strict DER, where dkimpy's own reader lets some damaged keys through. New
keys are generated with `cryptography`, in the formats dkimpy signs with: RSA as a PEM
`RSA PRIVATE KEY` (PKCS#1, also what OpenDKIM and rspamd read) and ed25519 as the base64 32-byte
seed. dkimpy's own `dknewkey` shells out to openssl for a fixed 2048-bit key and writes with the
process umask. The public half is what the declaration takes after `SELECTOR:`: base64
SubjectPublicKeyInfo for RSA, the raw 32-byte key for ed25519.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import subprocess
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from .errors import KolabDnsError
from .model import DkimKey
from .records import tags

SELECTOR = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
ALGORITHMS = ("rsa", "ed25519")
MIN_RSA_BITS = 1024  # verifiers reject less
WEAK_RSA_BITS = 2048  # below this, a warning
DEFAULT_RSA_BITS = 2048
KEY_SUFFIX = ".key"
MAX_KEY_FILE = 16384  # a PEM of an 8192-bit RSA public key is under 1.5 kB
# DER prefix of an ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows it.
_ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


# --- public keys, as the declaration gives them ----------------------------------------------------


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
    if "p=" in text:  # opendkim-genkey style .txt: ( "v=DKIM1; h=sha256; k=rsa; " "p=..." )
        found = tags.parse("".join(re.findall(r'"([^"]*)"', text)) or text)
        return _b64(found.get("p", "")), found.get("k")
    return _b64(text), None


def parse_public_key(selector: str, text: str) -> DkimKey:
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
        parsed = serialization.load_der_public_key(raw)
    except (ValueError, TypeError, UnsupportedAlgorithm):  # OpenSSL's refusals, however worded
        parsed = None
    if not isinstance(parsed, rsa.RSAPublicKey):
        raise ValueError("is neither an RSA public key (DER) nor a 32-byte ed25519 key")
    bits = parsed.key_size
    if bits < MIN_RSA_BITS:
        raise ValueError(f"is a {bits}-bit RSA key; DKIM verifiers reject keys under {MIN_RSA_BITS} bits")
    return DkimKey(selector, "rsa", base64.b64encode(raw).decode(), bits)


def is_key_path(value: str, base_dir: str) -> bool:
    """A key file rather than the key itself. Base64 may begin with '/', so an absolute path is
    one that exists or that is no base64 at all (1 in 64 ed25519 keys starts with '/')."""
    if value.startswith(("./", "../", "~")) or value.endswith((".pem", ".pub", ".txt", KEY_SUFFIX)):
        return True
    if value.startswith("/"):
        return os.path.exists(os.path.join(base_dir, value)) or not _BASE64.match(value)
    return False


def read_public_key_file(value: str, base_dir: str) -> str:
    """A public key file's text; ValueError for files that hold or may hold a private key, which are
    refused unread into any message: their content would otherwise end up in DNS and plan output."""
    if value.endswith(KEY_SUFFIX):
        raise ValueError(
            f"{value!r} is a private key file (`kolab-dns dkim new` writes SELECTOR.key); "
            "give the public key it printed instead"
        )
    path = os.path.join(base_dir, os.path.expanduser(value))
    if os.path.exists(path) and not os.path.isfile(path):  # /dev/zero or a FIFO would never end
        raise ValueError(f"key file {value!r} is not a regular file")
    try:
        with open(path, encoding="ascii") as fh:
            text = fh.read(MAX_KEY_FILE + 1)
    except (OSError, ValueError) as e:  # ValueError: not ASCII, or a NUL byte in the path
        raise ValueError(f"cannot read key file {value!r}: {e.__class__.__name__}") from None
    if len(text) > MAX_KEY_FILE:
        raise ValueError(f"key file {value!r} is larger than {MAX_KEY_FILE} bytes: not a public key")
    compact = "".join(text.split())
    if "-----BEGIN" not in text and "p=" not in text and len(compact) == 44 and compact.endswith("="):
        raise ValueError(
            f"{value!r} holds a bare 32-byte key, the form of a private ed25519 key; give an ed25519 "
            "public key inline, or as a PEM or DKIM TXT file"
        )
    return text


# --- key pairs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    algorithm: str  # "rsa" or "ed25519", as in the DKIM k= tag
    private: bytes  # file content dkimpy signs with; never printed
    public: str  # base64, exactly what goes after p= and into the declaration

    def __repr__(self) -> str:  # keep the private key out of tracebacks and logs
        return f"KeyPair(algorithm={self.algorithm!r}, public={self.public[:16]}...)"


def public_half(key: Any) -> tuple[str, str]:
    """(k=, p=) of a private key object: what DNS must publish for it."""
    if isinstance(key, rsa.RSAPrivateKey):
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return "rsa", base64.b64encode(der).decode()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return "ed25519", base64.b64encode(raw).decode()
    raise ValueError("is neither an RSA nor an ed25519 key")


def generate(algorithm: str = "rsa", bits: int = DEFAULT_RSA_BITS) -> KeyPair:
    if algorithm == "rsa":
        key: Any = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    elif algorithm == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        seed = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        private = base64.b64encode(seed) + b"\n"
    else:
        raise KolabDnsError(f"unknown DKIM key type {algorithm!r}; expected one of {', '.join(ALGORITHMS)}")
    return KeyPair(algorithm, private, public_half(key)[1])


def public_of(path: str) -> tuple[str, str]:
    """(k=, p=) of a private key file: PEM (RSA or ed25519) or dkimpy's base64 ed25519 seed. The
    private key is read, turned into its public half and dropped."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_KEY_FILE + 1)
    except OSError as e:
        raise KolabDnsError(f"cannot read {path}: {e.strerror}") from None
    try:
        if b"-----BEGIN" in data:
            key: Any = serialization.load_pem_private_key(data, password=None)
        else:
            seed = base64.b64decode(b"".join(data.split()), validate=True)
            key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        return public_half(key)
    except (ValueError, TypeError):
        raise KolabDnsError(f"{path} is not an unencrypted RSA or ed25519 private key") from None


# --- private key files -----------------------------------------------------------------------------


def check_selector(selector: str) -> str:
    """The selector also names the key file, so it is checked before any path is built from it."""
    if not SELECTOR.match(selector):
        raise KolabDnsError(
            f"{selector!r} is not a valid DKIM selector (lower-case letters, digits, hyphens)"
        )
    return selector


def key_path(key_dir: str, selector: str) -> str:
    return os.path.join(os.path.abspath(key_dir), check_selector(selector) + KEY_SUFFIX)


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", cwd, *args], capture_output=True, text=True, check=False)


def _ancestors(path: str) -> list[str]:
    out = [path]
    while os.path.dirname(out[-1]) != out[-1]:
        out.append(os.path.dirname(out[-1]))
    return out


def check_not_committable(path: str) -> None:
    """Refuse a key path in a git work tree unless git ignores it: a private key must never be
    committed, and a file that is tracked, or merely not ignored, is one `git add .` away from it."""
    full = os.path.abspath(path)
    existing = os.path.dirname(full)
    while not os.path.isdir(existing):
        existing = os.path.dirname(existing)
    real = os.path.join(os.path.realpath(existing), os.path.relpath(full, existing))
    try:
        top = _git(existing, "rev-parse", "--show-toplevel")
    except FileNotFoundError:
        if any(os.path.exists(os.path.join(p, ".git")) for p in _ancestors(existing)):
            raise KolabDnsError(f"{path} is in a git repository, but git is missing to check it") from None
        return
    if top.returncode != 0:
        return  # not in a work tree: nothing can commit it
    root = top.stdout.strip()
    rel = os.path.relpath(real, root)
    if _git(root, "ls-files", "--error-unmatch", "--", rel).returncode == 0:
        raise KolabDnsError(f"refusing {path}: git tracks it in {root}; keep private keys out of git")
    if _git(root, "check-ignore", "-q", "--", rel).returncode != 0:
        raise KolabDnsError(
            f"refusing {path}: it is inside the git work tree {root} and not git-ignored; "
            "ignore it (.gitignore: .kolab-dns/) or pass --key-dir outside the repository"
        )


def write_private(path: str, data: bytes) -> None:
    """Create the key file 0600 from the start (never world-readable, not even briefly); never
    overwrite one: a selector's private key is replaced by a new selector, not in place."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KolabDnsError(f"{path} already exists; a new key needs a new selector") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        os.unlink(path)
        raise
