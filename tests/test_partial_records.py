"""All mistakes of a record in one run: a schema error hides neither its references nor its
other rules, and a broken record never counts as a control or as evidence.
"""

from __future__ import annotations

from conftest import EXCEPTION_ON_IAM, MINIMAL_CONTROL, MakeRepo, brief, run

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


def test_a_schema_error_hides_no_reference(make_repo: MakeRepo) -> None:
    root = make_repo({"controls/network.yaml": BROKEN_CONTROL})
    result = run(root, "SC", "RF")
    assert brief(result) == [
        ("SC003", "controls/network.yaml", 2, 5),  # owner missing
        ("SC001", "controls/network.yaml", 4, 5),  # ownr: did you mean owner?
        ("RF004", "controls/network.yaml", 5, 13),  # unknown policy
        ("RF002", "controls/network.yaml", 8, 22),  # a CSF 1.1 id, with where it went
        ("RF003", "controls/network.yaml", 9, 23),  # 8.22 read as A.8.22
    ]
    messages = [finding.message for finding in result.findings]
    assert messages[2] == "control NET-01 cites the unknown policy `POL-NETWORK`"
    assert "PR.AC-5" in messages[3] and "CSF 1.1" in messages[3]


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


def test_an_invalid_id_is_named_as_written(make_repo: MakeRepo) -> None:
    broken = BROKEN_CONTROL.replace("id: NET-01", "id: NET 01").replace("ownr", "owner")
    result = run(make_repo({"controls/network.yaml": broken}), "SC", "RF004")
    assert brief(result) == [
        ("SC005", "controls/network.yaml", 2, 9),
        ("RF004", "controls/network.yaml", 5, 13),
    ]
    assert result.findings[1].message == "control NET 01 cites the unknown policy `POL-NETWORK`"


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


def test_a_valid_control_is_unchanged(make_repo: MakeRepo) -> None:
    assert brief(run(make_repo({"controls/iam.yaml": MINIMAL_CONTROL}), "SC", "RF")) == []


def test_a_broken_exception_still_has_its_target_checked(make_repo: MakeRepo) -> None:
    broken = EXCEPTION_ON_IAM.replace("IAM-01", "IAM-9").replace("risk: medium", "risk: severe")
    result = run(make_repo({"exceptions/x.yaml": broken}), "SC", "EX003")
    assert brief(result) == [
        ("EX003", "exceptions/x.yaml", 3, 27),
        ("SC005", "exceptions/x.yaml", 5, 11),
    ]
    assert result.findings[0].message == (
        "exception EXC-001 applies to nothing: control `IAM-9` does not exist"
    )
