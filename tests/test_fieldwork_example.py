"""The example program's SOC 2 fieldwork, end to end: its workpapers are exactly the samples
`ciptool audit sample` draws with their seed, and the deviations its auditor recorded reach the
SOC 2 package in every format."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import PROJECT_ROOT, copy_example, require_pdf_engine, unavailable

PERIOD = "2026-01-01..2026-09-30"
#: How the example's samples were drawn (ciptool.yaml says so beside `soc2.fieldwork`).
DRAWN = ["--seed", "20261102", "--as-of", "2026-11-02"]
FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]
#: The example's deviations: IAM-01's two leavers removed late (finding SOC2-2026-02).
DEVIATIONS = (("JML-2026-Q1-011", "2026-01-22"), ("JML-2026-Q3-018", "2026-09-08"))
RESPONSE = "Both leavers' end dates were entered in the HR system after their last day"


def drawn(folder: Path) -> dict[str, tuple[object, ...]]:
    """Control -> what a workpaper says was drawn: period, seed, population, and each sampled
    item with its date (not what testing it found)."""
    out: dict[str, tuple[object, ...]] = {}
    for path in sorted(folder.glob("*.yaml")):
        [paper] = yaml.safe_load(path.read_text(encoding="utf-8"))["workpapers"]
        items = tuple((str(s["item"]), str(s["occurred_on"])) for s in paper["samples"])
        population = (paper["population"]["size"], paper["population"]["digest"])
        out[paper["control"]] = (str(paper["period"]), paper["seed"], population, items)
    return out


def test_the_example_workpapers_hold_the_samples_the_command_draws(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example", without=("workpapers",))
    result = CliRunner().invoke(app, ["audit", "sample", *DRAWN, "--repo", str(root)])
    assert result.exit_code == 0, result.output
    committed = drawn(PROJECT_ROOT / "workpapers" / PERIOD)
    assert len(committed) == 93
    assert drawn(root / "workpapers" / PERIOD) == committed


def test_the_example_workpapers_are_tested_with_two_deviations_answered() -> None:
    results: dict[str, int] = {}
    deviations = []
    for path in sorted((PROJECT_ROOT / "workpapers" / PERIOD).glob("*.yaml")):
        [paper] = yaml.safe_load(path.read_text(encoding="utf-8"))["workpapers"]
        for sample in paper["samples"]:
            results[sample["result"]] = results.get(sample["result"], 0) + 1
            assert sample["tester"].endswith("(Whitcombe & Larue)")
            if sample["result"] == "deviation":
                deviations.append((paper["control"], sample["item"], str(sample["occurred_on"])))
                assert RESPONSE in " ".join(sample["management_response"].split())
    assert deviations == [("IAM-01", *each) for each in DEVIATIONS]
    assert results == {"pass": sum(results.values()) - 2, "deviation": 2}


def render(fmt: str, out: Path) -> Path:
    result = CliRunner().invoke(
        app,
        ["report", "soc2", "--format", fmt, "-o", str(out), *FIXED, "--repo", str(PROJECT_ROOT)],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "xlsx", "pdf"])
def test_the_example_soc2_package_logs_both_deviations_in_every_format(
    fmt: str, tmp_path: Path, example_pdf: Callable[[str], Path]
) -> None:
    if fmt == "pdf":
        require_pdf_engine()
        if shutil.which("pdftotext") is None:
            unavailable("pdftotext is not installed (.ci/run installs poppler-utils)")
    out = example_pdf("soc2") if fmt == "pdf" else render(fmt, tmp_path / f"soc2.{fmt}")
    if fmt == "xlsx":
        sheet = load_workbook(out)["Deviations"]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        header, body = rows[0], rows[1:]
        assert sheet.auto_filter.ref is not None
        logged = [
            (row[header.index("Control")], row[header.index("Item")], row[header.index("Date")])
            for row in body
        ]
        assert [(c, i, d.date().isoformat()) for c, i, d in logged] == [
            ("IAM-01", *each) for each in DEVIATIONS
        ]
        return
    if fmt == "csv":
        logged_rows = [
            row
            for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
            if row["Table"] == "Deviations"
        ]
        assert [(r["Control"], r["Item"], r["Date"]) for r in logged_rows] == [
            ("IAM-01", *each) for each in DEVIATIONS
        ]
        assert all(RESPONSE in r["Management response"] for r in logged_rows)
        return
    if fmt == "pdf":
        text = subprocess.run(
            ["pdftotext", str(out), "-"], check=True, capture_output=True, text=True
        ).stdout
    else:
        text = out.read_text(encoding="utf-8").replace("&#39;", "'").replace("&amp;", "&")
    flat = " ".join(text.split())
    log = flat.split("Deviation log", 1)[1].split("Back-dated evidence", 1)[0]
    for item, day in DEVIATIONS:
        assert item in log
        assert day in log
    assert log.count(RESPONSE) == 2
    assert "235 of 235 sampled items tested; 2 deviations" in flat


def test_every_evidence_reference_of_the_example_requests_names_one_record() -> None:
    result = CliRunner().invoke(
        app, ["report", "pbc", "-o", "-", *FIXED, "--repo", str(PROJECT_ROOT)]
    )
    assert result.exit_code == 0, result.output
    assert "104 requests: 97 requested, 3 provided, 3 accepted, 1 rejected." in result.stdout
    assert "do not name one record" not in result.stdout
    assert "(no record)" not in result.stdout
    assert "ambiguous" not in result.stdout
