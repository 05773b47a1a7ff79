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


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
