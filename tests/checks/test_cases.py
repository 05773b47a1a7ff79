"""Every check case under ``cases/<CODE>/<case>/``, run through ``ciptool check --format json``.

A case is ``case.yaml`` (the files it writes over ``minimal/``, the date and the codes it checks)
and ``expected.json`` (the exit code and every finding, in the JSON output's order and keys).
README.md says how to write one; ``CIPTOOL_UPDATE_GOLDEN=1`` writes the expected files again.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import AS_OF

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
MINIMAL = HERE / "minimal"

#: The keys of a JSON finding that a case's expected file holds, in this order.
KEYS = (
    "code",
    "severity",
    "file",
    "line",
    "column",
    "message",
    "suggestion",
    "subject",
    "related",
    "excepted_by",
    "excepted_until",
)
#: What a case.yaml may say (README.md explains each).
CASE_KEYS = {"about", "as_of", "select", "args", "files"}

#: Codes with no failing case here, and where their exact findings are tested instead: what
#: they need (a link, a file mode, many megabytes, a git history) is not a file a case can hold.
ELSEWHERE = {
    "LD007": "a symbolic link: test_links.py and test_bad_input.py",
    "LD008": "a file over 16 MiB or with 2,000,000 punctuation marks: test_bad_input.py",
    "LD013": "a file that cannot be read (a dangling link, a FIFO): test_bad_input.py",
    "LD015": "a file with more than 10,000 problems: test_bad_input.py",
    "EV009": "a git history with commits of known dates: test_provenance.py",
}


def case_names() -> list[str]:
    return sorted(
        f"{path.parent.parent.name}/{path.parent.name}" for path in CASES.glob("*/*/case.yaml")
    )


def read_case(name: str) -> dict[str, Any]:
    case = yaml.safe_load((CASES / name / "case.yaml").read_text(encoding="utf-8"))
    assert isinstance(case, dict), f"{name}/case.yaml must be a mapping"
    assert set(case) <= CASE_KEYS, f"{name}/case.yaml: unknown keys {set(case) - CASE_KEYS}"
    assert case.get("about"), f"{name}/case.yaml must say what it shows in `about`"
    return case


def build(case: dict[str, Any], root: Path) -> Path:
    """Write the case's repository under ``root``: ``minimal/``, then the case's files (text
    as UTF-8, ``!!binary`` as bytes)."""
    shutil.copytree(MINIMAL, root)
    for name, content in (case.get("files") or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else str(content).encode("utf-8")
        path.write_bytes(data)
    return root


def command(case: dict[str, Any], root: Path, code: str) -> list[str]:
    """The ``ciptool check`` command line of a case (``select: all`` selects every code)."""
    select = str(case.get("select", code))
    args = ["check", "--repo", str(root), "--format", "json", "--no-cache"]
    args += ["--as-of", str(case.get("as_of", AS_OF.isoformat()))]
    if select != "all":
        args += ["--select", select]
    return args + [str(arg) for arg in case.get("args") or []]


def outcome(name: str, tmp_path: Path) -> dict[str, Any]:
    """The exit code and the findings (in KEYS) of running the case."""
    case = read_case(name)
    root = build(case, tmp_path / "repo")
    result = CliRunner().invoke(app, command(case, root, name.split("/", maxsplit=1)[0]))
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    findings = [{key: finding[key] for key in KEYS} for finding in document["findings"]]
    return {"exit_code": result.exit_code, "findings": findings}


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CASES / name / "expected.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize("name", case_names())
def test_case(name: str, tmp_path: Path) -> None:
    actual = outcome(name, tmp_path)
    path = CASES / name / "expected.json"
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        text = json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8")
    assert actual == expected(name), read_case(name)["about"]


def listed_codes() -> list[str]:
    """Every code ``ciptool rules list`` prints."""
    result = CliRunner().invoke(app, ["rules", "list"])
    assert result.exit_code == 0, result.output
    return [line.split()[0] for line in result.stdout.splitlines() if line.strip()]


def test_every_code_has_a_failing_and_a_passing_case() -> None:
    """A failing case reports the code of its folder; a passing one checks it and does not."""
    codes = listed_codes()
    assert len(codes) > 40
    assert set(ELSEWHERE) <= set(codes)
    folders = {path.name for path in CASES.iterdir() if path.is_dir()}
    assert folders <= set(codes), f"folders named for no code: {folders - set(codes)}"
    missing = []
    for code in sorted(set(codes) - set(ELSEWHERE)):
        found = {
            code in {finding["code"] for finding in expected(name)["findings"]}
            for name in case_names()
            if name.startswith(f"{code}/")
        }
        if found != {True, False}:
            missing.append(code)
    assert missing == []


def test_every_case_folder_holds_a_case_and_its_findings() -> None:
    """A folder without case.yaml would be skipped silently; one without expected.json fails."""
    folders = sorted(path for path in CASES.glob("*/*") if path.is_dir())
    assert len(folders) == len(case_names()) > 0
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == ["case.yaml", "expected.json"], folder


@pytest.mark.parametrize("name", case_names())
def test_a_case_checks_the_code_of_its_folder(name: str) -> None:
    """A passing case would pass for nothing if its --select left its code out."""
    case = read_case(name)
    code = name.split("/", maxsplit=1)[0]
    select = str(case.get("select", code))
    assert select == "all" or any(code.startswith(part) for part in select.split(",")), select


def test_the_minimal_repository_is_the_tests_minimal_repository(tmp_path: Path) -> None:
    """``minimal/`` is the repository ``conftest.write_repo`` writes, so cases and Python tests
    start from the same place."""
    from conftest import write_repo

    written = write_repo(tmp_path / "repo", {})
    files = sorted(p.relative_to(written) for p in written.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(MINIMAL) for p in MINIMAL.rglob("*") if p.is_file())
    for name in files:
        assert (written / name).read_bytes() == (MINIMAL / name).read_bytes(), name
