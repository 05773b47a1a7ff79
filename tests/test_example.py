"""The example program at the top of the repository: ciptool's main job, out of the box."""

from __future__ import annotations

import hashlib
from pathlib import Path

from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.engine import check_repository
from conftest import PROJECT_ROOT, SETTINGS


def test_example_program_checks_clean() -> None:
    result, graph = check_repository(PROJECT_ROOT, SETTINGS)
    assert result.config_usable
    assert [f.code for f in result.findings if f.severity.value == "error"] == []
    assert graph is not None
    assert len(graph.controls) >= 20
    assert len(graph.policies) >= 6


def test_every_evidence_digest_matches() -> None:
    _result, graph = check_repository(PROJECT_ROOT, SETTINGS)
    assert graph is not None
    checked = 0
    for sourced in graph.repository.evidence:
        folder = (PROJECT_ROOT / sourced.file).parent
        for entry in sourced.record.files:
            data = (folder / entry.path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.path
            checked += 1
    assert checked > 0


def test_readme_main_command_exits_0() -> None:
    result = CliRunner().invoke(app, ["check", "--repo", str(PROJECT_ROOT)])
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith("- passed\n")


def test_example_covers_the_security_processes() -> None:
    _result, graph = check_repository(PROJECT_ROOT, SETTINGS)
    assert graph is not None
    processes = {c.record.process for c in graph.iter_controls()}
    assert {
        "governance",
        "identity-and-access-management",
        "incident-response",
        "third-party-security-oversight",
    } <= processes
    assert all(Path(PROJECT_ROOT / c.file).is_file() for c in graph.iter_controls())
