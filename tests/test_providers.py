"""Provider files: `env/` references read as octoDNS reads them, and their secrets known for masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from kolab_dns.errors import DeclarationError
from kolab_dns.octo.providers import Providers, check_secrets, env_reference, resolve, secret_values
from kolab_dns.project import Project

SECRET = "s3cr3t-api-key-0f9a"
TSIG = "q83vEjRWeJq8N4y2dGh9bW9yZSBzZWNyZXQ="


def test_secret_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDNS_API_KEY", SECRET)
    monkeypatch.delenv("UNSET_VAR", raising=False)
    config = {
        "class": "octodns_powerdns.PowerDnsProvider",
        "host": "127.0.0.1",
        "api_key": "env/PDNS_API_KEY",
        "token": "env/UNSET_VAR/fallback-token",
        "key_secret": TSIG,  # a literal secret: bad practice, masked all the same
        "key_name": "kolab-dns.",
        "port": 8081,
    }
    assert sorted(secret_values(config)) == sorted([SECRET, "fallback-token", TSIG])


def test_env_references_read_as_octodns_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLAB_TEST_UNSET", raising=False)
    monkeypatch.setenv("KOLAB_TEST_PORT", "8081")
    assert env_reference("env/A") == ("A", None)
    assert env_reference("env/A/") == ("A", "")  # an empty default is a default
    assert env_reference("env/A/x/y") == ("A", "x/y")
    assert env_reference("environment") is None
    assert resolve("env/KOLAB_TEST_PORT") == 8081  # octoDNS's EnvironSecrets makes numbers of digits
    assert resolve("env/KOLAB_TEST_UNSET/") == ""
    assert resolve("plain") == "plain"


def test_an_empty_default_satisfies_the_secret_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLAB_TEST_UNSET", raising=False)
    (tmp_path / "providers").mkdir()
    body = "class: octodns_powerdns.PowerDnsProvider\nhost: 127.0.0.1\napi_key: env/KOLAB_TEST_UNSET{}\n"
    (tmp_path / "providers" / "empty.yaml").write_text(body.format("/"))
    (tmp_path / "providers" / "unset.yaml").write_text(body.format(""))
    providers = Providers(Project.at(str(tmp_path)))
    check_secrets(providers.get("empty"))
    with pytest.raises(DeclarationError, match="KOLAB_TEST_UNSET is not set"):
        check_secrets(providers.get("unset"))
