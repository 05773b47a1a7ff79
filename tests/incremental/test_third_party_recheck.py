"""A check after a third party's evidence changed says what a full check says: such a change is
checked in full, and a change to a control's evidence alone keeps the third-party findings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PROJECT_ROOT

from .conftest import Calls
from .test_cache import check_json

ANNUAL = "evidence/2026/tp-acme-claims-annual-review-2026-09-22.yaml"
CONTROL_RECORD = "evidence/2026/iam-02.yaml"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example program with its third parties, without its cache."""
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "ciptool.yaml", root)
    for folder in ("controls", "policies", "frameworks", "evidence", "exceptions", "third-parties"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    return root


def _edit(root: Path, rel: str, pattern: str, replacement: str) -> None:
    path = root / rel
    text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"))
    assert count, (rel, pattern)
    path.write_text(text, encoding="utf-8")


def _codes(output: str) -> list[tuple[str, str]]:
    return [(f["code"], f["subject"]) for f in json.loads(output)["findings"]]


#: An edit of the annual review of TP-ACME-CLAIMS, and the finding it brings.
EDITS = [
    (
        r"(collected_on|effective_on): 2026-09-22",
        r"\1: 2025-09-22",
        ("TP002", "TP-ACME-CLAIMS/annual-review"),
    ),
    (
        r"third_party: TP-ACME-CLAIMS",
        "third_party: TP-ACME-CLAIM",
        ("TP006", "TP-ACME-CLAIM/annual-review"),
    ),
    (
        r"requirement: annual-review",
        "requirement: yearly-review",
        ("TP006", "TP-ACME-CLAIMS/yearly-review"),
    ),
    (
        r'sha256: "1',
        'sha256: "0',
        ("EV004", "evidence/2026/files/tp-acme-claims-annual-review.txt"),
    ),
]


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("edit", EDITS)
def test_a_change_to_third_party_evidence_is_checked_in_full(
    edit: tuple[str, str, tuple[str, str]], example: Path, cli: CliRunner, rechecks: Calls
) -> None:
    pattern, replacement, finding = edit
    before = check_json(cli, example)
    assert finding not in _codes(before)
    _edit(example, ANNUAL, pattern, replacement)
    after = check_json(cli, example)
    assert rechecks and rechecks[-1] is None  # declined: the file holds a third party's record
    assert after == check_json(cli, example, "--no-cache")
    assert finding in _codes(after)


@pytest.mark.usefixtures("settled")
def test_a_third_party_record_removed_or_added_is_checked_in_full(
    example: Path, cli: CliRunner, rechecks: Calls
) -> None:
    check_json(cli, example)
    record = (example / ANNUAL).read_text(encoding="utf-8")
    (example / ANNUAL).write_text("evidence: []\n", encoding="utf-8")  # held one before
    removed = check_json(cli, example)
    assert rechecks[-1] is None
    assert removed == check_json(cli, example, "--no-cache")
    assert ("TP001", "TP-ACME-CLAIMS/annual-review") in _codes(removed)
    # The record moves into a file that held only a control's evidence: it holds one after.
    control = example / CONTROL_RECORD
    moved = record.replace("evidence:\n", "").replace("files/", "../2026/files/")
    control.write_text(control.read_text(encoding="utf-8") + moved, encoding="utf-8")
    added = check_json(cli, example)
    assert rechecks[-1] is None
    assert added == check_json(cli, example, "--no-cache")
    assert ("TP001", "TP-ACME-CLAIMS/annual-review") not in _codes(added)


@pytest.mark.usefixtures("settled")
def test_a_change_to_a_control_evidence_alone_keeps_the_third_party_findings(
    example: Path, cli: CliRunner, rechecks: Calls
) -> None:
    _edit(example, ANNUAL, r"(collected_on|effective_on): 2026-09-22", r"\1: 2025-09-22")
    stale = check_json(cli, example)
    assert ("TP002", "TP-ACME-CLAIMS/annual-review") in _codes(stale)
    _edit(example, CONTROL_RECORD, r"collected_on: 2026-10-07", "collected_on: 2027-01-04")
    after = check_json(cli, example)
    assert rechecks and rechecks[-1] is not None  # rechecked: no third party's record changed
    assert after == check_json(cli, example, "--no-cache")
    assert ("TP002", "TP-ACME-CLAIMS/annual-review") in _codes(after)
    assert "EV005" in {code for code, _ in _codes(after)}
