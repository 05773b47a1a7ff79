"""``ciptool report risk-register``: golden documents in every format on a register with
every case a reader meets (above the appetite and accepted, above and not, an expired and a
missing acceptance, an avoided risk, an overdue action and review, stale and unknown controls),
and the heat map drawn in a real browser."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import unavailable
from test_browser import ARTIFACTS, BROWSER_FLAGS, CHROMIUM
from test_reports import CONFIG, EXCEPTIONS, FIXED, fixture_repo

GOLDEN = Path(__file__).parent / "golden" / "risk-register"

RISKS = """\
risks:
  - id: RSK-002
    title: Former staff keep access to member records
    owner: Director, Identity and Access
    category: privacy
    inherent: {likelihood: 4, impact: 4}
    residual: {likelihood: 2, impact: 3}
    treatment: mitigate
    controls: [IAM-01]
    reviewed_on: 2026-03-01
    review_every: 6mo
    actions:
      - id: RSK-002-A1
        description: Leaver feed from HR straight into the directory
        owner: Director, Identity and Access
        due_on: 2027-02-28
        status: planned
  - id: RSK-001
    title: Ransomware halts claims processing
    owner: Chief Information Security Officer
    category: cyber
    inherent: {likelihood: 4, impact: 5}
    residual: {likelihood: 3, impact: 4}
    treatment: mitigate
    controls: [OPS-01, IR-01]
    exceptions: [EXC-001]
    reviewed_on: 2026-10-20
    review_every: 6mo
    actions:
      - id: RSK-001-A1
        description: Immutable backups for the claims platform
        owner: Director, Infrastructure
        due_on: 2026-10-31
        status: in-progress
      - id: RSK-001-A2
        description: Tabletop exercise of a claims-platform outage
        owner: Director, Cyber Incident Response
        due_on: 2026-06-30
        status: done
        completed_on: 2026-05-14
  - id: RSK-003
    title: A claims processor loses member data
    owner: Director, Third Party Management
    category: third-party
    inherent: {likelihood: 3, impact: 5}
    residual: {likelihood: 3, impact: 5}
    treatment: transfer
    controls: [IR-01, TPM-09]
    exceptions: [EXC-002, EXC-404]
    reviewed_on: 2026-09-01
    review_every: 1y
    actions:
      - id: RSK-003-A1
        description: Cyber insurance cover for supplier breaches
        owner: Chief Financial Officer
        due_on: 2027-01-31
        status: in-progress
  - id: RSK-004
    title: Faxed prior authorisations reach the wrong provider
    owner: Director, Utilization Management
    category: privacy
    inherent: {likelihood: 2, impact: 2}
    residual: {likelihood: 1, impact: 1}
    treatment: avoid
    reviewed_on: 2026-08-15
    review_every: 1y
"""
EXPIRED = """\
  - id: EXC-002
    applies_to: {control: IR-01}
    reason: Supplier breach cover is waiting for the insurer's renewal.
    risk: high
    approved_by: Chief Financial Officer
    approved_on: 2026-01-10
    expires_on: 2026-09-30
"""


def register_repo(root: Path) -> Path:
    """The report fixture with a risk appetite of 8, the register above and an expired
    exception beside the live one."""
    fixture_repo(root)
    (root / "ciptool.yaml").write_text(CONFIG + "risk: {appetite: 8}\n", encoding="utf-8")
    (root / "exceptions/2026.yaml").write_text(EXCEPTIONS + EXPIRED, encoding="utf-8")
    (root / "risks").mkdir()
    (root / "risks/register.yaml").write_text(RISKS, encoding="utf-8")
    return root


def make(root: Path, fmt: str, out: Path) -> Path:
    result = CliRunner().invoke(
        app, ["report", "risk-register", "--repo", str(root), "-f", fmt, "-o", str(out), *FIXED]
    )
    assert result.exit_code == 0, result.output
    return out


def workbook_text(path: Path) -> str:
    """Every sheet of a workbook, a row a line as JSON (a date as text): what a golden file
    can show, with each cell's type."""
    lines = []
    for sheet in load_workbook(path).worksheets:
        lines.append(f"# {sheet.title}")
        for row in sheet.iter_rows(values_only=True):
            lines.append(json.dumps(list(row), default=str))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "xlsx"])
def test_golden_risk_register(fmt: str, tmp_path: Path) -> None:
    root = register_repo(tmp_path / "repo")
    out = make(root, fmt, tmp_path / f"out.{fmt}")
    text = workbook_text(out) if fmt == "xlsx" else out.read_text(encoding="utf-8")
    golden = GOLDEN / (f"register.{fmt}" + (".txt" if fmt == "xlsx" else ""))
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_summary_counts_each_case_once(tmp_path: Path) -> None:
    root = register_repo(tmp_path / "repo")
    text = make(root, "md", tmp_path / "out.md").read_text(encoding="utf-8")
    summary = text.split("## Summary")[1].split("## Heat map")[0]
    rows = dict(
        line.strip("|").split(" | ")
        for line in summary.splitlines()
        if line.startswith("| ") and line != "| | |"
    )
    assert {key.strip(): value.strip() for key, value in rows.items()} == {
        "Risks": "4",
        "Residual critical": "0",
        "Residual high": "2",
        "Residual medium": "1",
        "Residual low": "1",
        "Above the appetite (a residual score over 8)": "2",
        "Above the appetite with no live acceptance": "1",
        "Reviews overdue": "1",
        "Actions": "4",
        "Actions open": "3",
        "Actions overdue": "1",
    }


def test_the_register_names_what_each_acceptance_and_control_is(tmp_path: Path) -> None:
    root = register_repo(tmp_path / "repo")
    text = make(root, "md", tmp_path / "out.md").read_text(encoding="utf-8")
    assert "| EXC-001 | The log platform migration pauses monthly reviews until December." in text
    assert "| not live: expired on 2026-09-30 |" in text
    assert "| EXC-404 |  |  |  | not live: does not exist |" in text
    assert "| TPM-09 |  | unknown: no control has this id |" in text
    evidence = "not current: log-review has no evidence"
    assert f"| OPS-01 | Central log collection and review | {evidence} |" in text


@pytest.mark.browser
def test_the_heat_map_shows_in_a_headless_browser(tmp_path: Path) -> None:
    if CHROMIUM is None:
        unavailable("Chromium is not installed (.ci/run installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    root = register_repo(tmp_path / "repo")
    document = make(root, "html", tmp_path / "risk-register.html")
    errors: list[str] = []
    requests: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "risk-register-heat-map.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(document.as_uri())
        page.wait_for_load_state("load")
        heat = page.locator(".heat-map svg")
        assert heat.count() == 1
        assert heat.is_visible()
        box = heat.bounding_box()
        assert box is not None
        cells = page.eval_on_selector_all(
            ".heat-map svg g rect",
            "els => els.filter(e => { const r = e.getBoundingClientRect();"
            " return r.width > 40 && r.height > 30; }).length",
        )
        counts = page.eval_on_selector_all(
            ".heat-map svg g text[font-weight=bold]", "els => els.map(e => e.textContent)"
        )
        title = page.eval_on_selector(".heat-map svg", "e => e.querySelector('title').textContent")
        heat.screenshot(path=str(shot))  # kept in test-artifacts/ for a reader to look at
        pixels = page.evaluate(
            "async (data) => { const img = new Image(); img.src = data; await img.decode();"
            " const c = document.createElement('canvas'); c.width = img.width;"
            " c.height = img.height; const g = c.getContext('2d'); g.drawImage(img, 0, 0);"
            " const d = g.getImageData(0, 0, c.width, c.height).data; const seen = new Set();"
            " for (let i = 0; i < d.length; i += 4) seen.add(d[i] + ',' + d[i+1] + ',' + d[i+2]);"
            " return seen.size; }",
            "data:image/png;base64," + base64.b64encode(shot.read_bytes()).decode(),
        )
        browser.close()
    assert errors == []
    assert requests == [document.as_uri()]
    assert box["width"] > 600 and box["height"] > 300
    assert cells == 50  # two grids of 25 cells, each drawn at its size
    # Inherent: RSK-001 4x5, RSK-003 3x5, RSK-002 4x4, RSK-004 2x2; residual: RSK-003 3x5,
    # RSK-001 3x4, RSK-002 2x3, RSK-004 1x1: one risk in each of eight cells.
    assert counts == ["1"] * 8
    assert title == "Where the risks sit: likelihood x impact"
    assert pixels > 8  # the four level fills, outlines and text: not a blank box
