"""Shared helpers: the shipped example, and throw-away repositories built from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
