"""``ciptool report audit-committee --trend Nq``: the repository at the end of each of the last
quarters, read from git history, against figures computed by hand."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.render.line_charts import line_chart
from ciptool.reports.trends import trend_days
from conftest import MINIMAL_POLICY, write_repo

GENERATED = ["--generated-at", "2026-09-15T12:00:00Z"]
AS_OF = ["--as-of", "2026-09-15", *GENERATED]

CONFIG = """\
program: Trend Health
frameworks: [nist-csf-2.0, iso27001-2022]
risk: {appetite: 8}
"""
FILE = b"date,reviewer\n2026-02-01,a.reviewer\n"
DIGEST = hashlib.sha256(FILE).hexdigest()


def control(ident: str, csf: str, iso: str) -> str:
    return f"""\
  - id: {ident}
    title: Control {ident}
    owner: Security lead
    policy: POL-ACCESS
    frequency: annual
    mappings:
      nist-csf-2.0: [{csf}]
      iso27001-2022: [{iso}]
    evidence:
      - id: review
        description: Annual review sign-off
"""


def evidence(ident: str, effective: str, collected: str) -> str:
    return f"""\
  - control: {ident}
    requirement: review
    collected_on: {collected}
    effective_on: {effective}
    files:
      - {{path: files/review.csv, sha256: "{DIGEST}"}}
"""


def risk(ident: str, likelihood: int, impact: int, exceptions: str = "[]") -> str:
    return f"""\
  - id: {ident}
    title: Risk {ident}
    owner: Chief Information Security Officer
    category: cyber
    inherent: {{likelihood: 5, impact: 5}}
    residual: {{likelihood: {likelihood}, impact: {impact}}}
    treatment: mitigate
    controls: [C-1]
    exceptions: {exceptions}
    reviewed_on: 2026-01-20
    review_every: 12mo
"""


def phishing(values: str) -> str:
    return f"""\
  - id: M-PHISH
    title: Phishing click rate
    kind: kri
    unit: percent
    better: lower
    threshold: 5.0
    owner: Awareness lead
    frequency: quarterly
    values:
{values}"""


CONTAIN = """\
  - id: M-CONTAIN
    title: Time to contain
    kind: kpi
    unit: hours
    better: lower
    threshold: 24
    owner: Incident lead
    frequency: quarterly
    values:
      - {period: 2026-Q2, value: 30}
      - {period: 2026-Q3, value: 10}
"""
EXCEPTION = """\
exceptions:
  - id: EXC-1
    applies_to: {requirement: "nist-csf-2.0:GV.OC-02"}
    reason: The organisational context review waits for the new strategy.
    risk: medium
    approved_by: Chief Risk Officer
    approved_on: 2026-05-01
    expires_on: 2027-03-31
"""


def commit_all(root: Path, message: str, day: str) -> None:
    """Commit every file of ``root`` (a git repository from the first call) dated ``day``."""
    moment = f"{day}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": moment, "GIT_COMMITTER_DATE": moment}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", message]):
        if args[0] == "init" and (root / ".git").exists():
            continue
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root), *args],
            check=True,
            capture_output=True,
            env=env,
        )


def three_quarters(root: Path) -> Path:
    """A history of three commits in 2026-Q1, Q2 and Q3.

    Q1 (2026-02-10): only NIST CSF 2.0 in scope; control C-1 (CSF GV.OC-01 and DE.CM-01, ISO
    A.5.1); risks R-1 (residual 3 x 3 = 9, medium, above the appetite of 8, no acceptance) and
    R-2 (1 x 2 = 2, low); the phishing rate 6.0% for 2025-Q4.
    Q2 (2026-05-05): ISO/IEC 27001:2022 in scope too; control C-2 (PR.AA-01 and RS.MA-01,
    A.5.15 and A.5.24); EXC-1 accepts R-1; R-3 (4 x 4 = 16, high, above the appetite, no
    acceptance); the phishing rate 4.0% for 2026-Q1.
    Q3 (2026-08-20): control C-3 (ID.AM-01 and ID.RA-01, A.5.15 again); R-3 down to 2 x 2 = 4;
    the phishing rate 5.5% for 2026-Q2; a new metric, time to contain, 30 hours for 2026-Q2
    and 10 for 2026-Q3 (a period not yet ended on 2026-09-15).
    """
    controls = "controls:\n" + control("C-1", "GV.OC-01, DE.CM-01", "A.5.1")
    records = "evidence:\n" + evidence("C-1", "2026-02-01", "2026-02-02")
    values = "      - {period: 2025-Q4, value: 6.0}\n"
    first: dict[str, str | bytes] = {
        "ciptool.yaml": CONFIG.replace(", iso27001-2022]", "]"),
        "policies/access.yaml": MINIMAL_POLICY,
        "controls/all.yaml": controls,
        "evidence/2026/review.yaml": records,
        "evidence/2026/files/review.csv": FILE,
        "risks/cyber.yaml": "risks:\n" + risk("R-1", 3, 3) + risk("R-2", 1, 2),
        "metrics/kri.yaml": "metrics:\n" + phishing(values),
    }
    write_repo(root, first, minimal=False)
    commit_all(root, "first quarter", "2026-02-10")
    controls += control("C-2", "PR.AA-01, RS.MA-01", "A.5.15, A.5.24")
    records += evidence("C-2", "2026-05-01", "2026-05-02")
    values += "      - {period: 2026-Q1, value: 4.0}\n"
    second: dict[str, str | bytes] = {
        "ciptool.yaml": CONFIG,
        "controls/all.yaml": controls,
        "evidence/2026/review.yaml": records,
        "exceptions/2026.yaml": EXCEPTION,
        "risks/cyber.yaml": "risks:\n"
        + risk("R-1", 3, 3, "[EXC-1]")
        + risk("R-2", 1, 2)
        + risk("R-3", 4, 4),
        "metrics/kri.yaml": "metrics:\n" + phishing(values),
    }
    write_repo(root, second, minimal=False)
    commit_all(root, "second quarter", "2026-05-05")
    controls += control("C-3", "ID.AM-01, ID.RA-01", "A.5.15")
    records += evidence("C-3", "2026-08-10", "2026-08-12")
    values += "      - {period: 2026-Q2, value: 5.5}\n"
    third: dict[str, str | bytes] = {
        "controls/all.yaml": controls,
        "evidence/2026/review.yaml": records,
        "risks/cyber.yaml": "risks:\n"
        + risk("R-1", 3, 3, "[EXC-1]")
        + risk("R-2", 1, 2)
        + risk("R-3", 2, 2),
        "metrics/kri.yaml": "metrics:\n" + phishing(values) + CONTAIN,
    }
    write_repo(root, third, minimal=False)
    commit_all(root, "third quarter", "2026-08-20")
    return root


def report(root: Path, fmt: str, *args: str) -> str:
    outcome = CliRunner().invoke(
        app,
        ["report", "audit-committee", "--repo", str(root), "-f", fmt, "-o", "-", *AS_OF, *args],
    )
    assert outcome.exit_code == 0, outcome.output
    return outcome.stdout


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


#: The figures of the three quarters, worked out by hand from the history above. Shares are
#: covered of applicable: CSF 2.0 has 106 subcategories (GV 31, ID 21, PR 22, DE 11, RS 13,
#: RC 8), ISO/IEC 27001:2022 Annex A 93 controls.
HEAD = "| 2026-Q1 (2026-03-31) | 2026-Q2 (2026-06-30) | 2026-Q3 to date (2026-09-15) |"
RULE = "|---|---:|---:|---:|"
POSTURE = f"""\
| Framework {HEAD}
{RULE}
| CSF 2.0 | 2% (2 of 106) | 4% (4 of 106) | 6% (6 of 106) |
| ISO/IEC 27001:2022 | not in scope | 3% (3 of 93) | 3% (3 of 93) |

| Function {HEAD}
{RULE}
| GV GOVERN | 3% (1 of 31) | 3% (1 of 31) | 3% (1 of 31) |
| ID IDENTIFY | 0% (0 of 21) | 0% (0 of 21) | 10% (2 of 21) |
| PR PROTECT | 0% (0 of 22) | 5% (1 of 22) | 5% (1 of 22) |
| DE DETECT | 9% (1 of 11) | 9% (1 of 11) | 9% (1 of 11) |
| RS RESPOND | 0% (0 of 13) | 8% (1 of 13) | 8% (1 of 13) |
| RC RECOVER | 0% (0 of 8) | 0% (0 of 8) | 0% (0 of 8) |
"""
RISK = f"""\
| Risks {HEAD}
{RULE}
| critical residual risks | 0 | 0 | 0 |
| high residual risks | 0 | 1 | 0 |
| medium residual risks | 1 | 1 | 1 |
| low residual risks | 1 | 1 | 2 |
| all risks | 2 | 3 | 3 |
| risks above appetite | 1 | 2 | 1 |
| of which no live acceptance carries | 1 | 1 | 0 |
| live risk acceptances | 0 | 1 | 1 |

The risk appetite was a residual score of 8 throughout. A risk above the appetite is carried \
only under a live risk acceptance.
"""
METRICS = f"""\
| Metric (threshold) {HEAD}
{RULE}
| M-CONTAIN Time to contain (lower is better; threshold 24 hours) | not tracked | not tracked \
| 30 hours (2026-Q2) beyond threshold |
| M-PHISH Phishing click rate (lower is better; threshold 5.0%) \
| 6.0% (2025-Q4) beyond threshold | 4.0% (2026-Q1) | 5.5% (2026-Q2) beyond threshold |
"""


def test_three_commits_over_three_quarters_give_the_figures_worked_out_by_hand(
    tmp_path: Path,
) -> None:
    root = three_quarters(tmp_path / "repo")
    markdown = report(root, "md", "--trend", "3q")
    trend = section(markdown, "### Trends over the last 3 quarters", "## Appendix")
    assert (
        "Each column shows the program as it stood at the end of a quarter, judged as of that"
        " day; the last column is this briefing's own position.\n"
    ) in trend
    assert "no record" not in trend
    for word in ("--trend", "commit", "git", "ciptool", "MT001", "RK002", "warning"):
        assert word not in trend
    assert POSTURE in trend
    assert RISK in trend
    assert METRICS in trend


def test_a_quarter_before_the_first_commit_has_no_record(tmp_path: Path) -> None:
    root = three_quarters(tmp_path / "repo")
    markdown = report(root, "md", "--trend", "4q")
    trend = section(markdown, "### Trends over the last 4 quarters", "## Appendix")
    assert (
        "The program's record begins after 2025-12-31, so 1 earlier quarter shows no record."
    ) in trend
    head = "| Framework | 2025-Q4 (2025-12-31) | 2026-Q1 (2026-03-31) |"
    assert head in trend
    assert "| CSF 2.0 | no record | 2% (2 of 106) | 4% (4 of 106) | 6% (6 of 106) |\n" in trend
    assert "| risks above appetite | no record | 1 | 2 | 1 |\n" in trend
    assert "| M-PHISH Phishing click rate (lower is better; threshold 5.0%) | no record |" in trend


def test_a_commit_before_the_program_had_a_ciptool_yaml_is_no_record(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("The security program's records, to come.\n")
    commit_all(root, "start", "2025-11-20")
    three_quarters(root)
    trend = section(report(root, "md", "--trend", "4q"), "### Trends", "## Appendix")
    assert "The program's record begins after 2025-12-31, so 1 earlier quarter shows" in trend
    assert "| CSF 2.0 | no record | 2% (2 of 106) | 4% (4 of 106) | 6% (6 of 106) |\n" in trend


def test_a_quarter_whose_records_could_not_be_read_has_no_record(tmp_path: Path) -> None:
    root = three_quarters(tmp_path / "repo")
    (root / "controls/broken.yaml").write_text("controls: [\n")
    commit_all(root, "a broken file", "2026-06-15")
    (root / "controls/broken.yaml").unlink()
    commit_all(root, "fixed", "2026-08-25")
    markdown = report(root, "md", "--trend", "3q")
    trend = section(markdown, "### Trends over the last 3 quarters", "## Appendix")
    assert (
        "this briefing's own position. The program's records as they stood on 2026-06-30 could"
        " not be read in full, so no figures are shown for that day.\n"
    ) in trend
    assert "| CSF 2.0 | 2% (2 of 106) | no record | 6% (6 of 106) |\n" in trend


def test_the_html_trend_has_the_same_figures_and_accessible_line_charts(tmp_path: Path) -> None:
    root = three_quarters(tmp_path / "repo")
    html = report(root, "html", "--trend", "3q")
    trend = section(html, '<h3 id="trend">', '<section id="appendix">')
    for cell in ("6% (6 of 106)", "10% (2 of 21)", "5.5% (2026-Q2) beyond threshold"):
        assert f'<td class="num">{cell}</td>' in trend
    titles = re.findall(r"<title>([^<]*)</title><desc>", trend)
    assert titles == [
        "Share of applicable requirements covered, by framework",
        "NIST CSF 2.0: share of applicable subcategories covered, by function",
        "Risks by residual level, above the appetite, and live risk acceptances",
        "M-CONTAIN Time to contain",
        "M-PHISH Phishing click rate",
    ]
    assert (
        "<desc>M-PHISH Phishing click rate. Phishing click rate: 2026-Q1 2026-03-31: 6.0%"
        " beyond; 2026-Q2 2026-06-30: 4.0%; 2026-Q3 to date 2026-09-15: 5.5% beyond."
        " threshold (5.0% now): 2026-Q1 2026-03-31: 5; 2026-Q2 2026-06-30: 5;"
        " 2026-Q3 to date 2026-09-15: 5.</desc>"
    ) in trend


def test_the_trend_changes_nothing_else_in_the_briefing(tmp_path: Path) -> None:
    root = three_quarters(tmp_path / "repo")
    plain = report(root, "md")
    with_trend = report(root, "md", "--trend", "2q")
    start = with_trend.index("### Trends over the last 2 quarters")
    end = with_trend.index("## Appendix")
    assert with_trend[:start] + with_trend[end:] == plain


def test_each_line_has_its_own_marker_and_dashes_and_a_label_per_point() -> None:
    svg = line_chart(
        "Coverage",
        ["2026-Q1|2026-03-31", "2026-Q2|2026-06-30|no record", "2026-Q3|2026-09-30"],
        [
            ("A", [(50.0, "50%"), (None, ""), (75.0, "75%")]),
            ("B", [(50.0, "50%"), (None, ""), (25.0, "25%")]),
        ],
        True,
    )
    assert svg.count("<circle") == 2 + 2 + 1  # A's two points and labels, and its legend
    assert svg.count("<rect") == 2 + 2 + 1  # B's squares
    assert svg.count('stroke-dasharray="7 3"') == 1  # B's legend line: no run to draw
    assert [t for t in re.findall(r">([^<>]+)</text>", svg) if "%" in t and t[0] != "0"] == [
        "25%",
        "50%",
        "75%",
        "100%",
        "50%",
        "50%",
        "75%",
        "25%",
    ]
    assert "<title>Coverage</title>" in svg
    assert "no record" in svg


@pytest.mark.parametrize(
    ("as_of", "quarters", "expected"),
    [
        ("2026-09-15", 3, [("2026-Q1", "2026-03-31"), ("2026-Q2", "2026-06-30"),
                           ("2026-Q3 to date", "2026-09-15")]),
        ("2026-12-31", 2, [("2026-Q3", "2026-09-30"), ("2026-Q4", "2026-12-31")]),
        ("2026-01-01", 2, [("2025-Q4", "2025-12-31"), ("2026-Q1 to date", "2026-01-01")]),
    ],
)  # fmt: skip
def test_the_points_are_earlier_quarter_ends_and_the_report_day(
    as_of: str, quarters: int, expected: list[tuple[str, str]]
) -> None:
    import datetime as dt

    days = trend_days(dt.date.fromisoformat(as_of), quarters)
    assert [(label, day.isoformat()) for label, day in days] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--trend", "1q"],
            "--trend takes a number of quarters from 2q to 8q (such as 4q), not `1q`",
        ),
        (
            ["--trend", "9q"],
            "--trend takes a number of quarters from 2q to 8q (such as 4q), not `9q`",
        ),
        (
            ["--trend", "4"],
            "--trend takes a number of quarters from 2q to 8q (such as 4q), not `4`",
        ),
        (
            ["--trend", "four"],
            "--trend takes a number of quarters from 2q to 8q (such as 4q), not `four`",
        ),
        (["--trend", ""], "--trend takes a number of quarters from 2q to 8q (such as 4q), not ``"),
    ],
)
def test_a_trend_of_a_number_of_quarters_outside_two_to_eight_is_refused(
    tmp_path: Path, args: list[str], message: str
) -> None:
    root = three_quarters(tmp_path / "repo")
    outcome = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(root), "-o", "-", *AS_OF, *args]
    )
    assert outcome.exit_code == 2, outcome.output
    assert outcome.stderr == f"ciptool: {message}\n"
    assert outcome.stdout == ""


def test_a_trend_is_refused_for_another_report(tmp_path: Path) -> None:
    root = three_quarters(tmp_path / "repo")
    outcome = CliRunner().invoke(
        app, ["report", "risk-register", "--repo", str(root), "-o", "-", *AS_OF, "--trend", "4q"]
    )
    assert outcome.exit_code == 2, outcome.output
    assert (
        outcome.stderr
        == "ciptool: --trend is for the audit-committee report only, not `risk-register`\n"
    )


def test_a_trend_needs_git_history(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path / "plain",
        {"ciptool.yaml": CONFIG, "policies/access.yaml": MINIMAL_POLICY},
        minimal=False,
    )
    outcome = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(root), "-o", "-", *AS_OF, "--trend", "4q"]
    )
    assert outcome.exit_code == 2, outcome.output
    assert outcome.stderr == (
        f"ciptool: --trend reads the repository's history from git, and {root} is not in a git"
        " repository (or git cannot be run there)\n"
    )
