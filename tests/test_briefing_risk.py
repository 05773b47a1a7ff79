"""The briefing's risk and resilience sections: the risk profile, the threat environment, incident
preparedness and response, and business continuity, with exact figures on the example program
and on small repositories made here; and the CISO's narrative file, read bounded or refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.loader import narrative
from ciptool.loader.identities import Signature, evidence_signature
from ciptool.loader.narrative import narrative_text
from ciptool.models.filefacts import EvidenceFileFacts, FileState
from ciptool.reports import REPORT_KINDS
from ciptool.reports.briefing_risk import Block, RiskBriefing, build_risk_briefing
from ciptool.reports.common import report_meta
from ciptool.reports.view import ReportSource
from ciptool.results import RunSettings
from conftest import PROJECT_ROOT, MakeRepo, brief, run

EXAMPLE_DAY = dt.date(2026, 11, 15)


def risk_view(root: Path, today: dt.date = EXAMPLE_DAY) -> RiskBriefing:
    """The risk and resilience part of ``root``'s briefing as of ``today``."""
    result, graph = check_repository(root, RunSettings(today=today))
    assert graph is not None
    kind = REPORT_KINDS["audit-committee"]
    meta = report_meta(
        kind.name,
        kind.title,
        graph,
        result,
        generated_at=dt.datetime(2026, 11, 15, 12, tzinfo=dt.timezone.utc),
        commit=None,
        dirty=None,
    )
    return build_risk_briefing(ReportSource(graph, result, meta, kind))


def briefing_text(root: Path, fmt: str, as_of: str = "2026-11-15") -> str:
    """The audit-committee briefing of ``root`` in ``fmt``, as the command line writes it."""
    outcome = CliRunner().invoke(
        app,
        [
            "report",
            "audit-committee",
            "--repo",
            str(root),
            "--format",
            fmt,
            "--as-of",
            as_of,
            "--generated-at",
            "2026-11-15T12:00:00Z",
            "--no-cache",
            "-o",
            "-",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    return outcome.stdout


@pytest.fixture(scope="module")
def example() -> RiskBriefing:
    return risk_view(PROJECT_ROOT)


# The example program


def test_the_example_risk_profile(example: RiskBriefing) -> None:
    p = example.profile
    assert (p.risks, p.appetite) == (16, 8)
    assert p.by_level == (("critical", 0), ("high", 1), ("medium", 13), ("low", 2))
    assert (p.above_appetite, p.above_appetite_accepted) == (2, 2)
    assert (p.actions, p.actions_open, p.actions_overdue) == (29, 15, 0)
    # Every risk above the appetite (12 and 9), the one high one, and the five highest
    # residual scores, the six risks at 8 tied with the fifth included.
    assert [t.id for t in p.top] == [
        "RSK-012",
        "RSK-004",
        "RSK-007",
        "RSK-011",
        "RSK-021",
        "RSK-003",
        "RSK-022",
        "RSK-031",
    ]
    assert p.top_rule == (
        "8 of the register's 16 risks: every risk above the appetite, every high or critical"
        " one, and the five with the highest residual scores, with every risk tied with the"
        " fifth."
    )
    first = p.top[0]
    assert (first.owner, first.residual.text, first.treatment, first.appetite_text) == (
        "Chief Privacy Officer",
        "3 x 4 = 12 (high)",
        "accept",
        "above appetite, accepted",
    )
    assert [(a.description, a.due_on, a.status_text) for a in first.actions] == [
        (
            "Masking pipeline support for the legacy database platform",
            dt.date(2027, 9, 30),
            "planned",
        ),
        (
            "Cut tester access to the two environments to named individuals",
            dt.date(2026, 7, 31),
            "done on 2026-07-15",
        ),
    ]
    assert sum(len(t.actions) for t in p.top) == 17
    # The heat map holds every risk once on each grid.
    assert sum(len(c.inherent) for c in p.heat_map) == 16
    assert sum(len(c.residual) for c in p.heat_map) == 16
    assert [
        (a.exception, a.risk, a.approved_by, a.approved_on, a.age_days, a.state, a.compensating)
        for a in p.acceptances
    ] == [
        (
            "EXC-2026-002",
            "RSK-012",
            "Chief Information Security Officer",
            dt.date(2026, 6, 3),
            165,
            "live until 2028-03-31",
            (
                ("OPS-04", "Data loss prevention on email, web and endpoints"),
                ("IAM-02", "Heightened approval and vaulting of privileged access"),
            ),
        ),
        (
            "EXC-2026-001",
            "RSK-004",
            "Chief Information Security Officer",
            dt.date(2026, 5, 12),
            187,
            "live until 2028-06-30",
            (
                ("IAM-01", "Role-based provisioning and timely removal of access"),
                ("IAM-02", "Heightened approval and vaulting of privileged access"),
            ),
        ),
    ]
    assert p.acceptances[0].reason.startswith("Two legacy test environments")


def test_the_example_threat_environment(example: RiskBriefing) -> None:
    t = example.threat
    assert (t.start, t.end, t.earlier) == (dt.date(2026, 1, 1), EXAMPLE_DAY, 0)
    table = t.categories
    assert table.columns == (
        "credential stuffing",
        "malware",
        "misdirected mail",
        "phishing",
        "third-party breach",
    )
    assert [(r.quarter, r.counts, r.total) for r in table.rows] == [
        ("2026-Q1", (0, 0, 1, 1, 0), 2),
        ("2026-Q2", (0, 0, 1, 0, 1), 2),
        ("2026-Q3", (0, 1, 0, 0, 0), 1),
        ("2026-Q4", (1, 0, 0, 0, 0), 1),
    ]
    assert (table.column_totals, table.total) == ((1, 1, 2, 1, 1), 6)
    # The monitoring controls (security operations) are measured by mean time to detect.
    assert [(m.id, m.target, m.threshold) for m in t.metrics] == [
        ("KRI-MTTD", "4 hours", "12 hours")
    ]
    latest = t.metrics[0].latest
    assert latest is not None
    assert (latest.period, latest.value, latest.standing) == (
        "2026-Q3",
        "4.4 hours",
        "within the threshold, short of target",
    )
    assert not t.narrative_missing
    assert t.narrative[0] == Block("The threat environment, autumn 2026", ())
    assert [len(b.items) for b in t.narrative] == [0, 0, 0, 3, 0]


def test_the_example_incident_response(example: RiskBriefing) -> None:
    i = example.incidents
    assert [(r.quarter, r.counts) for r in i.severities.rows] == [
        ("2026-Q1", (0, 0, 1, 1)),
        ("2026-Q2", (0, 2, 0, 0)),
        ("2026-Q3", (0, 1, 0, 0)),
        ("2026-Q4", (0, 0, 1, 0)),
    ]
    assert (i.severities.column_totals, i.severities.total) == ((0, 3, 2, 1), 6)
    # Three incidents were contained the day they were found, three the day after.
    assert (i.contained, i.not_contained, i.median_days, i.longest_days) == (6, (), "0.5", 1)
    assert i.longest == ("INC-2026-011", "INC-2026-014", "INC-2026-021")
    # Required, not required and not yet decided add up to the six incidents.
    assert (i.notification_required, i.notified, i.notification_outstanding) == (3, 3, ())
    assert (i.notification_not_required, i.notification_undecided) == (2, ("INC-2026-021",))
    assert (i.closed, i.closed_with_root_cause, i.closed_without_root_cause) == (5, 5, ())
    assert [(e.on, e.control) for e in i.exercises] == [
        (dt.date(2026, 3, 26), "BRC-04"),
        (dt.date(2026, 8, 20), "IR-02"),
    ]
    assert i.exercises_missing == ()
    assert [m.id for m in i.metrics] == ["KPI-MTTC"]


def test_the_example_business_continuity(example: RiskBriefing) -> None:
    c = example.continuity
    assert [(t.control, t.records, t.latest, t.standing) for t in c.tests] == [
        ("BCM-01", 1, dt.date(2026, 9, 26), "current"),
        ("BCM-02", 1, dt.date(2026, 5, 14), "current"),
        ("BCM-03", 10, dt.date(2026, 10, 31), "current"),
    ]
    assert [m.id for m in c.metrics] == ["KPI-RESTORE"]
    assert [(v.period, v.value, v.standing) for v in c.metrics[0].values] == [
        ("2025-Q4", "96.0%", "within the threshold, short of target"),
        ("2026-Q1", "100.0%", "on target"),
        ("2026-Q2", "97.5%", "within the threshold, short of target"),
        ("2026-Q3", "100.0%", "on target"),
    ]
    # The red team's finding names the ransomware risk, which leans on BCM-02.
    assert [(f.id, f.status_text) for f in c.findings] == [("RT-2026-02", "open")]
    assert c.finding_counts == (("open", 1), ("remediated", 0), ("accepted", 0))
    assert c.past_due == 0


def test_the_example_briefing_has_the_four_sections_in_both_formats() -> None:
    html = briefing_text(PROJECT_ROOT, "html")
    md = briefing_text(PROJECT_ROOT, "md")
    for ident, title in [
        ("risk-profile", "Risk profile"),
        ("threat-environment", "Current trends in the threat environment"),
        ("incident-response", "Incident preparedness and response"),
        ("business-continuity", "Business continuity"),
    ]:
        assert f'<section id="{ident}">\n<h2>{title}</h2>' in html
        assert f"\n## {title}\n" in md
    for line in [
        "2 are above the appetite (a residual score over 8): 2 carried by a live risk"
        " acceptance, 0 without one.",
        "Action plans hold 29 actions: 14 done, 15 open, of which 0 overdue.",
        "6 incidents detected from 2026-01-01 to 2026-11-15, by the quarter of detection.",
        "1 assessment finding about business continuity or the risks its controls treat:"
        " 1 open, 0 remediated, 0 accepted; 0 past due.",
    ]:
        assert line in html
        assert line in md
    assert "| **Total** | 1 | 1 | 2 | 1 | 1 | 6 |" in md
    assert "- **Notifications:** 3 required, 3 made, 0 outstanding; 2 not required; 1 not yet" in md


# Small repositories made here

CONTROLS = """\
controls:
  - id: SOC-01
    title: Alert triage around the clock
    owner: Director, Security Operations
    process: security-operations-monitoring
    frequency: continuous
    mappings: {nist-csf-2.0: [DE.AE-02]}
    evidence:
      - {id: triage, description: Triage metrics}
  - id: IRX-01
    title: Yearly tabletop exercise
    owner: Director, Incident Response
    process: incident-response
    frequency: annual
    mappings: {nist-csf-2.0: [ID.IM-02]}
    evidence:
      - {id: tabletop, description: After-action report}
  - id: IRX-02
    title: Breach drill with the mail vendor
    owner: Privacy Officer
    process: incident-response
    frequency: annual
    mappings: {nist-csf-2.0: [ID.IM-02]}
    evidence:
      - {id: drill, description: Drill report}
  - id: DR-01
    title: Yearly failover test
    owner: Director, Resilience
    process: continuity
    frequency: annual
    mappings: {nist-csf-2.0: [RC.RP-03]}
    evidence:
      - {id: failover, description: Failover test report}
"""
EVIDENCE = """\
evidence:
  - {control: SOC-01, requirement: triage, collected_on: 2026-11-01, effective_on: 2026-10-31}
  - {control: IRX-01, requirement: tabletop, collected_on: 2025-10-20, effective_on: 2025-10-14}
  - {control: IRX-01, requirement: tabletop, collected_on: 2026-10-20, effective_on: 2026-10-13}
  - {control: DR-01, requirement: failover, collected_on: 2025-06-02, effective_on: 2025-05-30}
"""
RISKS = """\
risks:
  - id: RSK-A
    title: Outage of the claims platform
    owner: Director, Resilience
    category: resilience
    inherent: {likelihood: 5, impact: 5}
    residual: {likelihood: 4, impact: 4}
    treatment: mitigate
    controls: [DR-01]
    exceptions: [EXC-OLD]
    reviewed_on: 2026-06-01
    review_every: 12mo
    actions:
      - {id: RSK-A-1, description: Second region, owner: CTO, due_on: 2026-10-31,
         status: in-progress}
  - id: RSK-B
    title: Phishing
    owner: CISO
    category: cyber
    inherent: {likelihood: 4, impact: 3}
    residual: {likelihood: 1, impact: 2}
    treatment: mitigate
    controls: [SOC-01]
    reviewed_on: 2026-06-01
    review_every: 12mo
"""
EXCEPTIONS = """\
exceptions:
  - id: EXC-OLD
    applies_to: {control: DR-01}
    reason: The failover test waits for the new region.
    risk: high
    approved_by: Chief Risk Officer
    approved_on: 2025-01-10
    expires_on: 2026-06-30
    compensating_controls: [SOC-01, NOPE-9]
"""
INCIDENTS = """\
incidents:
  - {id: INC-1, title: Old phish, category: phishing, severity: low, detected_on: 2025-09-30,
     contained_on: 2025-09-30, closed_on: 2025-10-02, root_cause: Lure}
  - {id: INC-2, title: Phish, category: phishing, severity: low, detected_on: 2025-10-01,
     contained_on: 2025-10-04, closed_on: 2025-10-20, notification: {required: false}}
  - {id: INC-3, title: Lost laptop, category: lost device, severity: medium,
     detected_on: 2026-02-14, contained_on: 2026-02-15,
     notification: {required: true}}
  - {id: INC-4, title: Ransomware, category: malware, severity: critical,
     detected_on: 2026-08-01, contained_on: 2026-08-11, closed_on: 2026-09-30,
     root_cause: Unpatched VPN, notification: {required: true, notified_on: 2026-08-20}}
  - {id: INC-5, title: Phish again, severity: high, category: phishing, detected_on: 2026-11-10}
  - {id: INC-6, title: After the day, severity: high, category: phishing, detected_on: 2026-11-20}
"""
METRICS = """\
metrics:
  - id: KPI-RESTORE
    title: Restores within their recovery time
    kind: kpi
    unit: percent
    better: higher
    target: 100
    threshold: 95
    owner: Backup lead
    frequency: quarterly
    controls: [DR-01]
    values:
      - {period: 2026-Q2, value: 94.5}
      - {period: 2026-Q3, value: 100}
      - {period: 2026-Q4, value: 99}
  - id: KRI-MTTD
    title: Mean time to detect
    kind: kri
    unit: hours
    better: lower
    threshold: 12
    owner: SOC lead
    frequency: quarterly
    controls: [SOC-01]
    values:
      - {period: 2026-Q3, value: 13.5}
"""
FINDINGS = """\
findings:
  - {id: F-1, source: internal-audit, title: Failover runbook out of date, severity: medium,
     found_on: 2026-03-01, owner: "Director, Resilience", due_on: 2026-09-30, status: open,
     controls: [DR-01]}
  - {id: F-2, source: red-team, title: Claims backups reachable from user network,
     severity: high, found_on: 2026-04-01, owner: CTO, due_on: 2026-06-30,
     status: remediated, closed_on: 2026-06-15, risks: [RSK-A]}
  - {id: F-3, source: penetration-test, title: Phishing page, severity: low,
     found_on: 2026-04-01, owner: CISO, due_on: 2026-06-30, status: open, controls: [SOC-01]}
"""
SMALL_CONFIG = """\
program: Small Program
risk: {appetite: 9}
briefing:
  sections:
    business-continuity: [continuity]
"""


def small_repo(make_repo: MakeRepo, **more: str | bytes) -> Path:
    return make_repo(
        {
            "ciptool.yaml": SMALL_CONFIG,
            "controls/more.yaml": CONTROLS,
            "evidence/2026/more.yaml": EVIDENCE,
            "risks/risks.yaml": RISKS,
            "exceptions/old.yaml": EXCEPTIONS,
            "incidents/all.yaml": INCIDENTS,
            "metrics/all.yaml": METRICS,
            "findings/all.yaml": FINDINGS,
            **more,
        }
    )


def test_a_small_repository_risk_profile(make_repo: MakeRepo) -> None:
    p = risk_view(small_repo(make_repo)).profile
    assert (p.risks, p.appetite, p.above_appetite, p.above_appetite_accepted) == (2, 9, 1, 0)
    assert p.by_level == (("critical", 0), ("high", 1), ("medium", 0), ("low", 1))
    assert [(t.id, t.appetite_text) for t in p.top] == [
        ("RSK-A", "above appetite, no live acceptance"),
        ("RSK-B", "within appetite"),
    ]
    assert p.top_rule.startswith("2 of the register's 2 risks: every risk above the appetite")
    assert [a.status_text for a in p.top[0].actions] == ["in progress, overdue by 15 days"]
    assert (p.actions, p.actions_open, p.actions_overdue) == (1, 1, 1)
    (acceptance,) = p.acceptances
    assert (acceptance.exception, acceptance.age_days, acceptance.live, acceptance.state) == (
        "EXC-OLD",
        674,
        False,
        "not live: expired on 2026-06-30",
    )
    # A compensating control that names nothing is shown without a title.
    assert acceptance.compensating == (("SOC-01", "Alert triage around the clock"), ("NOPE-9", ""))


def test_a_small_repository_incidents(make_repo: MakeRepo) -> None:
    view = risk_view(small_repo(make_repo))
    t, i = view.threat, view.incidents
    # 2026-Q1 to the as-of day: INC-1 and INC-2 are earlier, INC-6 is after the day.
    assert (t.start, t.end, t.earlier) == (dt.date(2026, 1, 1), EXAMPLE_DAY, 2)
    assert t.categories.columns == ("lost device", "malware", "phishing")
    assert [(r.quarter, r.counts) for r in t.categories.rows] == [
        ("2026-Q1", (1, 0, 0)),
        ("2026-Q2", (0, 0, 0)),
        ("2026-Q3", (0, 1, 0)),
        ("2026-Q4", (0, 0, 1)),
    ]
    assert [(r.quarter, r.counts) for r in i.severities.rows] == [
        ("2026-Q1", (0, 0, 1, 0)),
        ("2026-Q2", (0, 0, 0, 0)),
        ("2026-Q3", (1, 0, 0, 0)),
        ("2026-Q4", (0, 1, 0, 0)),
    ]
    assert (i.severities.column_totals, i.severities.total) == ((1, 1, 1, 0), 3)
    # Contained in 1 and 10 days; INC-5 is not contained yet.
    assert (i.contained, i.not_contained, i.median_days, i.longest_days, i.longest) == (
        2,
        ("INC-5",),
        "5.5",
        10,
        ("INC-4",),
    )
    assert (i.notification_required, i.notified, i.notification_outstanding) == (2, 1, ("INC-3",))
    assert (i.notification_not_required, i.notification_undecided) == (0, ("INC-5",))
    assert (i.closed, i.closed_with_root_cause, i.closed_without_root_cause) == (1, 1, ())
    assert [(e.on, e.control, e.evidence) for e in i.exercises] == [
        (dt.date(2025, 10, 14), "IRX-01", "After-action report"),
        (dt.date(2026, 10, 13), "IRX-01", "After-action report"),
    ]
    assert i.exercises_missing == (("IRX-02", "Breach drill with the mail vendor"),)
    (mttd,) = t.metrics
    assert (mttd.id, mttd.target, mttd.threshold) == ("KRI-MTTD", "none set", "12 hours")
    assert mttd.latest is not None
    assert mttd.latest.standing == "beyond the threshold (above 12 hours)"


def test_a_small_repository_business_continuity(make_repo: MakeRepo) -> None:
    c = risk_view(small_repo(make_repo)).continuity
    assert [(t.control, t.records, t.latest, t.standing) for t in c.tests] == [
        ("DR-01", 1, dt.date(2025, 5, 30), "out of date")
    ]
    assert [(v.period, v.value, v.standing) for v in c.metrics[0].values] == [
        ("2026-Q2", "94.5%", "beyond the threshold (below 95%)"),
        ("2026-Q3", "100%", "on target"),
        ("2026-Q4", "99%", "within the threshold, short of target"),
    ]
    # F-1 names the continuity control, F-2 a risk that leans on it; F-3 neither.
    assert [(f.id, f.status_text) for f in c.findings] == [
        ("F-1", "open, past due by 46 days"),
        ("F-2", "remediated on 2026-06-15"),
    ]
    assert c.finding_counts == (("open", 1), ("remediated", 1), ("accepted", 0))
    assert c.past_due == 1


def test_a_small_repository_briefing_says_the_same_in_both_formats(make_repo: MakeRepo) -> None:
    root = small_repo(make_repo)
    html, md = briefing_text(root, "html"), briefing_text(root, "md")
    for line in [
        "1 is above the appetite (a residual score over 9): 0 carried by a live risk acceptance,"
        " 1 without one.",
        "3 incidents detected from 2026-01-01 to 2026-11-15, by the quarter of detection;"
        " 2 detected earlier are not counted here.",
        "2 of 3 contained; from detection to containment the median is 5.5 days and the longest"
        " 10 days (INC-4); not yet contained: INC-5.",
        "2 required, 1 made, 1 outstanding (INC-3); 0 not required; 1 not yet decided (INC-5).",
        "1 of 1 closed incident has a root cause recorded; 2 still open.",
        "in progress, overdue by 15 days",
        "open, past due by 46 days",
        "not live: expired on 2026-06-30",
    ]:
        assert line in html, line
        assert line in md, line
    assert "No exercise on record</strong> for IRX-02: Breach drill with the mail vendor." in html
    assert "**No exercise on record** for IRX-02: Breach drill with the mail vendor." in md
    assert "| 2026-Q1 | 1 | 0 | 0 | 1 |" in md
    assert "| **Total** | 1 | 1 | 1 | 3 |" in md
    # Board language: no file names, YAML paths or check codes.
    for word in ("ciptool.yaml", ".yaml", "LD016", "RK002", "--since"):
        assert word not in md.split("## Risk profile")[1].split("## Posture")[0]


# The narrative


def narrative_repo(make_repo: MakeRepo, path: str, **files: str | bytes) -> Path:
    return make_repo({"ciptool.yaml": f"{SMALL_CONFIG}  narrative: {path}\n", **files})


def test_the_narrative_is_escaped_text_in_paragraphs_and_lists(make_repo: MakeRepo) -> None:
    text = (
        "## Heading <b>bold</b>\n"
        "\n"
        "Credential stuffing <script>alert(1)</script> rose;\n"
        "see [the report](https://evil.example/x).\n"
        "- first item\n"
        "  continues here\n"
        "* second & third\n"
    )
    root = narrative_repo(make_repo, "briefing/te.md", **{"briefing/te.md": text})
    view = risk_view(root)
    assert view.threat.narrative == (
        Block("Heading <b>bold</b>", ()),
        Block(
            "Credential stuffing <script>alert(1)</script> rose; see"
            " [the report](https://evil.example/x).",
            (),
        ),
        Block("", ("first item continues here", "second & third")),
    )
    html = briefing_text(root, "html")
    assert '<p class="narrative">Heading &lt;b&gt;bold&lt;/b&gt;</p>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert 'href="https://evil.example' not in html
    assert "<li>second &amp; third</li>" in html
    md = briefing_text(root, "md")
    assert "- first item continues here" in md
    assert "<script>" not in md


def test_the_narrative_is_an_input_of_the_report(make_repo: MakeRepo) -> None:
    root = narrative_repo(make_repo, "briefing/te.md", **{"briefing/te.md": "One.\n"})
    before = check_repository(root, RunSettings(today=EXAMPLE_DAY))[1]
    (root / "briefing/te.md").write_text("Two.\n", encoding="utf-8")
    after = check_repository(root, RunSettings(today=EXAMPLE_DAY))[1]
    assert before is not None and after is not None
    assert "briefing/te.md" in after.repository.input_digests
    assert before.repository.inputs_digest() != after.repository.inputs_digest()
    assert after.repository.narrative == "Two.\n"


def test_a_cached_check_notices_the_narrative_change(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = narrative_repo(make_repo, "briefing/te.md", **{"briefing/te.md": "One.\n"})
    cache = tmp_path / "cache"

    def codes() -> list[str]:
        outcome = CliRunner().invoke(
            app,
            [
                "check",
                "--repo",
                str(root),
                "--as-of",
                "2026-11-15",
                "--select",
                "LD016",
                "--cache-dir",
                str(cache),
                "--format",
                "json",
            ],
        )
        return [finding["code"] for finding in json.loads(outcome.stdout)["findings"]]

    assert codes() == []
    (root / "briefing/te.md").unlink()
    assert codes() == ["LD016"]
    (root / "briefing/te.md").write_text("Back.\n", encoding="utf-8")
    assert codes() == []


def _outside(root: Path) -> None:
    outside = root.parent / "secret.md"
    outside.write_text("Not the repository's.\n", encoding="utf-8")
    (root / "briefing").mkdir(exist_ok=True)
    (root / "briefing/te.md").symlink_to(outside)


@pytest.mark.parametrize(
    ("name", "path", "files", "why"),
    [
        ("missing", "briefing/te.md", {}, "does not exist"),
        (
            "a folder",
            "briefing",
            {"briefing/other.md": "x\n"},
            "is not a regular file (a folder, a FIFO or a device)",
        ),
        ("outside by its path", "../secret.md", {}, "leads outside the repository"),
        ("a link out of the repository", "briefing/te.md", None, "leads outside the repository"),
        (
            "oversized",
            "briefing/te.md",
            {"briefing/te.md": "a" * (64 * 1024 + 1)},
            "holds 65,537 bytes, over the 64 KiB allowed",
        ),
        (
            "binary",
            "briefing/te.md",
            {"briefing/te.md": b"%PDF-1.7\n\x00\x01\x02"},
            "is not text (it holds NUL or other control characters)",
        ),
        ("not UTF-8", "briefing/te.md", {"briefing/te.md": b"R\xe9vision\n"}, "is not UTF-8 text"),
    ],
)
def test_a_narrative_that_cannot_be_used_is_located_at_its_setting(
    make_repo: MakeRepo, name: str, path: str, files: dict[str, str | bytes] | None, why: str
) -> None:
    root = narrative_repo(make_repo, path, **(files or {}))
    if files is None:
        _outside(root)
    result = run(root, "LD016")
    assert brief(result) == [("LD016", "ciptool.yaml", 6, 14)]
    assert result.findings[0].message == (
        f"the briefing's narrative `{path}` {why}; the briefing is made without it"
    )
    view = risk_view(root)
    assert (view.threat.narrative, view.threat.narrative_missing) == ((), True)
    # The briefing is still made, and says so in a board's words.
    md = briefing_text(root, "md")
    assert "The CISO's written commentary is not available for this briefing." in md
    assert "Not the repository's." not in md


def test_a_narrative_is_read_only_as_it_was_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "te.md").write_text("One.\n", encoding="utf-8")
    digest = hashlib.sha256(b"One.\n").hexdigest()
    present = EvidenceFileFacts("te.md", FileState.PRESENT, digest, 5)
    assert narrative_text(tmp_path, "te.md", present) == ("One.\n", "")
    # Another text than the one hashed with the inputs is not taken.
    other = present._replace(sha256="0" * 64)
    assert narrative_text(tmp_path, "te.md", other) == (None, "changed while it was read")

    # Another file at the path than the one looked at (a link swapped in) is never opened.
    def swapped(root: Path, key: str) -> Signature:
        looked = evidence_signature(root, key)
        assert not isinstance(looked, str)
        size, mtime, inode, ctime = looked
        return (size, mtime, inode + 1, ctime)

    monkeypatch.setattr(narrative, "evidence_signature", swapped)
    assert narrative_text(tmp_path, "te.md", present) == (None, "changed while it was read")
