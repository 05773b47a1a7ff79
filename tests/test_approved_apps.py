"""``ciptool report approved-apps``: the list a member-facing page publishes, in every format."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import write_repo

GOLDEN = Path(__file__).parent / "golden"
FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]
ATTESTATION = b"%PDF-1.4 CARIN Alliance Code of Conduct attestation, Example Apps Inc.\n"
APPS = f"""\
# Apps members may authorise to read their claims data.
apps:
  - id: APP-0042
    name: Example Health Wallet
    developer: Example Apps Inc.
    status: approved
    decided_on: 2026-04-02
    carin_attestation:
      attested_on: 2026-03-28
      document: apps/attestations/app-0042.pdf
      sha256: {hashlib.sha256(ATTESTATION).hexdigest()}
    privacy_policy: {{url: "https://example.org/privacy", reviewed_on: 2026-03-30}}
  - id: APP-0051
    name: claimsTracker
    developer: Bluebell Software LLC
    status: approved
    decided_on: 2026-06-18
    privacy_policy:
      url: "https://bluebell.example/legal/privacy?app=claims"
      reviewed_on: 2026-06-10
  - id: APP-0007
    name: Old Claims Viewer
    developer: Legacy Apps LLC
    status: revoked
    decided_on: 2026-02-01
    carin_attestation: {{attested_on: 2024-01-10, document: apps/attestations/app-0007.pdf}}
    privacy_policy: {{url: "https://legacy.example/privacy", reviewed_on: 2024-01-02}}
  - id: APP-0060
    name: Family Health Hub
    developer: Hub Labs
    status: requested
  - id: APP-0033
    name: Denied Reader
    developer: Unknown Apps
    status: denied
    decided_on: 2026-05-02
"""


def fixture_repo(root: Path) -> Path:
    """A minimal repository with five apps: two approved (one attested), one revoked, one
    requested and one denied."""
    return write_repo(
        root,
        {
            "ciptool.yaml": "program: Fixture Health Information Protection Program\n",
            "apps/members.yaml": APPS,
            "apps/attestations/app-0042.pdf": ATTESTATION,
        },
    )


def report(root: Path, fmt: str, out: Path) -> Path:
    made = CliRunner().invoke(
        app, ["report", "approved-apps", "--repo", str(root), "-f", fmt, "-o", str(out), *FIXED]
    )
    assert made.exit_code == 0, made.output
    return out


@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
def test_golden_approved_apps(fmt: str, tmp_path: Path) -> None:
    out = report(fixture_repo(tmp_path / "repo"), fmt, tmp_path / f"out.{fmt}")
    golden = GOLDEN / f"approved-apps-listed.{fmt}"
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        golden.write_bytes(out.read_bytes())
    assert out.read_bytes() == golden.read_bytes()


def test_the_workbook_lists_the_approved_apps_as_the_csv_does(tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "repo")
    rows = list(csv.reader(io.StringIO(report(root, "csv", tmp_path / "a.csv").read_text())))
    assert rows == [
        [
            "App",
            "Developer",
            "Approved on",
            "Privacy policy",
            "CARIN Alliance Code of Conduct",
            "Id",
        ],
        [
            "claimsTracker",
            "Bluebell Software LLC",
            "2026-06-18",
            "https://bluebell.example/legal/privacy?app=claims",
            "not attested",
            "APP-0051",
        ],
        [
            "Example Health Wallet",
            "Example Apps Inc.",
            "2026-04-02",
            "https://example.org/privacy",
            "\u2713 attested on 2026-03-28",
            "APP-0042",
        ],
    ]
    sheet = load_workbook(report(root, "xlsx", tmp_path / "a.xlsx"))["Approved apps"]
    cells = [
        [
            value.date().isoformat() if isinstance(value, dt.datetime) else str(value)
            for value in row
        ]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == rows
    assert sheet["C2"].is_date  # a date, shown yyyy-mm-dd
    assert sheet["C2"].number_format == "yyyy-mm-dd"


def test_only_a_plain_web_address_becomes_a_link_and_app_text_is_inert(
    tmp_path: Path,
) -> None:
    hostile = """\
apps:
  - id: APP-0001
    name: "<script>alert(1)</script>"
    developer: "=HYPERLINK(\\"http://x\\")"
    status: approved
    decided_on: 2026-04-02
    privacy_policy: {url: "javascript:alert(1)", reviewed_on: 2026-03-30}
  - id: APP-0002
    name: Second
    developer: "Pipes | and [brackets](http://x)"
    status: approved
    decided_on: 2026-04-02
    privacy_policy: {url: "https://x.example/a) [b](c", reviewed_on: 2026-03-30}
"""
    root = write_repo(tmp_path / "repo", {"apps/members.yaml": hostile})
    html = report(root, "html", tmp_path / "a.html").read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert "<td>javascript:alert(1)</td>" in html
    assert "<a href" not in html
    markdown = report(root, "md", tmp_path / "a.md").read_text()
    assert "<script>" not in markdown
    assert "<javascript" not in markdown
    assert "| Pipes \\| and \\[brackets\\](http://x) |" in markdown
    assert "| https://x.example/a) \\[b\\](c |" in markdown
    table = list(csv.reader(io.StringIO(report(root, "csv", tmp_path / "a.csv").read_text())))
    assert table[1][1] == '\'=HYPERLINK("http://x")'


def test_an_attestation_whose_document_changed_or_is_missing_is_not_marked(
    tmp_path: Path,
) -> None:
    root = fixture_repo(tmp_path / "repo")
    (root / "apps/attestations/app-0042.pdf").write_bytes(ATTESTATION.replace(b"Inc.", b"Inc!"))
    markdown = report(root, "md", tmp_path / "a.md").read_text()
    assert (
        "| Example Health Wallet | Example Apps Inc. | 2026-04-02 |"
        " <https://example.org/privacy> |  |\n"
    ) in markdown
    assert "\u2713 attested" not in markdown
    (root / "apps/attestations/app-0042.pdf").unlink()
    html = report(root, "html", tmp_path / "a.html").read_text()
    assert "</span> attested" not in html
    rows = list(csv.reader(io.StringIO(report(root, "csv", tmp_path / "a.csv").read_text())))
    assert rows[2][4] == (
        "not marked: attested on 2026-03-28, but the attestation document is missing or changed"
        " (see AP002)"
    )
