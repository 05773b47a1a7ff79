"""The briefing's program sections: the security processes with their evidence and metrics,
external testing, training and awareness, third parties and member data sharing, with exact
figures on the example program and on a small repository made here."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.reports import REPORT_KINDS
from ciptool.reports.briefing_program import (
    EvidenceTally,
    ProgramBriefing,
    SeverityLine,
    build_program_briefing,
)
from ciptool.reports.common import report_meta
from ciptool.reports.view import ReportSource
from ciptool.results import RunSettings
from conftest import AS_OF, EVIDENCE_CSV, MINIMAL_EVIDENCE, MINIMAL_POLICY, PROJECT_ROOT, write_repo

FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]


def program_of(root: Path, today: dt.date = AS_OF) -> ProgramBriefing:
    result, graph = check_repository(root, RunSettings(today=today))
    assert graph is not None
    meta = report_meta(
        "audit-committee",
        "Audit Committee briefing",
        graph,
        result,
        generated_at=dt.datetime(2026, 11, 15, 12, tzinfo=dt.timezone.utc),
        commit=None,
        dirty=None,
    )
    return build_program_briefing(
        ReportSource(graph, result, meta, REPORT_KINDS["audit-committee"])
    )


def briefing(root: Path, fmt: str, out: Path) -> str:
    made = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(root), "-f", fmt, "-o", str(out), *FIXED]
    )
    assert made.exit_code == 0, made.output
    return out.read_text(encoding="utf-8")


def program_part(document: str, fmt: str) -> str:
    """The three program sections of a rendered briefing: from the first one's heading to the
    heading that follows the last one (or the provenance block)."""
    if fmt == "html":
        start = document.index("<h2>Program components</h2>")
        last = document.index("<h2>Member data sharing</h2>")
        ends = [document.find(mark, last + 1) for mark in ("<h2", '<footer class="provenance"')]
    else:
        start = document.index("## Program components")
        last = document.index("## Member data sharing")
        ends = [document.find(mark, last + 1) for mark in ("\n## ", "\n---\n")]
    return document[start : min(end for end in ends if end > 0)]


def words(html: str) -> str:
    """The text of HTML without its charts and tags, spaces folded: what a reader reads."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").replace("&#39;", "'")
    return re.sub(r"\s+", " ", text).strip()


def markdown_words(markdown: str) -> str:
    text = re.sub(r"^\|?[-:|]+\|$", " ", markdown, flags=re.M)
    text = text.replace("**", "").replace("|", " ").replace("#", " ")
    return re.sub(r"\s+", " ", text).strip()


# -- the example program ---------------------------------------------------------------------


def test_the_example_programs_security_processes() -> None:
    program = program_of(PROJECT_ROOT)
    rows = [
        (
            p.title,
            p.controls,
            p.evidence.current,
            p.evidence.out_of_date,
            p.listed_under,
            [(m.id, m.period, m.value, m.threshold, m.standing) for m in p.metrics],
        )
        for p in program.processes
    ]
    within = "within threshold"
    assert rows == [
        ("Cyber risk assessment", 7, 7, 0, "Program components", []),
        (
            "Application and infrastructure security",
            8,
            8,
            0,
            "Program components",
            [("KRI-VULN-SLA", "2026-Q3", "93.7%", "85.0%", within)],
        ),
        (
            "Identity and access management",
            6,
            6,
            0,
            "Program components",
            [("KPI-ACCESS-REVIEW", "2026-Q3", "99.4%", "97.0%", within)],
        ),
        (
            "Security awareness and training",
            5,
            5,
            0,
            "Program components",
            [
                ("KPI-TRAINING", "2026-Q3", "98.6%", "95.0%", within),
                ("KRI-PHISH", "2026-Q3", "2.9%", "5.0%", within),
            ],
        ),
        (
            "Third-party security oversight",
            7,
            7,
            0,
            "Third parties",
            [("KPI-TP-REVIEWS", "2026-Q3", "82.0%", "90.0%", "beyond threshold")],
        ),
        (
            "Security operations and monitoring",
            6,
            5,
            1,
            "Current trends in the threat environment",
            [("KRI-MTTD", "2026-Q3", "4.4 hours", "12 hours", within)],
        ),
        (
            "Incident response",
            5,
            5,
            0,
            "Incident preparedness and response",
            [("KPI-MTTC", "2026-Q3", "9.8 hours", "24 hours", within)],
        ),
        ("Independent assurance", 3, 3, 0, "Program components", []),
        (
            "Infrastructure security",
            15,
            15,
            0,
            "Program components",
            [
                ("KPI-RESTORE", "2026-Q3", "100.0%", "95.0%", within),
                ("KRI-EDR-COVERAGE", "2026-Q3", "99.6%", "97.0%", within),
                ("KRI-VULN-SLA", "2026-Q3", "93.7%", "85.0%", within),
            ],
        ),
        ("Technical protection", 4, 4, 0, "Program components", []),
    ]
    assert program.process_totals == EvidenceTally(65, 1, 0, 0, 0)
    assert program.process_totals.total == sum(p.controls for p in program.processes) == 66


def test_the_example_programs_external_testing() -> None:
    testing = program_of(PROJECT_ROOT).testing
    assert testing.sources == (("penetration test", 4), ("red-team exercise", 4))
    assert testing.lines == (
        SeverityLine("critical", 0, 0, 0, 0),
        SeverityLine("high", 1, 0, 2, 0),
        SeverityLine("medium", 0, 1, 2, 1),
        SeverityLine("low", 1, 0, 0, 0),
    )
    assert testing.totals == SeverityLine("all", 2, 1, 4, 1)
    assert testing.totals.total == sum(line.total for line in testing.lines) == 8
    # The SOC 2 examination's findings are not external testing.
    assert [(f.id, f.owner, f.due_on, f.due_text) for f in testing.open_high] == [
        (
            "RT-2026-02",
            "Director, Identity and Access Management",
            dt.date(2027, 3, 31),
            "due in 136 days",
        )
    ]
    assert [(f.id, f.due_text) for f in testing.past_due] == [("RT-2026-03", "past due by 9 days")]


def test_the_example_programs_training_and_awareness() -> None:
    training = program_of(PROJECT_ROOT).training
    assert [(t.id, t.better, t.threshold, t.target, t.within, t.beyond) for t in training] == [
        ("KPI-TRAINING", "higher is better", "95.0%", "98.0%", 4, 0),
        ("KRI-PHISH", "lower is better", "5.0%", "3.0%", 4, 0),
    ]
    assert [(v.period, v.value) for v in training[0].values] == [
        ("2025-Q4", "96.4%"),
        ("2026-Q1", "97.1%"),
        ("2026-Q2", "98.3%"),
        ("2026-Q3", "98.6%"),
    ]
    assert [(v.period, v.value) for v in training[1].values] == [
        ("2025-Q4", "4.6%"),
        ("2026-Q1", "4.1%"),
        ("2026-Q2", "3.2%"),
        ("2026-Q3", "2.9%"),
    ]
    assert training[1].description == (
        "Phishing simulation click rate, lower is better, from 4.6% in 2025-Q4 to 2.9% in"
        " 2026-Q3; threshold 5.0%. 4 periods within threshold, 0 beyond."
    )
    chart = training[1].chart
    assert chart is not None
    # The click rate falls: each point is drawn lower than the one before, all under the
    # threshold's line (SVG's y grows downwards).
    ys = [p.y for p in chart.points]
    assert ys == sorted(ys)
    assert chart.threshold_y is not None
    assert all(y > chart.threshold_y for y in ys)


def test_the_example_programs_third_parties_and_apps() -> None:
    program = program_of(PROJECT_ROOT)
    parties = program.third_parties
    assert (parties.total, parties.in_program, parties.out_of_program) == (12, 6, 6)
    assert parties.standards == EvidenceTally(36, 0, 0, 0)
    assert (parties.phi, parties.with_baa) == (7, 7)
    assert (parties.contracts, parties.contracts_ended) == (12, 1)
    assert (parties.soc2_reports, parties.soc2_expired) == (5, 1)
    assert [(e.id, e.problems) for e in parties.exceptions] == [
        ("TP-LUMEN-CONTACT", ("SOC 2 report expired on 2026-09-30",)),
        ("TP-MERIDIAN-MAIL", ("contract ended on 2026-10-31",)),
    ]
    apps = program.apps
    assert apps.decisions == (
        ("approved", 16),
        ("awaiting a decision", 1),
        ("denied", 1),
        ("revoked after approval", 1),
    )
    assert apps.total == sum(count for _, count in apps.decisions) == 19
    assert (apps.approved, apps.attested, apps.attested_percent) == (16, 14, "88%")
    assert [(a.id, a.text) for a in apps.not_attested] == [
        ("APP-0023", "not attested"),
        ("APP-0038", "not attested"),
    ]
    # The two apps approved in January and February 2026 are due for their yearly recheck.
    assert apps.reviews_overdue == ()
    assert [(a.id, a.text) for a in apps.reviews_due_soon] == [
        ("APP-0026", "last reviewed on 2026-01-22; next review due on 2027-01-22"),
        ("APP-0028", "last reviewed on 2026-02-11; next review due on 2027-02-11"),
    ]


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_example_briefing_states_the_figures_in_board_language(
    fmt: str, tmp_path: Path
) -> None:
    document = briefing(PROJECT_ROOT, fmt, tmp_path / f"ac.{fmt}")
    part = program_part(document, fmt)
    text = words(part) if fmt == "html" else markdown_words(part)
    for sentence in (
        "The seven critical security processes and 3 other processes briefed here hold 66"
        " controls: 65 with current evidence, 1 with evidence out of date, 0 with evidence"
        " missing.",
        "Security operations and monitoring 6 5 1 0 0 0 Current trends in the threat environment",
        "Total 66 65 1 0 0 0",
        "Third-party annual reviews completed on time Director, Third-Party Security 2026-Q3"
        " 82.0% 90.0% beyond threshold",
        "8 findings from external testing (4 from penetration tests, 4 from red-team"
        " exercises): 3 open (1 past due), 4 remediated, 1 accepted as a risk.",
        "Medium 0 1 2 1 4",
        "Total 2 1 4 1 8",
        "RT-2026-02: Service account with domain administrator rights let the team move to"
        " claims servers high red-team exercise Director, Identity and Access Management"
        " 2027-03-31 due in 136 days",
        "RT-2026-03: Data sent out over DNS queries was not detected medium red-team exercise"
        " Director, Enterprise Threat Management 2026-11-06 past due by 9 days",
        "Lower is better; threshold 5.0%, target 3.0%; owner Security Awareness Lead. 4 of 4"
        " periods within threshold, 0 beyond.",
        "2026-Q2 3.2% within threshold",
        "12 third parties: 6 in the Third Party Management Program, 6 outside it",
        "Minimum standards on time: 36 of 36 checks across the 6 third parties in the program"
        " are current (100%). Business associate agreements: 7 of the 7 handling PHI.",
        "Contracts past their end 1 12 recorded",
        "Lumen Contact Solutions (TP-LUMEN-CONTACT) SOC 2 report expired on 2026-09-30",
        "Meridian Print and Mail (TP-MERIDIAN-MAIL) contract ended on 2026-10-31",
        "19 apps asked to read members' claims data: 16 approved, 1 awaiting a decision, 1"
        " denied, 1 revoked after approval.",
        "Attested share: 14 of the 16 approved apps (88%) carry a developer attestation",
        "Privacy-policy reviews of approved apps (yearly): 0 overdue, 2 due within 90 days.",
    ):
        assert sentence in text, sentence
    headings = ["Program components", "Third parties", "Member data sharing"]
    if fmt == "html":
        for ident, title in zip(
            ("program-components", "third-parties", "member-data-sharing"), headings, strict=True
        ):
            assert f'<section id="{ident}">\n<h2>{title}</h2>' in document
    else:
        assert re.findall(r"^## (.+)$", part, flags=re.M) == headings
    # Board language: no file or YAML paths, check codes, tool severities or CLI hints.
    assert not re.search(r"\.ya?ml|\b[A-Z]{2}\d{3}\b|\berror\b|\bwarning\b|--|ciptool", text)


def test_the_training_charts_are_readable_without_colour(tmp_path: Path) -> None:
    part = program_part(briefing(PROJECT_ROOT, "html", tmp_path / "ac.html"), "html")
    charts = re.findall(r"<svg.*?</svg>", part, flags=re.S)
    assert len(charts) == 2
    phishing = charts[1]
    title = "Phishing simulation click rate: values by period against the threshold"
    assert f"<title>{title}</title>" in phishing
    assert "<desc>Phishing simulation click rate, lower is better, from 4.6% in 2025-Q4" in phishing
    for label in ("4.6%", "4.1%", "3.2%", "2.9%", "2025-Q4", "2026-Q3", "threshold 5.0%"):
        assert f">{label}</text>" in phishing, label


# -- a small repository -------------------------------------------------------------------

ATTESTATION = b"%PDF-1.4 attestation to the CARIN Alliance Code of Conduct\n"
DIGEST = hashlib.sha256(ATTESTATION).hexdigest()
CONFIG = """\
program: Fixture Health Information Protection Program
briefing:
  sections:
    program-components: [data-protection]
"""
CONTROLS = """\
controls:
  - id: IAM-01
    title: Quarterly access recertification
    owner: IAM lead
    process: identity-and-access-management
    frequency: quarterly
    evidence:
      - {id: recert-signoff, description: Signed recertification results}
  - id: IAM-02
    title: Privileged access review
    owner: IAM lead
    process: identity-and-access-management
    frequency: quarterly
    evidence:
      - {id: review, description: The review's sign-off}
  - id: SAT-01
    title: Annual awareness training
    owner: Awareness lead
    process: security-awareness-training
    frequency: annual
    evidence:
      - {id: completion, description: Completion report}
  - id: SAT-02
    title: Phishing simulations
    owner: Awareness lead
    process: security-awareness-training
    frequency: quarterly
  - id: DP-01
    title: Backups encrypted
    owner: Storage lead
    process: data-protection
    frequency: monthly
    evidence:
      - {id: report, description: Encryption report}
  - id: OPS-01
    title: Alert triage
    owner: SOC lead
    process: security-operations-monitoring
    frequency: monthly
    evidence:
      - {id: triage, description: Triage log}
  - id: GOV-01
    title: Council minutes
    owner: CISO
    process: governance
    frequency: quarterly
"""
EVIDENCE = """\
evidence:
  - control: IAM-02
    requirement: review
    collected_on: 2026-04-02
    period: {start: 2026-01-01, end: 2026-03-31}
  - control: DP-01
    requirement: report
    collected_on: 2026-11-02
    period: {start: 2026-10-01, end: 2026-10-31}
    files:
      - {path: files/q.csv, sha256: "%s"}
  - control: OPS-01
    requirement: triage
    collected_on: 2026-11-20
    effective_on: 2026-11-20
"""
METRICS = """\
metrics:
  - id: KPI-TRAIN
    title: Training completed on time
    kind: kpi
    unit: percent
    better: higher
    threshold: 90
    owner: Awareness lead
    frequency: quarterly
    controls: [SAT-01]
    values:
      - {period: 2026-Q2, value: 92}
      - {period: 2026-Q1, value: 88}
      - {period: 2026-Q3, value: 95.5}
  - id: KRI-CLICK
    title: Click rate
    kind: kri
    unit: percent
    better: lower
    owner: Awareness lead
    frequency: quarterly
    controls: [SAT-02]
    values:
      - {period: 2026-Q3, value: 4.0}
  - id: KRI-ACCESS
    title: Access reviews on time
    kind: kri
    unit: reviews
    better: higher
    threshold: 3
    owner: IAM lead
    frequency: quarterly
    controls: [IAM-01, IAM-02, IAM-01]
"""
FINDINGS = """\
findings:
  - id: PT-1
    source: penetration-test
    title: SQL injection in the quote form
    severity: critical
    found_on: 2026-06-01
    owner: AppSec lead
    due_on: 2026-10-01
    status: open
  - id: PT-2
    source: penetration-test
    title: Weak session timeout
    severity: high
    found_on: 2026-06-01
    owner: Portal lead
    due_on: 2027-01-15
    status: open
  - id: RT-1
    source: red-team
    title: Badge cloning at the side door
    severity: high
    found_on: 2026-08-01
    owner: Facilities
    due_on: 2026-10-01
    status: remediated
    closed_on: 2026-09-01
  - id: RT-2
    source: red-team
    title: Verbose error pages
    severity: low
    found_on: 2026-08-01
    owner: Portal lead
    due_on: 2026-09-01
    status: accepted
  - id: AUD-1
    source: internal-audit
    title: Policy not reviewed
    severity: high
    found_on: 2026-08-01
    owner: CISO
    due_on: 2026-09-01
    status: open
"""
THIRD_PARTIES = """\
third_parties:
  - id: TP-B
    name: Quay Print and Mail
    arrangement: outsourced-process
    services: Statement printing
    data: [phi]
    tier: high
    owner: Member Communications
    contract: {start: 2023-07-01, end: 2026-06-30}
  - id: TP-A
    name: Harbor Claims
    arrangement: delegated-provider
    services: Claims adjudication
    data: [phi, pii]
    tier: critical
    owner: Third Party Management
    contract: {start: 2024-01-01, end: 2027-12-31}
    business_associate_agreement: {signed_on: 2024-01-01}
    soc2_report: {received_on: 2026-02-01, expires_on: 2026-10-31}
  - id: TP-C
    name: Moss and Rowe LLP
    arrangement: legal
    services: Outside counsel
    data: [phi]
    tier: medium
    owner: General Counsel
    business_associate_agreement: {signed_on: 2025-05-01}
  - id: TP-D
    name: Bright Brokers
    arrangement: broker
    services: Group sales
    data: [pii]
    tier: low
    owner: Sales
"""
TP_EVIDENCE = """\
evidence:
  - third_party: TP-A
    requirement: confidentiality-agreement
    collected_on: 2023-10-18
    effective_on: 2023-10-18
  - third_party: TP-A
    requirement: annual-review
    collected_on: 2025-08-01
    effective_on: 2025-08-01
"""
APPS = f"""\
apps:
  - id: APP-6
    name: Denied Reader
    developer: Unknown Apps
    status: denied
    decided_on: 2026-05-02
  - id: APP-1
    name: Health Wallet
    developer: Wallet Inc.
    status: approved
    decided_on: 2026-04-02
    carin_attestation:
      attested_on: 2026-03-28
      document: apps/attestations/app-1.pdf
      sha256: {DIGEST}
    privacy_policy: {{url: "https://wallet.example/privacy", reviewed_on: 2026-03-30}}
  - id: APP-2
    name: Claims Lens
    developer: Lens LLC
    status: approved
    decided_on: 2026-04-02
    carin_attestation:
      attested_on: 2026-03-01
      document: apps/attestations/app-1.pdf
      sha256: {"0" * 64}
    privacy_policy: {{url: "https://lens.example/privacy", reviewed_on: 2026-06-30}}
  - id: APP-3
    name: Benefit Buddy
    developer: Buddy Co.
    status: approved
    decided_on: 2025-10-02
    privacy_policy: {{url: "https://buddy.example/privacy", reviewed_on: 2025-10-01}}
  - id: APP-4
    name: Care Tracker
    developer: Tracker Ltd.
    status: approved
    decided_on: 2026-01-20
    carin_attestation:
      attested_on: 2026-01-12
      document: apps/attestations/app-1.pdf
    privacy_policy: {{url: "https://tracker.example/privacy", reviewed_on: 2026-01-10}}
  - id: APP-5
    name: Harbor Assistant
    developer: Harbor Digital
    status: requested
"""


def small_repo(root: Path) -> Path:
    """Seven controls (one of governance, outside the program components), three metrics, five
    findings (one of an internal audit), four third parties and six apps."""
    return write_repo(
        root,
        {
            "ciptool.yaml": CONFIG,
            "controls/program.yaml": CONTROLS,
            "policies/access.yaml": MINIMAL_POLICY,
            "evidence/2026/iam-01.yaml": MINIMAL_EVIDENCE,
            "evidence/2026/others.yaml": EVIDENCE % ("f" * 64),
            "evidence/2026/files/q.csv": EVIDENCE_CSV,
            "evidence/2026/third-parties.yaml": TP_EVIDENCE,
            "metrics/program.yaml": METRICS,
            "findings/2026.yaml": FINDINGS,
            "third-parties/suppliers.yaml": THIRD_PARTIES,
            "apps/members.yaml": APPS,
            "apps/attestations/app-1.pdf": ATTESTATION,
        },
        minimal=False,
    )


def test_a_small_repositorys_processes_count_each_control_once_under_its_worst_evidence(
    tmp_path: Path,
) -> None:
    program = program_of(small_repo(tmp_path / "repo"))
    rows = {
        p.process: (p.evidence, p.listed_under, [(m.id, m.value, m.standing) for m in p.metrics])
        for p in program.processes
    }
    assert list(rows) == [
        "cyber-risk-assessment",
        "application-infrastructure-security",
        "identity-and-access-management",
        "security-awareness-training",
        "third-party-security-oversight",
        "security-operations-monitoring",
        "incident-response",
        "data-protection",
    ]
    assert rows["cyber-risk-assessment"] == (EvidenceTally(0, 0, 0, 0), "Program components", [])
    # IAM-01 current, IAM-02 out of date; a metric naming a control twice is listed once.
    assert rows["identity-and-access-management"] == (
        EvidenceTally(1, 1, 0, 0),
        "Program components",
        [("KRI-ACCESS", "", "no value reported")],
    )
    # SAT-01 has no evidence; SAT-02 asks for none.
    assert rows["security-awareness-training"] == (
        EvidenceTally(0, 0, 1, 0, 1),
        "Program components",
        [("KPI-TRAIN", "95.5%", "within threshold"), ("KRI-CLICK", "4.0%", "no threshold set")],
    )
    # Evidence dated after the day cannot be relied on; neither can a file whose digest fails.
    assert rows["security-operations-monitoring"][0] == EvidenceTally(0, 0, 0, 1)
    assert rows["data-protection"] == (EvidenceTally(0, 0, 0, 1), "Program components", [])
    assert program.process_totals == EvidenceTally(1, 1, 1, 2, 1)
    assert program.process_totals.total == 6  # the seven controls but governance's


def test_a_small_repositorys_external_testing_and_training(tmp_path: Path) -> None:
    program = program_of(small_repo(tmp_path / "repo"))
    testing = program.testing
    assert testing.sources == (("penetration test", 2), ("red-team exercise", 2))
    assert testing.lines == (
        SeverityLine("critical", 0, 1, 0, 0),
        SeverityLine("high", 1, 0, 1, 0),
        SeverityLine("medium", 0, 0, 0, 0),
        SeverityLine("low", 0, 0, 0, 1),
    )
    assert testing.totals == SeverityLine("all", 1, 1, 1, 1)
    assert [(f.id, f.severity, f.owner, f.due_text) for f in testing.open_high] == [
        ("PT-1", "critical", "AppSec lead", "past due by 45 days"),
        ("PT-2", "high", "Portal lead", "due in 61 days"),
    ]
    # PT-1 is named with the open high and critical ones; none of lower severity is past due.
    assert testing.past_due == ()

    train, click = program.training
    assert [(v.period, v.value, v.standing) for v in train.values] == [
        ("2026-Q1", "88%", "beyond threshold"),
        ("2026-Q2", "92%", "within threshold"),
        ("2026-Q3", "95.5%", "within threshold"),
    ]
    assert (train.within, train.beyond) == (2, 1)
    assert train.chart is not None
    assert [p.beyond for p in train.chart.points] == [True, False, False]
    assert [(v.period, v.standing) for v in click.values] == [("2026-Q3", "no threshold set")]
    assert (click.within, click.beyond, click.threshold) == (0, 0, "none")
    assert click.chart is not None
    assert click.chart.threshold_y is None


def test_a_small_repositorys_third_parties_and_apps(tmp_path: Path) -> None:
    program = program_of(small_repo(tmp_path / "repo"))
    parties = program.third_parties
    assert (parties.total, parties.in_program, parties.out_of_program) == (4, 2, 2)
    assert parties.standards == EvidenceTally(1, 1, 10, 0)
    assert parties.standards.total == 12
    assert (parties.phi, parties.with_baa) == (3, 2)
    assert (parties.contracts, parties.contracts_ended) == (2, 1)
    assert (parties.soc2_reports, parties.soc2_expired) == (1, 1)
    assert [(e.id, e.problems) for e in parties.exceptions] == [
        (
            "TP-A",
            (
                "SOC 2 report expired on 2026-10-31",
                "missing: due diligence, risk assessment, contract review, performance metrics",
                "out of date: annual review",
            ),
        ),
        (
            "TP-B",
            (
                "handles PHI without a business associate agreement",
                "contract ended on 2026-06-30",
                "missing: confidentiality agreement, due diligence, risk assessment, contract"
                " review, performance metrics, annual review",
            ),
        ),
    ]

    apps = program.apps
    assert apps.decisions == (
        ("approved", 4),
        ("awaiting a decision", 1),
        ("denied", 1),
        ("revoked after approval", 0),
    )
    # APP-2's document on file is not the one its record names: not counted as attested.
    assert (apps.total, apps.approved, apps.attested, apps.attested_percent) == (6, 4, 2, "50%")
    assert [(a.id, a.text) for a in apps.not_attested] == [
        (
            "APP-2",
            "attested on 2026-03-01, but the attestation document is missing or not the one"
            " recorded",
        ),
        ("APP-3", "not attested"),
    ]
    assert [(a.id, a.text) for a in apps.reviews_overdue] == [
        ("APP-3", "last reviewed on 2025-10-01; the review was due on 2026-10-01")
    ]
    assert [(a.id, a.text) for a in apps.reviews_due_soon] == [
        ("APP-4", "last reviewed on 2026-01-10; next review due on 2027-01-10")
    ]


def test_a_small_repositorys_briefing_says_the_same_in_html_and_markdown(
    tmp_path: Path,
) -> None:
    root = small_repo(tmp_path / "repo")
    html = words(program_part(briefing(root, "html", tmp_path / "ac.html"), "html"))
    markdown = markdown_words(program_part(briefing(root, "md", tmp_path / "ac.md"), "md"))
    for sentence in (
        "The seven critical security processes and 1 other process briefed here hold 6"
        " controls: 1 with current evidence, 1 with evidence out of date, 1 with evidence"
        " missing, 2 whose evidence cannot be relied on (files missing or changed, or dated"
        " after the briefing), 1 that asks for no evidence.",
        "Data protection 1 0 0 0 1 0 Program components",
        "Total 6 1 1 1 2 1",
        "Access reviews on time IAM lead none - 3 reviews no value reported",
        "4 findings from external testing (2 from penetration tests, 2 from red-team"
        " exercises): 2 open (1 past due), 1 remediated, 1 accepted as a risk.",
        "Critical 0 1 0 0 1",
        "PT-1: SQL injection in the quote form critical penetration test AppSec lead"
        " 2026-10-01 past due by 45 days",
        "Higher is better; threshold 90%, target none; owner Awareness lead. 2 of 3 periods"
        " within threshold, 1 beyond.",
        "2026-Q1 88% beyond threshold",
        "Lower is better; threshold none, target none; owner Awareness lead. 0 of 1 period"
        " within threshold, 0 beyond, 1 without a threshold to judge by.",
        "4 third parties: 2 in the Third Party Management Program, 2 outside it",
        "Minimum standards on time: 1 of 12 checks across the 2 third parties in the program"
        " are current (8%). Business associate agreements: 2 of the 3 handling PHI.",
        "Quay Print and Mail (TP-B) handles PHI without a business associate agreement;"
        " contract ended on 2026-06-30; missing:",
        "6 apps asked to read members' claims data: 4 approved, 1 awaiting a decision, 1"
        " denied, 0 revoked after approval.",
        "Attested share: 2 of the 4 approved apps (50%)",
        "Privacy-policy reviews of approved apps (yearly): 1 overdue, 1 due within 90 days.",
        "Benefit Buddy (APP-3) overdue last reviewed on 2025-10-01; the review was due on"
        " 2026-10-01",
        "Care Tracker (APP-4) due soon last reviewed on 2026-01-10; next review due on 2027-01-10",
    ):
        assert sentence in html, sentence
        assert sentence in markdown, sentence
    # The beyond-threshold quarter is marked in the chart by a square and in words; a metric
    # without a threshold has none drawn, and its legend says so.
    train, click = re.findall(
        r"<svg.*?</svg>", briefing(root, "html", tmp_path / "again.html"), flags=re.S
    )[-2:]
    assert '<rect x="55.0" y="145.0" width="10" height="10" fill="#c62828">' in train
    assert "<title>2026-Q1: 88%, beyond threshold</title>" in train
    assert ">88% (beyond)</text>" in train
    assert ">threshold 90%</text>" in train
    assert "stroke-dasharray" not in click
    assert ">value (no threshold set)</text>" in click
    assert "<title>2026-Q3: 4.0%, no threshold set</title>" in click
    assert "medium or low severity past their due date" not in html


def test_a_repository_without_registers_says_so_in_words(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    html = words(program_part(briefing(root, "html", tmp_path / "ac.html"), "html"))
    markdown = markdown_words(program_part(briefing(root, "md", tmp_path / "ac.md"), "md"))
    for sentence in (
        "The seven critical security processes hold 1 control: 1 with current evidence, 0 with"
        " evidence out of date, 0 with evidence missing.",
        "No metric measures the controls of these processes.",
        "No finding of a penetration test or a red-team exercise is recorded.",
        "No metric measures the security awareness and training controls.",
        "Third parties No third party is recorded.",
        "Member data sharing No app has asked to read members' claims data.",
    ):
        assert sentence in html, sentence
        assert sentence in markdown, sentence


def test_user_text_in_the_program_sections_stays_text(tmp_path: Path) -> None:
    metrics = METRICS.replace(
        "title: Training completed on time", "title: <b>Trained</b> | on time"
    )
    metrics = metrics.replace(
        "unit: percent\n    better: higher\n    threshold: 90",
        "unit: a|b\n    better: higher\n    threshold: 90",
    )
    root = small_repo(tmp_path / "repo")
    (root / "metrics/program.yaml").write_text(metrics, encoding="utf-8")
    html = program_part(briefing(root, "html", tmp_path / "ac.html"), "html")
    assert "<b>Trained</b>" not in html
    assert "&lt;b&gt;Trained&lt;/b&gt; | on time" in html
    markdown = program_part(briefing(root, "md", tmp_path / "ac.md"), "md")
    row = next(line for line in markdown.splitlines() if "Trained" in line and "2026-Q3" in line)
    # Seven cells: the pipes of the title and the unit are escaped, not cell borders.
    assert len(re.findall(r"(?<!\\)\|", row)) == 8, row
