"""The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d)): the reasons for each inclusion,
risk links given or derived, the implementation status rule, the digest and its approval, the
additional controls, and the SA findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.graph import Graph
from ciptool.queries.soa import JUDGED, SoaRow, Statement, digest
from ciptool.reports.frameworks import statement_of_applicability
from ciptool.results import RunSettings, Status
from conftest import AS_OF, EXCEPTION_ON_IAM, PROJECT_ROOT, MakeRepo

FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T09:00:00+00:00"]

#: A reason for every Annex A control of the minimal repository, by theme.
THEMES = """\
    A.5: {obligation: HIPAA Security Rule}
    A.6: {obligation: HIPAA Security Rule}
    A.7: {business_requirement: Offices hold member records}
    A.8: {obligation: HIPAA Security Rule}
"""


def statement_of(root: Path, today: dt.date = AS_OF) -> Statement:
    """The statement of ``root`` as of ``today``."""
    result, graph = check_repository(root, RunSettings(today=today))
    assert isinstance(graph, Graph)
    return statement_of_applicability(graph, result)


@pytest.fixture(scope="module")
def example() -> Statement:
    return statement_of(PROJECT_ROOT)


def by_id(statement: Statement) -> dict[str, SoaRow]:
    return {row.id: row for row in (*statement.rows, *statement.additional)}


def config(applicability: str = THEMES, soa: str = "") -> str:
    text = "program: Test Program\nframeworks: [iso27001-2022]\napplicability:\n"
    text += "  iso27001-2022:\n" + applicability
    return text + (f"soa:\n{soa}" if soa else "")


def test_the_example_gives_every_inclusion_a_reason_and_none_the_old_boilerplate(
    example: Statement, tmp_path: Path
) -> None:
    assert len(example.rows) == 93
    assert [row.id for row in example.additional] == ["LMH-1", "LMH-2"]
    included = [row for row in (*example.rows, *example.additional) if row.applicable]
    assert len(included) == 92
    assert example.unjustified == ()
    out = tmp_path / "soa.md"
    result = CliRunner().invoke(
        app, ["report", "soa", "--repo", str(PROJECT_ROOT), "-o", str(out), *FIXED]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Applicable: implemented by the controls listed." not in text
    assert "No reason given." not in text
    assert "give no reason" not in text


def test_the_example_links_each_inclusion_to_its_reasons(example: Statement) -> None:
    rows = by_id(example)
    assert rows["A.5.5"].reason_text == (
        "Risk treatment: RSK-015, RSK-033 (from the risk register). Obligation: HIPAA Breach"
        " Notification Rule (notice to HHS) and state insurance data-security and"
        " breach-notification laws (notice to state regulators)."
    )
    assert rows["A.5.17"].reason_text == (
        "Risk treatment: RSK-001 (linked in the statement). Obligation: HIPAA Security Rule,"
        " 45 CFR 164.308(a)(5)(ii)(D) and 164.312(d) (password management, person or entity"
        " authentication)."
    )
    # A.7's decision reaches the physical controls without one of their own.
    assert rows["A.7.1"].reasons == ("obligation",)
    assert rows["A.7.1"].obligation.startswith("HIPAA Security Rule, 45 CFR 164.310")
    # An exclusion keeps its justification and has no implementation status.
    assert (rows["A.7.5"].applicable, rows["A.7.5"].implementation_text) == (
        False,
        "not applicable",
    )
    assert rows["A.7.5"].reason_text.startswith("No information processing facility")
    assert rows["A.8.11"].reason_text == (
        "Risk treatment: RSK-012 (from the risk register). Two legacy test environments of"
        " Group Disability and Life are still refreshed unmasked (EXC-2026-002) until the"
        " masking pipeline supports their database (RSK-012-A1)."
    )
    assert rows["LMH-2"].reason_text == "Risk treatment: RSK-033 (from the risk register)."
    assert rows["LMH-1"].reasons == ("business requirement",)
    # The implementing controls stay.
    assert rows["A.5.20"].controls == ("PRV-05", "TPS-01", "TPS-04")


def test_risk_links_are_given_or_derived_from_the_register(example: Statement) -> None:
    rows = by_id(example)
    given = sorted(r.id for r in rows.values() if r.risks and not r.risks_derived)
    assert given == ["A.5.17", "A.8.30", "A.8.4"]
    assert rows["A.8.4"].risks == ("RSK-011",)
    derived = [r for r in rows.values() if r.risks_derived]
    assert len(derived) == 54
    # Derived: the risks whose `controls` name an implementing control (IAM-01 and MDS-03).
    assert (rows["A.5.15"].risks, rows["A.5.15"].risk_text) == (
        ("RSK-004", "RSK-014"),
        "RSK-004, RSK-014 (from the risk register)",
    )
    # A control no risk names, with no reason of its own in the register, derives nothing.
    assert rows["A.5.1"].risks == ()
    assert rows["A.5.1"].reasons == ("obligation",)


def test_the_example_implementation_status_follows_coverage_with_target_dates(
    example: Statement,
) -> None:
    rows = by_id(example)
    counts: dict[str, int] = {}
    for row in rows.values():
        counts[row.implementation_text] = counts.get(row.implementation_text, 0) + 1
    assert counts == {
        "implemented": 89,
        "partially implemented (target 2027-12-31)": 2,
        "partially implemented (target 2027-09-30)": 1,
        "not applicable": 3,
    }
    assert all(row.implementation_judged for row in rows.values() if row.applicable)
    assert rows["A.5.18"].status == "excepted"


def test_the_judged_status_rule_covers_every_applicable_status() -> None:
    assert JUDGED == {
        Status.COVERED: "implemented",
        Status.COVERED_WITH_DEVIATIONS: "partially-implemented",
        Status.EXCEPTED: "partially-implemented",
        Status.DECLARED: "planned",
        Status.GAP: "planned",
    }


def test_implementation_is_the_stated_status_else_judged(make_repo: MakeRepo) -> None:
    stated = THEMES + "    A.5.17: {obligation: x, status: implemented}\n"
    stated += "    A.5.19: {obligation: x, status: planned, target_date: 2027-03-31}\n"
    root = make_repo({"ciptool.yaml": config(stated)})
    rows = by_id(statement_of(root))
    # Covered (IAM-01's evidence is current): implemented, judged.
    assert (rows["A.5.18"].implementation, rows["A.5.18"].implementation_from) == (
        "implemented",
        "coverage",
    )
    # A gap: planned, judged, with no target date.
    assert rows["A.5.1"].implementation_text == "planned (no target date)"
    # Stated statuses win over coverage, even a gap's.
    assert (rows["A.5.17"].implementation, rows["A.5.17"].implementation_from) == (
        "implemented",
        "statement",
    )
    assert rows["A.5.19"].implementation_text == "planned (target 2027-03-31)"
    # Once IAM-01's quarterly evidence is stale, A.5.18 is declared: planned.
    later = by_id(statement_of(root, dt.date(2027, 6, 1)))
    assert (later["A.5.18"].status, later["A.5.18"].implementation) == ("declared", "planned")
    # Under a live exception: excepted, partially implemented.
    excepted = make_repo({"ciptool.yaml": config(stated), "exceptions/x.yaml": EXCEPTION_ON_IAM})
    row = by_id(statement_of(excepted))["A.5.18"]
    assert (row.status, row.implementation) == ("excepted", "partially-implemented")


def test_an_additional_control_is_judged_by_its_controls_and_derives_its_risks(
    make_repo: MakeRepo,
) -> None:
    risk = """\
        risks:
          - id: RSK-004
            title: Inappropriate access persists
            owner: CISO
            category: cyber
            inherent: {likelihood: 4, impact: 3}
            residual: {likelihood: 2, impact: 3}
            treatment: mitigate
            controls: [IAM-01]
            reviewed_on: 2026-10-01
            review_every: 6mo
        """
    soa = "  additional_controls:\n    - {id: TP-1, title: Access, controls: [IAM-01]}\n"
    root = make_repo({"ciptool.yaml": config(soa=soa), "risks/r.yaml": risk})
    row = by_id(statement_of(root))["TP-1"]
    assert (row.additional, row.risks, row.risks_derived, row.implementation, row.status) == (
        True,
        ("RSK-004",),
        True,
        "implemented",
        "covered",
    )


def test_the_digest_changes_with_a_row_and_not_with_the_day_alone(make_repo: MakeRepo) -> None:
    root = make_repo({"ciptool.yaml": config()})
    first = statement_of(root)
    # Months later IAM-01's evidence is stale and A.5.18 is judged planned: the statement
    # decides nothing new, and its digest stays.
    later = statement_of(root, dt.date(2027, 6, 1))
    assert by_id(later)["A.5.18"].implementation != by_id(first)["A.5.18"].implementation
    assert later.digest == first.digest
    assert re.fullmatch(r"[0-9a-f]{64}", first.digest)
    # Any decision of a row changes it: an obligation, a stated status, a risk link.
    row = first.rows[0]
    for change in (
        {"obligation": "HIPAA Privacy Rule"},
        {"implementation": "planned", "implementation_judged": False},
        {"risks": ("RSK-001",)},
        {"controls": ("IAM-01",)},
        {"applicable": False},
    ):
        changed = dataclasses.replace(row, **change)
        assert digest((changed, *first.rows[1:])) != first.digest, change
    assert digest(first.rows) == digest(first.rows)
    (root / "ciptool.yaml").write_text(
        config(THEMES.replace("A.8: {obligation: HIPAA Security Rule}", "A.8: {obligation: PCI}"))
    )
    assert statement_of(root).digest != first.digest


def test_the_report_prints_the_digest_and_the_check_holds_the_approval_to_it(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo({"ciptool.yaml": config()})
    current = statement_of(root).digest
    approval = (
        '  version: "2"\n  approved_by: Cyber and Privacy Council\n  approved_on: 2026-10-20\n'
    )
    (root / "ciptool.yaml").write_text(config(soa=approval + f"  digest: {current}\n"))
    runner = CliRunner()
    report = runner.invoke(app, ["report", "soa", "--repo", str(root), "-o", "-", *FIXED])
    assert report.exit_code == 0, report.output
    assert (
        "Version 2, approved by Cyber and Privacy Council on 2026-10-20. Digest of this"
        " statement (SHA-256 over each control's applicability, reasons, stated implementation"
        f" status, target date and implementing controls): `{current}`." in report.stdout
    )
    assert "changed after" not in report.stdout
    checked = runner.invoke(
        app, ["check", "--repo", str(root), "--format", "json", "--select", "SA", *FIXED[:2]]
    )
    assert json.loads(checked.stdout)["findings"] == []
    # A reason reworded after the approval: the statement is no longer the one approved.
    themes = THEMES.replace("Offices hold member records", "Offices hold claims files")
    (root / "ciptool.yaml").write_text(config(themes, approval + f"  digest: {current}\n"))
    after = statement_of(root).digest
    checked = runner.invoke(
        app, ["check", "--repo", str(root), "--format", "json", "--select", "SA", *FIXED[:2]]
    )
    findings = json.loads(checked.stdout)["findings"]
    assert [(f["code"], f["file"], f["line"], f["message"]) for f in findings] == [
        (
            "SA004",
            "ciptool.yaml",
            13,
            "the Statement of Applicability changed after version 2 was approved on"
            f" 2026-10-20: its digest is now {after}",
        )
    ]
    report = runner.invoke(app, ["report", "soa", "--repo", str(root), "-o", "-", *FIXED])
    assert (
        "**The statement changed after version 2 was approved on 2026-10-20**: the approved"
        f" digest was `{current}`." in report.stdout
    )


def test_sa_findings_are_located_where_the_reason_belongs(make_repo: MakeRepo) -> None:
    applicability = THEMES + "    A.8.4:\n      justification: Source code is valuable.\n"
    applicability += "    A.5.18: {status: planned, risks: [RSK-9]}\n"
    soa = (
        '  version: "1"\n'
        "  additional_controls:\n"
        "    - {id: TP-1, title: Board oversight, controls: [GOV-1]}\n"
        "    - {id: TP-1, title: Insurance, controls: [IAM-01], business_requirement: x}\n"
    )
    root = make_repo({"ciptool.yaml": config(applicability, soa)})
    result = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--format", "json", "--select", "SA", *FIXED[:2]]
    )
    assert result.exit_code == 1
    found = [
        (f["code"], f["severity"], f["file"], f["line"], f["subject"])
        for f in json.loads(result.stdout)["findings"]
    ]
    assert found == [
        ("SA001", "warning", "ciptool.yaml", 9, "iso27001-2022:A.8.4"),
        ("SA002", "warning", "ciptool.yaml", 11, "soa:A.5.18"),
        ("SA003", "error", "ciptool.yaml", 11, "soa:A.5.18/RSK-9"),
        ("SA005", "warning", "ciptool.yaml", 13, "soa"),
        ("SA001", "warning", "ciptool.yaml", 15, "soa:TP-1"),
        ("SA006", "error", "ciptool.yaml", 15, "soa:TP-1/GOV-1"),
        ("SA007", "error", "ciptool.yaml", 16, "soa:TP-1"),
    ]


def test_the_example_check_reports_no_soa_finding() -> None:
    result, _ = check_repository(PROJECT_ROOT, RunSettings(today=AS_OF, select=("SA",)))
    assert [f.code for f in result.findings] == []


def test_the_workbook_lists_the_additional_controls_and_the_approval(tmp_path: Path) -> None:
    out = tmp_path / "soa.xlsx"
    result = CliRunner().invoke(
        app, ["report", "soa", "--repo", str(PROJECT_ROOT), "-f", "xlsx", "-o", str(out), *FIXED]
    )
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    sheet = workbook["Statement of Applicability"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)]
    assert len(rows) == 95
    assert [r["Control"] for r in rows[93:]] == ["LMH-1", "LMH-2"]
    assert rows[94]["Theme"] == "Additional control (NIST CSF 2.0 GV.RM-04)"
    a518 = next(r for r in rows if r["Control"] == "A.5.18")
    assert (a518["Reasons"], a518["Risks"], a518["Risks from"]) == (
        "risk treatment",
        "RSK-004",
        "risk register",
    )
    assert (a518["Implementation"], a518["Implementation from"]) == (
        "partially implemented",
        "coverage",
    )
    # A date, written as a date or as its ISO text.
    assert str(a518["Target date"])[:10] == "2027-12-31"
    approval = list(workbook["Approval"].iter_rows(values_only=True))
    assert approval[0] == (
        "Version",
        "Approved by",
        "Approved on",
        "Approved digest",
        "Digest",
        "Changed since approval",
    )
    version, approver, approved_on, approved, current, changed = approval[1]
    assert (version, approver, str(approved_on)[:10], changed) == (
        "2026.1",
        "Cyber and Privacy Council",
        "2026-10-20",
        "no",
    )
    assert approved == current


def test_a_control_nothing_implements_or_decides_is_a_gap_before_it_lacks_a_reason(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"ciptool.yaml": "program: P\nframeworks: [iso27001-2022]\n"})
    result, _ = check_repository(root, RunSettings(today=AS_OF, select=("SA001", "CV001")))
    codes = [(f.code, f.requirement) for f in result.findings]
    # A.5.18 is implemented by IAM-01 and has no reason; the other 92 are gaps.
    assert [c for c in codes if c[0] == "SA001"] == [("SA001", "iso27001-2022:A.5.18")]
    assert len([c for c in codes if c[0] == "CV001"]) == 92
    # The statement still shows every inclusion without a reason as such.
    assert len(statement_of(root).unjustified) == 93
