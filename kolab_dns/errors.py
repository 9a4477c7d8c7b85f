"""The one error type that leaves kolab-dns for bad input or a failed run."""

from __future__ import annotations


class KolabDnsError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits 1."""


class DeclarationError(KolabDnsError):
    """Bad input, located at a file, line and dotted key so an editor can jump to it."""

    def __init__(
        self, message: str, file: str | None = None, line: int | None = None, key: str | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        key = ""
        if self.key:  # a key is user input: one with a line break or control character is quoted
            key = f"{self.key if self.key.isprintable() else repr(self.key)}: "
        return f"{where}{key}{' '.join(self.message.splitlines())}"
