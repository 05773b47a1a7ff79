"""ciptool's SARIF as Microsoft's SARIF multitool judges it: no error and no warning.

The multitool (npm ``@microsoft/sarif-multitool``, a .NET program inside the package) checks
what the schema cannot: that URIs are valid, that the tool and its rules say where to learn
more, that indexes agree. ``.ci/run`` installs it into ``.ci/node``; without it the test
skips, except in CI, where it fails.
"""

from __future__ import annotations

import json
import platform
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import PROJECT_ROOT, unavailable, write_repo
from test_ci_outputs import ODD

_PLATFORMS = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}
#: Notes that ask for what ciptool cannot honestly give, each with the reason.
_NOTES_ACCEPTED = {
    # Message ids and arguments instead of text: ciptool's messages are composed, not looked up.
    "SARIF2002",
    # versionControlProvenance needs the repository's absolute URL, which ciptool does not know.
    "SARIF2003",
    # URIs reachable over HTTP: the test runs offline.
    "SARIF2006",
    # Snippets and context regions of YAML lines: results point at the line and column.
    "SARIF2010",
    "SARIF2011",
}


@pytest.fixture(scope="module")
def multitool() -> Path:
    """The multitool's program as ``.ci/run`` installs it."""
    package = f"sarif-multitool-{_PLATFORMS.get(platform.system(), 'linux')}"
    name = "Sarif.Multitool.exe" if platform.system() == "Windows" else "Sarif.Multitool"
    program = PROJECT_ROOT / ".ci" / "node" / "node_modules" / "@microsoft" / package / name
    if not program.is_file():
        where = program.relative_to(PROJECT_ROOT)
        unavailable(f"the SARIF multitool is not installed ({where}; .ci/run installs it)")
    return program


def sarif_of(root: Path, target: Path) -> Path:
    outcome = CliRunner().invoke(
        app,
        ["check", "--repo", str(root), "--as-of", "2026-11-15", "-f", "sarif", "-o", str(target)],
    )
    assert outcome.exit_code in (0, 1), outcome.output
    return target


def test_the_multitool_finds_no_error_or_warning(multitool: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    odd = write_repo(work / "compliance", ODD)
    logs = [
        sarif_of(PROJECT_ROOT, tmp_path / "example.sarif"),
        sarif_of(odd, tmp_path / "odd-names.sarif"),
    ]
    report = tmp_path / "validation.sarif"
    options = ["--level", "Error;Warning;Note", "--output", str(report), "--log", "ForceOverwrite"]
    completed = subprocess.run(
        [str(multitool), "validate", *map(str, logs), *options],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    results = json.loads(report.read_text(encoding="utf-8"))["runs"][0]["results"]
    judged = [
        (r["ruleId"], r.get("level", "warning"), r["message"].get("arguments", [""])[0])
        for r in results
    ]
    problems = [(rule, level, where) for rule, level, where in judged if level != "note"]
    assert problems == [], completed.stdout
    notes = Counter(rule for rule, _, _ in judged)
    assert set(notes) <= _NOTES_ACCEPTED, completed.stdout
