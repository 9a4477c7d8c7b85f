"""Shared helpers: the shipped example, and throw-away repositories built from it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kolab_dns import logs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "zones" / "kolab.yaml"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository layout with the shipped declaration and the embedded local provider."""
    (tmp_path / "zones").mkdir()
    (tmp_path / "providers").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "zones" / "kolab.yaml")
    shutil.copy(ROOT / "providers" / "local.yaml", tmp_path / "providers" / "local.yaml")
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fresh_redactor() -> Iterator[None]:
    """Each kolab-dns process learns its own secrets; tests share one process, so a secret one test
    taught the redactor (a value of a hypothesis-made provider file, say) must not mask another
    test's output: a full run once saw the provider name `cloudflare` masked in an error line."""
    saved = set(logs.REDACTOR.secrets)
    logs.REDACTOR.secrets.clear()
    yield
    logs.REDACTOR.secrets.clear()
    logs.REDACTOR.secrets.update(saved)
