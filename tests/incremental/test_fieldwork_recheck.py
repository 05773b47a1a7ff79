"""A workpaper samples a control's population and a request names its records: after evidence
records change, the check reads the workpapers and requests of the controls they name, and says
of them (WP003, WP004, PB004) what a full check says.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import copy_example

from .conftest import Calls
from .test_cache import check_json
from .test_recheck import _save, _split

WORKPAPERS = "workpapers/2026-01-01..2026-09-30"
REQUESTS = "requests/pbc-2026-10-05.yaml"
FIELDWORK = ("WP003", "WP004", "PB004")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example program with its workpapers and requests, without its cache."""
    return copy_example(tmp_path / "example")


def _fieldwork(document: str) -> list[tuple[str, str, int, str]]:
    """The workpaper and request findings whose reading needs evidence records."""
    return [
        (finding["code"], finding["file"], finding["line"], finding["message"])
        for finding in json.loads(document)["findings"]
        if finding["code"] in FIELDWORK
    ]


def _rechecked(cli: CliRunner, root: Path, rechecks: Calls, full_checks: list[object]) -> str:
    """The output of a check that rechecked only what changed, as a full check says it."""
    asked, ran = len(rechecks), len(full_checks)
    document = check_json(cli, root)
    assert len(rechecks) == asked + 1
    assert rechecks[-1] is not None
    assert len(full_checks) == ran
    assert document == check_json(cli, root, "--no-cache")
    return document


@pytest.mark.usefixtures("settled")
def test_a_recheck_finds_a_population_changed_after_sampling_and_its_end(
    example: Path, cli: CliRunner, rechecks: Calls, full_checks: list[object]
) -> None:
    """The February record of CHG-01, sampled in its 2026 workpaper, speaks for March 1 now:
    the population changed, and the request's reference to February names nothing."""
    record = example / "evidence/2026/chg-01.yaml"
    text = record.read_text(encoding="utf-8")
    before = check_json(cli, example)
    assert _fieldwork(before) == []
    february = "period: {start: 2026-02-01, end: 2026-02-28}"
    assert february in text
    record.write_text(text.replace(february, february.replace("02-28", "03-01")), encoding="utf-8")
    after = _rechecked(cli, example, rechecks, full_checks)
    assert _fieldwork(after) == [
        (
            "PB004",
            REQUESTS,
            325,
            "request PBC-2026-022: evidence CHG-01/change-review/2026-02-28 matches no evidence"
            " record (its records speak for 2026-01-31, 2026-03-01, 2026-03-31, 2026-04-30,"
            " 2026-05-31, 2026-06-30, 2026-07-31, 2026-08-31, 2026-09-30, 2026-10-31)",
        ),
        (
            "WP003",
            f"{WORKPAPERS}/chg-01.yaml",
            20,
            "population of CHG-01 for 2026-01-01..2026-09-30 changed after sampling: the same"
            " size (9) but other occurrences or dates",
        ),
    ]
    record.write_text(text, encoding="utf-8")
    assert _rechecked(cli, example, rechecks, full_checks) == before


@pytest.mark.usefixtures("settled")
def test_a_recheck_finds_a_requested_record_removed_and_recorded_twice(
    example: Path, cli: CliRunner, rechecks: Calls, full_checks: list[object]
) -> None:
    """IAM-02's Q2 record is asked for by PBC-2026-051 and lists a sampled grant: removing it
    leaves the reference naming nothing and the sample item outside the population; its Q1
    record kept twice makes the reference to Q1 name two records."""
    record = example / "evidence/2026/iam-02.yaml"
    text = record.read_text(encoding="utf-8")
    before = check_json(cli, example)
    head, blocks = _split(text)
    assert "2026-06-30" in blocks[1]
    _save(record, head, [blocks[0], *blocks[2:]])
    removed = _fieldwork(_rechecked(cli, example, rechecks, full_checks))
    assert [finding[:3] for finding in removed] == [
        ("PB004", REQUESTS, 729),
        ("WP003", f"{WORKPAPERS}/iam-02.yaml", 20),
        ("WP004", f"{WORKPAPERS}/iam-02.yaml", 39),
    ]
    assert "IAM-02/privileged-grants/2026-06-30 matches no evidence record" in removed[0][3]
    assert "sampled items no longer in it: PAG-2026-q2-001" in removed[1][3]
    assert (
        "PAG-2026-q2-001 (2026-04-01) is not in the population: no evidence record" in removed[2][3]
    )

    _save(record, head, [blocks[0], *blocks])
    twice = _fieldwork(_rechecked(cli, example, rechecks, full_checks))
    assert twice == [
        (
            "PB004",
            REQUESTS,
            728,
            "request PBC-2026-051: evidence IAM-02/privileged-grants/2026-03-31 matches 2"
            " evidence records (evidence/2026/iam-02.yaml): which of them answers the request"
            " is not said",
        )
    ]
    record.write_text(text, encoding="utf-8")
    assert _rechecked(cli, example, rechecks, full_checks) == before


@pytest.mark.usefixtures("settled")
def test_a_changed_workpaper_or_request_is_checked_in_full(
    example: Path, cli: CliRunner, rechecks: Calls
) -> None:
    check_json(cli, example)
    workpaper = example / f"{WORKPAPERS}/chg-01.yaml"
    text = workpaper.read_text(encoding="utf-8")
    workpaper.write_text(text.replace("seed: 20261102", "seed: 20261103"), encoding="utf-8")
    assert check_json(cli, example) == check_json(cli, example, "--no-cache")
    requests = example / REQUESTS
    text = requests.read_text(encoding="utf-8")
    changed = text.replace("CHG-01/change-review/2026-02-28", "CHG-01/change-review/2026-02-27")
    requests.write_text(changed, encoding="utf-8")
    after = check_json(cli, example)
    assert after == check_json(cli, example, "--no-cache")
    assert [finding[:3] for finding in _fieldwork(after)] == [("PB004", REQUESTS, 325)]
    assert rechecks == [None, None]
