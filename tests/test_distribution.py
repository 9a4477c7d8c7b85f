"""The package as operators get it: built, checked, installed by pin into fresh venvs, and run on a
copy of the example repository with no source tree anywhere on the path.

The slow module of the suite (about a minute): it builds the sdist and wheel with `python -m build`
(build isolation fetches setuptools through pip's configured index), pins the wheel and every
dependency by hash with pip-tools, and installs with the CI recipe's own install step, once from
requirements.txt and once from a git pin.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kolab_dns import __version__, starter

from .conftest import ROOT

pytestmark = pytest.mark.slow

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", "-c", "init.defaultBranch=main"]


def sh(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@dataclass(frozen=True)
class Built:
    source: Path  # a git repository holding a copy of this checkout's files, tagged v<version>
    wheel: Path
    sdist: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build from a copy (the files git would commit), so the checkout gains no build/ or egg-info."""
    source = tmp_path_factory.mktemp("source")
    listed = sh("git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, source / rel)
    sh(*GIT, "init", "-q", cwd=source)
    sh(*GIT, "add", "-A", cwd=source)
    sh(*GIT, "commit", "-q", "-m", "release", cwd=source)
    sh(*GIT, "tag", f"v{__version__}", cwd=source)
    dist = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--outdir", dist, source)
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == len(sdists) == 1
    return Built(source, wheels[0], sdists[0])


def clean_env() -> dict[str, str]:
    """This environment less anything that points Python at the checkout or its venv."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def venv(path: Path) -> dict[str, str]:
    """A fresh venv, and an environment in which it comes first."""
    sh(sys.executable, "-m", "venv", path)
    env = clean_env()
    return env | {"PATH": f"{path / 'bin'}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(path)}


def install_step() -> str:
    """The CI recipe's install step, run here exactly as CI runs it."""
    workflow = yaml.safe_load(starter.CI["github"].text())
    return next(
        s["run"] for s in workflow["jobs"]["plan"]["steps"] if s.get("name", "").startswith("Install")
    )


def example_copy(where: Path) -> Path:
    for sub in ("zones", "providers"):
        shutil.copytree(ROOT / sub, where / sub)
    return where


def test_sdist_and_wheel_pass_twine_and_carry_what_they_need(built: Built) -> None:
    sh(sys.executable, "-m", "twine", "check", "--strict", built.wheel, built.sdist)
    assert built.wheel.name == f"kolab_dns-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(built.wheel) as whl:
        names = whl.namelist()
        metadata = whl.read(f"kolab_dns-{__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata
    for template in ("kolab.yaml", "local.yaml", "gitignore", "github-dns.yml", "gitlab-ci.yml"):
        assert f"kolab_dns/starter/{template}" in names
    assert not [n for n in names if not n.startswith(("kolab_dns/", "kolab_dns-"))]  # no tests/, no zones/
    with tarfile.open(built.sdist) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    for path in ("CHANGELOG.md", "zones/kolab.yaml", "tests/conftest.py", "kolab_dns/starter/gitignore"):
        assert path in members


def test_hash_pinned_install_runs_the_example_and_the_starter(built: Built, tmp_path: Path) -> None:
    operator = tmp_path / "operator"
    operator.mkdir()
    (operator / "requirements.in").write_text(f"kolab-dns @ {built.wheel.as_uri()}\n")
    sh(
        sys.executable, "-m", "piptools", "compile", "--quiet", "--generate-hashes", "--strip-extras",
        "--no-emit-index-url", "--no-emit-find-links", "--output-file", "requirements.txt", "requirements.in",
        cwd=operator,
    )  # fmt: skip
    pins = (operator / "requirements.txt").read_text()
    digest = hashlib.sha256(built.wheel.read_bytes()).hexdigest()
    assert f"kolab-dns @ {built.wheel.as_uri()} \\\n    --hash=sha256:{digest}\n" in pins
    assert "octodns==" in pins and "publicsuffixlist==" in pins

    env = venv(tmp_path / "venv")
    tampered = operator / "tampered" / "requirements.txt"
    tampered.parent.mkdir()
    tampered.write_text(pins.replace(digest, "0" * 64))
    proc = subprocess.run(
        ["bash", "-ec", install_step()], cwd=tampered.parent, env=env, capture_output=True, text=True
    )
    assert proc.returncode != 0 and "THESE PACKAGES DO NOT MATCH THE HASHES" in proc.stderr
    assert not (tmp_path / "venv" / "bin" / "kolab-dns").exists()

    out = sh("bash", "-ec", install_step(), cwd=operator, env=env)
    assert out.splitlines()[-1] == f"kolab-dns, version {__version__}"
    kolab_dns = tmp_path / "venv" / "bin" / "kolab-dns"
    where = sh(
        tmp_path / "venv" / "bin" / "python",
        "-c",
        "import kolab_dns; print(kolab_dns.__file__)",
        cwd=tmp_path,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(tmp_path / "venv") and not Path(where).is_relative_to(ROOT)

    example = example_copy(tmp_path / "example")
    assert sh(kolab_dns, "validate", cwd=example, env=env).startswith(
        "zones/kolab.yaml: valid: 2 domains, 1 zones"
    )
    zone = sh(kolab_dns, "render", "--format", "zone", cwd=example, env=env)
    assert zone.startswith("$ORIGIN klab.cc.\n") and "\nkolab 3600 IN A 185.254.79.10\n" in zone
    # A secondary in another organization: the Public Suffix List decides it needs report authorization.
    sh(kolab_dns, "add", "secondary", "customer.example", cwd=example, env=env)
    plan = sh(kolab_dns, "plan", cwd=example, env=env)
    assert (
        plan.startswith("Plan: 2 zones, 2 with changes:")
        and "+ customer.example._report._dmarc.kolab.klab.cc 3600 TXT v=DMARC1" in plan
    )
    assert "kolab-secondary.klab.cc._report" not in plan  # the same organization: no authorization
    policy = sh(kolab_dns, "mta-sts", "policy", cwd=example, env=env)
    assert policy.splitlines()[:3] == ["version: STSv1", "mode: enforce", "mx: kolab.klab.cc"]

    sh(kolab_dns, "init", "starter", cwd=tmp_path, env=env)
    assert sh(kolab_dns, "-C", "starter", "validate", cwd=tmp_path, env=env).startswith(
        "zones/kolab.yaml: valid"
    )
    assert "+ mail.example.com 3600 A 192.0.2.10" in sh(
        kolab_dns, "-C", "starter", "plan", cwd=tmp_path, env=env
    )
    workflow = (tmp_path / "starter" / ".github" / "workflows" / "dns.yml").read_text()
    assert f"KOLAB_DNS_VERSION: v{__version__}\n" in workflow


def test_git_pinned_install_from_the_tag_the_recipe_names(built: Built, tmp_path: Path) -> None:
    # file://localhost/: a requirement's URL needs a host (PEP 508 as pip reads it); git takes it.
    env = venv(tmp_path / "venv") | {"KOLAB_DNS_SOURCE": f"file://localhost{built.source}"}
    env["KOLAB_DNS_VERSION"] = yaml.safe_load(starter.CI["github"].text())["env"]["KOLAB_DNS_VERSION"]
    operator = example_copy(tmp_path / "operator")  # no requirements.txt: the git pin is used
    out = sh("bash", "-ec", install_step(), cwd=operator, env=env)
    assert out.splitlines()[-1] == f"kolab-dns, version {__version__}"
    assert sh(tmp_path / "venv" / "bin" / "kolab-dns", "validate", cwd=operator, env=env).startswith(
        "zones/kolab.yaml: valid"
    )
    env["KOLAB_DNS_VERSION"] = "v0.0.0-no-such-tag"
    proc = subprocess.run(
        ["bash", "-ec", install_step()], cwd=operator, env=env, capture_output=True, text=True
    )
    assert proc.returncode != 0


def test_release_workflow_refuses_a_tag_that_is_not_the_version(built: Built, tmp_path: Path) -> None:
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    name = "The wheel reports the tag's version and starts a repository that plans"
    script = next(s["run"] for s in release["jobs"]["build"]["steps"] if s.get("name") == name)
    (tmp_path / "dist").mkdir()
    shutil.copy(built.wheel, tmp_path / "dist")
    env = clean_env() | {"RUNNER_TEMP": str(tmp_path / "runner"), "GITHUB_REF_NAME": f"v{__version__}"}
    (tmp_path / "runner").mkdir()
    out = sh("bash", "-ec", script, cwd=tmp_path, env=env)
    assert "\nPlan: 2 zones, 2 with changes:" in out
    env["GITHUB_REF_NAME"] = "v9.9.9"
    proc = subprocess.run(["bash", "-ec", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    assert (
        proc.stderr.splitlines()[-1]
        == f"tag v9.9.9 is not kolab_dns.__version__ (kolab-dns, version {__version__})"
    )
