"""The documented recipes: the CI workflows install kolab-dns by pin only, the project keeps the
starter's files as its example copies, the release workflow guards its tag, the version has one
home, and shell completion works as the README says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from click.testing import CliRunner

from kolab_dns import __version__, starter
from kolab_dns.cli import cli

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def step(job: dict, name: str) -> str:
    return next(s["run"] for s in job["steps"] if s.get("name") == name)


def test_the_projects_copies_are_the_starters_files() -> None:
    """The example repository here is what `init` writes: one source, the package's templates."""
    assert (ROOT / "docs" / "github-dns.yml").read_text() == starter.CI["github"].text()
    assert (ROOT / "providers" / "local.yaml").read_text() == starter.BASE[1].text()
    doc = (ROOT / "docs" / "gitlab-ci.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.DOTALL)
    assert blocks == [starter.CI["gitlab"].text()]


def _install_steps(recipe: dict) -> list[str]:
    return [
        s["run"]
        for job in recipe["jobs"].values()
        for s in job["steps"]
        if "Install kolab-dns" in s.get("name", "")
    ]


def test_ci_recipes_pin_the_release_that_wrote_them() -> None:
    github = yaml.safe_load(starter.CI["github"].text())
    gitlab = yaml.safe_load(starter.CI["gitlab"].text())
    for env in (github["env"], gitlab["variables"]):
        assert env["KOLAB_DNS_VERSION"] == f"v{__version__}"
        assert (
            env["KOLAB_DNS_SOURCE"]
            == starter.SOURCE_PLACEHOLDER
            == "https://git.example.org/kolab-dns/kolab-dns"
        )
    steps = _install_steps(github)
    assert len(steps) == 2 and len(set(steps)) == 1 and len(github["jobs"]) == 2  # every job, the same step
    assert gitlab["default"]["before_script"] == [steps[0]]
    assert 'pip install "kolab-dns @ git+${KOLAB_DNS_SOURCE}@${KOLAB_DNS_VERSION}"' in steps[0]
    assert "pip install --require-hashes -r requirements.txt" in steps[0]


def test_no_recipe_or_doc_installs_kolab_dns_by_name() -> None:
    """A bare `pip install kolab-dns` asks a package index for a name nobody here controls."""
    paths = [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / ".github").rglob("*.yml")),
    ]
    paths += [p for p in sorted(Path(starter.__file__).parent.iterdir()) if p.suffix in (".yml", ".yaml")]
    installs = 0
    for path in paths:
        for line in path.read_text().splitlines():
            for match in re.finditer(r"pip install\b[^`\n]*", line):
                if re.search(r"\bkolab[-_]dns\b", match.group()):
                    installs += 1
                    assert re.search(r"kolab-dns(\[[a-z,]+\])? @ ", match.group()), f"{path}: {line.strip()}"
    assert installs >= 3


def test_project_ci_runs_the_suite_and_checks_the_artifacts() -> None:
    jobs = workflow("ci.yml")["jobs"]
    assert [s.get("run") for s in jobs["test"]["steps"]][-1] == "bash .ci/run"
    build = step(jobs["build"], "Build the sdist and wheel, check them")
    assert "python -m build" in build and "twine check --strict dist/*" in build


def test_release_builds_checks_attaches_and_leaves_publishing_disabled() -> None:
    release = workflow("release.yml")
    assert release[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as True
    jobs = release["jobs"]
    assert "twine check --strict dist/*" in step(jobs["build"], "Build the sdist and wheel, check them")
    attach = step(jobs["attach"], "Attach the files to the tag's release")
    assert 'gh release upload "$GITHUB_REF_NAME" dist/*' in attach and "--clobber" not in attach
    assert jobs["publish"]["if"] is False and "pypa/gh-action-pypi-publish@release/v1" in str(jobs["publish"])
    assert jobs["publish"]["permissions"] == {"id-token": "write"}  # trusted publishing, no token stored
    assert "DISABLED" in (WORKFLOWS / "release.yml").read_text()


def _notes(tmp_path: Path, changelog: str, tag: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "CHANGELOG.md").write_text(changelog)
    script = step(
        workflow("release.yml")["jobs"]["build"], "The release notes are the version's CHANGELOG section"
    )
    env = {"PATH": "/usr/bin:/bin", "GITHUB_REF_NAME": tag, "RUNNER_TEMP": str(tmp_path)}
    return subprocess.run(["bash", "-ec", script], cwd=tmp_path, env=env, capture_output=True, text=True)


def test_release_notes_are_the_tags_changelog_section(tmp_path: Path) -> None:
    changelog = (
        "# Changelog\n\n## [Unreleased]\n- next\n\n## [1.2.0] - 2025-01-01\n- this\n\n## [1.1.0]\n- old\n"
    )
    assert _notes(tmp_path, changelog, "v1.2.0").returncode == 0
    assert (tmp_path / "dist-notes.md").read_text() == "- this\n\n"
    proc = _notes(tmp_path, changelog, "v1.3.0")
    assert proc.returncode == 1 and "CHANGELOG.md has no section ## [1.3.0]" in proc.stderr


def test_version_comes_from_one_place() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    code, out = result.exit_code, result.stdout
    assert code == 0 and out == f"kolab-dns, version {__version__}\n"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "kolab_dns.__version__"}
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog


def _completion_env() -> dict[str, str]:
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": "/nonexistent",
    }


def test_documented_bash_completion_completes_commands_and_choices(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    line = 'eval "$(_KOLAB_DNS_COMPLETE=bash_source kolab-dns)"'
    assert f"| bash | `{line}` |" in readme
    script = (
        line
        + """
COMP_WORDS=(kolab-dns in); COMP_CWORD=1; _kolab_dns_completion kolab-dns; echo "${COMPREPLY[@]}"
COMPREPLY=(); COMP_WORDS=(kolab-dns init --ci ''); COMP_CWORD=3; _kolab_dns_completion kolab-dns
echo "${COMPREPLY[@]}"; complete -p kolab-dns
"""
    )
    proc = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=_completion_env(), capture_output=True, text=True
    )
    assert proc.stdout.splitlines() == [
        "init",
        "github gitlab none",
        "complete -o nosort -F _kolab_dns_completion kolab-dns",
    ], proc.stderr


def test_documented_zsh_and_fish_completion_scripts_are_generated(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    for shell, first in (("zsh", "#compdef kolab-dns"), ("fish", "function _kolab_dns_completion;")):
        assert f"_KOLAB_DNS_COMPLETE={shell}_source kolab-dns" in readme
        env = _completion_env() | {"_KOLAB_DNS_COMPLETE": f"{shell}_source"}
        proc = subprocess.run(
            ["kolab-dns"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        )
        assert proc.stdout.splitlines()[0] == first
