"""All mistakes of a record in one run: a schema error hides neither its references nor its
other rules, and a broken record never counts as a control or as evidence. The findings alone are
check cases (``checks/cases/SC001``, ``SC005``, ``EX003``); here, what a broken record counts for.
"""

from __future__ import annotations

from conftest import MakeRepo, brief, run

BROKEN_CONTROL = """\
controls:
  - id: NET-01
    title: Network segmentation
    ownr: Network lead
    policy: POL-NETWORK
    frequency: annual
    mappings:
      nist-csf-2.0: [PR.AC-5, PR.IR-01]
      iso27001-2022: ["8.22"]
"""


def test_a_broken_control_counts_for_no_coverage(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "ciptool.yaml": "program: P\nframeworks: [iso27001-2022]\n",
            "controls/network.yaml": BROKEN_CONTROL,
        }
    )
    rows = {(row.framework, row.requirement): row.status for row in run(root).coverage}
    assert rows[("iso27001-2022", "A.8.22")] == "gap"
    assert rows[("iso27001-2022", "A.5.18")] != "gap"  # IAM-01, a valid control, maps it


def test_a_broken_evidence_record_says_everything_and_proves_nothing(
    make_repo: MakeRepo,
) -> None:
    record = """\
        evidence:
          - control: IAM-01
            requirement: recert-signoff
            colected_on: 2026-10-03
            period: {start: 2026-07-01, end: 2026-09-30}
            effective_on: 2026-09-30
          - control: IAM-9
            requirement: recert-signoff
            collected_on: 2026-10-03
            effective_on: 2026-09-30
            notes: [a list]
        """
    root = make_repo(
        {
            "ciptool.yaml": "program: P\nframeworks: [iso27001-2022]\n",
            "evidence/2026/iam-01.yaml": record,
        }
    )
    result = run(root)
    rows = {(row.framework, row.requirement): row.status for row in result.coverage}
    assert rows[("iso27001-2022", "A.5.18")] == "declared"  # the broken record is no evidence
    assert [f for f in brief(result) if f[0].startswith(("SC", "RF"))] == [
        ("SC003", "evidence/2026/iam-01.yaml", 2, 5),  # collected_on missing
        ("SC005", "evidence/2026/iam-01.yaml", 2, 5),  # period and effective_on both
        ("SC001", "evidence/2026/iam-01.yaml", 4, 5),  # colected_on
        ("RF006", "evidence/2026/iam-01.yaml", 7, 14),  # IAM-9: did you mean IAM-01?
        ("SC002", "evidence/2026/iam-01.yaml", 11, 12),  # notes is a list
    ]
