"""What the machine outputs say about a run: what did not run, where files are, and in what form.

SARIF, JUnit and GitHub annotations are read by other programs, which act on every field: a
check that did not run must not read as passed, a path must name the file in the git work tree
the CI system looks at, and a URI must be one.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import PROJECT_ROOT, MakeRepo

AS_OF = "2026-11-15"


def invoke(root: Path, *args: str, code: int | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", "--repo", str(root), "--as-of", AS_OF, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if code is not None:
        assert result.exit_code == code, result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_unknown_code_is_a_usage_error(make_repo: MakeRepo, option: str) -> None:
    root = make_repo({"controls/broken.yaml": "controls: [\n"})
    status, out, err = invoke(root, option, "LD01", "-f", "junit")
    assert status == 2
    assert out == ""
    assert f"{option}: no code or family `LD01`" in err
    assert "did you mean LD001, LD010" in err
    assert invoke(root, option, "EV0001")[0] == 2
    assert invoke(root, option, "ld,rf002")[0] in (0, 1)  # a family and a code, any case


# --- spreadsheets --------------------------------------------------------------------------


def test_each_csv_is_one_table(tmp_path: Path) -> None:
    for kind in ("soc2", "soa", "evidence-index"):
        target = tmp_path / f"{kind}.csv"
        outcome = CliRunner().invoke(
            app,
            [
                "report",
                kind,
                "--repo",
                str(PROJECT_ROOT),
                "--as-of",
                AS_OF,
                "--generated-at",
                "2026-11-15T12:00:00Z",
                "-f",
                "csv",
                "-o",
                str(target),
            ],
        )
        assert outcome.exit_code == 0, outcome.output
        text = target.read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text))
        rows = list(reader)
        assert reader.fieldnames is not None
        assert not any(name.startswith("#") for name in reader.fieldnames), kind
        assert rows and all(None not in row and len(row) == len(reader.fieldnames) for row in rows)
        assert not any(all(value == "" for value in row.values()) for row in rows), kind
