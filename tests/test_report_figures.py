"""The same figures, in words a reader follows, in every format of a report.

Each report is rendered for the example program; the PDF is read back with poppler's
pdftotext (installed by .ci/run), as a reader's viewer would show it.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.render.charts import coverage_bars
from ciptool.reports.frameworks import Tally
from conftest import (
    MINIMAL_CONTROL,
    MINIMAL_EVIDENCE,
    PROJECT_ROOT,
    MakeRepo,
    require_pdf_engine,
    unavailable,
)

FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]

#: The example as of 2026-11-15, as `ciptool check` prints it: total, covered, with
#: deviations, excepted, declared, gap, not applicable, covered of applicable.
FRAMEWORKS = {
    "CSF 2.0": (106, 103, 0, 2, 0, 1, 0, "97%"),
    "ISO/IEC 27001:2022": (93, 87, 0, 3, 0, 0, 3, "97%"),
    "SOC 2 (TSC 2017)": (38, 35, 1, 2, 0, 0, 0, "92%"),
}


def render(kind: str, fmt: str, out: Path, *extra: str) -> Path:
    result = CliRunner().invoke(
        app,
        ["report", kind, "--repo", str(PROJECT_ROOT), "-f", fmt, "-o", str(out), *FIXED, *extra],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        unavailable(
            "pdftotext is not installed (.ci/run installs it: apt-get install poppler-utils)"
        )
    require_pdf_engine()
    return found


def pdf_text(tool: str, path: Path) -> str:
    return subprocess.run([tool, str(path), "-"], check=True, capture_output=True, text=True).stdout


def figures_row(label: str, figures: tuple[object, ...]) -> re.Pattern[str]:
    """A table row: the label, then the figures in order, whatever separates them."""
    cells = r"[\s|]+".join(re.escape(str(f)) for f in figures)
    words = r"\s+".join(re.escape(word) for word in label.split())  # a label may wrap in its cell
    return re.compile(words + r"[\s|]+" + cells + r"[\s|]*$", re.MULTILINE)


#: The executive summary's coverage, each framework in words whose parts add up to its total.
HEADLINES = (
    "CSF 2.0, 106 requirements: 103 covered, 0 covered with deviations, 2 excepted, 1 gap,"
    " 0 not applicable.",
    "ISO/IEC 27001:2022, 93 requirements: 87 covered, 0 covered with deviations, 3 excepted,"
    " 0 gaps, 3 not applicable.",
    "SOC 2 (TSC 2017), 38 requirements: 35 covered, 1 covered with deviations, 2 excepted,"
    " 0 gaps, 0 not applicable.",
)


def test_the_briefing_headline_accounts_for_every_applicable_requirement(
    tmp_path: Path,
) -> None:
    markdown = render("audit-committee", "md", tmp_path / "ac.md").read_text()
    for line in HEADLINES:
        assert f"- {line}\n" in markdown


def test_the_briefing_gives_the_same_figures_in_md_html_and_pdf(
    tmp_path: Path,
    pdftotext: str,
    example_pdf: Callable[[str], Path],
) -> None:
    markdown = render("audit-committee", "md", tmp_path / "ac.md").read_text()
    html = render("audit-committee", "html", tmp_path / "ac.html").read_text()
    text = pdf_text(pdftotext, example_pdf("audit-committee"))
    cells = re.sub(r"</t[dh]><t[dh][^>]*>", " | ", html)
    cells = re.sub(r"<[^>]+>", "", cells)
    for label, figures in FRAMEWORKS.items():
        for name, document in (("md", markdown), ("html", cells), ("pdf", text)):
            assert figures_row(label, figures).search(document), (name, label)
    flat = " ".join(text.split())
    for line in HEADLINES:
        assert line in flat
        assert line in html


def test_the_soc2_package_gives_the_same_figures_in_md_html_pdf_csv_and_xlsx(
    tmp_path: Path,
    pdftotext: str,
    example_pdf: Callable[[str], Path],
) -> None:
    sentence = (
        "92% of the 38 applicable criteria covered: 35 covered with current evidence and no"
        " deviation or exception; 1 covered with deviations in the audit period, 2 excepted,"
        " 0 declared without current evidence, 0 with no control; 0 not applicable."
    )
    markdown = render("soc2", "md", tmp_path / "s.md").read_text()
    html = render("soc2", "html", tmp_path / "s.html").read_text()
    text = pdf_text(pdftotext, example_pdf("soc2"))
    assert sentence in markdown
    assert sentence in html
    assert sentence in " ".join(text.split())
    rows = list(csv.DictReader(io.StringIO(render("soc2", "csv", tmp_path / "s.csv").read_text())))
    statuses = {r["Criterion"]: r["Status"] for r in rows if r["Table"] == "Control matrix"}
    assert Counter(statuses.values()) == {
        "covered": 35,
        "covered-with-deviations": 1,
        "excepted": 2,
    }
    sheet = load_workbook(render("soc2", "xlsx", tmp_path / "s.xlsx"))["Control matrix"]
    cells = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells == statuses


def test_the_soa_counts_as_the_briefing_does_and_says_why_a_control_is_excepted(
    tmp_path: Path,
) -> None:
    table = csv.DictReader(io.StringIO(render("soa", "csv", tmp_path / "soa.csv").read_text()))
    rows = [
        r for r in table if r["Table"] == "Statement of Applicability" and r["Control"][:2] == "A."
    ]
    assert Counter(r["Status"] for r in rows) == {
        "covered": 87,
        "excepted": 3,
        "not-applicable": 3,
    }
    reasons = {r["Control"]: r["Note"] for r in rows if r["Status"] == "excepted"}
    assert reasons["A.5.18"] == "IAM-03 is under a live exception (EXC-2026-001)"
    markdown = render("soa", "md", tmp_path / "soa.md").read_text()
    assert (
        "87 of the 90 applicable Annex A controls (97%) are covered; 3 excepted; 3 not applicable."
        in (markdown)
    )
    assert "| excepted: IAM-03 is under a live exception (EXC-2026-001) |" in markdown


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [
        ("audit-committee", "md"),
        ("audit-committee", "html"),
        ("soc2", "md"),
        ("soc2", "html"),
        ("csf-profile", "md"),
        ("csf-profile", "html"),
        ("soa", "md"),
        ("soa", "html"),
    ],
)
def test_every_document_says_what_its_statuses_mean(kind: str, fmt: str, tmp_path: Path) -> None:
    text = render(kind, fmt, tmp_path / f"{kind}.{fmt}").read_text()
    assert "What the statuses mean" in text
    assert "a live exception" in text
    if kind in ("audit-committee", "soc2"):
        assert "missed an interval of the SOC 2 audit period" in text


def test_the_pdfs_say_what_the_statuses_mean(
    tmp_path: Path, pdftotext: str, example_pdf: Callable[[str], Path]
) -> None:
    for kind in ("audit-committee", "soc2"):
        text = " ".join(pdf_text(pdftotext, example_pdf(kind)).split())
        assert "What the statuses mean" in text, kind
        assert "covered-with-deviations covered, but a mapped control missed" in text, kind


def test_a_missed_soc2_interval_is_not_called_a_gap(tmp_path: Path) -> None:
    markdown = render("audit-committee", "md", tmp_path / "ac.md").read_text()
    assert "gap in SOC 2 occurrence testing" not in markdown
    assert (
        "| No evidence that PHY-01 (Badge access to offices and network rooms, reviewed"
        " quarterly) operated in 2026-Q2, inside the SOC 2 audit period: the auditor will report"
        " a deviation | Director, Corporate Security | 2026-Q2 |" in markdown
    )


def test_the_briefing_lists_coverage_gaps_among_its_top_items(tmp_path: Path) -> None:
    markdown = render("audit-committee", "md", tmp_path / "ac.md").read_text()
    assert "| CSF 2.0: 1 requirement no control addresses (GV.RM-07) | not assigned | - |" in (
        markdown
    )


def test_a_coverage_bar_is_drawn_over_the_applicable_requirements() -> None:
    tally = Tally("", "ISO/IEC 27001:2022", 93, 87, 0, 0, 3, 3, 0)
    svg = coverage_bars([tally], "t")
    segment = r'<g><title>([^<:]+): \d+</title><rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"'
    drawn = re.findall(segment, svg)
    assert {name: float(width) for name, width in drawn} == {
        "covered": pytest.approx(400 * 87 / 90, abs=0.1),
        "excepted": pytest.approx(400 * 3 / 90, abs=0.1),
    }
    # 3 of 90 is too narrow a segment for its count, which follows the share instead
    assert ">97%; 3 excepted (3 not applicable)</text>" in svg
    assert "covered-with-deviations" not in svg  # the legend names what the bars show
    assert ">covered with deviations<" not in svg


def test_occurrence_testing_takes_a_daily_control_in_runs(
    tmp_path: Path, pdftotext: str, example_pdf: Callable[[str], Path]
) -> None:
    markdown = render("soc2", "md", tmp_path / "s.md").read_text()
    assert "| daily | 2026-01-01 to 2026-09-30: 273 ok |" in markdown
    assert "| quarterly | 2026-Q1: ok; 2026-Q2: missing; 2026-Q3: ok |" in markdown
    text = " ".join(pdf_text(pdftotext, example_pdf("soc2")).split())
    assert "2026-Q1: ok; 2026-Q2: missing; 2026-Q3: ok" in text


def test_user_text_prints_literally_in_the_pdfs(
    make_repo: MakeRepo, tmp_path: Path, pdftotext: str
) -> None:
    title = "Quarterly <i>access</i> recertification & <Q>"
    root = make_repo(
        {
            "ciptool.yaml": "program: P <b> & Co\nframeworks: [soc2-2017]\n",
            "controls/iam.yaml": MINIMAL_CONTROL.replace(
                "title: Quarterly access recertification", f'title: "{title}"'
            ).replace("process: identity-and-access-management", "process: governance"),
            "evidence/2026/iam-01.yaml": MINIMAL_EVIDENCE,
        }
    )
    for kind in ("soc2", "audit-committee"):
        out = tmp_path / f"{kind}.pdf"
        result = CliRunner().invoke(
            app, ["report", kind, "--repo", str(root), "-f", "pdf", "-o", str(out), *FIXED]
        )
        assert result.exit_code == 0, result.output
        text = " ".join(pdf_text(pdftotext, out).split())
        assert "P <b> & Co" in text, kind
        if kind == "audit-committee":
            assert title in text


def test_a_requirement_under_an_exception_names_it(tmp_path: Path) -> None:
    soa = render("soa", "md", tmp_path / "soa.md").read_text()
    assert "| excepted: a live exception covers the requirement (EXC-2026-002) |" in soa
    profile = render("csf-profile", "md", tmp_path / "csf.md").read_text()
    assert "| excepted: a live exception covers the requirement (EXC-2026-003) |" in profile


def test_the_workbooks_about_sheet_is_readable_and_says_what_the_statuses_mean(
    tmp_path: Path,
) -> None:
    for kind in ("soc2", "soa"):
        about = load_workbook(render(kind, "xlsx", tmp_path / f"{kind}.xlsx"))["About"]
        rows = [row for row in about.iter_rows(values_only=True) if any(row)]
        for column, index in (("A", 0), ("B", 1)):
            longest = max(len(str(row[index] or "")) for row in rows if index < len(row))
            width = about.column_dimensions[column].width
            assert width >= min(longest, 100), (kind, column, width, longest)
        meanings = {row[0]: row[1] for row in rows}
        assert meanings["covered-with-deviations"].startswith("covered, but a mapped control")
        assert meanings["Status"] == "What it means"


@pytest.mark.parametrize("kind", ["soc2", "soa", "csf-profile", "evidence-index", "third-parties"])
@pytest.mark.browser
def test_no_date_or_id_breaks_across_lines_and_no_table_overflows(
    kind: str, tmp_path: Path
) -> None:
    from test_browser import BROWSER_FLAGS, CHROMIUM

    if CHROMIUM is None:
        unavailable("Chromium is not installed (.ci/run installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    document = render(kind, "html", tmp_path / f"{kind}.html")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(document.as_uri())
        broken = page.evaluate(
            """() => [...document.querySelectorAll('td.date, .id')]
                 .filter(e => { const r = document.createRange(); r.selectNodeContents(e);
                                return r.getClientRects().length > 1; })
                 .map(e => e.textContent)"""
        )
        overflowing = page.evaluate(
            """() => {
                 const edge = document.querySelector('header.doc').getBoundingClientRect().right;
                 return [...document.querySelectorAll('table')]
                   .filter(t => t.getBoundingClientRect().right > edge + 1).length;
               }"""
        )
        marked = page.evaluate("() => document.querySelectorAll('td.date, .id').length")
        browser.close()
    assert marked > 0
    assert broken == []
    assert overflowing == 0
