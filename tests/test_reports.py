"""``ciptool report``: every kind in every format, golden documents, inert user text, --since."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.reports import REPORT_KINDS
from conftest import (
    EVIDENCE_CSV,
    MINIMAL_CONTROL,
    MINIMAL_EVIDENCE,
    MINIMAL_POLICY,
    MakeRepo,
    write_repo,
)

GOLDEN = Path(__file__).parent / "golden"
FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]

CONFIG = """\
program: Fixture Health Information Protection Program
frameworks: [nist-csf-2.0, iso27001-2022, soc2-2017]
soc2:
  categories: [security, availability]
  period: {start: 2026-01-01, end: 2026-09-30}
applicability:
  iso27001-2022:
    A.7.5:
      applicable: false
      justification: "No data centres of our own: colocation is covered by supplier controls."
"""
OPS = """\
controls:
  - id: OPS-01
    title: Central log collection and review
    owner: Director, Security Operations
    process: security-operations-monitoring
    policy: POL-ACCESS
    frequency: monthly
    mappings:
      nist-csf-2.0: [DE.CM-01, DE.AE-03]
      iso27001-2022: [A.8.15, A.8.16]
      soc2-2017: [CC7.2]
    evidence:
      - id: log-review
        description: Monthly log review sign-off
  - id: IR-01
    title: Incident response plan and exercise
    owner: Director, Cyber Incident Response
    process: incident-response
    policy: POL-ACCESS
    frequency: annual
    mappings:
      nist-csf-2.0: [RS.MA-01]
      iso27001-2022: [A.5.24]
      soc2-2017: [CC7.4]
    evidence:
      - id: exercise
        description: Annual tabletop exercise report
"""
IR_EVIDENCE = """\
evidence:
  - control: IR-01
    requirement: exercise
    collected_on: 2026-05-20
    effective_on: 2026-05-14
    source: Tabletop exercise report
    files:
      - {path: files/ir.md, sha256: "%s"}
"""
IR_REPORT = b"# Tabletop exercise, 14 May 2026\n\nScenario: ransomware on claims.\n"
EXCEPTIONS = """\
exceptions:
  - id: EXC-001
    applies_to: {control: OPS-01}
    reason: The log platform migration pauses monthly reviews until December.
    risk: high
    approved_by: Chief Information Security Officer
    approved_on: 2026-06-01
    expires_on: 2026-12-01
"""

THIRD_PARTIES = """\
third_parties:
  - id: TP-CLAIMS
    name: Harbor Claims Services
    arrangement: delegated-provider
    services: Claims adjudication
    data: [phi, pii]
    tier: critical
    owner: Director, Third Party Management
    contract: {start: 2024-01-01, end: 2027-12-31}
    business_associate_agreement: {signed_on: 2024-01-01}
    soc2_report: {received_on: 2026-02-01, expires_on: 2026-10-31}
    controls: [IAM-01, OPS-01]
  - id: TP-MAIL
    name: Quay Print and Mail
    arrangement: outsourced-process
    services: Statement printing and mailing
    data: [phi]
    tier: high
    owner: Director, Member Communications
    contract: {start: 2023-11-01, end: 2026-10-31}
  - id: TP-LAW
    name: Moss and Rowe LLP
    arrangement: legal
    services: Outside counsel
    data: [confidential]
    tier: medium
    owner: Deputy General Counsel
"""
TP_REVIEW = b"Annual review of Harbor Claims Services: continue.\n"
TP_EVIDENCE = """\
evidence:
  - third_party: TP-CLAIMS
    requirement: annual-review
    collected_on: 2026-09-22
    effective_on: 2026-09-22
    source: Third Party Management Office
    files:
      - {path: files/tp-review.txt, sha256: "%s"}
  - third_party: TP-CLAIMS
    requirement: confidentiality-agreement
    collected_on: 2023-10-18
    effective_on: 2023-10-18
  - third_party: TP-CLAIMS
    requirement: due-diligence
    collected_on: 2023-11-14
    effective_on: 2023-11-14
  - third_party: TP-CLAIMS
    requirement: risk-assessment
    collected_on: 2023-11-29
    effective_on: 2023-11-29
  - third_party: TP-CLAIMS
    requirement: contract-review
    collected_on: 2023-12-18
    effective_on: 2023-12-18
  - third_party: TP-CLAIMS
    requirement: performance-metrics
    collected_on: 2026-10-14
    period: {start: 2026-07-01, end: 2026-09-30}
  - third_party: TP-MAIL
    requirement: annual-review
    collected_on: 2025-08-11
    effective_on: 2025-08-11
"""


def fixture_repo(root: Path) -> Path:
    import hashlib

    return write_repo(
        root,
        {
            "ciptool.yaml": CONFIG,
            "controls/iam.yaml": MINIMAL_CONTROL,
            "controls/ops.yaml": OPS,
            "policies/access.yaml": MINIMAL_POLICY.replace(
                "last_reviewed: 2026-03-02", "last_reviewed: 2025-09-01"
            ),
            "evidence/2026/iam-01.yaml": MINIMAL_EVIDENCE,
            "evidence/2026/files/q.csv": EVIDENCE_CSV,
            "evidence/2026/ir-01.yaml": IR_EVIDENCE % hashlib.sha256(IR_REPORT).hexdigest(),
            "evidence/2026/files/ir.md": IR_REPORT,
            "exceptions/2026.yaml": EXCEPTIONS,
            "third-parties/suppliers.yaml": THIRD_PARTIES,
            "evidence/2026/third-parties.yaml": TP_EVIDENCE % hashlib.sha256(TP_REVIEW).hexdigest(),
            "evidence/2026/files/tp-review.txt": TP_REVIEW,
        },
        minimal=False,
    )


def report(root: Path, kind: str, fmt: str, out: Path, *extra: str) -> Path:
    result = CliRunner().invoke(
        app, ["report", kind, "--repo", str(root), "-f", fmt, "-o", str(out), *FIXED, *extra]
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    return out


@pytest.mark.parametrize(
    ("kind", "fmt"), [(kind.name, fmt) for kind in REPORT_KINDS.values() for fmt in kind.formats]
)
def test_every_kind_renders_in_every_format_for_the_example(
    kind: str, fmt: str, tmp_path: Path, example_pdf: Callable[[str], Path]
) -> None:
    from conftest import PROJECT_ROOT

    if fmt == "pdf":
        out = example_pdf(kind)  # laid out once a session (tests/test_pdf.py reads it too)
    else:
        out = report(PROJECT_ROOT, kind, fmt, tmp_path / f"{kind}.{fmt}")
    data = out.read_bytes()
    assert data
    if fmt == "pdf":
        assert data.startswith(b"%PDF-")
    if fmt == "xlsx":
        assert load_workbook(out).sheetnames[-1] == "About"


@pytest.mark.parametrize("kind", list(REPORT_KINDS))
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_golden_documents(kind: str, fmt: str, tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "repo")
    out = report(root, kind, fmt, tmp_path / f"out.{fmt}")
    golden = GOLDEN / f"{kind}.{fmt}"
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        golden.write_bytes(out.read_bytes())
    assert out.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "xlsx", "pdf"])
def test_output_is_reproducible(fmt: str, tmp_path: Path) -> None:
    from conftest import require_pdf_engine

    if fmt == "pdf":
        require_pdf_engine()
    root = fixture_repo(tmp_path / "repo")
    kind = "soc2"
    first = report(root, kind, fmt, tmp_path / f"a.{fmt}").read_bytes()
    time.sleep(1.1)  # across a second boundary, so that a clock read anywhere would show
    second = report(root, kind, fmt, tmp_path / f"b.{fmt}").read_bytes()
    assert first == second


def test_source_date_epoch_fixes_the_generation_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fixture_repo(tmp_path / "repo")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763208000")
    result = CliRunner().invoke(
        app, ["report", "soa", "--repo", str(root), "--as-of", "2026-11-15", "-o", "-"]
    )
    assert "| Generated | 2025-11-15 12:00:00 UTC |" in result.stdout


HOSTILE_CONTROL = MINIMAL_CONTROL.replace(
    "title: Quarterly access recertification", "title: <script>alert(1)</script>"
)
HOSTILE_EVIDENCE = MINIMAL_EVIDENCE.replace(
    "    files:", '    source: "=HYPERLINK(\\"http://x\\")"\n    files:'
)


def test_user_text_is_inert_everywhere(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo(
        {
            "ciptool.yaml": "program: P <b>\nframeworks: [soc2-2017]\n",
            "controls/iam.yaml": HOSTILE_CONTROL,
            "evidence/2026/iam-01.yaml": HOSTILE_EVIDENCE,
        }
    )
    html = report(root, "soc2", "html", tmp_path / "r.html").read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "P &lt;b&gt;" in html
    markdown = report(root, "soc2", "md", tmp_path / "r.md").read_text()
    assert "<script>" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    index_md = report(root, "evidence-index", "md", tmp_path / "i.md").read_text()
    assert '=HYPERLINK("http://x")' in index_md
    rows = list(
        csv.reader(
            io.StringIO(report(root, "evidence-index", "csv", tmp_path / "i.csv").read_text())
        )
    )
    source = rows[1][rows[0].index("Source")]
    assert source == '\'=HYPERLINK("http://x")'
    workbook = load_workbook(report(root, "evidence-index", "xlsx", tmp_path / "i.xlsx"))
    sheet = workbook["Evidence index"]
    column = [cell.value for cell in sheet[1]].index("Source") + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"  # text, never a formula
    assert cell.quotePrefix


def _sheets_text(path: Path) -> str:
    """Every sheet of a workbook but About, a row a line, cells tab-separated."""
    book = load_workbook(path)
    lines = []
    for name in book.sheetnames[:-1]:
        lines.append(f"== {name}")
        for row in book[name].iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_third_party_register_tables(fmt: str, tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "repo")
    out = report(root, "third-parties", fmt, tmp_path / f"tp.{fmt}")
    text = out.read_text(encoding="utf-8") if fmt == "csv" else _sheets_text(out)
    golden = GOLDEN / f"third-parties.{fmt}{'.txt' if fmt == 'xlsx' else ''}"
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    if fmt == "xlsx":
        assert load_workbook(out).sheetnames == ["Third parties", "Summary", "About"]


def test_the_third_party_register_of_the_example(tmp_path: Path) -> None:
    from conftest import PROJECT_ROOT

    out = report(PROJECT_ROOT, "third-parties", "csv", tmp_path / "tp.csv")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    register = [row for row in rows if row[0] == "Third parties"]
    assert len(register) == 12
    in_program = [row[1] for row in register if row[3] == "yes"]
    assert in_program == [
        "TP-ACME-CLAIMS",
        "TP-KEYSTONE-TPA",
        "TP-NORTHSTAR-UM",
        "TP-BRIGHTPATH-RAD",
        "TP-LUMEN-CONTACT",
        "TP-MERIDIAN-MAIL",
    ]
    standards = [cell for row in register if row[3] == "yes" for cell in row[13:19]]
    assert len(standards) == 36
    assert all(cell.startswith("current (") for cell in standards)
    controls = {row[1]: row[19] for row in register}
    assert all("TPS-03" in named.split(", ") for named in controls.values())
    assert {ident for ident, named in controls.items() if "TPS-02" in named} == set(in_program)
    assert controls["TP-CORBEL-FACILITIES"] == "TPS-03, PHY-01"


def test_the_soa_spreadsheet_lists_all_93_annex_a_controls(tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "repo")
    workbook = load_workbook(report(root, "soa", "xlsx", tmp_path / "soa.xlsx"))
    sheet = workbook["Statement of Applicability"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 93
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "Control",
        "Title",
        "Theme",
        "Applicable",
        "Reasons",
        "Risks",
        "Risks from",
        "Obligation",
        "Business requirement",
        "Justification",
        "Implemented by",
        "Implementation",
        "Implementation from",
        "Target date",
        "Status",
        "Note",
    ]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert (by_id["A.7.5"]["Applicable"], by_id["A.7.5"]["Justification"]) == (
        "no",
        "No data centres of our own: colocation is covered by supplier controls.",
    )
    assert by_id["A.8.15"]["Implemented by"] == "OPS-01"
    assert by_id["A.5.18"]["Status"] == "covered"


def test_unknown_kind_and_unsupported_format(tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "repo")
    runner = CliRunner()
    unknown = runner.invoke(app, ["report", "board", "--repo", str(root), "-o", "-"])
    assert unknown.exit_code == 2
    assert "unknown report `board`" in unknown.stderr
    csv_profile = runner.invoke(app, ["report", "csf-profile", "--repo", str(root), "-f", "csv"])
    assert csv_profile.exit_code == 2
    assert "comes as md, html, pdf, not csv" in csv_profile.stderr


def test_a_repository_template_overrides_and_adds_reports(tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "repo")
    (root / "templates").mkdir()
    (root / "templates/soa.md.j2").write_text(
        "SoA for {{ meta.program }}: {{ rows | length }} controls\n"
    )
    (root / "templates/weekly.md.j2").write_text(
        "{{ meta.program }}: {{ audit_committee.briefing.errors }} errors,"
        " {{ evidence_index.files | length }} files\n"
    )
    runner = CliRunner()
    soa = runner.invoke(app, ["report", "soa", "--repo", str(root), "-o", "-", *FIXED])
    assert soa.stdout == "SoA for Fixture Health Information Protection Program: 93 controls\n"
    weekly = runner.invoke(app, ["report", "weekly", "--repo", str(root), "-o", "-", *FIXED])
    assert weekly.exit_code == 0, weekly.output
    assert weekly.stdout.startswith("Fixture Health Information Protection Program: ")
    assert weekly.stdout.endswith(" errors, 3 files\n")
    (root / "templates/broken.md.j2").write_text("{{ no_such_name }}\n")
    broken = runner.invoke(app, ["report", "broken", "--repo", str(root), "-o", "-", *FIXED])
    assert broken.exit_code == 2
    assert "no_such_name" in broken.stderr
    assert "Traceback" not in broken.output


@pytest.mark.parametrize(
    "reach",
    [
        "cycler.__init__.__globals__.os.system('touch {mark}')",
        "self.__init__.__globals__.__builtins__.open('{mark}', 'w').write('x')",
        "meta.__class__.__mro__[1].__subclasses__()",
        "lipsum.__globals__['os'].system('touch {mark}')",
    ],
)
def test_a_repository_template_cannot_run_code(tmp_path: Path, reach: str) -> None:
    """A compliance repository received from someone else is data: its templates render
    documents and never run commands or touch files on the machine that makes the report."""
    root = fixture_repo(tmp_path / "repo")
    mark = tmp_path / "ran"
    (root / "templates").mkdir()
    (root / "templates/audit-committee.md.j2").write_text("{{ " + reach.format(mark=mark) + " }}\n")
    outcome = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(root), "-o", "-", *FIXED]
    )
    assert not mark.exists()
    assert outcome.exit_code == 2, outcome.output
    assert "templates/audit-committee.md.j2" in outcome.stderr
    assert "unsafe" in outcome.stderr
    assert "Traceback" not in outcome.output


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


def move_two_gaps(root: Path) -> None:
    """Close the gap on DE.CM-03 and open one on RS.MA-01 (IR-01 no longer maps it)."""
    ops = (root / "controls/ops.yaml").read_text()
    ops = ops.replace("[DE.CM-01, DE.AE-03]", "[DE.CM-01, DE.AE-03, DE.CM-03]").replace(
        "[RS.MA-01]", "[RS.MA-02]"
    )
    (root / "controls/ops.yaml").write_text(ops)


def test_since_reports_status_changes(tmp_path: Path) -> None:
    root = fixture_repo(tmp_path / "repo")
    commit_all(root, "first", "2026-11-01")
    move_two_gaps(root)
    commit_all(root, "second", "2026-11-10")
    out = report(root, "audit-committee", "md", tmp_path / "ac.md", "--since", "HEAD~1").read_text()
    assert "| no longer a gap | CSF 2.0 | DE.CM-03 | " in out
    assert "| no longer covered | CSF 2.0 | RS.MA-01 | " in out
    assert "Compared with the program as it stood on 2026-11-01 (revision HEAD\\~1): 3" in out
    assert "**Since 2026-11-01:** 3 requirements changed status (1 newly covered," in out
    bad = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(root), "--since", "nope", "-o", "-"]
    )
    assert bad.exit_code == 2
    assert "no such git revision" in bad.stderr


def test_since_names_each_status_change_once_in_every_format(tmp_path: Path) -> None:
    """--since speaks the status vocabulary: each requirement whose status changed is counted
    once, the counts add up, and md, html and pdf say the same; a declared requirement is not
    called a gap."""
    root = fixture_repo(tmp_path / "repo")
    commit_all(root, "first", "2026-11-01")
    move_two_gaps(root)
    commit_all(root, "second", "2026-11-02")
    since = ("--since", "HEAD~1")
    markdown = report(root, "audit-committee", "md", tmp_path / "ac.md", *since).read_text()
    html = report(root, "audit-committee", "html", tmp_path / "ac.html", *since).read_text()
    summary = (
        "3 requirements changed status (1 newly covered, 1 no longer covered, 1 no longer a"
        " gap); no risk acceptance is new or expired."
    )
    assert f"**Since 2026-11-01:** {summary}\n" in markdown
    assert f"<strong>Since 2026-11-01:</strong> {summary}</p>" in html
    counts = (
        "| Requirements newly covered | 1 |\n"
        "| Requirements no longer covered | 1 |\n"
        "| Requirements newly a gap | 0 |\n"
        "| Requirements no longer a gap | 1 |\n"
        "| Requirements with another change of status | 0 |\n"
    )
    assert counts in markdown
    rows = (
        "| newly covered | CSF 2.0 | RS.MA-02 | Incident reports are triaged and validated"
        " | gap | covered |\n"
        "| no longer covered | CSF 2.0 | RS.MA-01 | "
    )
    assert rows in markdown
    assert "Gaps closed" not in markdown
    assert "or that no mapped control proves" not in markdown
    pdf = report(root, "audit-committee", "pdf", tmp_path / "ac.pdf", *since)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert summary in " ".join(text.split())


def test_since_a_date_judges_the_last_commit_on_or_before_it_as_of_that_date(
    tmp_path: Path,
) -> None:
    root = fixture_repo(tmp_path / "repo")
    commit_all(root, "first", "2026-10-01")
    move_two_gaps(root)
    commit_all(root, "second", "2026-11-10")
    out = report(root, "audit-committee", "md", tmp_path / "ac.md", "--since", "2026-10-31")
    text = out.read_text()
    assert "Compared with the program as it stood on 2026-10-31: 3 requirements" in text
    assert "**Since 2026-10-31:** 3 requirements changed status (1 newly covered," in text
    assert "| newly covered | CSF 2.0 | RS.MA-02 | " in text
    same_day = report(root, "audit-committee", "md", tmp_path / "b.md", "--since", "2026-11-15")
    assert "**Since 2026-11-15:** No requirement changed status;" in same_day.read_text()
    assert "No requirement changed status.\n" in same_day.read_text()


@pytest.mark.parametrize(
    ("since", "message"),
    [
        pytest.param(
            "2026-11-22",
            "--since 2026-11-22 is after the report's date 2026-11-15 (--as-of):"
            " compare with an earlier date or revision",
            id="after-as-of",
        ),
        pytest.param("0000-00-00", "--since 0000-00-00 is not a date: use YYYY-MM-DD", id="zero"),
        pytest.param("2026-02-30", "--since 2026-02-30 is not a date: use YYYY-MM-DD", id="day"),
        pytest.param("2026-13-01", "--since 2026-13-01 is not a date: use YYYY-MM-DD", id="month"),
    ],
)
def test_since_refuses_a_date_after_the_report_or_no_date(
    tmp_path: Path, since: str, message: str
) -> None:
    root = fixture_repo(tmp_path / "repo")
    commit_all(root, "first", "2026-10-01")
    result = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(root), "--since", since, "-o", "-", *FIXED]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr == f"ciptool: {message}\n"
    assert result.stdout == ""


def test_pdf_needs_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    root = fixture_repo(tmp_path / "repo")
    real_import = builtins.__import__

    def no_weasyprint(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    result = CliRunner().invoke(
        app,
        [
            "report",
            "audit-committee",
            "--repo",
            str(root),
            "-f",
            "pdf",
            "-o",
            str(tmp_path / "x.pdf"),
        ],
    )
    assert result.exit_code == 2
    assert "pip install 'ciptool[pdf]'" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("kind", "fmt", "frameworks", "message"),
    [
        pytest.param(
            "soa",
            fmt,
            "[iso27001-2013]",
            "report soa is about ISO/IEC 27001:2022 (iso27001-2022), which is not in scope:"
            " frameworks: in ciptool.yaml lists iso27001-2013; add iso27001-2022 there to"
            " report on it",
            id=f"soa-2013-{fmt}",
        )
        for fmt in REPORT_KINDS["soa"].formats
    ]
    + [
        pytest.param(
            "soa",
            "md",
            "[nist-csf-2.0]",
            "report soa is about ISO/IEC 27001:2022 (iso27001-2022), which is not in scope:"
            " frameworks: in ciptool.yaml lists nist-csf-2.0; add iso27001-2022 there to"
            " report on it",
            id="soa-no-iso",
        ),
        pytest.param(
            "soc2",
            "pdf",
            "[nist-csf-2.0, iso27001-2022]",
            "report soc2 is about SOC 2 (TSC 2017) (soc2-2017), which is not in scope:"
            " frameworks: in ciptool.yaml lists nist-csf-2.0, iso27001-2022; add soc2-2017"
            " there to report on it",
            id="soc2",
        ),
        pytest.param(
            "csf-profile",
            "html",
            "[nist-csf-1.1]",
            "report csf-profile is about CSF 2.0 (nist-csf-2.0), which is not in scope:"
            " frameworks: in ciptool.yaml lists nist-csf-1.1; add nist-csf-2.0 there to"
            " report on it",
            id="csf-profile",
        ),
    ],
)
def test_a_framework_report_is_refused_when_its_framework_is_not_in_scope(
    tmp_path: Path, kind: str, fmt: str, frameworks: str, message: str
) -> None:
    """A document about one framework never gives statuses for a framework the program does
    not use: before, the SoA of a program on ISO/IEC 27001:2013 called all 93 controls gaps."""
    root = fixture_repo(tmp_path / "repo")
    config = root / "ciptool.yaml"
    config.write_text(
        config.read_text()
        .replace("[nist-csf-2.0, iso27001-2022, soc2-2017]", frameworks)
        .split("applicability:")[0]
    )
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(
        app, ["report", kind, "--repo", str(root), "-f", fmt, "-o", str(out), *FIXED]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(f"\nciptool: {message}\n")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_report_of_your_own_sees_only_the_kinds_whose_framework_is_in_scope(
    tmp_path: Path,
) -> None:
    root = fixture_repo(tmp_path / "repo")
    config = root / "ciptool.yaml"
    config.write_text(
        config.read_text()
        .replace("[nist-csf-2.0, iso27001-2022, soc2-2017]", "[iso27001-2013]")
        .split("applicability:")[0]
    )
    (root / "templates").mkdir()
    (root / "templates/weekly.md.j2").write_text(
        "{{ soa is defined }} {{ soc2 is defined }} {{ csf_profile is defined }}"
        " {{ audit_committee is defined }} {{ evidence_index is defined }}\n"
    )
    weekly = CliRunner().invoke(app, ["report", "weekly", "--repo", str(root), "-o", "-", *FIXED])
    assert weekly.exit_code == 0, weekly.output
    assert weekly.stdout == "False False False True True\n"


def test_no_report_is_made_from_a_file_that_could_not_be_read(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo({"controls/broken.yaml": "controls:\n  - id: IAM-02\n    title: [\n"})
    out = tmp_path / "soc2.md"
    result = CliRunner().invoke(
        app, ["report", "soc2", "--repo", str(root), *FIXED, "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[1:] == [
        "controls/broken.yaml:4:1: error LD001 YAML syntax error: did not find expected node"
        " content (while parsing a flow node)",
        "ciptool report: 1 file of the repository could not be read (run `ciptool check` for"
        " details); a report would leave out whatever could not be read, so none was written",
    ]
    assert not out.exists()
    # explain answers, and names what its answer leaves out
    explained = CliRunner().invoke(app, ["explain", "IAM-01", "--repo", str(root), *FIXED[:2]])
    assert explained.exit_code == 1, explained.output
    assert "IAM-01" in explained.stdout
    assert explained.stderr.startswith("controls/broken.yaml:4:1: error LD001 ")
