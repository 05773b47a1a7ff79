"""``ciptool explain ID`` for the registers: a risk, a third party, an app, a metric, an
assessment finding and an incident as they stand on a day, and the register records that name
a control under ``explain CONTROL``."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.app.explain import load_graph
from ciptool.cli import app
from ciptool.models import Metric
from ciptool.models.registers import Action
from ciptool.queries.registers import Naming, beyond_threshold, naming_control, overdue_days
from conftest import AS_OF, PROJECT_ROOT, MakeRepo

CONFIG = """\
program: P
risk: {appetite: 8}
"""

CONTROLS = """\
controls:
  - id: OPS-02
    title: Backups restored every quarter
    owner: Infrastructure lead
    frequency: quarterly
    evidence:
      - {id: restore-test, description: Restore test results}
"""

EXCEPTIONS = """\
exceptions:
  - id: EXC-2026-002
    applies_to: {control: OPS-02}
    reason: Immutable backups arrive with the new claims platform.
    risk: high
    approved_by: CISO
    approved_on: 2026-01-15
    expires_on: 2027-06-30
  - id: EXC-2025-009
    applies_to: {control: OPS-02}
    reason: Tape library replaced.
    risk: medium
    approved_by: CIO
    approved_on: 2025-02-01
    expires_on: 2026-01-31
"""

RISKS = """\
risks:
  - id: RSK-007
    title: Ransomware halts claims processing
    description: Encryption of the claims platform stops adjudication for days.
    owner: CISO
    category: cyber
    inherent: {likelihood: 4, impact: 5}
    residual: {likelihood: 3, impact: 4}
    treatment: mitigate
    controls: [IAM-01, OPS-02, OPS-99]
    exceptions: [EXC-2026-002, EXC-2025-009, EXC-404]
    reviewed_on: 2026-03-01
    review_every: 6mo
    actions:
      - id: RSK-007-A1
        description: Immutable backups for the claims platform
        owner: Infrastructure lead
        due_on: 2026-10-31
        status: in-progress
      - id: RSK-007-A2
        description: Restore drill with the claims team
        owner: Infrastructure lead
        due_on: 2026-09-30
        status: done
        completed_on: 2026-09-12
      - id: RSK-007-A3
        description: Segment the backup network
        owner: Network lead
        due_on: 2027-03-31
        status: planned
  - id: RSK-009
    title: Leavers keep access
    owner: IAM lead
    category: cyber
    inherent: {likelihood: 3, impact: 3}
    residual: {likelihood: 2, impact: 2}
    treatment: avoid
    reviewed_on: 2026-10-01
    review_every: 12mo
"""

THIRD_PARTIES = """\
third_parties:
  - id: TP-ACME-CLAIMS
    name: Acme Claims Services
    arrangement: delegated-provider
    services: Claims adjudication for group plans
    data: [phi, pii]
    tier: critical
    owner: Director, Third Party Management
    contract: {start: 2024-01-01, end: 2026-10-31}
    controls: [IAM-01, OPS-99]
    soc2_report:
      received_on: 2025-11-01
      expires_on: 2026-09-30
      period: {start: 2024-10-01, end: 2025-09-30}
      opinion: unqualified
  - id: TP-LAW
    name: Example Law LLP
    arrangement: legal
    services: Outside counsel
    tier: low
    owner: General Counsel
    business_associate_agreement: {signed_on: 2025-05-01, document: contracts/baa-law.pdf}
    notes: Engaged per matter.
"""

APPS = """\
apps:
  - id: APP-0042
    name: Example Health Wallet
    developer: Example Apps Inc.
    status: approved
    decided_on: 2026-04-02
    carin_attestation: {attested_on: 2026-03-28, document: apps/attestations/app-0042.pdf}
    privacy_policy: {url: "https://example.org/privacy", reviewed_on: 2025-10-30}
  - id: APP-0051
    name: Budget Tracker
    developer: Tracker LLC
    status: requested
"""

METRICS = """\
metrics:
  - id: KRI-PHISH
    title: Phishing simulation click rate
    kind: kri
    unit: percent
    better: lower
    target: 3.0
    threshold: 5.0
    owner: Security Awareness Lead
    frequency: quarterly
    controls: [IAM-01]
    values:
      - {period: 2026-Q2, value: 5.5, note: New lure templates}
      - {period: 2026-Q1, value: 4.1}
      - {period: 2026-Q3, value: 4.25}
  - id: KPI-NPS
    title: Transactional NPS of the service channel
    kind: kpi
    unit: score
    better: higher
    threshold: 30
    owner: Member Experience Lead
    frequency: semiannual
    values:
      - {period: 2026-H1, value: 28}
"""

FINDINGS = """\
findings:
  - id: PT-2026-03
    source: penetration-test
    title: Session tokens accepted after logout
    severity: high
    found_on: 2026-05-14
    owner: AppSec lead
    due_on: 2026-08-14
    status: open
    controls: [IAM-01]
    risks: [RSK-007, RSK-404]
  - id: SOC2-2026-01
    source: soc2-audit
    title: Two leavers not removed within a day
    severity: medium
    found_on: 2026-10-01
    owner: IAM lead
    due_on: 2027-01-31
    status: accepted
    exceptions: [EXC-2026-002]
"""

INCIDENTS = """\
incidents:
  - id: INC-2026-011
    title: Misdirected explanation-of-benefits mailing
    category: misdirected mail
    severity: medium
    detected_on: 2026-03-03
    contained_on: 2026-03-04
    closed_on: 2026-04-15
    records_affected: 2120
    notification: {required: true, notified_on: 2026-03-20, to: affected members}
    root_cause: Address file merged from a stale extract
    controls: [IAM-01]
    risks: [RSK-007]
    actions:
      - id: INC-2026-011-A1
        description: Check the extract's date before the merge
        owner: Print operations lead
        due_on: 2026-06-30
        status: planned
  - id: INC-2026-014
    title: Phishing led to a mailbox takeover
    severity: high
    detected_on: 2026-11-10
    notification: {required: true}
"""


NDA = "Mutual confidentiality agreement with Acme Claims Services, signed 2023-10-18.\n"

#: TP-ACME-CLAIMS's minimum standards on AS_OF: confidentiality-agreement current (its file
#: intact), due-diligence and contract-review missing, risk-assessment broken (its file is not
#: there), performance-metrics current, annual-review stale (two reviews, the newer a year and
#: two months old); a record for a standard that does not exist, and one for TP-LAW, which is
#: outside the program.
TP_EVIDENCE = """\
evidence:
  - third_party: TP-ACME-CLAIMS
    requirement: confidentiality-agreement
    collected_on: 2023-10-18
    effective_on: 2023-10-18
    files:
      - {path: files/nda.txt, sha256: "%s"}
  - third_party: TP-ACME-CLAIMS
    requirement: annual-review
    collected_on: 2025-09-22
    effective_on: 2025-09-20
  - third_party: TP-ACME-CLAIMS
    requirement: annual-review
    collected_on: 2024-09-30
    effective_on: 2024-09-30
  - third_party: TP-ACME-CLAIMS
    requirement: performance-metrics
    collected_on: 2026-10-14
    period: {start: 2026-07-01, end: 2026-09-30}
  - third_party: TP-ACME-CLAIMS
    requirement: risk-assessment
    collected_on: 2023-11-29
    effective_on: 2023-11-29
    files:
      - {path: files/risk.txt, sha256: "%s"}
  - third_party: TP-ACME-CLAIMS
    requirement: yearly-review
    collected_on: 2026-01-10
    effective_on: 2026-01-10
  - third_party: TP-LAW
    requirement: confidentiality-agreement
    collected_on: 2025-05-01
    effective_on: 2025-05-01
"""


@pytest.fixture
def registers(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            "ciptool.yaml": CONFIG,
            "controls/ops.yaml": CONTROLS,
            "exceptions/2026.yaml": EXCEPTIONS,
            "risks/cyber.yaml": RISKS,
            "third-parties/claims.yaml": THIRD_PARTIES,
            "apps/patient-access.yaml": APPS,
            "metrics/security.yaml": METRICS,
            "findings/2026.yaml": FINDINGS,
            "incidents/2026.yaml": INCIDENTS,
            "evidence/2026/third-parties.yaml": TP_EVIDENCE
            % (hashlib.sha256(NDA.encode()).hexdigest(), "0" * 64),
            "evidence/2026/files/nda.txt": NDA,
        }
    )


def _explain(cli: CliRunner, root: Path, *args: str) -> list[str]:
    result = cli.invoke(app, ["explain", *args, "--repo", str(root), "--as-of", str(AS_OF)])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _refused(cli: CliRunner, root: Path, *args: str) -> str:
    result = cli.invoke(app, ["explain", *args, "--repo", str(root), "--as-of", str(AS_OF)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    return result.stderr


def test_a_risk_with_its_scores_controls_acceptances_actions_and_what_names_it(
    registers: Path, cli: CliRunner
) -> None:
    """Residual above the appetite, a review overdue, each control's evidence as explain gives
    it for a control (an unknown one named as such), each acceptance live or not with its
    reason, each action with its overdue days, and the finding and incident that name it."""
    assert _explain(cli, registers, "RSK-007") == [
        "RSK-007: Ransomware halts claims processing",
        "defined in risks/cyber.yaml",
        "Encryption of the claims platform stops adjudication for days.",
        "owner:     CISO",
        "category:  cyber",
        "inherent:  likelihood 4 x impact 5 = 20",
        "residual:  likelihood 3 x impact 4 = 12, above the appetite of 8",
        "treatment: mitigate",
        "review:    reviewed 2026-03-01, every 6mo: next due 2026-09-01, overdue by 75 days",
        "controls, with their evidence as of 2026-11-15:",
        "  IAM-01  Quarterly access recertification",
        "    evidence as of 2026-11-15: current and intact for every evidence requirement",
        "      recert-signoff: current - newest effective 2026-09-30 (1 record), current"
        " through 2027-01-08: quarterly evidence may be 100 days old",
        "  OPS-02  Backups restored every quarter",
        "    evidence as of 2026-11-15: not current for every evidence requirement, so no"
        " requirement is covered through it",
        "      restore-test: missing - no evidence recorded",
        "    live exceptions on OPS-02:",
        "      EXC-2026-002 until 2027-06-30 (risk high, approved by CISO on 2026-01-15)",
        "  OPS-99  (no such control: see `ciptool check`, RF012)",
        "acceptances as of 2026-11-15:",
        "  EXC-2026-002  live until 2027-06-30 (risk high, approved by CISO on 2026-01-15):"
        " Immutable backups arrive with the new claims platform.",
        "  EXC-2025-009  not live: expired on 2026-01-31 (risk medium, approved by CIO on"
        " 2025-02-01): Tape library replaced.",
        "  EXC-404  (no such exception: see `ciptool check`, RF014)",
        "action plan as of 2026-11-15:",
        "  RSK-007-A1  in-progress, due 2026-10-31, overdue by 15 days: Immutable backups for"
        " the claims platform (Infrastructure lead)",
        "  RSK-007-A2  done on 2026-09-12 (due 2026-09-30): Restore drill with the claims team"
        " (Infrastructure lead)",
        "  RSK-007-A3  planned, due 2027-03-31: Segment the backup network (Network lead)",
        "named by findings and incidents:",
        "  finding PT-2026-03  Session tokens accepted after logout (open)",
        "  incident INC-2026-011  Misdirected explanation-of-benefits mailing",
    ]
    assert _explain(cli, registers, "RSK-009")[2:] == [
        "owner:     IAM lead",
        "category:  cyber",
        "inherent:  likelihood 3 x impact 3 = 9",
        "residual:  likelihood 2 x impact 2 = 4, within the appetite of 8",
        "treatment: avoid",
        "review:    reviewed 2026-10-01, every 12mo: next due 2027-10-01",
        "controls, with their evidence as of 2026-11-15:",
        "  (none)",
        "acceptances as of 2026-11-15:",
        "  (none)",
        "action plan as of 2026-11-15:",
        "  (none)",
        "named by findings and incidents:",
        "  (none)",
    ]


def test_a_risk_as_of_another_day(registers: Path, cli: CliRunner) -> None:
    """The appetite, the live acceptances and the overdue flags move with --as-of."""
    result = cli.invoke(
        app, ["explain", "RSK-007", "--repo", str(registers), "--as-of", "2026-09-01"]
    )
    lines = result.stdout.splitlines()
    assert lines[8] == "review:    reviewed 2026-03-01, every 6mo: next due 2026-09-01"
    assert lines[20:25] == [
        "  EXC-2026-002  live until 2027-06-30 (risk high, approved by CISO on 2026-01-15):"
        " Immutable backups arrive with the new claims platform.",
        "  EXC-2025-009  not live: expired on 2026-01-31 (risk medium, approved by CIO on"
        " 2025-02-01): Tape library replaced.",
        "  EXC-404  (no such exception: see `ciptool check`, RF014)",
        "action plan as of 2026-09-01:",
        "  RSK-007-A1  in-progress, due 2026-10-31: Immutable backups for the claims platform"
        " (Infrastructure lead)",
    ]


def test_a_third_party_in_the_program_and_one_out_of_it(registers: Path, cli: CliRunner) -> None:
    """A third party in the program: its controls with their evidence (an unknown one named as
    such), each minimum standard's status with its newest day and until when it is current or
    since when stale, and the records behind it, newest first; a record for no standard is
    named with TP006. One outside the program: no standard asked, its records listed all the
    same."""
    assert _explain(cli, registers, "TP-ACME-CLAIMS") == [
        "TP-ACME-CLAIMS: Acme Claims Services",
        "defined in third-parties/claims.yaml",
        "arrangement:                   delegated-provider: the Third Party Management Program"
        " applies",
        "services:                      Claims adjudication for group plans",
        "data:                          phi, pii",
        "tier:                          critical",
        "owner:                         Director, Third Party Management",
        "contract as of 2026-11-15:     2024-01-01..2026-10-31, ended on 2026-10-31",
        "business associate agreement:  none, though its data includes phi",
        "SOC 2 report as of 2026-11-15: received 2025-11-01, expired on 2026-09-30 (period"
        " 2024-10-01..2025-09-30), unqualified opinion",
        "controls, with their evidence as of 2026-11-15:",
        "  IAM-01  Quarterly access recertification",
        "    evidence as of 2026-11-15: current and intact for every evidence requirement",
        "      recert-signoff: current - newest effective 2026-09-30 (1 record), current"
        " through 2027-01-08: quarterly evidence may be 100 days old",
        "  OPS-99  (no such control: see `ciptool check`, RF012)",
        "minimum standards, with their evidence as of 2026-11-15:",
        "  confidentiality-agreement: current - newest effective 2023-10-18 (1 record);"
        " confidentiality-agreement evidence does not go stale",
        "    evidence/2026/third-parties.yaml evidence[0]  collected 2023-10-18, effective"
        " 2023-10-18, 1 file",
        "  due-diligence: missing - no evidence recorded",
        "  risk-assessment: broken - newest effective 2023-11-29 (1 record), but the newest record"
        " (evidence/2026/third-parties.yaml) lists a file that is missing or differs from its"
        " recorded sha256 (`ciptool evidence verify` names it)",
        "    evidence/2026/third-parties.yaml evidence[4]  collected 2023-11-29, effective"
        " 2023-11-29, 1 file",
        "  contract-review: missing - no evidence recorded",
        "  performance-metrics: current - newest effective 2026-09-30 (1 record);"
        " performance-metrics evidence does not go stale",
        "    evidence/2026/third-parties.yaml evidence[3]  collected 2026-10-14, period"
        " 2026-07-01..2026-09-30, 0 files",
        "  annual-review: stale - newest effective 2025-09-20 (2 records), stale since"
        " 2026-09-21: annual-review evidence may be 1 year old",
        "    evidence/2026/third-parties.yaml evidence[1]  collected 2025-09-22, effective"
        " 2025-09-20, 0 files",
        "    evidence/2026/third-parties.yaml evidence[2]  collected 2024-09-30, effective"
        " 2024-09-30, 0 files",
        "  yearly-review: not a minimum standard (see `ciptool check`, TP006)",
        "    evidence/2026/third-parties.yaml evidence[5]  collected 2026-01-10, effective"
        " 2026-01-10, 0 files",
    ]
    assert _explain(cli, registers, "TP-LAW") == [
        "TP-LAW: Example Law LLP",
        "defined in third-parties/claims.yaml",
        "arrangement:                   legal: the Third Party Management Program does not apply",
        "services:                      Outside counsel",
        "data:                          none",
        "tier:                          low",
        "owner:                         General Counsel",
        "contract as of 2026-11-15:     none recorded",
        "business associate agreement:  signed on 2025-05-01 (contracts/baa-law.pdf)",
        "SOC 2 report as of 2026-11-15: none recorded",
        "Engaged per matter.",
        "controls, with their evidence as of 2026-11-15:",
        "  (none)",
        "minimum standards: none asked, the program does not apply",
        "evidence recorded for it all the same:",
        "  confidentiality-agreement",
        "    evidence/2026/third-parties.yaml evidence[6]  collected 2025-05-01, effective"
        " 2025-05-01, 0 files",
    ]


def test_a_third_partys_standards_as_of_another_day(registers: Path, cli: CliRunner) -> None:
    """Before its year is out the annual review is current, with the day it stays so; evidence
    dated after the day counts for nothing."""
    result = cli.invoke(
        app, ["explain", "TP-ACME-CLAIMS", "--repo", str(registers), "--as-of", "2026-09-20"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("minimum standards, with their evidence as of 2026-09-20:")
    assert [line for line in lines[start:] if not line.startswith("    ")] == [
        "minimum standards, with their evidence as of 2026-09-20:",
        "  confidentiality-agreement: current - newest effective 2023-10-18 (1 record);"
        " confidentiality-agreement evidence does not go stale",
        "  due-diligence: missing - no evidence recorded",
        "  risk-assessment: broken - newest effective 2023-11-29 (1 record), but the newest record"
        " (evidence/2026/third-parties.yaml) lists a file that is missing or differs from its"
        " recorded sha256 (`ciptool evidence verify` names it)",
        "  contract-review: missing - no evidence recorded",
        "  performance-metrics: future - newest effective 2026-09-30 (1 record), but the newest"
        " record (evidence/2026/third-parties.yaml) is dated after 2026-09-20: collected"
        " 2026-10-14, its period ends 2026-09-30",
        "  annual-review: current - newest effective 2025-09-20 (2 records), current through"
        " 2026-09-20: annual-review evidence may be 1 year old",
        "  yearly-review: not a minimum standard (see `ciptool check`, TP006)",
    ]


def test_explain_judges_a_third_partys_standards_as_check_and_the_register_do(
    registers: Path, cli: CliRunner, tmp_path: Path
) -> None:
    """On two days, each standard's status in explain is the one in the third-party register,
    and its missing and stale standards are exactly check's TP001 and TP002 findings."""
    for day in ("2026-09-20", "2026-11-15"):
        result = cli.invoke(
            app, ["explain", "TP-ACME-CLAIMS", "--repo", str(registers), "--as-of", day]
        )
        explained = {}
        for line in result.stdout.splitlines():
            head, sep, _ = line.partition(" - ")
            if sep and head.startswith("  ") and not head.startswith("   "):
                standard, status = head.strip().split(": ")
                explained[standard] = status
        out = tmp_path / f"tp-{day}.csv"
        made = cli.invoke(
            app,
            [
                *("report", "third-parties", "--repo", str(registers), "--as-of", day),
                *("--format", "csv", "-o", str(out)),
            ],
        )
        assert made.exit_code == 0, made.output
        with out.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        row = next(r for r in rows if r["ID"] == "TP-ACME-CLAIMS")
        registered = {
            name.removeprefix("Standard: "): cell.split(" ")[0]
            for name, cell in row.items()
            if name.startswith("Standard: ")
        }
        assert explained == registered
        checked = cli.invoke(
            app, ["check", "--repo", str(registers), "--as-of", day, "--format", "json"]
        )
        findings = json.loads(checked.stdout)["findings"]
        by_code = {
            code: sorted(f["subject"] for f in findings if f["code"] == code)
            for code in ("TP001", "TP002")
        }
        assert by_code == {
            code: sorted(f"TP-ACME-CLAIMS/{s}" for s, status in explained.items() if status == want)
            for code, want in (("TP001", "missing"), ("TP002", "stale"))
        }
    assert explained["annual-review"] == "stale"


def test_an_app_attested_and_one_requested(registers: Path, cli: CliRunner) -> None:
    assert _explain(cli, registers, "APP-0042") == [
        "APP-0042: Example Health Wallet",
        "defined in apps/patient-access.yaml",
        "developer:             Example Apps Inc.",
        "status:                approved on 2026-04-02",
        "CARIN code of conduct: attested on 2026-03-28 (apps/attestations/app-0042.pdf)",
        "privacy policy:        https://example.org/privacy, reviewed on 2025-10-30 (381 days"
        " before 2026-11-15)",
    ]
    assert _explain(cli, registers, "APP-0051") == [
        "APP-0051: Budget Tracker",
        "defined in apps/patient-access.yaml",
        "developer:             Tracker LLC",
        "status:                requested",
        "CARIN code of conduct: not attested",
        "privacy policy:        none recorded",
    ]


def test_a_metric_with_its_values_and_the_threshold_either_way(
    registers: Path, cli: CliRunner
) -> None:
    """Values in period order as written exactly (4.25, 5.5), each beyond the threshold marked;
    the latest judged against it, where lower is better and where higher is."""
    assert _explain(cli, registers, "KRI-PHISH") == [
        "KRI-PHISH: Phishing simulation click rate",
        "defined in metrics/security.yaml",
        "kind:      kri, lower is better",
        "target:    3.0 percent",
        "threshold: 5.0 percent",
        "owner:     Security Awareness Lead",
        "frequency: quarterly",
        "values:",
        "  2026-Q1  4.1 percent",
        "  2026-Q2  5.5 percent  beyond the threshold  New lure templates",
        "  2026-Q3  4.25 percent",
        "latest: 2026-Q3 4.25 percent, within the threshold of 5.0",
        "controls, with their evidence as of 2026-11-15:",
        "  IAM-01  Quarterly access recertification",
        "    evidence as of 2026-11-15: current and intact for every evidence requirement",
        "      recert-signoff: current - newest effective 2026-09-30 (1 record), current"
        " through 2027-01-08: quarterly evidence may be 100 days old",
    ]
    assert _explain(cli, registers, "KPI-NPS") == [
        "KPI-NPS: Transactional NPS of the service channel",
        "defined in metrics/security.yaml",
        "kind:      kpi, higher is better",
        "target:    none",
        "threshold: 30 score",
        "owner:     Member Experience Lead",
        "frequency: semiannual",
        "values:",
        "  2026-H1  28 score  beyond the threshold",
        "latest: 2026-H1 28 score, beyond the threshold of 30",
        "controls, with their evidence as of 2026-11-15:",
        "  (none)",
    ]


def test_a_finding_open_past_due_and_one_accepted(registers: Path, cli: CliRunner) -> None:
    assert _explain(cli, registers, "PT-2026-03") == [
        "PT-2026-03: Session tokens accepted after logout",
        "defined in findings/2026.yaml",
        "source:                  penetration-test",
        "severity:                high",
        "owner:                   AppSec lead",
        "found:                   2026-05-14",
        "due:                     2026-08-14",
        "status as of 2026-11-15: open, overdue by 93 days",
        "controls, with their evidence as of 2026-11-15:",
        "  IAM-01  Quarterly access recertification",
        "    evidence as of 2026-11-15: current and intact for every evidence requirement",
        "      recert-signoff: current - newest effective 2026-09-30 (1 record), current"
        " through 2027-01-08: quarterly evidence may be 100 days old",
        "risks:",
        "  RSK-007  Ransomware halts claims processing (residual likelihood 3 x impact 4 = 12)",
        "  RSK-404  (no such risk: see `ciptool check`, RF013)",
        "acceptances as of 2026-11-15:",
        "  (none)",
    ]
    assert _explain(cli, registers, "SOC2-2026-01") == [
        "SOC2-2026-01: Two leavers not removed within a day",
        "defined in findings/2026.yaml",
        "source:                  soc2-audit",
        "severity:                medium",
        "owner:                   IAM lead",
        "found:                   2026-10-01",
        "due:                     2027-01-31",
        "status as of 2026-11-15: accepted",
        "controls, with their evidence as of 2026-11-15:",
        "  (none)",
        "risks:",
        "  (none)",
        "acceptances as of 2026-11-15:",
        "  EXC-2026-002  live until 2027-06-30 (risk high, approved by CISO on 2026-01-15):"
        " Immutable backups arrive with the new claims platform.",
    ]


def test_an_incident_closed_and_one_open_without_notification(
    registers: Path, cli: CliRunner
) -> None:
    assert _explain(cli, registers, "INC-2026-011") == [
        "INC-2026-011: Misdirected explanation-of-benefits mailing",
        "defined in incidents/2026.yaml",
        "category:         misdirected mail",
        "severity:         medium",
        "detected:         2026-03-03",
        "contained:        2026-03-04 (1 day after detection)",
        "closed:           2026-04-15 (43 days after detection)",
        "records affected: 2,120",
        "notification:     required, made on 2026-03-20 (17 days after detection) to affected"
        " members",
        "root cause:       Address file merged from a stale extract",
        "actions as of 2026-11-15:",
        "  INC-2026-011-A1  planned, due 2026-06-30, overdue by 138 days: Check the extract's"
        " date before the merge (Print operations lead)",
        "controls, with their evidence as of 2026-11-15:",
        "  IAM-01  Quarterly access recertification",
        "    evidence as of 2026-11-15: current and intact for every evidence requirement",
        "      recert-signoff: current - newest effective 2026-09-30 (1 record), current"
        " through 2027-01-08: quarterly evidence may be 100 days old",
        "risks:",
        "  RSK-007  Ransomware halts claims processing (residual likelihood 3 x impact 4 = 12)",
    ]
    assert _explain(cli, registers, "INC-2026-014") == [
        "INC-2026-014: Phishing led to a mailbox takeover",
        "defined in incidents/2026.yaml",
        "category:         -",
        "severity:         high",
        "detected:         2026-11-10",
        "contained:        not yet",
        "closed:           not yet",
        "records affected: not recorded",
        "notification:     required, not yet made",
        "root cause:       not recorded",
        "actions as of 2026-11-15:",
        "  (none)",
        "controls, with their evidence as of 2026-11-15:",
        "  (none)",
        "risks:",
        "  (none)",
    ]


def test_a_control_names_the_register_records_that_name_it(registers: Path, cli: CliRunner) -> None:
    assert _explain(cli, registers, "IAM-01")[-8:] == [
        "live exceptions on IAM-01: none",
        "test procedure: none recorded",
        "named in the registers:",
        "  risk RSK-007  Ransomware halts claims processing (residual likelihood 3 x impact 4"
        " = 12)",
        "  metric KRI-PHISH  Phishing simulation click rate",
        "  finding PT-2026-03  Session tokens accepted after logout (open)",
        "  incident INC-2026-011  Misdirected explanation-of-benefits mailing",
        "  third party TP-ACME-CLAIMS  Acme Claims Services (delegated-provider, in the program)",
    ]
    assert _explain(cli, registers, "OPS-02")[-2:] == [
        "named in the registers:",
        "  risk RSK-007  Ransomware halts claims processing (residual likelihood 3 x impact 4"
        " = 12)",
    ]


SHARED_ID = """\
risks:
  - id: OPS-02
    title: Backups fail to restore
    owner: CIO
    category: resilience
    inherent: {likelihood: 3, impact: 5}
    residual: {likelihood: 2, impact: 5}
    treatment: mitigate
    reviewed_on: 2026-10-01
    review_every: 12mo
"""


def test_an_id_of_two_kinds_is_read_as_neither_until_kind_names_one(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    """A risk and a control with one id: explain names both readings and how to choose, as it
    does for a requirement id with a reading in several frameworks."""
    root = make_repo(
        {
            "controls/ops.yaml": CONTROLS,
            "risks/resilience.yaml": SHARED_ID,
            "metrics/ops.yaml": METRICS.replace("KPI-NPS", "OPS-02"),
        }
    )
    assert _refused(cli, root, "OPS-02") == (
        "ciptool: `OPS-02` names a control, a risk and a metric; name one with --kind control"
        " or --kind risk or --kind metric\n"
    )
    assert _explain(cli, root, "OPS-02", "--kind", "risk")[:2] == [
        "OPS-02: Backups fail to restore",
        "defined in risks/resilience.yaml",
    ]
    assert _explain(cli, root, "OPS-02", "--kind", "control")[:2] == [
        "OPS-02: Backups restored every quarter",
        "defined in controls/ops.yaml",
    ]
    assert _explain(cli, root, "OPS-02", "--kind", "metric")[0] == (
        "OPS-02: Transactional NPS of the service channel"
    )
    assert _refused(cli, root, "OPS-02", "--kind", "incident") == (
        "ciptool: `OPS-02` is not an incident; it is a control (--kind control) and a risk"
        " (--kind risk) and a metric (--kind metric)\n"
    )
    assert _refused(cli, root, "OPS-02", "--kind", "vendor") == (
        "ciptool: --kind must be one of control, risk, third-party, app, metric, finding,"
        " incident, request, not `vendor`\n"
    )


def test_bad_ids_are_refused_with_what_they_are(registers: Path, cli: CliRunner) -> None:
    (registers / "apps" / "more.yaml").write_text(
        "apps:\n  - id: APP-0060\n    name: Half-written\n    status: approved\n",
        encoding="utf-8",
    )
    assert _refused(cli, registers, "APP-0060") == (
        "ciptool: `APP-0060` is an app that failed validation; run `ciptool check` to see why\n"
    )
    assert _refused(cli, registers, "APP-0060", "--kind", "app") == (
        "ciptool: `APP-0060` is an app that failed validation; run `ciptool check` to see why\n"
    )
    assert _refused(cli, registers, "RSK-404") == (
        "ciptool: `RSK-404` names no control, register record, PBC request or requirement of a"
        " known framework; write a requirement as FRAMEWORK:ID, e.g. iso27001-2022:A.5.10\n"
    )
    assert _refused(cli, registers, "RSK-007", "--kind", "app") == (
        "ciptool: `RSK-007` is not an app; it is a risk (--kind risk)\n"
    )


STARTER_IDS = ["RSK-007", "TP-ACME-CLAIMS", "APP-0042", "KRI-PHISH", "PT-2026-03", "INC-2026-011"]


@pytest.mark.parametrize("ident", STARTER_IDS)
def test_every_kind_of_the_example_program_explains(ident: str, cli: CliRunner) -> None:
    lines = _explain(cli, PROJECT_ROOT, ident, "--no-cache")
    assert lines[0].startswith(f"{ident}: "), lines
    assert lines[1].startswith("defined in "), lines


def test_a_value_at_the_threshold_is_not_beyond_it_and_an_action_due_today_is_not_late() -> None:
    metric = Metric.model_validate(
        {
            "id": "KRI-X",
            "title": "X",
            "kind": "kri",
            "unit": "percent",
            "better": "lower",
            "threshold": "5.0",
            "owner": "O",
            "frequency": "annual",
        }
    )
    assert [beyond_threshold(metric, Decimal(v)) for v in ("5", "5.00", "5.01")] == [
        False,
        False,
        True,
    ]
    higher = metric.model_copy(update={"better": "higher"})
    assert [beyond_threshold(higher, Decimal(v)) for v in ("4.99", "5")] == [True, False]
    assert beyond_threshold(metric.model_copy(update={"threshold": None}), Decimal(9)) is None
    action = Action.model_validate(
        {"id": "A-1", "description": "D", "owner": "O", "due_on": AS_OF, "status": "planned"}
    )
    assert overdue_days(action, AS_OF) == 0
    assert overdue_days(action, AS_OF.replace(day=17)) == 2


def test_an_id_whose_record_of_another_kind_failed_validation_is_not_read_silently(
    registers: Path, cli: CliRunner
) -> None:
    (registers / "controls" / "broken.yaml").write_text(
        "controls:\n  - id: RSK-009\n    title: Half-written\n", encoding="utf-8"
    )
    assert _refused(cli, registers, "RSK-009") == (
        "ciptool: `RSK-009` names a risk, and a control with that id failed validation"
        " (`ciptool check` says why); name one with --kind risk\n"
    )
    assert _explain(cli, registers, "RSK-009", "--kind", "risk")[0] == (
        "RSK-009: Leavers keep access"
    )


def test_a_line_break_in_a_registers_text_stays_on_its_line(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    metric = METRICS.replace("unit: percent", 'unit: "per\\ncent"').replace(
        "owner: Security Awareness Lead", 'owner: "Lead\\n::error::x"'
    )
    root = make_repo({"metrics/security.yaml": metric})
    lines = _explain(cli, root, "KRI-PHISH")
    assert lines[2:5] == [
        "kind:      kri, lower is better",
        "target:    3.0 per\\x0acent",
        "threshold: 5.0 per\\x0acent",
    ]
    assert lines[5] == "owner:     Lead\\x0a::error::x"
    assert lines[8:12] == [
        "  2026-Q1  4.1 per\\x0acent",
        "  2026-Q2  5.5 per\\x0acent  beyond the threshold  New lure templates",
        "  2026-Q3  4.25 per\\x0acent",
        "latest: 2026-Q3 4.25 per\\x0acent, within the threshold of 5.0",
    ]


def test_a_record_naming_a_control_twice_is_named_once(make_repo: MakeRepo) -> None:
    twice = RISKS.replace("[IAM-01, OPS-02, OPS-99]", "[IAM-01, IAM-01]")
    root = make_repo({"risks/cyber.yaml": twice})
    graph, _ = load_graph(root)
    assert graph is not None
    named = naming_control(graph, "IAM-01")
    assert [s.record.id for s in named.risks] == ["RSK-007"]
    assert naming_control(graph, "OPS-99") == Naming([], [], [], [])
