"""A kolab-dns repository: where its declaration, providers and state live, and how paths read.

The declaration is `zones/kolab.yaml` unless told otherwise, provider files are
`providers/NAME.yaml` (read by octo/providers.py), and `.kolab-dns/` holds local state (the
embedded target's zones, the sync lock, new DKIM keys), which git ignores.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from . import declaration as declaration_mod
from .errors import DeclarationError
from .located import load_text
from .model import Declaration

DEFAULT_DECLARATION = os.path.join("zones", "kolab.yaml")
STATE_DIR = ".kolab-dns"


@dataclass(frozen=True)
class Project:
    root: str
    declaration_path: str

    @classmethod
    def at(cls, root: str = ".", declaration: str | None = None) -> Project:
        root = os.path.abspath(root)
        path = declaration or DEFAULT_DECLARATION
        return cls(root, path if os.path.isabs(path) else os.path.join(root, path))

    def display(self, path: str) -> str:
        """Paths in messages are relative to the repository, as a user would type them."""
        rel = os.path.relpath(path, self.root)
        return path if rel.startswith("..") else rel

    @property
    def declaration_display(self) -> str:
        return self.display(self.declaration_path)

    @property
    def state_dir(self) -> str:
        return os.path.join(self.root, STATE_DIR)

    def load(self) -> Declaration:
        return declaration_mod.load(self.declaration_path, self.declaration_display)

    def text_at(self, ref: str) -> tuple[str, str]:
        """The declaration's text at a git ref, and its name for messages (`REF:path`)."""
        rel = os.path.relpath(self.declaration_path, self.root)
        try:
            proc = subprocess.run(
                ["git", "-C", self.root, "show", f"{ref}:./{rel}"],
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError:
            raise DeclarationError("--since needs git, which is not installed") from None
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise DeclarationError(f"cannot read {rel} at {ref!r}: {reason}")
        return proc.stdout, f"{ref}:{rel}"

    def load_at(self, ref: str) -> Declaration:
        """The declaration as it was at a git ref, for plans scoped to what a change touches."""
        text, display = self.text_at(ref)
        return declaration_mod.parse(load_text(text, display), os.path.dirname(self.declaration_path))
