"""The PBC tracker: ``ciptool audit requests`` generates the auditor's requests for evidence,
``ciptool report pbc`` lists them, and an edited workbook updates them in place."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import EVIDENCE_CSV, MakeRepo

FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]
DIGEST = hashlib.sha256(EVIDENCE_CSV).hexdigest()

CONFIG = """\
program: Test Program
frameworks: [soc2-2017]
soc2:
  period: {start: 2026-01-01, end: 2026-09-30}
"""
#: Two controls a SOC 2 examination tests (three evidence requirements) and one it does not.
CONTROLS = """\
controls:
  - id: IAM-01
    title: Quarterly access recertification
    owner: IAM lead
    policy: POL-ACCESS
    frequency: quarterly
    mappings:
      soc2-2017: [CC6.2, CC6.3]
    evidence:
      - id: recert-signoff
        description: Signed recertification results
  - id: OPS-01
    title: Security monitoring
    owner: SOC manager
    frequency: monthly
    mappings:
      soc2-2017: [CC7.2]
    evidence:
      - id: triage-metrics
        description: >-
          Monthly triage metrics
          with the alerts' ages
      - id: tuning-log
        description: Rule tuning log
  - id: HR-01
    title: Background screening
    owner: HR lead
    frequency: event-driven
    mappings:
      nist-csf-2.0: [GV.RR-04]
    evidence:
      - id: screening
        description: Screening results
"""
EVIDENCE = f"""\
evidence:
  - control: IAM-01
    requirement: recert-signoff
    collected_on: 2026-04-03
    period: {{start: 2026-01-01, end: 2026-03-31}}
    files:
      - {{path: files/q.csv, sha256: "{DIGEST}"}}
  - control: IAM-01
    requirement: recert-signoff
    collected_on: 2026-10-03
    period: {{start: 2026-07-01, end: 2026-09-30}}
    files:
      - {{path: files/q.csv, sha256: "{DIGEST}"}}
  - control: OPS-01
    requirement: triage-metrics
    collected_on: 2026-09-02
    effective_on: 2026-08-31
    files:
      - {{path: files/q.csv, sha256: "{DIGEST}"}}
  - control: OPS-01
    requirement: triage-metrics
    collected_on: 2026-10-02
    effective_on: 2026-10-01
    files:
      - {{path: files/q.csv, sha256: "{DIGEST}"}}
"""

GENERATED = """\
# The auditor's requests for evidence for the SOC 2 period 2026-01-01 to 2026-09-30,
# requested on 2026-10-05 (`ciptool audit requests`). Update `status`, `provided_on`, `provider`
# and `auditor_comments` here or through `ciptool audit requests --update-from`.
requests:
  - id: PBC-2026-001
    request: Signed recertification results
    references: ["soc2-2017:CC6.2", "soc2-2017:CC6.3"]
    control: IAM-01
    requirement: recert-signoff
    period: {start: 2026-01-01, end: 2026-09-30}
    owner: IAM lead
    requested_on: 2026-10-05
    due_on: 2026-10-30
    status: requested
    evidence:
      - IAM-01/recert-signoff/2026-03-31
      - IAM-01/recert-signoff/2026-09-30
  - id: PBC-2026-002
    request: "Monthly triage metrics with the alerts' ages"
    references: ["soc2-2017:CC7.2"]
    control: OPS-01
    requirement: triage-metrics
    period: {start: 2026-01-01, end: 2026-09-30}
    owner: SOC manager
    requested_on: 2026-10-05
    due_on: 2026-10-30
    status: requested
    evidence:
      - OPS-01/triage-metrics/2026-08-31
  - id: PBC-2026-003
    request: Rule tuning log
    references: ["soc2-2017:CC7.2"]
    control: OPS-01
    requirement: tuning-log
    period: {start: 2026-01-01, end: 2026-09-30}
    owner: SOC manager
    requested_on: 2026-10-05
    due_on: 2026-10-30
    status: requested
"""
REQUESTS = "requests/pbc-2026-10-05.yaml"
GENERATE = ["audit", "requests", "--requested-on", "2026-10-05", "--due-on", "2026-10-30"]


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            "ciptool.yaml": CONFIG,
            "controls/iam.yaml": CONTROLS,
            "evidence/2026/iam-01.yaml": EVIDENCE,
        }
    )


def _generate(cli: CliRunner, root: Path, *extra: str) -> str:
    result = cli.invoke(app, [*GENERATE, "--repo", str(root), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_generation_writes_one_request_per_evidence_requirement(cli: CliRunner, repo: Path) -> None:
    out = _generate(cli, repo)
    assert out == (
        f"wrote {REQUESTS}: 3 requests for 2026-01-01..2026-09-30, PBC-2026-001 to"
        " PBC-2026-003, due 2026-10-30\n"
    )
    # The Q1 and Q3 records speak for the period; the record effective 2026-10-01 does not.
    assert (repo / REQUESTS).read_text(encoding="utf-8") == GENERATED
    checked = cli.invoke(
        app, ["check", "--repo", str(repo), "--select", "PB", "--as-of", "2026-10-30"]
    )
    assert checked.exit_code == 0, checked.output
    assert "0 errors, 0 warnings" in checked.stderr


def test_due_in_and_the_policy_owner(cli: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"ciptool.yaml": CONFIG, "controls/iam.yaml": CONTROLS})
    result = cli.invoke(
        app,
        [
            "audit", "requests", "--repo", str(root), "--requested-on", "2026-10-05",
            "--due-in", "3w", "--owner-from", "policy",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "2 take the control's owner: their policy names no owner (PBC-2026-002, PBC-2026-003)"
    )
    text = (root / REQUESTS).read_text(encoding="utf-8")
    assert text.count("due_on: 2026-10-26") == 3
    assert "owner: CISO" in text  # POL-ACCESS's owner
    assert text.count("owner: SOC manager") == 2
    assert text.count("evidence:") == 1  # only IAM-01 has a record for the period


def test_a_second_run_keeps_what_exists_and_adds_only_what_is_new(
    cli: CliRunner, repo: Path
) -> None:
    _generate(cli, repo)
    again = _generate(cli, repo)
    assert again == (
        "every request for 2026-01-01..2026-09-30 exists already (3 kept); nothing was written\n"
    )
    assert sorted(p.name for p in (repo / "requests").iterdir()) == ["pbc-2026-10-05.yaml"]
    controls = repo / "controls/iam.yaml"
    controls.write_text(
        CONTROLS.replace(
            "      - id: tuning-log\n",
            "      - id: escalations\n        description: Escalation log\n"
            "      - id: tuning-log\n",
        ),
        encoding="utf-8",
    )
    later = cli.invoke(
        app, ["audit", "requests", "--repo", str(repo), "--requested-on", "2026-10-12"]
    )
    assert later.exit_code == 0, later.output
    assert later.stdout == (
        "wrote requests/pbc-2026-10-12.yaml: 1 request for 2026-01-01..2026-09-30,"
        " PBC-2026-004, due 2026-10-26; 3 already requested, kept\n"
    )
    assert (repo / REQUESTS).read_text(encoding="utf-8") == GENERATED
    # Another period is another set of requests.
    other = _generate(cli, repo, "--period", "2025-10-01..2026-09-30")
    assert "4 requests for 2025-10-01..2026-09-30, PBC-2026-005 to PBC-2026-008" in other
    assert (repo / "requests/pbc-2026-10-05-2.yaml").is_file()


def _workbook(cli: CliRunner, root: Path, out: Path) -> Path:
    result = cli.invoke(
        app, ["report", "pbc", "--repo", str(root), "-f", "xlsx", "-o", str(out), *FIXED]
    )
    assert result.exit_code == 0, result.output
    return out


def _edit(path: Path, out: Path, row_id: str, **cells: object) -> Path:
    book = load_workbook(path)
    sheet = book["PBC requests"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == row_id:
            for title, value in cells.items():
                row[header.index(title.replace("_", " "))].value = value
    book.save(out)
    return out


#: The hand edits a person made to the generated file: a comment, a changed request text, and
#: a field ciptool does not write.
def _hand_edited(text: str) -> str:
    return text.replace(
        '  - id: PBC-2026-002\n    request: "Monthly triage metrics with the alerts\' ages"\n',
        "  # Agreed with the auditor on 2026-10-06: July to September only.\n"
        "  - id: PBC-2026-002\n"
        "    request: 'Monthly triage metrics, July to September'   # narrowed\n",
    )


def test_a_status_change_round_trips_through_the_workbook(
    cli: CliRunner, repo: Path, tmp_path: Path
) -> None:
    _generate(cli, repo)
    path = repo / REQUESTS
    edited = _hand_edited(path.read_text(encoding="utf-8"))
    path.write_text(edited, encoding="utf-8")
    book = _workbook(cli, repo, tmp_path / "pbc.xlsx")
    changed = _edit(
        book,
        tmp_path / "edited.xlsx",
        "PBC-2026-002",
        Status="Provided",
        Provided_on=dt.datetime(2026, 10, 20),
        Provider="Dana Whitfield",
        Auditor_comments="Received two of three months.\nAugust is the sample.",
    )
    result = cli.invoke(
        app, ["audit", "requests", "--repo", str(repo), "--update-from", str(changed)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"PBC-2026-002 ({REQUESTS}): status requested -> provided\n"
        f"PBC-2026-002 ({REQUESTS}): provided_on (none) -> 2026-10-20\n"
        f"PBC-2026-002 ({REQUESTS}): provider (none) -> Dana Whitfield\n"
        f"PBC-2026-002 ({REQUESTS}): auditor_comments (none) ->"
        " 'Received two of three months.\\nAugust is the sample.'\n"
    )
    assert result.stderr == "3 rows read; 1 request changed in 1 file\n"
    expected = edited.replace(
        "    owner: SOC manager\n    requested_on: 2026-10-05\n    due_on: 2026-10-30\n"
        "    status: requested\n    evidence:\n      - OPS-01/triage-metrics/2026-08-31\n",
        "    owner: SOC manager\n    provider: Dana Whitfield\n    requested_on: 2026-10-05\n"
        "    due_on: 2026-10-30\n    status: provided\n    provided_on: 2026-10-20\n"
        "    evidence:\n      - OPS-01/triage-metrics/2026-08-31\n"
        "    auditor_comments: |-\n      Received two of three months.\n"
        "      August is the sample.\n",
    )
    assert expected != edited
    assert path.read_text(encoding="utf-8") == expected
    shown = cli.invoke(app, ["report", "pbc", "--repo", str(repo), "-o", "-", *FIXED])
    assert shown.exit_code == 0, shown.output
    assert "3 requests: 2 requested, 1 provided, 0 accepted, 0 rejected. 2 overdue" in (
        shown.stdout
    )
    assert (
        "| PBC-2026-002 | Monthly triage metrics, July to September | OPS-01 / triage-metrics"
        " | soc2-2017:CC7.2 | SOC manager | 2026-10-05 | 2026-10-30 | provided | 2026-10-20 |"
        " Dana Whitfield | 2026-08-31 | Received two of three months."
    ) in shown.stdout
    # Read back unchanged, the workbook changes nothing.
    again = cli.invoke(
        app, ["audit", "requests", "--repo", str(repo), "--update-from", str(changed)]
    )
    assert again.exit_code == 0, again.output
    assert again.stdout == ""
    assert again.stderr == "3 rows read; 0 requests changed in 0 files\n"
    assert path.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            {"Id": "PBC-2026-099"},
            "row 3: no request PBC-2026-099 in requests/",
        ),
        (
            {"Status": "done"},
            "row 3: PBC-2026-002: Status `done` is not one of requested, provided, accepted,"
            " rejected",
        ),
        (
            {"Id": "PBC-2026-001"},
            "row 2: PBC-2026-001 is also on row 3\n  row 3: PBC-2026-001 is also on row 2",
        ),
        (
            {"Status": "accepted"},
            "row 3: PBC-2026-002: a request whose status is `accepted` needs `provided_on`"
            " (at requests[1])",
        ),
        (
            {"Provided_on": "20.10.2026", "Status": "provided"},
            "row 3: PBC-2026-002: Provided on `20.10.2026` is not a date written YYYY-MM-DD",
        ),
    ],
)
def test_a_bad_row_is_located_and_nothing_is_written(
    cli: CliRunner, repo: Path, tmp_path: Path, cells: dict[str, object], message: str
) -> None:
    _generate(cli, repo)
    book = _workbook(cli, repo, tmp_path / "pbc.xlsx")
    # A good change on another row is not written either: all or nothing.
    good = _edit(book, tmp_path / "good.xlsx", "PBC-2026-003", Status="provided")
    good = _edit(good, tmp_path / "good.xlsx", "PBC-2026-003", Provided_on="2026-10-21")
    bad = _edit(good, tmp_path / "bad.xlsx", "PBC-2026-002", **cells)
    before = (repo / REQUESTS).read_bytes()
    result = cli.invoke(app, ["audit", "requests", "--repo", str(repo), "--update-from", str(bad)])
    assert result.exit_code == 2, result.output
    assert f"ciptool: {bad}: " in result.stderr
    assert "in sheet 'PBC requests'; nothing was written (all or nothing):\n  " in result.stderr
    assert message in result.stderr, result.stderr
    assert (repo / REQUESTS).read_bytes() == before
    assert sorted(p.name for p in (repo / "requests").iterdir()) == ["pbc-2026-10-05.yaml"]


def test_a_file_that_is_not_a_workbook_is_refused(
    cli: CliRunner, repo: Path, tmp_path: Path
) -> None:
    _generate(cli, repo)
    before = (repo / REQUESTS).read_bytes()
    for name, data in (("notes.xlsx", b"Id,Status\nPBC-2026-001,accepted\n"), ("empty.xlsx", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        result = cli.invoke(
            app, ["audit", "requests", "--repo", str(repo), "--update-from", str(path)]
        )
        assert result.exit_code == 2
        assert result.stderr == (
            f"ciptool: {path} is not an XLSX workbook (write one with"
            " `ciptool report pbc -f xlsx`)\n"
        )
    # A workbook without the request sheet's columns.
    from openpyxl import Workbook

    other = Workbook()
    other.active.append(["Name", "Value"])
    other.save(tmp_path / "other.xlsx")
    result = cli.invoke(
        app,
        ["audit", "requests", "--repo", str(repo), "--update-from", str(tmp_path / "other.xlsx")],
    )
    assert result.exit_code == 2
    assert "has no sheet whose first row names the columns 'Id' and 'Status'" in result.stderr
    assert (repo / REQUESTS).read_bytes() == before


def test_update_from_takes_no_generation_options(cli: CliRunner, repo: Path) -> None:
    result = cli.invoke(
        app,
        ["audit", "requests", "--repo", str(repo), "--update-from", "x.xlsx", "--due-in", "7d"],
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "ciptool: --update-from updates requests; --due-in is for generating them\n"
    )


def test_the_list_names_the_overdue_requests_and_its_counts_add_up(
    cli: CliRunner, repo: Path, tmp_path: Path
) -> None:
    _generate(cli, repo)
    path = repo / REQUESTS
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "    status: requested\n    evidence:\n      - OPS-01",
            "    status: rejected\n    provided_on: 2026-10-20\n"
            "    auditor_comments: August only\n    evidence:\n      - OPS-01",
        ),
        encoding="utf-8",
    )
    shown = cli.invoke(app, ["report", "pbc", "--repo", str(repo), "-o", "-", *FIXED])
    assert shown.exit_code == 0, shown.output
    assert "3 requests: 2 requested, 0 provided, 0 accepted, 1 rejected. 3 overdue" in shown.stdout
    assert (
        "| PBC-2026-001 | IAM lead | 2026-10-30 | requested | 16 | Signed recertification"
        " results |\n| PBC-2026-002 | SOC manager | 2026-10-30 | rejected | 16 |"
    ) in shown.stdout
    book = _workbook(cli, repo, tmp_path / "pbc.xlsx")
    sheet = load_workbook(book)["PBC requests"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][8:14] == (
        "Status",
        "Provided on",
        "Provider",
        "Evidence",
        "Auditor comments",
        "Days overdue",
    )
    assert [row[0] for row in rows[1:]] == ["PBC-2026-001", "PBC-2026-002", "PBC-2026-003"]
    assert [row[13] for row in rows[1:]] == [16, 16, 16]


def test_a_workbook_beyond_the_bounds_is_refused(
    cli: CliRunner, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ciptool.app import pbc

    _generate(cli, repo)
    before = (repo / REQUESTS).read_bytes()
    book = _workbook(cli, repo, tmp_path / "pbc.xlsx")
    size = book.stat().st_size
    cases = (
        ("MAX_ROWS", 2, f"ciptool: {book}: sheet 'PBC requests' has more than 2 rows\n"),
        (
            "MAX_WORKBOOK_BYTES",
            1000,
            f"ciptool: {book} is {size:,} bytes; a PBC workbook may have 1,000\n",
        ),
        ("MAX_PARTS", 3, f"ciptool: {book} unpacks to "),
    )
    for name, bound, message in cases:
        with monkeypatch.context() as patched:
            patched.setattr(pbc, name, bound)
            result = cli.invoke(
                app, ["audit", "requests", "--repo", str(repo), "--update-from", str(book)]
            )
        assert result.exit_code == 2
        assert result.stderr.startswith(message), result.stderr
    assert (repo / REQUESTS).read_bytes() == before


def test_a_request_file_that_is_a_link_is_not_replaced(
    cli: CliRunner, repo: Path, tmp_path: Path
) -> None:
    _generate(cli, repo)
    real = repo / "requests/real.yaml.txt"
    (repo / REQUESTS).rename(real)
    (repo / REQUESTS).symlink_to(real.name)
    book = _workbook(cli, repo, tmp_path / "pbc.xlsx")
    edited = _edit(book, tmp_path / "edited.xlsx", "PBC-2026-001", Provider="Dana Whitfield")
    edited = _edit(edited, tmp_path / "edited.xlsx", "PBC-2026-001", Status="provided")
    edited = _edit(edited, tmp_path / "edited.xlsx", "PBC-2026-001", Provided_on="2026-10-20")
    before = real.read_bytes()
    result = cli.invoke(
        app, ["audit", "requests", "--repo", str(repo), "--update-from", str(edited)]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"ciptool: {REQUESTS} is a link; update the file it leads to instead\n"
    )
    assert (repo / REQUESTS).is_symlink()
    assert real.read_bytes() == before


def test_the_list_shows_evidence_references_that_do_not_name_one_record(
    cli: CliRunner, repo: Path
) -> None:
    _generate(cli, repo)
    (repo / "evidence/2026/again.yaml").write_text(
        EVIDENCE.split("  - control: IAM-01\n", maxsplit=1)[0]
        + "  - control: IAM-01\n"
        + EVIDENCE.split("  - control: IAM-01\n")[2].split("  - control: OPS-01", maxsplit=1)[0],
        encoding="utf-8",
    )
    path = repo / REQUESTS
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "      - OPS-01/triage-metrics/2026-08-31\n",
            "      - OPS-01/triage-metrics/2026-08-31\n      - OPS-01/triage-metrics/2026-07-31\n",
        ),
        encoding="utf-8",
    )
    shown = cli.invoke(app, ["report", "pbc", "--repo", str(repo), "-o", "-", *FIXED])
    assert shown.exit_code == 0, shown.output
    assert (
        "## Evidence references that do not name one record\n\n"
        "| Id | Evidence | Records that speak for the day |\n|---|---|---:|\n"
        "| PBC-2026-001 | IAM-01/recert-signoff/2026-09-30 | 2 |\n"
        "| PBC-2026-002 | OPS-01/triage-metrics/2026-07-31 | 0 |\n"
    ) in shown.stdout
    assert ("| 2026-03-31, 2026-09-30 (ambiguous: 2 records) |") in shown.stdout
    assert ("| 2026-08-31, 2026-07-31 (no record) |") in shown.stdout
    checked = cli.invoke(
        app,
        ["check", "--repo", str(repo), "--select", "PB", "--as-of", "2026-10-30", "-f", "json"],
    )
    assert checked.exit_code == 1, checked.output
    found = [(f["code"], f["line"], f["subject"]) for f in json.loads(checked.stdout)["findings"]]
    assert found == [
        ("PB004", 17, "PBC-2026-001/IAM-01/recert-signoff/2026-09-30"),
        ("PB004", 30, "PBC-2026-002/OPS-01/triage-metrics/2026-07-31"),
    ]
