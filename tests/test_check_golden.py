"""``ciptool check`` in every format it offers, byte for byte, on one repository of mixed findings.

``fixtures/mixed/`` holds errors, warnings and notes, a file-level finding, related locations,
an excepted finding, coverage gaps grouped by category, and user text with characters each
format must escape. It is checked as the folder ``compliance/`` of a git work tree, so that the
formats that name files from the work tree's top (SARIF, GitHub) show that prefix; no path of
the machine appears. ``CIPTOOL_UPDATE_GOLDEN=1`` writes ``golden/check/`` again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import FIXTURES

GOLDEN = Path(__file__).parent / "golden" / "check"
#: The extension of each format's golden file, for editors; a format not named here gets .txt.
EXTENSIONS = {"json": ".json", "sarif": ".sarif", "junit": ".xml"}


def offered_formats() -> list[str]:
    """The formats ``ciptool check --help`` lists for ``--format``."""
    result = CliRunner().invoke(app, ["check", "--help"])
    assert result.exit_code == 0, result.output
    # Newer typer writes the choices as <a|b>, older as [a|b].
    match = re.search(r"--format [<\[]([a-z|-]+)[>\]]", result.stdout)
    assert match, result.stdout
    return match.group(1).split("|")


FORMATS = offered_formats()


def golden(fmt: str) -> Path:
    return GOLDEN / f"mixed-{fmt}{EXTENSIONS.get(fmt, '.txt')}"


def check(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *output: str
) -> tuple[bytes, bytes]:
    """``ciptool check --format FMT [OUTPUT]`` on the mixed repository: stdout and stderr."""
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "mixed", work / "compliance")
    (work / ".git").mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("COLUMNS", "100")
    args = ["check", "--repo", "compliance", "--format", fmt, "--no-cache"]
    result = CliRunner().invoke(app, [*args, "--as-of", "2026-11-15", *output])
    assert result.exit_code == 1, result.output
    return result.stdout_bytes, result.stderr_bytes


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_output_is_its_golden_file(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o FILE`` writes the golden bytes (the terminal's text with its summary)."""
    check(fmt, tmp_path, monkeypatch, "-o", "out")
    output = (tmp_path / "work" / "out").read_bytes()
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        golden(fmt).write_bytes(output)
    assert output == golden(fmt).read_bytes()
    assert str(tmp_path).encode() not in output


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_prints_its_golden_file(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standard output is the same bytes, but for the terminal's coverage table and summary,
    which go to standard error."""
    stdout, stderr = check(fmt, tmp_path, monkeypatch)
    assert stdout + stderr == golden(fmt).read_bytes()
    assert stderr.startswith(b"Coverage as of") if fmt == "terminal" else stderr == b""


def test_every_format_the_cli_offers_has_a_golden_file() -> None:
    """A new format fails here until ``CIPTOOL_UPDATE_GOLDEN=1`` writes its golden file."""
    assert {"terminal", "json", "sarif", "junit", "github"} <= set(FORMATS)
    assert sorted(path.name for path in GOLDEN.iterdir()) == sorted(
        golden(fmt).name for fmt in FORMATS
    )


def test_the_golden_documents_are_documents_of_their_formats() -> None:
    """A golden file written again by the switch is still valid JSON, SARIF 2.1.0 and XML."""
    json.loads(golden("json").read_bytes())
    schema = json.loads((Path(__file__).parent / "schemas/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(json.loads(golden("sarif").read_bytes()))
    assert ET.fromstring(golden("junit").read_bytes()).tag == "testsuites"
