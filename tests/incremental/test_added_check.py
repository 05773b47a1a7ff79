"""A check added the documented way (a class and an entry in ``ALL_CHECKS``) is right under a
kept result: after one evidence record changes, the check after the change says what a check
without the cache says, the added check's finding included.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool import checks
from ciptool.checks import Check, Context, Scope
from ciptool.cli import app
from ciptool.findings import Finding, Severity
from conftest import AS_OF, write_repo
from test_check_scopes import undeclared_scopes

_CSV = b"system,reviewer\ncrm,a.manager\n"
_DIGEST = hashlib.sha256(_CSV).hexdigest()


class CollectedOnAWeekend(Check):
    """Evidence collected on a Saturday or a Sunday.

    Why: a test's own check, one evidence record at a time.

    Passes: ``collected_on: 2026-10-02`` (a Friday).
    Fails: ``collected_on: 2026-10-03`` (a Saturday).

    Fix: check the date.
    """

    code = "EV901"
    slug = "collected-on-a-weekend"
    family = "evidence"
    scope = Scope.RECORD
    severity = Severity.WARNING

    def __init__(self) -> None:
        #: The evidence record files of the repository each run checked, in order.
        self.runs: list[list[str]] = []

    def run(self, ctx: Context) -> Iterator[Finding]:
        evidence = ctx.graph.repository.evidence
        self.runs.append(sorted({sourced.file for sourced in evidence}))
        for sourced in evidence:
            record = sourced.record
            if record.collected_on.weekday() >= 5:
                yield self.finding(
                    f"evidence for {record.control} was collected on a weekend",
                    sourced.at("collected_on"),
                    "Check the date.",
                    subject=f"{record.control}/{record.requirement}",
                    control=record.control,
                )


class _WholeRepository(CollectedOnAWeekend):
    """The same check, saying that its findings may depend on anything in the repository.

    Why: a check that cannot say what a change affects.

    Passes: as EV901.
    Fails: as EV901.

    Fix: as EV901.
    """

    scope = Scope.REPOSITORY


def _control(ident: str) -> str:
    return f"""\
    controls:
      - id: {ident}
        title: Recertification {ident}
        owner: IAM lead
        frequency: quarterly
        evidence:
          - id: signoff
            description: Signed results
        process: identity-and-access-management
    """


def _record(control: str, collected_on: str) -> str:
    return f"""\
    evidence:
      - control: {control}
        requirement: signoff
        collected_on: {collected_on}
        period: {{start: 2026-07-01, end: 2026-09-30}}
        files:
          - {{path: files/{control.lower()}.csv, sha256: "{_DIGEST}"}}
    """


@pytest.fixture
def weekend_repo(tmp_path: Path, settled: None) -> Path:
    """Two controls, each with one evidence record collected on a Friday."""
    root = tmp_path / "repo"
    files: dict[str, str | bytes] = {
        "ciptool.yaml": "program: Test Program\n",
        "controls/iam-01.yaml": _control("IAM-01"),
        "controls/iam-02.yaml": _control("IAM-02"),
        "evidence/iam-01.yaml": _record("IAM-01", "2026-10-02"),
        "evidence/iam-02.yaml": _record("IAM-02", "2026-10-02"),
        "evidence/files/iam-01.csv": _CSV,
        "evidence/files/iam-02.csv": _CSV,
    }
    return write_repo(root, files, minimal=False)


def _register(monkeypatch: pytest.MonkeyPatch, check: Check) -> None:
    """Register ``check`` as the documented way does: an entry in ``ALL_CHECKS``."""
    monkeypatch.setattr(checks, "ALL_CHECKS", (*checks.ALL_CHECKS, check))


def _check_json(root: Path, *options: str) -> str:
    outcome = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--as-of", str(AS_OF), "-f", "json", *options]
    )
    assert outcome.exit_code in (0, 1), outcome.output
    return outcome.stdout


def _brief(output: str) -> list[tuple[str, str, int, int, str]]:
    """Each finding of a JSON output: its code, file, line, column and message."""
    return [
        (f["code"], f["file"], f["line"], f["column"], f["message"])
        for f in json.loads(output)["findings"]
    ]


def _collected_on_a_saturday(root: Path) -> None:
    """Change IAM-01's one record: collected on a Saturday."""
    record = root / "evidence/iam-01.yaml"
    record.write_text(textwrap.dedent(_record("IAM-01", "2026-10-03")), encoding="utf-8")


def test_the_registry_test_judges_a_check_added_at_test_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _register(monkeypatch, CollectedOnAWeekend())
    assert "EV901" in {check.code for check in checks.ALL_CHECKS}
    assert undeclared_scopes() == []


def test_a_per_record_check_added_at_test_time_is_right_after_a_change(
    weekend_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = CollectedOnAWeekend()
    _register(monkeypatch, added)
    before = _check_json(weekend_repo)
    assert "EV901" not in before
    _collected_on_a_saturday(weekend_repo)
    added.runs.clear()
    cached = _check_json(weekend_repo)
    # The kept result was checked again over the changed record's control only.
    assert added.runs == [["evidence/iam-01.yaml"]]
    assert cached == _check_json(weekend_repo, "--no-cache")
    assert added.runs[-1] == ["evidence/iam-01.yaml", "evidence/iam-02.yaml"]
    assert _brief(cached) == [
        ("EV901", "evidence/iam-01.yaml", 4, 19, "evidence for IAM-01 was collected on a weekend")
    ]


def test_a_check_that_may_depend_on_anything_is_run_over_the_whole_repository(
    weekend_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = _WholeRepository()
    _register(monkeypatch, added)
    _check_json(weekend_repo)
    _collected_on_a_saturday(weekend_repo)
    added.runs.clear()
    cached = _check_json(weekend_repo)
    assert added.runs == [["evidence/iam-01.yaml", "evidence/iam-02.yaml"]]
    assert cached == _check_json(weekend_repo, "--no-cache")
    assert _brief(cached) == [
        ("EV901", "evidence/iam-01.yaml", 4, 19, "evidence for IAM-01 was collected on a weekend")
    ]
