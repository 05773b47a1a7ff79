"""Policy, exception and coverage checks: passing and failing repositories, exact findings."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.results import RunSettings
from conftest import (
    AS_OF,
    EXCEPTION_EXPIRING,
    EXCEPTION_ON_IAM,
    MINIMAL_CONTROL,
    MakeRepo,
    brief,
    run,
)


def test_policy_review_overdue_is_a_warning(make_repo: MakeRepo) -> None:
    root = make_repo()
    assert brief(run(root, "PL")) == []
    result = check_repository(root, RunSettings(today=dt.date(2027, 3, 3), select=("PL",)))[0]
    assert brief(result) == [("PL001", "policies/access.yaml", 8, 20)]
    assert result.findings[0].severity.value == "warning"
    assert result.findings[0].message == (
        "policy POL-ACCESS was due for review on 2027-03-02 (12 months after 2026-03-02);"
        " it is 1 days overdue"
    )


def test_policy_without_approval_owner_or_cycle(make_repo: MakeRepo) -> None:
    root = make_repo({"policies/access.yaml": "policies:\n  - id: POL-ACCESS\n    title: Access\n"})
    result = run(root, "PL")
    assert brief(result) == [
        ("PL002", "policies/access.yaml", 2, 5),
        ("PL003", "policies/access.yaml", 2, 5),
        ("PL004", "policies/access.yaml", 2, 5),
    ]
    assert [f.severity.value for f in result.findings] == ["error", "error", "warning"]
    assert result.findings[0].message == (
        "policy POL-ACCESS has no `approved_by` and no `approved_on`"
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


def test_exception_expiring_within_the_warning_window(make_repo: MakeRepo) -> None:
    root = make_repo({"exceptions/2026.yaml": EXCEPTION_EXPIRING % "2026-12-15"})
    assert brief(run(root, "EX")) == [("EX002", "exceptions/2026.yaml", 8, 17)]
    root = make_repo({"exceptions/2026.yaml": EXCEPTION_EXPIRING % "2026-12-16"})  # 31 days: quiet
    assert brief(run(root, "EX")) == []
    config = "program: P\ncheck: {expiry_warning_days: 60}\n"
    root = make_repo(
        {"exceptions/2026.yaml": EXCEPTION_EXPIRING % "2026-12-16", "ciptool.yaml": config}
    )
    assert brief(run(root, "EX")) == [("EX002", "exceptions/2026.yaml", 8, 17)]


def test_exception_pointing_at_nothing(make_repo: MakeRepo) -> None:
    text = EXCEPTION_ON_IAM.replace("{control: IAM-01}", "{control: IAM-09}")
    text += (
        text.replace("EXC-001", "EXC-002")
        .replace("exceptions:\n", "")
        .replace("{control: IAM-09}", '{requirement: "iso27001-2022:A.8.99"}')
    )
    text += (
        EXCEPTION_ON_IAM.replace("EXC-001", "EXC-003")
        .replace("exceptions:\n", "")
        .replace("{control: IAM-01}", "{check: XX999, subject: IAM-01}")
    )
    root = make_repo({"exceptions/2026.yaml": text})
    result = run(root, "EX")
    assert brief(result) == [
        ("EX003", "exceptions/2026.yaml", 3, 27),
        ("EX003", "exceptions/2026.yaml", 10, 31),
        ("EX003", "exceptions/2026.yaml", 17, 25),
    ]
    assert [f.message.split(": ", 1)[1] for f in result.findings] == [
        "control `IAM-09` does not exist",
        "`A.8.99` is not a requirement of ISO/IEC 27001:2022",
        "`XX999` is not a check code (see `ciptool rules list`)",
    ]


def test_an_exception_pointing_at_nothing_suggests_what_check_suggests(
    make_repo: MakeRepo,
) -> None:
    """The closest control, requirement or framework, as for a mapping or evidence record."""
    targets = [
        "{control: iam-01}",
        '{requirement: "iso27001-2022:A.8.99"}',
        '{requirement: "soc2:CC6.1"}',
        '{requirement: "nist-csf-2.0:PR.AC-1"}',
    ]
    text = "exceptions:\n" + "".join(
        EXCEPTION_ON_IAM.replace("EXC-001", f"EXC-00{n}")
        .replace("exceptions:\n", "")
        .replace("{control: IAM-01}", target)
        for n, target in enumerate(targets, 1)
    )
    result = run(make_repo({"exceptions/2026.yaml": text}), "EX003")
    assert [f.suggestion for f in result.findings] == [
        "Did you mean `IAM-01`?",
        "Did you mean `A.8.9` or `A.8.29` or `A.8.19`?",
        "Did you mean `soc2-2017`?",
        "Map to PR.AA-01 or PR.AA-05 instead.",
    ]


def test_an_exception_on_a_check_that_is_never_excepted_applies_to_nothing(
    make_repo: MakeRepo,
) -> None:
    """A broken file (LD, SC) or an exception's own problem (EX) is fixed, never accepted: an
    exception naming such a check would look valid while covering nothing."""
    targets = ["{check: SC001, subject: IAM-01}", "{check: LD001}", "{check: EX001}"]
    text = "exceptions:\n" + "".join(
        EXCEPTION_ON_IAM.replace("EXC-001", f"EXC-00{n}")
        .replace("exceptions:\n", "")
        .replace("{control: IAM-01}", target)
        for n, target in enumerate(targets, 1)
    )
    result = run(make_repo({"exceptions/2026.yaml": text}), "EX003")
    assert [(f.code, f.message, f.suggestion) for f in result.findings] == [
        (
            "EX003",
            f"exception EXC-00{n} applies to nothing: {code} findings are never excepted: a file"
            " that cannot be read or validated, or an exception's own problem, is fixed, not"
            " accepted",
            f"Fix what {code} reports, and delete the exception.",
        )
        for n, code in enumerate(["SC001", "LD001", "EX001"], 1)
    ]
    assert [line for _, _, line, _ in brief(result)] == [3, 10, 17]


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


def test_unmapped_control(make_repo: MakeRepo) -> None:
    unmapped = MINIMAL_CONTROL.replace("IAM-01", "OPS-01").split("    mappings:")[0]
    root = make_repo({"ciptool.yaml": COVERAGE_CONFIG, "controls/ops.yaml": unmapped})
    assert brief(run(root, "CV002")) == [("CV002", "controls/ops.yaml", 2, 9)]


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


def _exception_on(ident: str, target: str) -> str:
    return (
        f"  - id: {ident}\n    applies_to: {target}\n    reason: Accepted for now.\n"
        "    risk: low\n    approved_by: CISO\n    approved_on: 2026-01-15\n"
        "    expires_on: 2027-06-30\n"
    )


def test_an_exception_on_a_subject_no_finding_has_is_reported(make_repo: MakeRepo) -> None:
    """A misspelt subject leaves the real finding failing; the exception says so, with the
    closest subject that check reported, wherever that check ran."""
    text = "exceptions:\n" + (
        _exception_on("EXC-TYPO", "{check: EV001, subject: iam-01/recert-signof}")
        + _exception_on("EXC-RIGHT", "{check: EV001, subject: IAM-01/recert-signoff}")
        + _exception_on("EXC-FAR", "{check: EV002, subject: nothing-like-it}")
        + _exception_on("EXC-ALL", "{check: EV004}")
    )
    root = make_repo({"exceptions/2026.yaml": text, "evidence/2026/iam-01.yaml": "evidence: []\n"})
    result = run(root)
    assert brief(result) == [
        ("EV001", "controls/iam.yaml", 12, 13),
        ("EV006", "evidence/2026/files/q.csv", 0, 0),
        ("EX004", "exceptions/2026.yaml", 3, 41),
        ("EX004", "exceptions/2026.yaml", 17, 41),
    ]
    typo, far = result.findings[2:]
    assert typo.severity.value == "warning"
    assert typo.message == (
        "exception EXC-TYPO matches no finding of EV001 today: the subject may be misspelt,"
        " or the problem is fixed"
    )
    assert typo.suggestion == (
        "Did you mean `IAM-01/recert-signoff`? Correct the subject, or remove the exception."
    )
    assert far.suggestion == "Correct the subject, or remove the exception."
    assert result.findings[0].excepted_by == "EXC-RIGHT"
    # Where EV001 or EV002 did not run, nobody knows what they would have found.
    assert [f.code for f in run(root, "EX").findings] == []
    assert [f.code for f in run(root, "EX", "EV001").findings] == ["EV001", "EX004"]
    assert [f.code for f in run(root, "EV", "EX003").findings] == ["EV001", "EV006"]
    ignored = check_repository(root, RunSettings(today=AS_OF, ignore=("EX004",)))[0]
    assert "EX004" not in {f.code for f in ignored.findings}
