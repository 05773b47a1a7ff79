"""A received repository's git configuration never makes ciptool's git runs start a program.

Each test arms a repository with every setting that makes git run a command (fsmonitor,
filter drivers, external diff, textconv, pager, hooks, signature verification, ssh), each
pointing at a script that leaves a marker, proves that plain git springs the trap, and then
runs ciptool's commands: no marker, and the same answers as from the repository's files alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import EVIDENCE_CSV, MINIMAL_CONFIG, write_repo
from incremental.conftest import git_for_every_miss  # noqa: F401 - a fixture

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FIXED = ["--as-of", "2026-11-15"]
REPORT = [*FIXED, "--generated-at", "2026-11-15T12:00:00Z"]
MOMENT = "2026-11-10T12:00:00+00:00"

TRAP = """\
#!/bin/sh
echo "$0 $*" >> "{marker}"
cat
"""

#: Every setting that makes git start a program, as the repository's own config may hold them.
ARMED = {
    "core.fsmonitor": "{trap}",
    "core.hooksPath": "{hooks}",
    "core.pager": "{trap}",
    "pager.status": "{trap}",
    "core.sshCommand": "{trap}",
    "diff.external": "{trap}",
    "diff.evil.textconv": "{trap}",
    "diff.evil.command": "{trap}",
    "filter.evil.clean": "{trap}",
    "filter.evil.smudge": "{trap}",
    "filter.evil.required": "true",
    "filter.odd=name.x.clean": "{trap}",
    "filter.proc.process": "{trap}",
    "log.showSignature": "true",
    "gpg.program": "{trap}",
    "status.submoduleSummary": "true",
}

ATTRIBUTES = """\
*.yaml filter=evil diff=evil
*.csv filter=proc diff=evil
*.md filter=odd=name.x export-subst
"""


@pytest.fixture
def isolated_git(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> dict[str, str]:
    """Neither this machine's git configuration nor the clock decide what git does here."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_AUTHOR_DATE", MOMENT)
    monkeypatch.setenv("GIT_COMMITTER_DATE", MOMENT)
    # Every miss consults git's index, as a large fresh clone's first run does.
    request.getfixturevalue("git_for_every_miss")
    return dict(os.environ)


def git(root: Path, *args: str) -> str:
    """Run plain git in ``root`` (as a person would) and return what it prints."""
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    completed = subprocess.run(
        ["git", *identity, "-C", str(root), *args], capture_output=True, text=True, check=False
    )
    return completed.stdout


def armed_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A committed repository whose git config runs a marker-writing script: (root, marker)."""
    # The evidence, collected on 2026-10-03, is committed on 2026-11-10: within a tolerance of
    # 60 days it is not back-dated (EV009), so the answers are those of the files alone.
    # tests/test_provenance.py blames back-dated evidence in an armed repository.
    config = MINIMAL_CONFIG + "provenance: {tolerance: 60d}\n"
    root = write_repo(
        tmp_path / "repo",
        {
            ".gitattributes": ATTRIBUTES,
            "README.md": "Commit $Format:%G?$\n",
            "NOTICE": "n\n",
            "ciptool.yaml": config,
        },
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    marker = tmp_path / "marker"
    trap = tmp_path / "trap.sh"
    trap.write_text(TRAP.format(marker=marker))
    trap.chmod(0o755)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc"):
        shutil.copy(trap, hooks / hook)
    for key, value in ARMED.items():
        git(root, "config", key, value.format(trap=trap, hooks=hooks))
    # Every file's stat data differs from the index, so git must read content to compare.
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            os.utime(path, (1_700_000_000, 1_700_000_000))
    return root, marker


def plain_copy(root: Path, tmp_path: Path) -> Path:
    """The repository's files without git, for the answers git cannot change."""
    return Path(shutil.copytree(root, tmp_path / "plain", ignore=shutil.ignore_patterns(".git")))


def test_the_trap_is_armed_for_plain_git(tmp_path: Path, isolated_git: dict[str, str]) -> None:
    root, marker = armed_repo(tmp_path)
    git(root, "status", "--porcelain")
    assert marker.exists()


@pytest.mark.usefixtures("isolated_git")
def test_no_command_lets_the_repository_git_config_run_a_program(tmp_path: Path) -> None:
    root, marker = armed_repo(tmp_path)
    plain = plain_copy(root, tmp_path)
    head = git(root, "rev-parse", "HEAD").strip()
    cli = CliRunner()

    checked = cli.invoke(app, ["check", "--repo", str(root), *FIXED])
    fresh = cli.invoke(app, ["check", "--repo", str(plain), "--no-cache", *FIXED])
    assert (checked.exit_code, checked.stdout) == (fresh.exit_code, fresh.stdout)
    again = cli.invoke(app, ["check", "--repo", str(root), *FIXED])  # from the cache
    assert (again.exit_code, again.stdout) == (fresh.exit_code, fresh.stdout)

    explained = cli.invoke(app, ["explain", "IAM-01", "--repo", str(root), *FIXED])
    assert explained.exit_code == 0, explained.output
    assert (
        explained.stdout
        == cli.invoke(app, ["explain", "IAM-01", "--repo", str(plain), *FIXED]).stdout
    )

    for since in ([], ["--since", "HEAD"]):
        made = cli.invoke(
            app, ["report", "audit-committee", "--repo", str(root), "-o", "-", *REPORT, *since]
        )
        assert made.exit_code == 0, made.output
        # Stat data differs but the content is as committed: git says clean.
        assert f"| Repository commit | {head} |" in made.stdout
    assert "Compared with the program as it stood on 2026-11-10 (revision HEAD)" in made.stdout
    # The end of 2026-Q4 is read from history: the commit is written out and checked.
    trend = ["--as-of", "2027-01-15", "--generated-at", "2027-01-15T12:00:00Z", "--trend", "2q"]
    made = cli.invoke(app, ["report", "audit-committee", "--repo", str(root), "-o", "-", *trend])
    assert made.exit_code == 0, made.output
    assert "| Risks | 2026-Q4 (2026-12-31) | 2027-Q1 to date (2027-01-15) |" in made.stdout
    assert "no record" not in made.stdout

    extra = tmp_path / "export.csv"
    extra.write_bytes(EVIDENCE_CSV)
    added = cli.invoke(
        app,
        [
            "evidence", "add", str(extra), "--control", "IAM-01",
            "--requirement", "recert-signoff", "--collected-on", "2026-11-14", "--repo", str(root),
        ],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    verified = cli.invoke(app, ["evidence", "verify", "--repo", str(root)])
    assert verified.exit_code == 0, verified.output
    made = cli.invoke(app, ["report", "audit-committee", "--repo", str(root), "-o", "-", *REPORT])
    assert f"| Repository commit | {head} (with uncommitted changes) |" in made.stdout

    assert not marker.exists(), marker.read_text()


@pytest.mark.usefixtures("isolated_git")
def test_a_change_only_a_filter_could_judge_leaves_dirtiness_unknown(tmp_path: Path) -> None:
    root, marker = armed_repo(tmp_path)
    head = git(root, "rev-parse", "HEAD").strip()
    with (root / "controls/iam.yaml").open("a") as control:
        control.write("# reviewed\n")
    made = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(root), "-o", "-", *REPORT]
    )
    assert made.exit_code == 0, made.output
    assert f"| Repository commit | {head} (uncommitted changes unknown) |" in made.stdout
    # A change to a file no filter converts is plainly a change.
    (root / "NOTICE").write_text("changed\n")
    made = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(root), "-o", "-", *REPORT]
    )
    assert f"| Repository commit | {head} (with uncommitted changes) |" in made.stdout
    assert not marker.exists(), marker.read_text()
