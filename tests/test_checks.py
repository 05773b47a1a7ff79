"""The check registry, repository paths and id suggestions.

Each check's failing and passing repositories are data: ``checks/cases/<CODE>/``."""

from __future__ import annotations

import difflib
import re
from typing import Any

import pytest

from ciptool.checks import ALL_CHECKS, ALL_RULES
from ciptool.checks.references import leaves_repository
from ciptool.models.paths import evidence_file_key
from conftest import PROJECT_ROOT, MakeRepo, run


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
