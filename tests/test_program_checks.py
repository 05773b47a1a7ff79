"""Exceptions and coverage beyond the cases in ``checks/cases/``: what the terminal says, which
exception marks a finding, and the coverage statuses."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.results import RunSettings
from conftest import (
    EXCEPTION_EXPIRING,
    EXCEPTION_ON_IAM,
    MINIMAL_CONTROL,
    MakeRepo,
    run,
)


def test_expired_exception_fails_and_renewed_passes(make_repo: MakeRepo) -> None:
    runner = CliRunner()
    root = make_repo({"exceptions/2026.yaml": EXCEPTION_EXPIRING % "2026-10-31"})
    expired = runner.invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"])
    assert expired.exit_code == 1
    assert "  8:17    error   EX001  exception EXC-001 expired on 2026-10-31 (15 days ago)" in (
        expired.stdout
    )
    (root / "exceptions/2026.yaml").write_text(EXCEPTION_EXPIRING % "2027-10-31")
    renewed = runner.invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"])
    assert renewed.exit_code == 0, renewed.output


def test_a_live_exception_marks_findings_without_hiding_them(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "exceptions/2026.yaml": EXCEPTION_ON_IAM,
            "evidence/2026/iam-01.yaml": "evidence: []\n",
        }
    )
    result = run(root, "EV001")
    (finding,) = result.findings
    assert (finding.code, finding.excepted_by, str(finding.excepted_until)) == (
        "EV001",
        "EXC-001",
        "2027-06-30",
    )
    assert result.failing() == []
    output = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--as-of", "2026-11-15", "--select", "EV001"]
    )
    assert output.exit_code == 0
    assert "excepted by EXC-001 until 2027-06-30" in output.stdout
    # Once expired, the same finding fails the run again, beside EX001.
    late = check_repository(root, RunSettings(today=dt.date(2027, 7, 1)))[0]
    assert {f.code for f in late.failing()} == {"EV001", "EX001"}


def test_the_first_live_exception_in_the_repository_marks_a_finding(make_repo: MakeRepo) -> None:
    def exception(ident: str, target: str) -> str:
        return (
            f"  - id: {ident}\n    applies_to: {target}\n    reason: Accepted for now.\n"
            "    risk: low\n    approved_by: CISO\n    approved_on: 2026-01-15\n"
            "    expires_on: 2027-06-30\n"
        )

    by_subject = exception("EXC-SUBJECT", "{check: EV001, subject: IAM-01/recert-signoff}")
    by_control = exception("EXC-CONTROL", "{control: IAM-01}")
    by_check = exception("EXC-CHECK", "{check: EV001}")
    elsewhere = exception("EXC-ELSEWHERE", "{check: EV001, subject: IAM-09/other}")
    for order, expected in (
        ((elsewhere, by_subject, by_control, by_check), "EXC-SUBJECT"),
        ((by_control, by_subject), "EXC-CONTROL"),
        ((elsewhere, by_check, by_subject), "EXC-CHECK"),
        ((elsewhere,), ""),
    ):
        root = make_repo(
            {
                "exceptions/2026.yaml": "exceptions:\n" + "".join(order),
                "evidence/2026/iam-01.yaml": "evidence: []\n",
            }
        )
        (finding,) = run(root, "EV001").findings
        assert finding.excepted_by == expected


COVERAGE_CONFIG = """\
program: P
frameworks: [soc2-2017]
soc2: {categories: [security, availability]}
applicability:
  soc2-2017:
    A1.3: {applicable: false, justification: Recovery is tested under the parent company's plan.}
"""


def test_coverage_statuses(make_repo: MakeRepo) -> None:
    second = MINIMAL_CONTROL.replace("IAM-01", "IAM-02").replace("[CC6.2]", "[CC6.3]")
    root = make_repo(
        {
            "ciptool.yaml": COVERAGE_CONFIG,
            "controls/iam2.yaml": second,
            "exceptions/x.yaml": EXCEPTION_ON_IAM.replace(
                "{control: IAM-01}", '{requirement: "soc2-2017:cc7.1"}'
            ),
        }
    )
    result = run(root)
    statuses = {row.requirement: row.status.value for row in result.coverage}
    assert statuses["CC6.2"] == "covered"  # IAM-01 has current evidence
    assert statuses["CC6.3"] == "declared"  # IAM-02 has none
    assert statuses["CC7.1"] == "excepted"
    assert statuses["A1.3"] == "not-applicable"
    assert statuses["CC1.1"] == "gap"
    assert "C1.1" not in statuses  # confidentiality is not in scope
    assert len(statuses) == 33 + 3
    gaps = [f for f in result.findings if f.code == "CV001"]
    assert len(gaps) == 36 - 4
    assert gaps[0].location is not None
    assert (gaps[0].location.line, gaps[0].location.column) == (2, 14)


def test_coverage_in_json(make_repo: MakeRepo) -> None:
    root = make_repo({"ciptool.yaml": COVERAGE_CONFIG})
    result = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--as-of", "2026-11-15", "--format", "json"]
    )
    document = json.loads(result.stdout)
    soc2 = document["coverage"]["soc2-2017"]
    assert soc2["summary"] == {
        "covered": 1,
        "covered-with-deviations": 0,
        "declared": 0,
        "excepted": 0,
        "not-applicable": 1,
        "gap": 34,
    }
    assert soc2["requirements"][0] == {
        "id": "CC1.1",
        "status": "gap",
        "controls": [],
        "reason": "no control maps it",
        "suggested_by_crosswalk": [],
        "group": "CC1",
    }


def test_crosswalks_suggest_but_never_cover(make_repo: MakeRepo) -> None:
    """A CSF 2.0 gap names the controls mapping ISO items that NIST's OLIR crosswalk links."""
    config = "program: P\nframeworks: [nist-csf-2.0, iso27001-2022]\n"
    root = make_repo({"ciptool.yaml": config})
    rows = {(r.framework, r.requirement): r for r in run(root).coverage}
    # IAM-01 maps ISO A.5.18 only; the crosswalk links PR.AA-05 and A.5.18 (among others).
    assert rows[("iso27001-2022", "A.5.18")].status.value == "covered"
    assert rows[("nist-csf-2.0", "PR.AA-05")].status.value == "covered"  # mapped directly
    hinted = [key for key, row in rows.items() if row.suggested == ("IAM-01",)]
    assert hinted
    assert all(rows[key].status.value == "gap" for key in hinted)
