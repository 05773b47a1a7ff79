"""The SOC 2 package shows Type II testing: populations, samples and results, the deviation log
and each criterion's testing status, in every format; and the evidence found back-dated."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.findings import Finding, Location, Severity
from ciptool.graph import Graph
from ciptool.queries.populations import Population, populations, select
from ciptool.queries.testing import ControlTesting
from ciptool.render.documents import render_document
from ciptool.reports import REPORT_KINDS
from ciptool.reports.common import report_meta
from ciptool.reports.soc2 import build
from ciptool.reports.view import ReportSource
from ciptool.results import RunResult
from conftest import AS_OF, SETTINGS, copy_example, require_pdf_engine, unavailable

FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]
SEED = 20260930
#: The control with the deviation; the others are tested without one.
DEVIATING = "CHG-01"
PASSING = ("GOV-01", "RSK-03")
FOUND = "Change deployed without a recorded approval of the change advisory board"
RESPONSE = "Management agrees; releases are blocked without a recorded approval since June"
SHEETS = [
    "Control matrix",
    "Evidence requests",
    "Criterion testing",
    "Populations",
    "Samples",
    "Deviations",
    "Back-dated evidence",
    "About",
]


def example_copy(root: Path) -> Path:
    """The example program, without any workpaper."""
    return copy_example(root, without=("workpapers",))


def loaded(root: Path) -> tuple[RunResult, Graph]:
    result, graph = check_repository(root, SETTINGS)
    assert graph is not None
    return result, graph


def the_populations(graph: Graph) -> dict[str, Population]:
    assert graph.config and graph.config.soc2 and graph.config.soc2.period
    return {
        each.control.record.id: each for each in populations(graph, graph.config.soc2.period, AS_OF)
    }


def workpaper(population: Population, deviation: bool) -> str:
    """The YAML of a workpaper of ``population``: every sampled item passed, but for the first
    item when ``deviation``."""
    period = population.period
    lines = [
        f"  - control: {population.control.record.id}",
        f"    period: {{start: {period.start}, end: {period.end}}}",
        f"    seed: {SEED}",
        f"    population: {{size: {population.size}, digest: {population.digest}}}",
        "    samples:",
    ]
    for index, item in enumerate(select(population, SEED)):
        failed = deviation and index == 0
        lines += [
            f"      - item: {item.id}",
            f"        occurred_on: {item.occurred_on}",
            f"        result: {'deviation' if failed else 'pass'}",
            "        tester: r.okafor",
            "        tested_on: 2026-10-20",
            f"        notes: {FOUND if failed else 'Approval and test evidence inspected'}",
        ]
        if failed:
            lines.append(f"        management_response: {RESPONSE}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def fieldwork(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Population]]:
    """A copy of the example whose workpapers for the period test CHG-01 (one deviation),
    GOV-01 and RSK-03 (no deviation)."""
    root = example_copy(tmp_path_factory.mktemp("fieldwork") / "program")
    _result, graph = loaded(root)
    found = the_populations(graph)
    text = "workpapers:\n" + "".join(
        workpaper(found[control], control == DEVIATING) for control in (DEVIATING, *PASSING)
    )
    (root / "workpapers").mkdir()
    (root / "workpapers" / "2026-soc2.yaml").write_text(text, encoding="utf-8")
    return root, found


@pytest.fixture(scope="module")
def deviation(fieldwork: tuple[Path, dict[str, Population]]) -> tuple[str, str, str]:
    """The deviating item: (control, item id, its date)."""
    _root, found = fieldwork
    item = select(found[DEVIATING], SEED)[0]
    return DEVIATING, item.id, item.occurred_on.isoformat()


def criteria_of(root: Path, controls: set[str]) -> tuple[set[str], set[str]]:
    """The SOC 2 criteria some of ``controls`` map to, and those none of the controls the
    workpapers test maps to."""
    result, graph = loaded(root)
    found = the_populations(graph)
    mapped, unsampled = set(), set()
    for row in result.coverage:
        if row.framework != "soc2-2017":
            continue
        if controls & set(row.controls):
            mapped.add(row.requirement)
        elif not {c for c in row.controls if c in found} & {DEVIATING, *PASSING}:
            unsampled.add(row.requirement)
    return mapped, unsampled


def report(root: Path, fmt: str, out: Path) -> Path:
    result = CliRunner().invoke(
        app, ["report", "soc2", "--repo", str(root), "-f", fmt, "-o", str(out), *FIXED]
    )
    assert result.exit_code == 0, result.output
    return out


def table(path: Path, name: str) -> list[dict[str, str]]:
    """The rows of one table of the package's CSV, by column name, without the table column."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return [{k: v for k, v in row.items() if k != "Table"} for row in rows if row["Table"] == name]


def test_the_markdown_shows_the_deviation_and_the_criteria_it_touches(
    fieldwork: tuple[Path, dict[str, Population]],
    deviation: tuple[str, str, str],
    tmp_path: Path,
) -> None:
    root, _found = fieldwork
    control, item, day = deviation
    text = report(root, "md", tmp_path / "soc2.md").read_text(encoding="utf-8")
    log = text.split("### Deviation log", 1)[1].split("## Back-dated evidence", 1)[0]
    assert f"| {control} | {item} | {day} | {FOUND} | {RESPONSE} |" in log
    assert log.count(f"| {control} |") == 1  # one deviation, one row
    assert "Testing has not started" not in text
    sampled = sum(len(select(fieldwork[1][c], SEED)) for c in (DEVIATING, *PASSING))
    controls = len(fieldwork[1])
    assert (
        f"3 of {controls} controls sampled; {sampled} of {sampled} sampled items tested;"
        " 1 deviation." in text
    )
    with_deviations, untested = criteria_of(root, {DEVIATING})
    assert with_deviations
    for criterion in with_deviations:
        row = next(line for line in text.splitlines() if line.startswith(f"| {criterion} |"))
        assert row.endswith(f"| tested with deviations: {control} {item} ({day}) |"), row
    assert "CC6.5" in untested  # AST-02 only, never sampled
    for criterion in untested:
        row = next(line for line in text.splitlines() if line.startswith(f"| {criterion} |"))
        assert "| untested: " in row, row
    # CC3.3 is RSK-03's alone: every item passed
    cc33 = next(line for line in text.splitlines() if line.startswith("| CC3.3 |"))
    assert cc33.endswith("| tested without deviation: its one control |")
    populations_table = text.split("### Populations and samples", 1)[1]
    sample_size = len(select(fieldwork[1][DEVIATING], SEED))
    assert (
        f"| {sample_size} | {sample_size} | {sample_size} | 1 | tested with deviations: {item}"
        f" ({day}); {sample_size} of {sample_size} items tested |" in populations_table
    )


def test_the_html_and_pdf_show_the_deviation(
    fieldwork: tuple[Path, dict[str, Population]],
    deviation: tuple[str, str, str],
    tmp_path: Path,
) -> None:
    root, _found = fieldwork
    control, item, day = deviation
    page = report(root, "html", tmp_path / "soc2.html").read_text(encoding="utf-8")
    assert (
        f'<tr><td class="id">{control}</td><td class="id">{html.escape(item)}</td>'
        f'<td class="date">{day}</td><td>{html.escape(FOUND)}</td>'
        f"<td>{html.escape(RESPONSE)}</td></tr>"
    ) in page
    assert '<section class="wide" id="type-ii-testing">' in page
    cc81 = page.split("<tr><td>CC8.1</td>", 1)[1].split("</tr>", 1)[0]
    assert (
        '<span class="status status-tested-with-deviations">tested with deviations</span>' in cc81
    )
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        unavailable("pdftotext not installed (.ci/run installs it: apt-get install poppler-utils)")
    require_pdf_engine()
    pdf = report(root, "pdf", tmp_path / "soc2.pdf")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    log = flat.split("Deviation log", 1)[1].split("Back-dated evidence", 1)[0]
    for fact in (control, item, day, RESPONSE.split(";", maxsplit=1)[0], "tested with deviations"):
        assert fact in flat
    assert control in log
    assert item in log
    assert day in log
    assert re.search(r"Management\s+agrees", log)


def test_the_csv_holds_the_deviation_log_samples_and_criterion_testing(
    fieldwork: tuple[Path, dict[str, Population]],
    deviation: tuple[str, str, str],
    tmp_path: Path,
) -> None:
    root, found = fieldwork
    control, item, day = deviation
    out = report(root, "csv", tmp_path / "soc2.csv")
    tables = {row["Table"] for row in csv.DictReader(io.StringIO(out.read_text("utf-8")))}
    assert tables == set(SHEETS[:-2])  # no back-dated evidence in a copy outside git
    [logged] = table(out, "Deviations")
    assert (
        logged["Control"],
        logged["Item"],
        logged["Date"],
        logged["What was found"],
        logged["Management response"],
    ) == (control, item, day, FOUND, RESPONSE)
    samples = table(out, "Samples")
    sampled = sum(len(select(found[c], SEED)) for c in (DEVIATING, *PASSING))
    assert len(samples) == sampled
    assert [s["Result"] for s in samples].count("deviation") == 1
    assert {s["Result"] for s in samples} == {"pass", "deviation"}
    testing = {row["Criterion"]: row["Testing"] for row in table(out, "Criterion testing")}
    assert testing["CC8.1"].startswith("tested with deviations: CHG-01 ")
    assert testing["CC6.5"].startswith("untested: ")
    populations_rows = {row["Control"]: row for row in table(out, "Populations")}
    assert populations_rows[DEVIATING]["Deviations"] == "1"
    assert populations_rows["AST-02"]["Testing"] == "untested: no workpaper for the period"
    matrix = [row for row in table(out, "Control matrix") if row["Control"] == DEVIATING]
    assert matrix
    assert all(row["Testing"].startswith("tested with deviations: ") for row in matrix)


def test_the_workbook_has_a_filtered_sheet_per_table_with_real_dates(
    fieldwork: tuple[Path, dict[str, Population]],
    deviation: tuple[str, str, str],
    tmp_path: Path,
) -> None:
    root, _found = fieldwork
    control, item, day = deviation
    book = load_workbook(report(root, "xlsx", tmp_path / "soc2.xlsx"))
    assert book.sheetnames == SHEETS
    for name in SHEETS[:-1]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        last = sheet.cell(1, sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
    assert book["About"].auto_filter.ref is None
    log = book["Deviations"]
    header = [cell.value for cell in log[1]]
    assert header[:5] == ["Control", "Item", "Date", "What was found", "Management response"]
    row = list(log[2])
    assert [row[0].value, row[1].value, row[3].value, row[4].value] == [
        control,
        item,
        FOUND,
        RESPONSE,
    ]
    assert row[2].is_date
    assert row[2].value == dt.datetime.fromisoformat(day)
    assert row[2].number_format == "yyyy-mm-dd"
    assert log.max_row == 2
    samples = book["Samples"]
    tested_on = [cell.value for cell in samples["F"][1:]]
    assert tested_on and all(value == dt.datetime(2026, 10, 20) for value in tested_on)
    counts = book["Populations"]
    assert all(isinstance(cell.value, int) for cell in counts["E"][1:])  # population sizes


def test_a_package_without_workpapers_says_testing_has_not_started(tmp_path: Path) -> None:
    root = example_copy(tmp_path / "program")
    text = report(root, "md", tmp_path / "soc2.md").read_text(encoding="utf-8")
    assert (
        "Testing has not started: no workpaper is for the period 2026-01-01 to 2026-09-30." in text
    )
    assert "No sample has been drawn for the period." in text
    assert (
        f"0 of {len(the_populations(loaded(root)[1]))} controls sampled; 0 of 0 sampled items"
        in text
    )
    assert "No deviation recorded: testing has not started." in text
    criteria = text.split("## Criteria, controls and evidence", 1)[1].split("## Exceptions")[0]
    rows = [line for line in criteria.splitlines() if re.match(r"\| (CC|A|C)\d", line)]
    assert rows
    assert all("| untested: " in row for row in rows)
    book = load_workbook(report(root, "xlsx", tmp_path / "soc2.xlsx"))
    assert book["Samples"].max_row == 1
    assert book["Deviations"].max_row == 1


def test_a_control_partly_tested_is_in_progress() -> None:
    def sample(result: str) -> object:
        return dataclasses.make_dataclass("S", ["result", "tested"])(result, result != "not-tested")

    base = ControlTesting(
        control="X-01",
        title="X",
        frequency="monthly",
        basis="records",
        population_size=9,
        sample_size=2,
        samples=(),
        workpapers=("workpapers/x.yaml",),
        population_changed=False,
    )
    partly = dataclasses.replace(base, samples=(sample("pass"), sample("not-tested")))  # type: ignore[arg-type]
    assert partly.status == "in progress"
    assert partly.text == "in progress: 1 of 2 items tested"
    nothing = dataclasses.replace(base, samples=(sample("not-tested"),))  # type: ignore[arg-type]
    assert nothing.status == "untested"
    changed = dataclasses.replace(partly, population_changed=True)
    assert changed.text.endswith("; the population changed after sampling")


def backdated_markdown(result: RunResult, graph: Graph) -> str:
    kind = REPORT_KINDS["soc2"]
    meta = report_meta(
        "soc2",
        kind.title,
        graph,
        result,
        generated_at=dt.datetime(2026, 11, 15, 12, tzinfo=dt.timezone.utc),
        commit=None,
        dirty=None,
    )
    view = build(ReportSource(graph, result, meta, kind))
    return render_document(None, "soc2", "md", view)


def test_back_dated_evidence_lists_the_ev009_findings(tmp_path: Path) -> None:
    result, graph = loaded(example_copy(tmp_path / "program"))
    backdated = Finding(
        "EV009",
        Severity.WARNING,
        "evidence CHG-01/change-review collected on 2026-03-31 was first committed on"
        " 2026-08-20 (142 days later)",
        Location("evidence/2026/chg-01.yaml", 21, 19),
        subject="CHG-01/change-review",
    )
    unreadable = Finding(
        "EV009",
        Severity.NOTE,
        "the git history could not be read (not a git work tree): back-dated evidence was not"
        " looked for in every record",
        Location("ciptool.yaml"),
        subject="history",
    )
    text = backdated_markdown(
        dataclasses.replace(result, findings=(*result.findings, backdated, unreadable)), graph
    )
    section = text.split("## Back-dated evidence", 1)[1].split("\n---", 1)[0]
    assert (
        "| CHG-01/change-review | evidence/2026/chg-01.yaml | 21 | evidence CHG-01/change-review"
        " collected on 2026-03-31 was first committed on 2026-08-20 (142 days later) |"
    ) in section
    assert "| history | ciptool.yaml | - | the git history could not be read" in section
    none = backdated_markdown(
        dataclasses.replace(
            result, findings=tuple(f for f in result.findings if f.code != "EV009")
        ),
        graph,
    )
    section = none.split("## Back-dated evidence", 1)[1].split("\n---", 1)[0]
    assert "None: check EV009 reported no evidence record" in section
    assert "|" not in section
