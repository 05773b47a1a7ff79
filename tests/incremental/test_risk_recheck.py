"""A risk leans on its controls: when evidence records change, the check after the change
reads the risks that name the touched controls, and says of them (RK005) what a full check
says."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import EVIDENCE_CSV, MINIMAL_EVIDENCE, MakeRepo

from .conftest import Calls
from .test_cache import check_json

_RISKS = """\
risks:
  - id: RSK-001
    title: Former staff keep access to the claims platform
    owner: Chief Information Security Officer
    category: cyber
    inherent: {likelihood: 4, impact: 4}
    residual: {likelihood: 2, impact: 3}
    treatment: mitigate
    controls: [IAM-01]
    reviewed_on: 2026-10-20
    review_every: 6mo
"""

_OTHER_RISKS = """\
risks:
  - id: RSK-002
    title: Privileged access outlives its need
    owner: Director, Identity and Access
    category: cyber
    inherent: {likelihood: 3, impact: 5}
    residual: {likelihood: 2, impact: 4}
    treatment: mitigate
    controls: [IAM-01]
    reviewed_on: 2026-10-20
    review_every: 6mo
"""


def _rk005(document: str) -> list[tuple[str, str, int]]:
    return [
        (finding["file"], finding["message"], finding["line"])
        for finding in json.loads(document)["findings"]
        if finding["code"] == "RK005"
    ]


@pytest.mark.usefixtures("settled")
def test_after_an_evidence_change_a_recheck_reports_the_risks_a_control_carries(
    make_repo: MakeRepo, cli: CliRunner, rechecks: Calls
) -> None:
    root = make_repo(
        {
            "risks/access.yaml": _RISKS,
            "risks/privileged.yaml": _OTHER_RISKS,
            "evidence/2026/iam-01.yaml": MINIMAL_EVIDENCE,
            "evidence/2026/files/q.csv": EVIDENCE_CSV,
        }
    )
    before = check_json(cli, root)
    assert _rk005(before) == []
    record = root / "evidence/2026/iam-01.yaml"
    record.write_text(
        MINIMAL_EVIDENCE.replace("2026-07-01", "2026-04-01").replace("2026-09-30", "2026-06-30"),
        encoding="utf-8",
    )
    # The newest evidence now speaks for Q2: stale for a quarterly control by 2026-11-15.
    after = check_json(cli, root)
    assert rechecks and rechecks[-1] is not None
    assert after == check_json(cli, root, "--no-cache")
    why = "recert-signoff is stale (newest evidence for 2026-06-30)"
    assert _rk005(after) == [
        (
            "risks/access.yaml",
            f"risk RSK-001 leans on control IAM-01, whose evidence is not current: {why}",
            9,
        ),
        (
            "risks/privileged.yaml",
            f"risk RSK-002 leans on control IAM-01, whose evidence is not current: {why}",
            9,
        ),
    ]
    record.write_text(MINIMAL_EVIDENCE, encoding="utf-8")
    again = check_json(cli, root)
    assert rechecks[-1] is not None
    assert again == before
    assert again == check_json(cli, root, "--no-cache")
