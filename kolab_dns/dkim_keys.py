"""New DKIM key pairs: generated in memory, the private half written 0600 where git cannot commit it.

dkimpy's own `dknewkey` shells out to openssl for a fixed 2048-bit RSA key and writes with the
process umask, so keys are generated here with `cryptography`, in the formats dkimpy signs with:
RSA as a PEM `RSA PRIVATE KEY` (PKCS#1, also what OpenDKIM and rspamd read) and ed25519 as the
base64 32-byte seed (`dkim.sign(..., privkey=...)` with `signature_algorithm=b"ed25519-sha256"`).
The public half is what the declaration takes after `SELECTOR:`: base64 SubjectPublicKeyInfo for
RSA, the raw 32-byte key for ed25519.
"""

from __future__ import annotations

import base64
import os
import subprocess
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from .declaration import _SELECTOR
from .errors import KolabDnsError

ALGORITHMS = ("rsa", "ed25519")
DEFAULT_RSA_BITS = 2048
KEY_SUFFIX = ".key"


@dataclass(frozen=True)
class KeyPair:
    algorithm: str  # "rsa" or "ed25519", as in the DKIM k= tag
    private: bytes  # file content dkimpy signs with; never printed
    public: str  # base64, exactly what goes after p= and into the declaration

    def __repr__(self) -> str:  # keep the private key out of tracebacks and logs
        return f"KeyPair(algorithm={self.algorithm!r}, public={self.public[:16]}...)"


def generate(algorithm: str = "rsa", bits: int = DEFAULT_RSA_BITS) -> KeyPair:
    if algorithm == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return KeyPair("rsa", private, base64.b64encode(der).decode())
    if algorithm == "ed25519":
        ed = ed25519.Ed25519PrivateKey.generate()
        seed = ed.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        raw = ed.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return KeyPair("ed25519", base64.b64encode(seed) + b"\n", base64.b64encode(raw).decode())
    raise KolabDnsError(f"unknown DKIM key type {algorithm!r}; expected one of {', '.join(ALGORITHMS)}")


def check_selector(selector: str) -> str:
    """The selector also names the key file, so it is checked before any path is built from it."""
    if not _SELECTOR.match(selector):
        raise KolabDnsError(
            f"{selector!r} is not a valid DKIM selector (lower-case letters, digits, hyphens)"
        )
    return selector


def key_path(key_dir: str, selector: str) -> str:
    return os.path.join(os.path.abspath(key_dir), check_selector(selector) + KEY_SUFFIX)


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", cwd, *args], capture_output=True, text=True, check=False)


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


def _ancestors(path: str) -> list[str]:
    out = [path]
    while os.path.dirname(out[-1]) != out[-1]:
        out.append(os.path.dirname(out[-1]))
    return out


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
