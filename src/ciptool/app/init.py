"""``ciptool init``: a new compliance repository with one worked example of each record kind."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from ciptool.errors import UsageError
from ciptool.fileio.atomic import write_output

_CONFIG = """\
# ciptool settings; `ciptool schema config` lists every key.
program: {program}
frameworks: [nist-csf-2.0, iso27001-2022, soc2-2017]   # in scope for coverage
soc2:
  categories: [security]                # security is always in scope
  # period: {{start: {year}-01-01, end: {year}-12-31}}   # your SOC 2 Type II audit period
applicability: {{}}                      # Statement of Applicability exclusions
risk: {{appetite: 8}}                    # highest residual (likelihood x impact) carried unaccepted
check:
  fail_on: error
  expiry_warning_days: 30
"""

_CONTROLS = """\
controls:
  - id: IAM-01
    title: Quarterly access recertification
    description: >-
      Managers review their staff's access to in-scope systems every quarter and remove
      access that is no longer needed.
    owner: Identity and Access Management lead
    process: identity-and-access-management
    policy: POL-ACCESS
    type: detective
    automation: hybrid
    frequency: quarterly
    mappings:
      nist-csf-2.0: [PR.AA-05]
      iso27001-2022: [A.5.18]
      soc2-2017: [CC6.2, CC6.3]
    evidence:
      - id: recert-signoff
        description: Signed recertification results for each in-scope system
"""

_POLICIES = """\
policies:
  - id: POL-ACCESS
    title: Access Control Standard
    owner: Chief Information Security Officer
    approved_by: Security steering committee
    approved_on: {today}
    review_every: 12mo
    last_reviewed: {today}
"""

_EVIDENCE = """\
evidence:
  - control: IAM-01
    requirement: recert-signoff
    collected_on: {today}
    effective_on: {today}
    collected_by: {collector}
    source: Identity governance platform export
    files:
      - {{path: files/iam-01-recertification.csv, sha256: "{digest}"}}
"""

_EVIDENCE_FILE = """\
system,reviewer,accounts_reviewed,accounts_removed,signed_off
example-crm,a.manager,42,3,yes
"""

_EXCEPTIONS = """\
# Accepted risks and waivers, each with an approver and an expiry date, for example:
#
# - id: EXC-0001
#   applies_to: {control: IAM-01}
#   reason: Why the control cannot operate as designed, and until when.
#   risk: medium
#   approved_by: Chief Information Security Officer
#   approved_on: 2026-06-01
#   expires_on: 2027-03-31
exceptions: []
"""

_RISKS = """\
# The risk register: each risk's levels before and after its controls (likelihood and impact,
# 1-5 each), its treatment, the controls that treat it, the exceptions that accept part of it,
# its review cycle and its action plan. A residual score above `risk.appetite` in ciptool.yaml
# needs a live acceptance among its `exceptions`.
risks:
  - id: RSK-001
    title: Former staff keep access to member data
    owner: Chief Information Security Officer
    category: cyber
    inherent: {{likelihood: 3, impact: 4}}
    residual: {{likelihood: 2, impact: 3}}
    treatment: mitigate                   # mitigate | accept | transfer | avoid
    controls: [IAM-01]
    exceptions: []
    reviewed_on: {today}
    review_every: 6mo
    actions:
      - id: RSK-001-A1
        description: Remove access the same day HR records a leaver
        owner: Identity and Access Management lead
        due_on: {in_90_days}
        status: planned                   # planned | in-progress | done (with completed_on)
"""

_THIRD_PARTIES = """\
# Suppliers and other third parties. The Third Party Management Program applies to the
# arrangements delegated-provider, specialty-provider, third-party-administrator and
# outsourced-process, whose minimum standards are evidence requirements of the third party.
third_parties:
  - id: TP-EXAMPLE-MAIL
    name: Example Print and Mail Co.
    arrangement: direct-provider
    services: Printing and mailing of member letters
    data: [phi, pii]
    tier: high                            # critical | high | medium | low
    owner: Director, Procurement
    contract: {{start: {year}-01-01, end: {in_2_years}-12-31}}
    business_associate_agreement: {{signed_on: {year}-01-01}}    # required where data has phi
"""

_APPS = """\
# Apps members may authorise to read their claims data, and the decision on each. An app whose
# developer attested to the CARIN Alliance code of conduct carries
# `carin_attestation: {{attested_on: YYYY-MM-DD, document: PATH, sha256: HEX}}`.
apps:
  - id: APP-0001
    name: Example Health Wallet
    developer: Example Apps Inc.
    status: approved                      # requested | approved | denied | revoked
    decided_on: {today}
    privacy_policy: {{url: "https://example.org/privacy", reviewed_on: {today}}}
"""

_METRICS = """\
# Key performance and risk indicators: target, breach level (threshold), and a value for each
# period (2026-Q3 quarterly, 2026-07 monthly, 2026-H2 semiannual, 2026 annual).
metrics:
  - id: KPI-RECERT
    title: Access recertifications completed on time
    kind: kpi                             # kpi | kri
    unit: percent
    better: higher                        # lower | higher
    target: 100
    threshold: 95
    owner: Identity and Access Management lead
    frequency: quarterly
    controls: [IAM-01]
    values:
{values}"""

_FINDINGS = """\
# Findings of penetration tests, red-team exercises, audits and assessments.
findings:
  - id: IA-{year}-01
    source: internal-audit                # penetration-test | red-team | soc2-audit | ...
    title: Recertification of the CRM skipped service accounts
    severity: medium                      # critical | high | medium | low
    found_on: {today}
    owner: Identity and Access Management lead
    due_on: {in_90_days}
    status: open                          # open | remediated (with closed_on) | accepted
    controls: [IAM-01]
    risks: [RSK-001]
"""

_INCIDENTS = """\
# Security and privacy incidents: when each was detected, contained and closed, whether it
# had to be notified, its root cause and its actions.
incidents:
  - id: INC-{year}-001
    title: Leaver's account used after departure
    category: unauthorised access
    severity: low
    detected_on: {today}
    contained_on: {today}
    closed_on: {today}
    records_affected: 0
    notification: {{required: false}}
    root_cause: The leaver was missing from the HR export the recertification used
    actions:
      - id: INC-{year}-001-A1
        description: Reconcile the HR export with the directory before each recertification
        owner: Identity and Access Management lead
        due_on: {today}
        status: done
        completed_on: {today}
    controls: [IAM-01]
    risks: [RSK-001]
"""


def _quarters_ended(today: dt.date, count: int) -> list[str]:
    """The last ``count`` quarters ended by ``today`` (one ending on it included), oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    ends_today = today.month % 3 == 0 and (today + dt.timedelta(days=1)).month != today.month
    if not ends_today:
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    periods = []
    for _ in range(count):
        periods.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return periods[::-1]


def scaffold_repository(path: Path, program: str, today: dt.date | None = None) -> list[Path]:
    """Write a minimal repository into ``path``; refuse if any file it would write exists."""
    today = today or dt.date.today()
    evidence_file = _EVIDENCE_FILE.encode()
    files: dict[str, bytes] = {
        "ciptool.yaml": _CONFIG.format(program=_quote(program), year=today.year).encode(),
        "controls/identity-access.yaml": _CONTROLS.encode(),
        "policies/access.yaml": _POLICIES.format(today=today.isoformat()).encode(),
        f"evidence/{today.year}/files/iam-01-recertification.csv": evidence_file,
        f"evidence/{today.year}/iam-01.yaml": _EVIDENCE.format(
            today=today.isoformat(),
            collector="compliance.analyst",
            digest=hashlib.sha256(evidence_file).hexdigest(),
        ).encode(),
        "exceptions/exceptions.yaml": _EXCEPTIONS.encode(),
        **_registers(today),
    }
    existing = [name for name in files if (path / name).exists()]
    if existing:
        raise UsageError(
            f"{path} already has {', '.join(existing)}; ciptool init never overwrites files"
        )
    written = []
    for name, content in files.items():
        target = path / name
        write_output(target, content, overwrite=False)
        written.append(target)
    return written


def _registers(today: dt.date) -> dict[str, bytes]:
    """One worked example of each register kind, dated from ``today`` so that check passes it."""
    dates = {
        "today": today.isoformat(),
        "year": today.year,
        "in_90_days": (today + dt.timedelta(days=90)).isoformat(),
        "in_2_years": today.year + 2,
    }
    values = "".join(
        f"      - {{period: {period}, value: {value}}}\n"
        for period, value in zip(_quarters_ended(today, 2), (96.5, 100), strict=True)
    )
    return {
        "risks/cyber.yaml": _RISKS.format(**dates).encode(),
        "third-parties/suppliers.yaml": _THIRD_PARTIES.format(**dates).encode(),
        "apps/patient-access.yaml": _APPS.format(**dates).encode(),
        "metrics/security.yaml": _METRICS.format(values=values).encode(),
        f"findings/{today.year}.yaml": _FINDINGS.format(**dates).encode(),
        f"incidents/{today.year}.yaml": _INCIDENTS.format(**dates).encode(),
    }


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
