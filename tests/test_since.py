"""``--since``: what changed since the last briefing, summarised for the board (counts, the few
changes that matter named), every change in the appendix, and no comparison with a state
later than the report's own day."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import MINIMAL_POLICY, write_repo
from test_trend import CONFIG, FILE, commit_all, control, evidence

AS_OF = ["--as-of", "2026-09-15", "--generated-at", "2026-09-15T12:00:00Z"]

OLD_EXCEPTION = """\
  - id: EXC-OLD
    applies_to: {requirement: "iso27001-2022:A.5.2"}
    reason: Roles are being redrawn in the reorganisation.
    risk: low
    approved_by: Chief Information Security Officer
    approved_on: 2026-01-05
    expires_on: 2026-06-30
"""
NEW_EXCEPTION = """\
  - id: EXC-NEW
    applies_to: {requirement: "nist-csf-2.0:PR.AA-02"}
    reason: Identity proofing of brokers waits for the new portal.
    risk: high
    approved_by: Chief Risk Officer
    approved_on: 2026-05-01
    expires_on: 2027-01-31
"""


def two_states(root: Path) -> Path:
    """2026-02-10: C-1 covers six CSF 2.0 subcategories and ISO A.5.1; EXC-OLD excepts ISO
    A.5.2 until 2026-06-30. 2026-05-05: C-1 keeps only DE.CM-01 and A.5.1; EXC-NEW excepts
    PR.AA-02."""
    first: dict[str, str | bytes] = {
        "ciptool.yaml": CONFIG,
        "policies/access.yaml": MINIMAL_POLICY,
        "controls/all.yaml": "controls:\n"
        + control(
            "C-1", "GV.OC-01, GV.OC-02, GV.OC-03, GV.OC-04, GV.OC-05, DE.CM-01, DE.CM-02", "A.5.1"
        ),
        "evidence/2026/review.yaml": "evidence:\n" + evidence("C-1", "2026-02-01", "2026-02-02"),
        "evidence/2026/files/review.csv": FILE,
        "exceptions/2026.yaml": "exceptions:\n" + OLD_EXCEPTION,
    }
    write_repo(root, first, minimal=False)
    commit_all(root, "first", "2026-02-10")
    second: dict[str, str | bytes] = {
        "controls/all.yaml": "controls:\n" + control("C-1", "DE.CM-01", "A.5.1"),
        "exceptions/2026.yaml": "exceptions:\n" + OLD_EXCEPTION + NEW_EXCEPTION,
    }
    write_repo(root, second, minimal=False)
    commit_all(root, "second", "2026-05-05")
    return root


def briefing(root: Path, fmt: str, *args: str) -> str:
    outcome = CliRunner().invoke(
        app,
        ["report", "audit-committee", "--repo", str(root), "-f", fmt, "-o", "-", *AS_OF, *args],
    )
    assert outcome.exit_code == 0, outcome.output
    return outcome.stdout


def part(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


SUMMARY = (
    "8 requirements changed status (6 no longer covered, 1 newly a gap, 1 no longer a gap);"
    " 1 risk acceptance is new and 1 expired."
)
COUNTS = """\
| Change | Count |
|---|---:|
| Requirements newly covered | 0 |
| Requirements no longer covered | 6 |
| Requirements newly a gap | 1 |
| Requirements no longer a gap | 1 |
| Requirements with another change of status | 0 |
| Risk acceptances new | 1 |
| Risk acceptances expired | 1 |
"""
HIGHLIGHTS = [
    "The risk acceptance EXC-OLD (low risk, ISO/IEC 27001:2022 A.5.2) expired on 2026-06-30.",
    "A new risk acceptance, EXC-NEW (high risk, CSF 2.0 PR.AA-02), approved by Chief Risk"
    " Officer until 2027-01-31: Identity proofing of brokers waits for the new portal.",
    "CSF 2.0 DE.CM-02 (",
    "CSF 2.0 GV.OC-01 (",
    "CSF 2.0 GV.OC-02 (",
]


def test_the_summary_counts_every_kind_and_names_the_changes_that_matter(tmp_path: Path) -> None:
    root = two_states(tmp_path / "repo")
    markdown = briefing(root, "md", "--since", "2026-03-31")
    changes = part(markdown, "## What changed since the last briefing", "## Appendix")
    assert f"Compared with the program as it stood on 2026-03-31: {SUMMARY}\n" in changes
    assert COUNTS in changes
    named = [line[2:] for line in changes.splitlines() if line.startswith("- ")]
    assert len(named) == 5
    for line, start in zip(named, HIGHLIGHTS, strict=True):
        assert line.startswith(start), line
    assert named[2].endswith(") is no longer covered: it was covered and is now a gap.")
    assert "4 more such changes are listed in the appendix.\n" in changes
    for word in ("--since", "commit", "GV.OC-03", "CV001", "EX001", "warning", "error"):
        assert word not in changes
    assert f"**Since 2026-03-31:** {SUMMARY}\n" in markdown


def test_the_appendix_lists_every_change(tmp_path: Path) -> None:
    root = two_states(tmp_path / "repo")
    markdown = briefing(root, "md", "--since", "2026-03-31")
    appendix = part(markdown, "### Every change since 2026-03-31", "\n---\n")
    rows = [line for line in appendix.splitlines() if line.startswith("| ")]
    moves = [row.split(" | ")[:3] + row.split(" | ")[-2:] for row in rows[1:9]]
    assert moves == [
        ["| no longer covered", "CSF 2.0", "DE.CM-02", "covered", "gap |"],
        ["| no longer covered", "CSF 2.0", "GV.OC-01", "covered", "gap |"],
        ["| no longer covered", "CSF 2.0", "GV.OC-02", "covered", "gap |"],
        ["| no longer covered", "CSF 2.0", "GV.OC-03", "covered", "gap |"],
        ["| no longer covered", "CSF 2.0", "GV.OC-04", "covered", "gap |"],
        ["| no longer covered", "CSF 2.0", "GV.OC-05", "covered", "gap |"],
        ["| newly a gap", "ISO/IEC 27001:2022", "A.5.2", "excepted", "gap |"],
        ["| no longer a gap", "CSF 2.0", "PR.AA-02", "gap", "excepted |"],
    ]
    assert rows[10:] == [
        "| EXC-OLD | expired | low | ISO/IEC 27001:2022 A.5.2 | Chief Information Security"
        " Officer | 2026-06-30 | Roles are being redrawn in the reorganisation. |",
        "| EXC-NEW | new | high | CSF 2.0 PR.AA-02 | Chief Risk Officer | 2027-01-31 | Identity"
        " proofing of brokers waits for the new portal. |",
    ]


def test_html_says_what_markdown_says(tmp_path: Path) -> None:
    root = two_states(tmp_path / "repo")
    html = briefing(root, "html", "--since", "2026-03-31")
    changes = part(html, '<section id="changes">', '<section id="appendix">')
    assert f"<p>Compared with the program as it stood on 2026-03-31: {SUMMARY}</p>" in changes
    assert '<tr><td>Requirements no longer covered</td><td class="num">6</td></tr>' in changes
    assert changes.count("<li>") == 5
    assert "<p>4 more such changes are listed in the appendix.</p>" in changes
    appendix = part(html, '<h3 id="changes-appendix">', "</section>")
    assert appendix.count("<tr><td>no longer covered</td>") == 6
    assert "<tr><td>EXC-NEW</td><td>new</td><td>high</td>" in appendix


def test_without_a_comparison_the_section_says_so_plainly(tmp_path: Path) -> None:
    root = two_states(tmp_path / "repo")
    expected = "No earlier briefing was compared with this one, so no changes are reported here."
    markdown = briefing(root, "md")
    assert f"## What changed since the last briefing\n\n{expected}\n" in markdown
    assert "changes-appendix" not in briefing(root, "html")
    assert f"<h2>What changed since the last briefing</h2>\n<p>{expected}</p>" in (
        briefing(root, "html")
    )
    assert "--since" not in markdown


def test_a_revision_committed_after_the_report_day_is_refused(tmp_path: Path) -> None:
    root = two_states(tmp_path / "repo")
    commit = CliRunner().invoke(
        app,
        ["report", "audit-committee", "--repo", str(root), "-o", "-", "--since", "HEAD",
         "--as-of", "2026-04-30"],
    )  # fmt: skip
    assert commit.exit_code == 2, commit.output
    assert commit.stderr == (
        "ciptool: --since HEAD was committed on 2026-05-05, after the report's date 2026-04-30"
        " (--as-of): compare with an earlier revision or date\n"
    )
    assert commit.stdout == ""
    earlier = briefing(root, "md", "--since", "HEAD~1")
    assert "Compared with the program as it stood on 2026-02-10 (revision HEAD\\~1): 8" in earlier


@pytest.mark.parametrize("kind", ["soc2", "risk-register"])
def test_since_is_refused_for_a_report_that_does_not_show_it(tmp_path: Path, kind: str) -> None:
    root = two_states(tmp_path / "repo")
    outcome = CliRunner().invoke(
        app, ["report", kind, "--repo", str(root), "-o", "-", *AS_OF, "--since", "HEAD~1"]
    )
    assert outcome.exit_code == 2, outcome.output
    assert outcome.stderr == (
        f"ciptool: --since is for the audit-committee report (and reports of your own),"
        f" not `{kind}`\n"
    )
