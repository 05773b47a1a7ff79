"""``ciptool explain``: the status check gives, as of a day, with why and what it rests on."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import AS_OF, EVIDENCE_CSV, PROJECT_ROOT, MakeRepo

GOLDEN = Path(__file__).parent / "golden"
DIGEST = hashlib.sha256(EVIDENCE_CSV).hexdigest()

#: SOC 2 security criteria in every status, and evidence in every state, on AS_OF.
STATUS_CONFIG = """\
program: P
frameworks: [soc2-2017]
soc2:
  period: {start: 2026-01-01, end: 2026-09-30}
applicability:
  soc2-2017:
    CC6.5: {applicable: false, justification: No physical media leave the offices.}
"""

STATUS_CONTROLS = """\
controls:
  - id: GOV-01
    title: Access requests approved
    owner: IAM lead
    frequency: event-driven
    mappings: {soc2-2017: [CC6.1]}
    evidence:
      - {id: approvals, description: Approved access requests}
  - id: OPS-01
    title: Monthly log review
    owner: SOC lead
    frequency: monthly
    mappings: {soc2-2017: [CC7.2]}
    evidence:
      - {id: log-review, description: Signed log review}
  - id: OPS-02
    title: Incident tickets
    owner: SOC lead
    frequency: event-driven
    mappings: {soc2-2017: [CC7.3]}
    evidence:
      - {id: tickets, description: Incident tickets}
  - id: OPS-03
    title: Annual incident exercise
    owner: SOC lead
    frequency: annual
    mappings: {soc2-2017: [CC7.4]}
    evidence:
      - {id: exercise-report, description: Exercise report}
  - id: OPS-04
    title: Recovery test
    owner: SOC lead
    frequency: event-driven
    mappings: {soc2-2017: [CC7.5]}
    evidence:
      - {id: recovery-test, description: Recovery test results}
  - id: OPS-05
    title: Risk assessment
    owner: CRO
    frequency: event-driven
    mappings: {soc2-2017: [CC9.1]}
    evidence:
      - {id: assessment, description: Risk assessment}
"""


def _record(control: str, requirement: str, dates: str, digest: str = DIGEST) -> str:
    return f"""\
  - control: {control}
    requirement: {requirement}
    {dates}
    files:
      - {{path: files/q.csv, sha256: "{digest}"}}
"""


STATUS_EVIDENCE = "evidence:\n" + "".join(
    [
        _record("GOV-01", "approvals", "collected_on: 2026-10-20\n    effective_on: 2026-10-20"),
        _record("OPS-01", "log-review", "collected_on: 2026-09-02\n    effective_on: 2026-08-31"),
        _record(
            "OPS-02", "tickets", "collected_on: 2026-10-01\n    effective_on: 2026-10-01", "0" * 64
        ),
        _record(
            "OPS-03",
            "exercise-report",
            "collected_on: 2026-11-02\n    period: {start: 2026-01-01, end: 2026-12-31}",
        ),
    ]
)

STATUS_EXCEPTIONS = """\
exceptions:
  - id: EXC-001
    applies_to: {control: OPS-05}
    reason: The risk assessment is redone after the merger.
    risk: medium
    approved_by: CISO
    approved_on: 2026-01-15
    expires_on: 2027-06-30
  - id: EXC-002
    applies_to: {requirement: "soc2-2017:cc8.1"}
    reason: Change management is being rebuilt.
    risk: high
    approved_by: CISO
    approved_on: 2026-02-01
    expires_on: 2026-12-31
"""


@pytest.fixture
def statuses(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            "ciptool.yaml": STATUS_CONFIG,
            "controls/ops.yaml": STATUS_CONTROLS,
            "evidence/2026/ops.yaml": STATUS_EVIDENCE,
            "exceptions/2026.yaml": STATUS_EXCEPTIONS,
        }
    )


def _explain(cli: CliRunner, root: Path, *args: str) -> list[str]:
    result = cli.invoke(app, ["explain", *args, "--repo", str(root)])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _check_statuses(cli: CliRunner, root: Path, *args: str) -> dict[str, str]:
    result = cli.invoke(app, ["check", "--repo", str(root), "-f", "json", *args])
    rows = json.loads(result.stdout)["coverage"]
    return {
        f"{framework}:{row['id']}": row["status"]
        for framework, table in rows.items()
        for row in table["requirements"]
    }


def test_explain_gives_checks_status_for_every_status(statuses: Path, cli: CliRunner) -> None:
    """Each status, and each state of evidence, read as check reads it on the same day."""
    expected = {
        "soc2-2017:CC6.1": "covered",
        "soc2-2017:CC6.2": "covered-with-deviations",
        "soc2-2017:CC6.5": "not-applicable",
        "soc2-2017:CC7.2": "declared",
        "soc2-2017:CC7.3": "declared",
        "soc2-2017:CC7.4": "declared",
        "soc2-2017:CC7.5": "declared",
        "soc2-2017:CC8.1": "excepted",
        "soc2-2017:CC9.1": "excepted",
        "soc2-2017:CC9.2": "gap",
    }
    found = _check_statuses(cli, statuses, "--as-of", str(AS_OF))
    assert {key: found[key] for key in expected} == expected
    period = "(SOC 2 period 2026-01-01..2026-09-30)"
    for reference, status in expected.items():
        lines = _explain(cli, statuses, reference, "--as-of", str(AS_OF))
        assert f"status as of 2026-11-15: {status} {period}" in lines, reference


def test_explain_says_why_in_check_words(statuses: Path, cli: CliRunner) -> None:
    def explained(reference: str) -> list[str]:
        return _explain(cli, statuses, reference, "--as-of", str(AS_OF))[2:]

    status = "status as of 2026-11-15: {} (SOC 2 period 2026-01-01..2026-09-30)"
    # What the testing of the criterion's controls found, as the SOC 2 package says it.
    untested = "SOC 2 testing: untested: no sampled item of its control tested"
    assert explained("CC6.1") == [
        status.format("covered"),
        "  current, intact evidence: GOV-01",
        untested,
        "mapped by 1 control:",
        "  GOV-01  Access requests approved",
        "    evidence as of 2026-11-15: current and intact for every evidence requirement",
        "      approvals: current - newest effective 2026-10-20 (1 record); event-driven"
        " evidence does not go stale",
        "    SOC 2 testing: untested: no occurrence in the period to sample",
    ]
    assert explained("CC6.2") == [
        status.format("covered-with-deviations"),
        "  IAM-01 has no evidence for 2026-Q1..2026-Q2 of the SOC 2 period",
        untested,
        "mapped by 1 control:",
        "  IAM-01  Quarterly access recertification",
        "    evidence as of 2026-11-15: current and intact for every evidence requirement",
        "      recert-signoff: current - newest effective 2026-09-30 (1 record), current"
        " through 2027-01-08: quarterly evidence may be 100 days old",
        "    SOC 2 period 2026-01-01..2026-09-30: no evidence for 2026-Q1..2026-Q2",
        "    SOC 2 testing: untested: no workpaper for the period",
    ]
    assert explained("CC6.5") == [
        status.format("not-applicable"),
        "  No physical media leave the offices.",
        "SOC 2 testing: untested: no mapped control with evidence to sample",
        "mapped by 0 controls:",
    ]
    declared = [status.format("declared"), "  no mapped control has current, intact evidence"]
    not_current = (
        "evidence as of 2026-11-15: not current for every evidence requirement, so no requirement"
    )
    assert explained("CC7.2") == [
        *declared,
        untested,
        "mapped by 1 control:",
        "  OPS-01  Monthly log review",
        f"    {not_current} is covered through it",
        "      log-review: stale - newest effective 2026-08-31 (1 record), stale since"
        " 2026-10-11: monthly evidence may be 40 days old",
        "    SOC 2 period 2026-01-01..2026-09-30: no evidence for 2026-01..2026-07, 2026-09",
        "    SOC 2 testing: untested: no workpaper for the period",
    ]
    assert explained("CC7.3")[5:7] == [
        f"    {not_current} is covered through it",
        "      tickets: broken - newest effective 2026-10-01 (1 record), but the newest record"
        " (evidence/2026/ops.yaml) lists a file that is missing or differs from its recorded"
        " sha256 (`ciptool evidence verify` names it)",
    ]
    assert explained("CC7.4")[6] == (
        "      exercise-report: future - newest effective 2026-12-31 (1 record), but the newest"
        " record (evidence/2026/ops.yaml) is dated after 2026-11-15: its period ends 2026-12-31"
    )
    assert explained("CC7.5")[6] == "      recovery-test: missing - no evidence recorded"
    assert explained("CC8.1")[:3] == [
        status.format("excepted"),
        "  a live exception covers the requirement",
        "  EXC-002 until 2026-12-31 (risk high, approved by CISO on 2026-02-01)",
    ]
    assert explained("CC9.1") == [
        status.format("excepted"),
        "  OPS-05 is under a live exception (EXC-001); no mapped control has current evidence",
        untested,
        "mapped by 1 control:",
        "  OPS-05  Risk assessment",
        f"    {not_current} is covered through it",
        "      assessment: missing - no evidence recorded",
        "    live exceptions on OPS-05:",
        "      EXC-001 until 2027-06-30 (risk medium, approved by CISO on 2026-01-15)",
        "    SOC 2 testing: untested: no occurrence in the period to sample",
    ]
    assert explained("CC9.2")[:4] == [
        status.format("gap"),
        "  no control maps it",
        "SOC 2 testing: untested: no mapped control with evidence to sample",
        "mapped by 0 controls:",
    ]


def test_explain_as_of_and_period_move_the_status_as_they_move_checks(
    statuses: Path, cli: CliRunner
) -> None:
    """The exception on CC8.1 expires on 2026-12-31; a period of Q3 only has no deviation."""
    for args, reference, status in [
        (["--as-of", "2026-12-31"], "CC8.1", "excepted"),
        (["--as-of", "2027-01-01"], "CC8.1", "gap"),
        (["--as-of", str(AS_OF), "--period", "2026-07-01..2026-09-30"], "CC6.2", "covered"),
    ]:
        assert _check_statuses(cli, statuses, *args)[f"soc2-2017:{reference}"] == status
        lines = _explain(cli, statuses, reference, *args)
        assert lines[2].startswith(f"status as of {args[1]}: {status} (SOC 2 period 2026-"), args


def test_explain_refuses_what_check_refuses_in_the_same_words(
    statuses: Path, cli: CliRunner
) -> None:
    for args in (
        ["--as-of", "2026-13-01"],
        ["--as-of", "1899-12-31"],
        ["--as-of", "3000-01-01"],
        ["--period", "2026-12-31..2026-01-01"],
        ["--period", "2026"],
    ):
        checked = cli.invoke(app, ["check", "--repo", str(statuses), *args])
        explained = cli.invoke(app, ["explain", "CC6.1", "--repo", str(statuses), *args])
        assert (explained.exit_code, checked.exit_code) == (2, 2), args
        assert explained.stderr == checked.stderr, args
        assert explained.stderr.startswith("ciptool: --"), args


def test_a_criterion_of_a_soc2_category_out_of_scope_is_no_gap(
    statuses: Path, cli: CliRunner
) -> None:
    assert "soc2-2017:PI1.1" not in _check_statuses(cli, statuses, "--as-of", str(AS_OF))
    assert _explain(cli, statuses, "PI1.1", "--as-of", str(AS_OF)) == [
        "soc2-2017:PI1.1",
        "Processing objectives, data definitions and specifications",
        "mapped by 0 controls:",
        "PI1.1 is a processing-integrity criterion, and processing-integrity is not in scope"
        " (`soc2: categories:` in ciptool.yaml)",
    ]


def test_a_control_gives_each_evidence_requirement_and_exception_as_of_the_day(
    statuses: Path, cli: CliRunner
) -> None:
    lines = _explain(cli, statuses, "OPS-05", "--as-of", str(AS_OF))
    assert lines[6:] == [
        "mappings, with each requirement's status as of 2026-11-15:",
        "  excepted  soc2-2017:CC9.1  Mitigation of business disruption risk",
        "evidence as of 2026-11-15: not current for every evidence requirement, so no"
        " requirement is covered through it",
        "  assessment: missing - no evidence recorded",
        "live exceptions on OPS-05:",
        "  EXC-001 until 2027-06-30 (risk medium, approved by CISO on 2026-01-15)",
        "test procedure: none recorded",
        "SOC 2 testing of 2026-01-01..2026-09-30: untested: no occurrence in the period to sample",
        "  population as of 2026-11-15: 0 evidence records speaking for a day in the period; the"
        " sample-size table calls for 0 (event-driven: sized by the population)",
    ]
    later = _explain(cli, statuses, "OPS-05", "--as-of", "2027-07-01")
    assert later[7:] == [
        "  declared  soc2-2017:CC9.1  Mitigation of business disruption risk",
        "evidence as of 2027-07-01: not current for every evidence requirement, so no"
        " requirement is covered through it",
        "  assessment: missing - no evidence recorded",
        "live exceptions on OPS-05: none",
        "test procedure: none recorded",
        "SOC 2 testing of 2026-01-01..2026-09-30: untested: no occurrence in the period to sample",
        "  population as of 2027-07-01: 0 evidence records speaking for a day in the period; the"
        " sample-size table calls for 0 (event-driven: sized by the population)",
    ]


EXAMPLE_IDS = [
    "IAM-01",
    "IAM-03",
    "PHY-01",
    "OPS-06",
    "iso27001-2022:A.5.18",
    "soc2-2017:CC6.4",
    "CC6.2",
    "A.8.11",
    "A.5.15",
    "A.5.17",
    "iso27001-2022:A.7.5",
    "ID.RA-09",
    "GV.RM-07",
    "PBC-2026-002",
    "PBC-2026-050",
]


def test_explain_golden_on_the_example_program(cli: CliRunner) -> None:
    """The example program as of AS_OF: every status it has, exactly as check gives it."""
    parts = []
    for identifier in EXAMPLE_IDS:
        lines = _explain(cli, PROJECT_ROOT, identifier, "--as-of", str(AS_OF), "--no-cache")
        parts.append("\n".join([f"$ ciptool explain {identifier} --as-of {AS_OF}", *lines]))
    text = "\n\n".join(parts) + "\n"
    golden = GOLDEN / "explain.txt"
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_a_gap_names_what_a_crosswalk_suggests_as_a_hint(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    control = """\
controls:
  - id: IAM-09
    title: Access rights reviewed
    owner: IAM lead
    frequency: event-driven
    mappings: {iso27001-2022: [A.5.18]}
"""
    root = make_repo(
        {"ciptool.yaml": "program: P\nframeworks: [nist-csf-2.0]\n", "controls/more.yaml": control}
    )
    rows = _check_statuses(cli, root, "--as-of", str(AS_OF))
    assert rows["nist-csf-2.0:PR.AA-03"] == "gap"
    assert _explain(cli, root, "PR.AA-03", "--as-of", str(AS_OF))[2:] == [
        "status as of 2026-11-15: gap",
        "  no control maps it",
        "  a crosswalk suggests IAM-01, IAM-09 (a hint, never coverage)",
        "mapped by 0 controls:",
    ]


HEADING_CONTROLS = """\
controls:
  - id: GOV-01
    title: Policy set approved
    owner: CISO
    frequency: annual
    mappings: {nist-csf-2.0: [GV.PO], iso27001-2022: ["9.2.1", "4"]}
  - id: GOV-02
    title: Policy exceptions tracked
    owner: CISO
    frequency: annual
    mappings: {nist-csf-2.0: [GV.PO]}
"""


def test_explain_says_a_heading_is_one_and_what_is_under_it(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    """A category mapped by controls is named a heading, with the requirements under it and
    what a mapping to it counts for, as check's RF005 says; before, only 'mapped by 2
    controls' came first, as for a requirement."""
    root = make_repo(
        {
            "ciptool.yaml": "program: P\nframeworks: [nist-csf-2.0, iso27001-2022]\n",
            "controls/gov.yaml": HEADING_CONTROLS,
        }
    )
    assert _explain(cli, root, "GV.PO", "--as-of", str(AS_OF)) == [
        "nist-csf-2.0:GV.PO",
        "Policy",
        "Organizational cybersecurity policy is established, communicated, and enforced",
        "GV.PO is a category of CSF 2.0, a heading and not a requirement: check gives each"
        " requirement under it a status of its own, and a mapping to GV.PO counts toward none"
        " of them (RF005)",
        "2 requirements under it: GV.PO-01, GV.PO-02",
        "mapped by 2 controls:",
        "  GOV-01  Policy set approved",
        "  GOV-02  Policy exceptions tracked",
    ]
    function = _explain(cli, root, "nist-csf-2.0:GV", "--as-of", str(AS_OF))
    assert function[3:5] == [
        "GV is a function of CSF 2.0, a heading and not a requirement: check gives each"
        " requirement under it a status of its own, and a mapping to GV counts toward none of"
        " them (RF005)",
        "31 requirements under it: GV.OC-01, GV.OC-02, GV.OC-03, GV.OC-04, GV.OC-05, GV.RM-01,"
        " GV.RM-02, GV.RM-03, ...",
    ]
    assert _explain(cli, root, "iso27001-2022:9.2.1", "--as-of", str(AS_OF)) == [
        "iso27001-2022:9.2.1",
        "General",
        "9.2.1 is a subclause of ISO/IEC 27001:2022, not a requirement: coverage counts its"
        " Annex A controls only, and a mapping to 9.2.1 counts toward none of them (RF005)",
        "no requirement under it",
        "mapped by 1 control:",
        "  GOV-01  Policy set approved",
    ]


def test_evidence_that_speaks_for_a_day_after_its_collection_says_so(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    """Evidence collected before the end of the period it covers counts for nothing (EV008),
    though every day it names is before the day: explain names the day it speaks for and the
    day it was collected, for a control and for a third party's minimum standard alike."""
    evidence = f"""\
evidence:
  - control: IAM-01
    requirement: recert-signoff
    collected_on: 2026-09-01
    period: {{start: 2026-07-01, end: 2026-09-30}}
    files:
      - {{path: files/q.csv, sha256: "{hashlib.sha256(EVIDENCE_CSV).hexdigest()}"}}
  - third_party: TP-MAIL
    requirement: annual-review
    collected_on: 2026-08-01
    effective_on: 2026-08-11
"""
    third_parties = """\
third_parties:
  - id: TP-MAIL
    name: Quay Print and Mail
    arrangement: outsourced-process
    services: Statement printing
    tier: high
    owner: Director, Member Communications
"""
    root = make_repo(
        {"evidence/2026/iam-01.yaml": evidence, "third-parties/mail.yaml": third_parties}
    )
    control = _explain(cli, root, "IAM-01", "--as-of", str(AS_OF))
    assert (
        "  recert-signoff: future - newest effective 2026-09-30 (1 record), but the newest record"
        " (evidence/2026/iam-01.yaml) speaks for a day after it was collected on 2026-09-01:"
        " its period ends 2026-09-30"
    ) in control
    supplier = _explain(cli, root, "TP-MAIL", "--as-of", str(AS_OF))
    assert (
        "  annual-review: future - newest effective 2026-08-11 (1 record), but the newest record"
        " (evidence/2026/iam-01.yaml) speaks for a day after it was collected on 2026-08-01:"
        " effective 2026-08-11"
    ) in supplier
