"""The check registry and the reference checks, each with a failing and a passing case."""

from __future__ import annotations

import difflib
import re
from typing import Any

import pytest

from ciptool.checks import ALL_CHECKS, ALL_RULES
from ciptool.checks.references import leaves_repository
from ciptool.models.paths import evidence_file_key
from conftest import EXCEPTION_ON_IAM, PROJECT_ROOT, MakeRepo, brief, run

EVIDENCE = """\
evidence:
  - control: IAM-01
    requirement: recert-signoff
    collected_on: 2026-04-03
    period: {start: 2026-01-01, end: 2026-03-31}
    files:
      - {path: files/q1.csv, sha256: "%s"}
      - {path: %s, sha256: "%s"}
"""
DIGEST = "0" * 64


def test_codes_are_unique_stable_and_documented() -> None:
    codes = [rule.code for rule in ALL_RULES]
    assert len(codes) == len(set(codes))
    slugs = [rule.slug for rule in ALL_RULES]
    assert len(slugs) == len(set(slugs))
    for rule in ALL_RULES:
        assert re.fullmatch(r"[A-Z]{2}\d{3}", rule.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.slug)
        doc = rule.documentation()
        for part in ("Why:", "Passes:", "Fails:", "Fix:"):
            assert part in doc, (rule.code, part)
        assert rule.summary().endswith("."), rule.code
    assert {check.code for check in ALL_CHECKS} < set(codes)


def test_every_code_the_loader_reports_is_documented() -> None:
    source = "\n".join(path.read_text() for path in (PROJECT_ROOT / "src/ciptool").rglob("*.py"))
    reported = set(re.findall(r'"((?:LD|SC)\d{3})"', source))
    assert reported <= {rule.code for rule in ALL_RULES}


@pytest.mark.parametrize(
    ("base", "path", "outside"),
    [
        ("evidence/2026/a.yaml", "files/x.csv", False),
        ("evidence/2026/a.yaml", "../2025/files/x.csv", False),
        ("evidence/2026/a.yaml", "../../README.md", False),
        ("evidence/2026/a.yaml", "../../../secret", True),
        ("evidence/2026/a.yaml", "/etc/passwd", True),
        ("evidence/2026/a.yaml", "C:\\Users\\me\\x.csv", True),
        ("evidence/2026/a.yaml", "files\\..\\..\\..\\..\\x", True),
        ("ciptool.yaml", "policies/docs/x.md", False),
        ("ciptool.yaml", "../x.md", True),
    ],
)
def test_leaves_repository(base: str, path: str, outside: bool) -> None:
    assert leaves_repository(base, path) is outside


@pytest.mark.parametrize(
    ("base", "path", "key"),
    [
        ("evidence/2026/a.yaml", "files/x.csv", "evidence/2026/files/x.csv"),
        ("evidence/2026/a.yaml", "files/.hidden", "evidence/2026/files/.hidden"),
        ("evidence/2026/a.yaml", "./files/x.csv", "evidence/2026/files/x.csv"),
        ("evidence/2026/a.yaml", "files//x.csv", "evidence/2026/files/x.csv"),
        ("evidence/2026/a.yaml", "files/../x.csv", "evidence/2026/x.csv"),
        ("evidence/2026/a.yaml", "files/x.csv/", "evidence/2026/files/x.csv"),
        ("evidence/2026/a.yaml", "files\\x.csv", "evidence/2026/files/x.csv"),
        ("evidence/2026/a.yaml", "fïles/x.csv", "evidence/2026/fïles/x.csv"),
        ("evidence/2026/a.yaml", "C:x.csv", None),
        ("a.yaml", "x-1_2.v3.csv", "x-1_2.v3.csv"),
        ("a.yaml", "..", None),
    ],
)
def test_evidence_file_key_is_the_normal_repository_path(
    base: str, path: str, key: str | None
) -> None:
    assert evidence_file_key(base, path) == key


def test_evidence_and_policy_paths_outside_the_repository(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "evidence/2026/iam.yaml": EVIDENCE % (DIGEST, "../../../../etc/passwd", DIGEST),
            "policies/other.yaml": (
                "policies:\n  - id: POL-X\n    title: X\n    document: /srv/policies/x.pdf\n"
                "  - id: POL-Y\n    title: Y\n    document: https://intranet.example.org/y\n"
            ),
        }
    )
    result = run(root, "RF")
    assert brief(result) == [
        ("RF008", "evidence/2026/iam.yaml", 8, 16),
        ("RF008", "policies/other.yaml", 4, 15),
    ]
    assert result.findings[0].message == (
        "evidence file path `../../../../etc/passwd` points outside the repository"
    )


def test_unknown_control_and_evidence_requirement(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "evidence/2026/iam.yaml": (
                "evidence:\n"
                "  - control: IAM-1\n    requirement: recert-signoff\n"
                "    collected_on: 2026-04-03\n    effective_on: 2026-03-31\n"
                "  - control: IAM-01\n    requirement: recert-sign-off\n"
                "    collected_on: 2026-04-03\n    effective_on: 2026-03-31\n"
            )
        }
    )
    result = run(root)
    assert brief(result) == [
        ("RF006", "evidence/2026/iam.yaml", 2, 14),
        ("RF007", "evidence/2026/iam.yaml", 7, 18),
    ]
    assert [f.suggestion for f in result.findings] == [
        "Did you mean `IAM-01`?",
        "Did you mean `recert-signoff`?",
    ]


def test_a_control_id_written_in_other_case_or_spacing_is_suggested(make_repo: MakeRepo) -> None:
    """`iam-01` is not IAM-01 (ids are exact), but it is the id to suggest, as for `IAM1`."""
    record = (
        "  - control: {}\n    requirement: recert-signoff\n"
        "    collected_on: 2026-04-03\n    effective_on: 2026-03-31\n"
    )
    written = ["iam-01", "Iam-01", "iam-1"]
    root = make_repo(
        {"evidence/2026/iam.yaml": "evidence:\n" + "".join(record.format(w) for w in written)}
    )
    result = run(root, "RF006")
    assert [f.message for f in result.findings] == [
        f"evidence names the unknown control `{w}`" for w in written
    ]
    assert [f.suggestion for f in result.findings] == ["Did you mean `IAM-01`?"] * 3


def test_an_unknown_compensating_control_is_named(make_repo: MakeRepo) -> None:
    """A risk acceptance that leans on a control that does not exist leans on nothing."""
    root = make_repo(
        {
            "exceptions/2026.yaml": EXCEPTION_ON_IAM
            + "    compensating_controls: [IAM-01, iam-01, OPS-99]\n"
        }
    )
    result = run(root, "RF006")
    assert brief(result) == [
        ("RF006", "exceptions/2026.yaml", 9, 37),
        ("RF006", "exceptions/2026.yaml", 9, 45),
    ]
    assert [(f.message, f.suggestion) for f in result.findings] == [
        (
            "exception EXC-001 names the unknown compensating control `iam-01`",
            "Did you mean `IAM-01`?",
        ),
        (
            "exception EXC-001 names the unknown compensating control `OPS-99`",
            "Correct the control id, or remove it from `compensating_controls`.",
        ),
    ]


def test_an_unknown_id_written_many_times_is_compared_with_the_known_ids_once(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = (
        "  - control: IAM-1\n    requirement: recert-signoff\n"
        "    collected_on: 2026-04-03\n    effective_on: 2026-03-31\n"
    )
    root = make_repo({"evidence/2026/iam.yaml": "evidence:\n" + record * 3})
    searched: list[str] = []
    closest = difflib.get_close_matches

    def counted(word: str, *args: Any, **kwargs: Any) -> list[str]:
        searched.append(word)
        return closest(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    result = run(root, "RF006")
    assert [f.suggestion for f in result.findings] == ["Did you mean `IAM-01`?"] * 3
    assert searched == ["iam-1"]


def test_unknown_framework_in_config_and_applicability(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "ciptool.yaml": (
                "program: P\nframeworks: [nist-csf, iso27001-2022]\napplicability:\n"
                "  iso27001:\n    A.7.5: {applicable: false, justification: none of our own}\n"
                "  iso27001-2022:\n    A.7.99: {applicable: false, justification: typo}\n"
            )
        }
    )
    result = run(root, "RF")
    assert brief(result) == [
        ("RF001", "ciptool.yaml", 2, 14),
        ("RF001", "ciptool.yaml", 4, 3),
        ("RF002", "ciptool.yaml", 7, 5),
    ]
    assert [f.suggestion for f in result.findings][:2] == [
        "Did you mean `nist-csf-2.0`?",
        "Did you mean `iso27001-2022`?",
    ]


def test_duplicate_evidence_requirement_ids(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "controls/x.yaml": (
                "controls:\n  - id: X-1\n    title: T\n    owner: O\n    frequency: daily\n"
                "    evidence:\n"
                "      - {id: log, description: a}\n"
                "      - {id: log, description: b}\n"
            )
        }
    )
    result = run(root, "SC")
    assert brief(result) == [("SC004", "controls/x.yaml", 8, 14)]
    assert [str(loc) for loc in result.findings[0].related] == ["controls/x.yaml:7:14"]
