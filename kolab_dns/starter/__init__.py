"""`kolab-dns init`: an operator's starter repository, written from files shipped in the package.

The templates sit beside this module as package data, so an installed wheel carries them and
nothing is read from a source checkout. A starter never overwrites: if any file it would write
exists, it writes none, so an operator's own files are never mixed with or replaced by ours.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources

from .. import __version__
from ..errors import KolabDnsError

# The CI recipes pin the release that wrote them, from a source the operator sets: until then the
# obvious placeholder below (the project names no public home of its own yet).
VERSION_TOKEN = "__KOLAB_DNS_VERSION__"
SOURCE_TOKEN = "__KOLAB_DNS_SOURCE__"
SOURCE_PLACEHOLDER = "https://git.example.org/kolab-dns/kolab-dns"


@dataclass(frozen=True)
class StarterFile:
    template: str  # a file beside this module
    target: str  # its path in the new repository, "/"-separated

    def text(self) -> str:
        source = resources.files(__name__).joinpath(self.template).read_text(encoding="utf-8")
        return source.replace(VERSION_TOKEN, __version__).replace(SOURCE_TOKEN, SOURCE_PLACEHOLDER)


BASE = (
    StarterFile("kolab.yaml", "zones/kolab.yaml"),
    StarterFile("local.yaml", "providers/local.yaml"),
    StarterFile("gitignore", ".gitignore"),
)
CI = {
    "github": StarterFile("github-dns.yml", ".github/workflows/dns.yml"),
    "gitlab": StarterFile("gitlab-ci.yml", ".gitlab-ci.yml"),
}


def files(ci: str | None = "github") -> tuple[StarterFile, ...]:
    if ci is not None and ci not in CI:
        raise KolabDnsError(f"unknown CI {ci!r}; expected one of {', '.join(CI)}")
    return BASE + ((CI[ci],) if ci else ())


def write(directory: str, ci: str | None = "github") -> list[str]:
    """Write the starter into `directory` (created if missing); returns the paths written."""
    chosen = files(ci)
    present = [f.target for f in chosen if os.path.lexists(os.path.join(directory, f.target))]
    if present:
        raise KolabDnsError(
            f"{_shown(directory, present)} already exist{'s' * (len(present) == 1)}; "
            "init never overwrites, and wrote nothing"
        )
    made: list[str] = []  # files and directories created, undone in reverse on failure
    try:
        for f in chosen:
            path = os.path.join(directory, *f.target.split("/"))
            _makedirs(os.path.dirname(path), made)
            with open(path, "x", encoding="utf-8") as fh:
                made.append(path)
                fh.write(f.text())
    except OSError as e:
        for path in reversed(made):
            (os.rmdir if os.path.isdir(path) else os.unlink)(path)
        target = e.filename or directory
        raise KolabDnsError(f"{target}: {e.strerror or e}; init wrote nothing") from None
    return [f.target for f in chosen]


def _makedirs(path: str, made: list[str]) -> None:
    missing = []
    while path and not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for d in reversed(missing):
        os.mkdir(d)
        made.append(d)


def _shown(directory: str, targets: list[str]) -> str:
    prefix = "" if os.path.abspath(directory) == os.path.abspath(".") else directory.rstrip("/") + "/"
    return ", ".join(prefix + t for t in targets)
