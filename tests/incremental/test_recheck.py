"""A check after evidence records changed rechecks only what they can change, and says what a
full check says: the same output, byte for byte, edit after edit.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ciptool.app import check as runs
from ciptool.app import report as reporting
from ciptool.incremental.plain import result_to_plain
from ciptool.results import RunResult
from conftest import EVIDENCE_CSV, MINIMAL_EVIDENCE, PROJECT_ROOT, MakeRepo

from .conftest import Calls
from .test_cache import check_json
from .test_runs import briefing

#: An edit of the example's evidence records; it returns what it did, for a failure's message.
Edit = Callable[[Path, random.Random], str]

_RECORD_START = re.compile(r"^  - control:", re.MULTILINE)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example program, without its cache."""
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "ciptool.yaml", root)
    folders = ("controls", "policies", "frameworks", "evidence", "exceptions", "risks")
    for folder in (*folders, "workpapers", "requests"):
        if (PROJECT_ROOT / folder).is_dir():
            shutil.copytree(PROJECT_ROOT / folder, root / folder)
    return root


def _record_files(root: Path) -> list[Path]:
    """The record files of controls' evidence: those of a third party's are left alone (a
    change to one is checked in full, see test_third_party_recheck.py)."""
    return sorted(
        path
        for path in (root / "evidence").rglob("*.yaml")
        if "  - third_party:" not in path.read_text(encoding="utf-8")
    )


def _split(text: str) -> tuple[str, list[str]]:
    """A record file's text before its first record, and each record's text."""
    starts = [match.start() for match in _RECORD_START.finditer(text)]
    if not starts:
        return text, []
    bounds = [*starts, len(text)]
    blocks = [text[bounds[i] : bounds[i + 1]].rstrip("\n") + "\n" for i in range(len(starts))]
    return text[: starts[0]], blocks


def _pick(root: Path, rng: random.Random) -> tuple[Path, str, list[str], int]:
    """A record file with records, its head, its records, and one of them."""
    while True:
        path = rng.choice(_record_files(root))
        head, blocks = _split(path.read_text(encoding="utf-8"))
        if blocks:
            return path, head, blocks, rng.randrange(len(blocks))


def _save(path: Path, head: str, blocks: list[str]) -> None:
    path.write_text(head + "\n".join(blocks), encoding="utf-8")


def _changing(pattern: str, replacement: Callable[[re.Match[str]], str]) -> Edit:
    """An edit of one record: the first match of ``pattern`` in it, replaced."""

    def edit(root: Path, rng: random.Random) -> str:
        path, head, blocks, index = _pick(root, rng)
        changed = re.sub(pattern, replacement, blocks[index], count=1)
        blocks[index] = changed
        _save(path, head, blocks)
        return f"{path.name} #{index}: {pattern}"

    return edit


def _removed(root: Path, rng: random.Random) -> str:
    path, head, blocks, index = _pick(root, rng)
    del blocks[index]
    _save(path, head, blocks)
    return f"{path.name} #{index} removed"


def _moved(root: Path, rng: random.Random) -> str:
    path, head, blocks, index = _pick(root, rng)
    block = blocks.pop(index)
    _save(path, head, blocks)
    other = rng.choice(_record_files(root))
    other_head, other_blocks = _split(other.read_text(encoding="utf-8"))
    if not other_head.strip().endswith("evidence:"):
        other_head = other_head.rstrip("\n") + "\nevidence:\n"
    _save(other, other_head, [*other_blocks, block])
    return f"{path.name} #{index} moved to {other.name}"


def _copied(root: Path, rng: random.Random) -> str:
    path, head, blocks, index = _pick(root, rng)
    blocks.append(blocks[index])
    _save(path, head, blocks)
    return f"{path.name} #{index} copied"


def _other_control(root: Path, rng: random.Random) -> str:
    path, head, blocks, index = _pick(root, rng)
    _, _, others, other = _pick(root, rng)
    control = re.search(r"control: (\S+)", others[other])
    assert control is not None
    blocks[index] = re.sub(r"control: \S+", f"control: {control[1]}", blocks[index], count=1)
    _save(path, head, blocks)
    return f"{path.name} #{index} names {control[1]}"


EDITS: list[Edit] = [
    _changing(r"\b2026-(\d\d)-(\d\d)\b", lambda m: f"2025-{m[1]}-{m[2]}"),  # stale, gaps
    _changing(r"collected_on: \S+", lambda _: "collected_on: 2027-01-04"),  # the future
    _changing(r"collected_on: \S+", lambda _: "collected_on: 2026-01-02"),  # dated ahead
    _changing(r"sha256: \"?([0-9a-f]{8})", lambda m: m[0].replace(m[1], "00000000")),
    _changing(r"path: files/", lambda _: "path: files/renamed-"),  # missing; the old unlisted
    _changing(r"requirement: \S+", lambda _: "requirement: no-such-requirement"),
    _changing(r"control: \S+", lambda _: "control: NO-SUCH-CONTROL"),  # declined: hints
    _changing(r"collected_on: ", lambda _: "collected_on: [\n"),  # declined: broken YAML
    _removed,
    _moved,
    _copied,
    _other_control,
]


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("seed", range(4))
def test_edit_after_edit_a_recheck_says_what_a_full_check_says(
    seed: int, example: Path, cli: CliRunner, rechecks: Calls
) -> None:
    rng = random.Random(seed)
    check_json(cli, example)
    done = []
    for _ in range(12):
        edits = rng.choice((1, 1, 1, 2))
        done.append("; ".join(rng.choice(EDITS)(example, rng) for _ in range(edits)))
        kept = check_json(cli, example)
        assert kept == check_json(cli, example, "--no-cache"), done
    assert sum(outcome is not None for outcome in rechecks) >= 6, done


@pytest.mark.usefixtures("settled")
def test_a_report_after_edits_takes_a_recheck_of_the_kept_result(
    example: Path,
    cli: CliRunner,
    rechecks: Calls,
    full_checks: list[object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763208000")
    results: list[RunResult] = []
    real = runs.checked

    def kept(*args: Any) -> tuple[RunResult, Any, Any]:
        result, graph, inputs = real(*args)
        results.append(result)
        return result, graph, inputs

    monkeypatch.setattr(reporting, "checked", kept)
    rng = random.Random(5)
    check_json(cli, example)
    done = []
    for _ in range(10):
        done.append(rng.choice(EDITS)(example, rng))
        asked, ran = len(rechecks), len(full_checks)
        report = briefing(cli, example)
        rechecked = len(rechecks) > asked and rechecks[-1] is not None
        assert len(full_checks) == ran + (not rechecked), done
        assert report == briefing(cli, example, "--no-cache"), done
        assert result_to_plain(results[-2]) == result_to_plain(results[-1]), done
    assert sum(outcome is not None for outcome in rechecks) >= 5, done


@pytest.mark.usefixtures("settled")
def test_a_recheck_sees_what_the_change_does_to_other_records_and_files(
    example: Path, cli: CliRunner, rechecks: Calls
) -> None:
    record = example / "evidence/2026/iam-02.yaml"
    before = check_json(cli, example)
    head, blocks = _split(record.read_text(encoding="utf-8"))
    _save(record, head, blocks[:-1])  # Q3 gone: stale, and its file unlisted
    after = check_json(cli, example)
    assert rechecks and rechecks[-1] is not None
    assert after == check_json(cli, example, "--no-cache")
    assert after != before
    assert '"file": "evidence/2026/files/iam-02-privileged-grants-2026-q3.csv"' in after
    _save(record, head, blocks)
    assert check_json(cli, example) == before
    assert rechecks[-1] is not None


@pytest.mark.usefixtures("settled")
def test_a_recheck_restates_the_coverage_a_soc2_deviation_qualifies(
    example: Path, cli: CliRunner, rechecks: Calls
) -> None:
    """PHY-01 missed 2026-Q2, so CC6.4 is covered with deviations; a Q2 record (here the Q1
    record again, for Q2) makes it covered, and a recheck says so as a full check does.
    """
    record = example / "evidence/2026/phy-01.yaml"

    def cc64(document: str) -> str:
        rows = json.loads(document)["coverage"]["soc2-2017"]["requirements"]
        return str(next(row["status"] for row in rows if row["id"] == "CC6.4"))

    before = check_json(cli, example)
    assert cc64(before) == "covered-with-deviations"
    text = record.read_text(encoding="utf-8")
    head, blocks = _split(text)
    second = blocks[0].replace("2026-01-01, end: 2026-03-31", "2026-04-01, end: 2026-06-30")
    _save(record, head, [*blocks, second.replace("2026-04-04", "2026-07-04")])
    after = check_json(cli, example)
    assert rechecks and rechecks[-1] is not None
    assert after == check_json(cli, example, "--no-cache")
    assert cc64(after) == "covered"
    record.write_text(text, encoding="utf-8")
    assert check_json(cli, example) == before
    assert rechecks[-1] is not None


@pytest.mark.usefixtures("settled")
def test_a_changed_control_is_checked_in_full(
    example: Path, cli: CliRunner, rechecks: Calls
) -> None:
    check_json(cli, example)
    controls = example / "controls/identity-access.yaml"
    controls.write_text(
        controls.read_text(encoding="utf-8").replace("frequency: quarterly", "frequency: monthly"),
        encoding="utf-8",
    )
    assert check_json(cli, example) == check_json(cli, example, "--no-cache")
    assert rechecks == [None]


@pytest.mark.usefixtures("settled")
def test_records_keep_the_order_a_full_check_reads_them_in(
    make_repo: MakeRepo, cli: CliRunner, rechecks: Calls
) -> None:
    # Two records speak for the same quarter: the newest is the one read last, and the walk
    # reads a folder's files before its folders, so q/a.yaml comes after z.yaml.
    root = make_repo(
        {
            "evidence/2026/iam-01.yaml": "evidence: []\n",
            "evidence/2026/z.yaml": MINIMAL_EVIDENCE,
            "evidence/2026/files/q.csv": EVIDENCE_CSV,
            "evidence/2026/q/a.yaml": MINIMAL_EVIDENCE,
            "evidence/2026/q/files/q.csv": EVIDENCE_CSV,
        }
    )
    later = ("--as-of", "2027-11-15")
    stale = json.loads(check_json(cli, root, *later))["findings"]
    related = [[r["file"] for r in f["related"]] for f in stale if f["code"] == "EV002"]
    assert related == [["evidence/2026/q/a.yaml"]]
    record = root / "evidence/2026/z.yaml"
    collector = "    collected_by: a.auditor\n    collected_on:"
    record.write_text(MINIMAL_EVIDENCE.replace("    collected_on:", collector), encoding="utf-8")
    assert check_json(cli, root, *later) == check_json(cli, root, *later, "--no-cache")
    assert rechecks and rechecks[-1] is not None


@pytest.mark.usefixtures("settled")
def test_a_recheck_says_which_exceptions_match_no_finding_as_a_full_check_does(
    make_repo: MakeRepo, cli: CliRunner, rechecks: Calls
) -> None:
    """An exception on one file's digest matches a finding only while the digest is wrong:
    whether it matches nothing (EX004) depends on what the changed record says."""
    exception = (
        "exceptions:\n  - id: EXC-DIGEST\n"
        "    applies_to: {check: EV004, subject: evidence/2026/files/q.csv}\n"
        "    reason: The export is re-generated nightly.\n    risk: low\n"
        "    approved_by: CISO\n    approved_on: 2026-01-15\n    expires_on: 2027-06-30\n"
    )
    root = make_repo(
        {
            "exceptions/2026.yaml": exception,
            "evidence/2026/iam-01.yaml": MINIMAL_EVIDENCE,
            "evidence/2026/files/q.csv": EVIDENCE_CSV,
        }
    )

    def codes(document: str) -> list[str]:
        return [finding["code"] for finding in json.loads(document)["findings"]]

    assert codes(check_json(cli, root)) == ["EX004"]
    record = root / "evidence/2026/iam-01.yaml"
    digest = hashlib.sha256(EVIDENCE_CSV).hexdigest()
    record.write_text(MINIMAL_EVIDENCE.replace(digest, "0" * 64), encoding="utf-8")
    after = check_json(cli, root)
    assert rechecks and rechecks[-1] is not None
    assert codes(after) == ["EV004"]
    assert after == check_json(cli, root, "--no-cache")
    record.write_text(MINIMAL_EVIDENCE, encoding="utf-8")
    again = check_json(cli, root)
    assert rechecks[-1] is not None
    assert codes(again) == ["EX004"]
    assert again == check_json(cli, root, "--no-cache")
