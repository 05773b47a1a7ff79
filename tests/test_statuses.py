"""Statuses that are true: one definition of each coverage status, used everywhere."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from ciptool.cli import app
from conftest import AS_OF, EXCEPTION_ON_IAM, MINIMAL_EVIDENCE, MakeRepo, brief, run

SOC2_PERIOD_CONFIG = """\
program: P
frameworks: [nist-csf-2.0, soc2-2017]
soc2:
  period: {start: 2026-01-01, end: 2026-09-30}
"""


def _statuses(root: Path) -> dict[str, str]:
    return {f"{r.framework}:{r.requirement}": r.status.value for r in run(root).coverage}


def test_evidence_effective_in_the_future_covers_nothing(make_repo: MakeRepo) -> None:
    """EV005's "in the future" is exactly what coverage refuses: here an effective date."""
    future = MINIMAL_EVIDENCE.replace(
        "period: {start: 2026-07-01, end: 2026-09-30}", "effective_on: 2030-12-15"
    )
    root = make_repo(
        {
            "ciptool.yaml": "program: P\nframeworks: [soc2-2017]\n",
            "evidence/2026/iam-01.yaml": future,
        }
    )
    result = run(root)
    assert [f for f in brief(result) if f[0] == "EV005"] == [
        ("EV005", "evidence/2026/iam-01.yaml", 5, 19)
    ]
    row = next(r for r in result.coverage if r.requirement == "CC6.2")
    assert row.status.value == "declared"
    assert row.reason == "no mapped control has current, intact evidence"


def test_evidence_dated_after_its_collection_covers_nothing(make_repo: MakeRepo) -> None:
    """EV008's records count for nothing: the newest record, effective after the day it was
    collected, leaves the requirement without current evidence, older records or not."""
    ahead = MINIMAL_EVIDENCE + (
        "  - control: IAM-01\n    requirement: recert-signoff\n"
        "    collected_on: 2026-10-05\n    effective_on: 2026-10-31\n"
        "    files: []\n"
    )
    root = make_repo(
        {
            "ciptool.yaml": "program: P\nframeworks: [soc2-2017]\n",
            "evidence/2026/iam-01.yaml": ahead,
        }
    )
    result = run(root)
    assert [f for f in brief(result) if f[0].startswith("EV")] == [
        ("EV008", "evidence/2026/iam-01.yaml", 11, 19)
    ]
    row = next(r for r in result.coverage if r.requirement == "CC6.2")
    assert row.status.value == "declared"
    assert row.reason == "no mapped control has current, intact evidence"


def test_a_period_still_running_covers_nothing(make_repo: MakeRepo) -> None:
    running = MINIMAL_EVIDENCE.replace("end: 2026-09-30", "end: 2026-12-31")
    root = make_repo(
        {
            "ciptool.yaml": "program: P\nframeworks: [soc2-2017]\n",
            "evidence/2026/iam-01.yaml": running,
        }
    )
    assert _statuses(root)["soc2-2017:CC6.2"] == "declared"


def test_a_soc2_criterion_whose_control_missed_an_interval_has_deviations(
    make_repo: MakeRepo,
) -> None:
    """IAM-01 is quarterly with evidence for Q3 only: Q1 and Q2 of the period have none."""
    root = make_repo({"ciptool.yaml": SOC2_PERIOD_CONFIG})
    result = run(root)
    assert [f.message for f in result.findings if f.code == "EV007"] == [
        "IAM-01 (quarterly) has no evidence for 2026-Q1..2026-Q2 in the SOC 2 period"
        " 2026-01-01..2026-09-30"
    ]
    rows = {r.requirement: r for r in result.coverage}
    assert rows["CC6.2"].status.value == "covered-with-deviations"
    assert rows["CC6.2"].reason == "IAM-01 has no evidence for 2026-Q1..2026-Q2 of the SOC 2 period"
    # The audit period is SOC 2's: CSF's posture on the day is judged by current evidence.
    assert rows["PR.AA-05"].status.value == "covered"


def test_a_requirement_whose_control_is_excepted_is_excepted(make_repo: MakeRepo) -> None:
    """IAM-01 has current evidence, but a live exception says it does not fully operate."""
    root = make_repo(
        {
            "ciptool.yaml": "program: P\nframeworks: [soc2-2017]\n",
            "exceptions/x.yaml": EXCEPTION_ON_IAM,
        }
    )
    row = next(r for r in run(root).coverage if r.requirement == "CC6.2")
    assert row.status.value == "excepted"
    assert row.reason == "IAM-01 is under a live exception (EXC-001)"


CATEGORY_CONFIG = """\
program: P
frameworks: [nist-csf-2.0]
applicability:
  nist-csf-2.0:
    GV.OC: {applicable: false, justification: Phased in from 2027.}
    GV.OC-03: {applicable: true}
    RS: {applicable: false, justification: Response is run by the parent company.}
"""


def test_category_and_function_applicability_reach_every_requirement_below(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"ciptool.yaml": CATEGORY_CONFIG})
    rows = {r.requirement: r for r in run(root).coverage}
    excluded = {
        ident: row.reason for ident, row in rows.items() if row.status.value == "not-applicable"
    }
    assert excluded == {
        "GV.OC-01": "Phased in from 2027.",
        "GV.OC-02": "Phased in from 2027.",
        "GV.OC-04": "Phased in from 2027.",
        "GV.OC-05": "Phased in from 2027.",
        **{
            ident: "Response is run by the parent company."
            for ident in rows
            if ident.startswith("RS.")
        },
    }
    assert rows["GV.OC-03"].status.value == "gap"  # its own decision overrides the category's
    assert len([i for i in excluded if i.startswith("RS.")]) == 13
    gaps = {f.subject for f in run(root).findings if f.code == "CV001"}
    assert "nist-csf-2.0:GV.OC-03" in gaps
    assert "nist-csf-2.0:GV.OC-01" not in gaps


def test_explain_gives_a_category_decision_for_the_requirement(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo({"ciptool.yaml": CATEGORY_CONFIG})
    shown = cli.invoke(
        app, ["explain", "nist-csf-2.0:GV.OC-01", "--repo", str(root), "--as-of", str(AS_OF)]
    )
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[2:4] == [
        "status as of 2026-11-15: not-applicable",
        "  Phased in from 2027.",
    ]


def test_an_applicability_key_naming_nothing_is_located(make_repo: MakeRepo) -> None:
    config = CATEGORY_CONFIG.replace("    RS:", "    GV.XX:")
    root = make_repo({"ciptool.yaml": config})
    assert brief(run(root, "RF002")) == [("RF002", "ciptool.yaml", 7, 5)]


def test_the_json_summary_has_the_new_statuses(make_repo: MakeRepo, cli: CliRunner) -> None:
    root = make_repo({"ciptool.yaml": SOC2_PERIOD_CONFIG})
    outcome = cli.invoke(app, ["check", "--repo", str(root), "--as-of", str(AS_OF), "-f", "json"])
    summary = json.loads(outcome.stdout)["coverage"]["soc2-2017"]["summary"]
    assert summary == {
        "covered": 0,
        "covered-with-deviations": 1,
        "declared": 0,
        "excepted": 0,
        "not-applicable": 0,
        "gap": 32,
    }


GOLDEN = Path(__file__).parent / "golden"
GAPS_CONFIG = """\
program: P
frameworks: [nist-csf-2.0, soc2-2017]
applicability:
  nist-csf-2.0:
    GV: {applicable: false, justification: Governance is the parent company's.}
"""


def test_the_terminal_groups_coverage_gaps_by_framework_and_category(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path
) -> None:
    """About 120 gaps read as one line per category with its count and first ids; a category
    with one gap shows it in full; JSON still lists every gap.
    """
    root = make_repo({"ciptool.yaml": GAPS_CONFIG})
    out = tmp_path / "check.txt"
    outcome = cli.invoke(app, ["check", "--repo", str(root), "--as-of", str(AS_OF), "-o", str(out)])
    assert outcome.exit_code == 0, outcome.output
    text = out.read_text(encoding="utf-8")
    golden = GOLDEN / "check-gaps.txt"
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 40
    document = cli.invoke(
        app, ["check", "--repo", str(root), "--as-of", str(AS_OF), "-f", "json"]
    ).stdout
    gaps = [f for f in json.loads(document)["findings"] if f["code"] == "CV001"]
    assert len(gaps) == 106 - 1 - 31 + 33 - 1


def test_the_briefing_never_adds_excepted_requirements_into_the_headline(
    cli: CliRunner, tmp_path: Path
) -> None:
    """The example: ISO/IEC 27001:2022 read "100% addressed" while high-risk EXC-2026-002
    stood; now its covered share is of the applicable controls, the excepted ones apart.
    """
    from conftest import PROJECT_ROOT

    out = tmp_path / "briefing.md"
    command = ["report", "audit-committee", "--repo", str(PROJECT_ROOT), "--as-of", str(AS_OF)]
    outcome = cli.invoke(app, [*command, "-f", "md", "-o", str(out)])
    assert outcome.exit_code == 0, outcome.output
    text = out.read_text(encoding="utf-8")
    assert "addressed" not in text
    assert (
        "ISO/IEC 27001:2022, 93 requirements: 87 covered, 0 covered with deviations, 3 excepted,"
        " 0 gaps, 3 not applicable."
    ) in text
    assert (
        "SOC 2 (TSC 2017), 38 requirements: 35 covered, 1 covered with deviations, 2 excepted,"
        " 0 gaps, 0 not applicable."
    ) in text
    assert "| ISO/IEC 27001:2022 | 93 | 87 | 0 | 3 | 0 | 0 | 3 | 97% |" in text


def test_a_new_gap_stands_apart_from_those_the_baseline_holds(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path
) -> None:
    root = make_repo({"ciptool.yaml": GAPS_CONFIG})
    baseline = tmp_path / "baseline.json"
    common = ["check", "--repo", str(root), "--as-of", str(AS_OF)]
    written = cli.invoke(app, [*common, "--write-baseline", str(baseline), "-f", "json"])
    assert written.exit_code == 0, written.output
    control = root / "controls/iam.yaml"
    control.write_text(control.read_text().replace("[PR.AA-05]", "[]"), encoding="utf-8")
    out = tmp_path / "check.txt"
    assert cli.invoke(app, [*common, "--baseline", str(baseline), "-o", str(out)]).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    at = lines.index(
        "  2:14    warning CV001  nist-csf-2.0 PR.AA: 5 gaps, in scope but mapped by no control"
        " (PR.AA-01, PR.AA-02, PR.AA-03, ...)"
    )
    assert lines[at + 1].strip() == "all in the baseline"
    assert lines[at + 2].startswith("  2:14    warning CV001  CSF 2.0 PR.AA-05 is in scope but no")
