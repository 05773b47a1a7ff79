"""What the machine outputs say about a run: what did not run, where files are, and in what form.

SARIF, JUnit and GitHub annotations are read by other programs, which act on every field: a
check that did not run must not read as passed, a path must name the file in the git work tree
the CI system looks at, and a URI must be one.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from ciptool.cli import app
from conftest import PROJECT_ROOT

AS_OF = "2026-11-15"


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
