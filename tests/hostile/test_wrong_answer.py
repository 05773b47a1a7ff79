"""Wrong answers: the auditor's check never calls a changed evidence file intact.

`evidence verify` said "0 problems" (exit 0) over a changed file when that file's record failed
validation: records that failed validation were dropped from verification.
"""

from __future__ import annotations

import hashlib

import pytest

from conftest import EVIDENCE_CSV

from .conftest import Hostile

DIGEST = hashlib.sha256(EVIDENCE_CSV).hexdigest()
#: A record made invalid in one place, its listed file then changed: (the change, the findings
#: verify prints, its summary).
INVALID_RECORDS = {
    "misspelt-key-colected_by": (
        ("    collected_on:", "    colected_by: a.manager\n    collected_on:"),
        [
            "4:5     error   SC001  unknown key `colected_by`;",
            "8:37    error   EV004  `files/q.csv`",
        ],
        "1 files in 1 records; 0 intact, 2 problems",
    ),
    "upper-case-digest": (
        (DIGEST, DIGEST.upper()),
        ["7:37    error   SC005  sha256 should be 64 lower-case hexadecimal characters"],
        "0 files in 1 records; 0 intact, 1 problems",
    ),
}


@pytest.mark.parametrize("case", INVALID_RECORDS.values(), ids=INVALID_RECORDS.keys())
def test_verify_fails_a_changed_file_under_an_invalid_record(
    hostile: Hostile, case: tuple[tuple[str, str], list[str], str]
) -> None:
    change, shown, summary = case
    text = (hostile.repo / "evidence/2026/iam-01.yaml").read_text(encoding="utf-8")
    hostile.write({"evidence/2026/iam-01.yaml": text.replace(*change, 1)})
    hostile.write({"evidence/2026/files/q.csv": EVIDENCE_CSV + b"forged,row,9\n"})
    outcome = hostile.run("evidence", "verify", code=1)
    lines = [line.strip() for line in outcome.stdout.splitlines()]
    assert lines[0] == "evidence/2026/iam-01.yaml"
    for start in shown:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert outcome.stderr == f"ciptool evidence verify: {summary}\n"


def test_verify_still_passes_an_intact_file_under_a_valid_record(hostile: Hostile) -> None:
    outcome = hostile.run("evidence", "verify", code=0)
    assert outcome.stderr == (
        "ciptool evidence verify: 1 files in 1 records; 1 intact, 0 problems\n"
    )
