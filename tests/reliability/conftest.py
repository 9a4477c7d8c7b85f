"""Fixtures for the reliability tests: a PowerDNS of their own, and throw-away repositories.

These tests stop, kill and restart servers, so they never share the session's PowerDNS with the
integration tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..integration.servers import PowerDNS


@pytest.fixture(scope="module")
def module_pdns() -> Iterator[PowerDNS]:
    """One PowerDNS for a test module."""
    with PowerDNS() as server:
        yield server
