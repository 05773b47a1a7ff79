"""Evidence checks: each with a passing and a failing repository and its exact findings."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.models.records import EvidenceRecord, Period
from ciptool.queries.evidence import span
from ciptool.queries.intervals import RECURRING, intervals, spoken_for
from ciptool.results import RunSettings
from conftest import MINIMAL_CONTROL, MakeRepo, brief

CSV = b"system,reviewer,removed\ncrm,a.manager,3\n"
DIGEST = hashlib.sha256(CSV).hexdigest()


def record(dates: str, path: str = "files/q.csv", digest: str = DIGEST) -> str:
    """One evidence record for IAM-01 / recert-signoff with the given date lines."""
    return (
        "  - control: IAM-01\n"
        "    requirement: recert-signoff\n"
        f"{dates}"
        "    files:\n"
        f'      - {{path: {path}, sha256: "{digest}"}}\n'
    )


Q1 = "    collected_on: 2026-04-03\n    period: {start: 2026-01-01, end: 2026-03-31}\n"
Q2 = "    collected_on: 2026-07-03\n    period: {start: 2026-04-01, end: 2026-06-30}\n"
Q3 = "    collected_on: 2026-10-03\n    period: {start: 2026-07-01, end: 2026-09-30}\n"
Q4 = "    collected_on: 2027-01-04\n    period: {start: 2026-10-01, end: 2026-12-31}\n"


def check(root: Path, as_of: str, **settings: object) -> list[tuple[str, str, int, int]]:
    run_settings = RunSettings(today=dt.date.fromisoformat(as_of), **settings)  # type: ignore[arg-type]
    return brief(check_repository(root, run_settings)[0])


def evidence_repo(
    make_repo: MakeRepo, *records: str, extra: dict[str, str | bytes] | None = None
) -> Path:
    files: dict[str, str | bytes] = {
        "evidence/2026/iam-01.yaml": "evidence:\n" + "".join(records),
        "evidence/2026/files/q.csv": CSV,
    }
    files.update(extra or {})
    return make_repo(files)


def test_current_intact_evidence_passes(make_repo: MakeRepo) -> None:
    root = evidence_repo(make_repo, record(Q3))
    assert check(root, "2026-11-15") == []


def test_missing_evidence(make_repo: MakeRepo) -> None:
    root = make_repo({"evidence/2026/iam-01.yaml": "evidence: []\n"})
    assert check(root, "2026-11-15") == [
        ("EV001", "controls/iam.yaml", 12, 13),
        ("EV006", "evidence/2026/files/q.csv", 0, 0),  # nothing lists it any more
    ]


def test_stale_evidence_is_a_warning_naming_the_newest_record(make_repo: MakeRepo) -> None:
    root = evidence_repo(make_repo, record(Q1), record(Q2))
    result = check_repository(root, RunSettings(today=dt.date(2026, 11, 15)))[0]
    assert brief(result) == [("EV002", "controls/iam.yaml", 12, 13)]
    (finding,) = result.findings
    assert finding.severity.value == "warning"
    assert finding.message == (
        "newest evidence for IAM-01/recert-signoff speaks for 2026-06-30, 138 days before"
        " 2026-11-15; quarterly evidence may be 100 days old"
    )
    assert [str(loc) for loc in finding.related] == ["evidence/2026/iam-01.yaml:8:5"]
    # 100 days after 2026-06-30 is 2026-10-08: still current on that day.
    assert check(root, "2026-10-08") == []


def test_max_age_overrides_the_frequency_default(make_repo: MakeRepo) -> None:
    control = MINIMAL_CONTROL.replace(
        "description: Signed recertification results\n",
        "description: Signed recertification results\n        max_age: 200d\n",
    )
    root = evidence_repo(make_repo, record(Q2), extra={"controls/iam.yaml": control})
    assert check(root, "2026-11-15") == []


def test_missing_file_and_digest_mismatch(make_repo: MakeRepo) -> None:
    root = evidence_repo(
        make_repo,
        record(Q2, path="files/gone.csv"),
        record(Q3, digest="f" * 64),
    )
    assert check(root, "2026-11-15") == [
        ("EV003", "evidence/2026/iam-01.yaml", 7, 16),
        ("EV004", "evidence/2026/iam-01.yaml", 13, 37),
    ]


def test_one_changed_byte_fails_check_and_verify(make_repo: MakeRepo) -> None:
    root = evidence_repo(make_repo, record(Q3))
    runner = CliRunner()
    assert (
        runner.invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"]).exit_code == 0
    )
    tampered = bytearray(CSV)
    tampered[0] ^= 0x01
    (root / "evidence/2026/files/q.csv").write_bytes(bytes(tampered))
    result = runner.invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"])
    assert result.exit_code == 1
    assert "evidence/2026/iam-01.yaml\n  7:37    error   EV004" in result.stdout


def test_evidence_dated_in_the_future(make_repo: MakeRepo) -> None:
    root = evidence_repo(make_repo, record(Q3), record(Q4))
    assert check(root, "2026-11-15") == [
        ("EV005", "evidence/2026/iam-01.yaml", 10, 19),
        ("EV005", "evidence/2026/iam-01.yaml", 11, 38),
    ]


def test_evidence_future_messages_name_the_date_and_the_day(make_repo: MakeRepo) -> None:
    root = evidence_repo(make_repo, record(Q4))
    result = check_repository(root, RunSettings(today=dt.date(2026, 11, 15)))[0]
    assert [f.message for f in result.findings] == [
        "evidence for IAM-01 / recert-signoff: collected 2027-01-04, after 2026-11-15",
        "evidence for IAM-01 / recert-signoff: its period ends 2026-12-31, after 2026-11-15",
    ]


AHEAD_PERIOD = "    collected_on: 2026-09-01\n    period: {start: 2026-07-01, end: 2026-09-30}\n"
AHEAD_DAY = "    collected_on: 2026-09-01\n    effective_on: 2026-09-02\n"
SAME_DAY = "    collected_on: 2026-09-30\n    effective_on: 2026-09-30\n"


def test_evidence_dated_after_its_collection(make_repo: MakeRepo) -> None:
    root = evidence_repo(make_repo, record(AHEAD_PERIOD), record(AHEAD_DAY))
    result = check_repository(root, RunSettings(today=dt.date(2026, 11, 15)))[0]
    assert brief(result) == [
        ("EV008", "evidence/2026/iam-01.yaml", 5, 38),
        ("EV008", "evidence/2026/iam-01.yaml", 11, 19),
    ]
    assert [(f.severity.value, f.message) for f in result.findings] == [
        ("error", "evidence for IAM-01 / recert-signoff: its period ends 2026-09-30, after it"
         " was collected on 2026-09-01"),
        ("error", "evidence for IAM-01 / recert-signoff: effective 2026-09-02, after it was"
         " collected on 2026-09-01"),
    ]  # fmt: skip
    assert result.findings[0].suggestion == (
        "Correct the date: evidence speaks for a day no later than the day it was collected."
    )


def test_evidence_collected_on_the_day_it_speaks_for_passes(make_repo: MakeRepo) -> None:
    root = evidence_repo(make_repo, record(SAME_DAY))
    assert check(root, "2026-11-15") == []


def test_evidence_dated_ahead_of_its_collection_speaks_for_no_soc2_interval(
    make_repo: MakeRepo,
) -> None:
    ahead_q2 = "    collected_on: 2026-06-15\n    period: {start: 2026-04-01, end: 2026-06-30}\n"
    root = evidence_repo(
        make_repo,
        record(Q1),
        record(ahead_q2),
        record(Q3),
        record(Q4),
        extra={"ciptool.yaml": SOC2},
    )
    result = check_repository(root, RunSettings(today=dt.date(2027, 2, 1), select=("EV",)))[0]
    assert [(f.code, f.message.split(" in the SOC 2")[0]) for f in result.findings] == [
        ("EV007", "IAM-01 (quarterly) has no evidence for 2026-Q2"),
        (
            "EV008",
            "evidence for IAM-01 / recert-signoff: its period ends 2026-06-30, after it was"
            " collected on 2026-06-15",
        ),
    ]


def test_unlisted_evidence_file_is_a_note(make_repo: MakeRepo) -> None:
    root = evidence_repo(
        make_repo,
        record(Q3),
        extra={"evidence/2026/files/old.csv": "x\n", "evidence/x.pdf": b"%PDF"},
    )
    assert check(root, "2026-11-15") == [
        ("EV006", "evidence/2026/files/old.csv", 0, 0),
        ("EV006", "evidence/x.pdf", 0, 0),
    ]


def test_what_counts_as_an_evidence_file_under_evidence(make_repo: MakeRepo) -> None:
    root = evidence_repo(
        make_repo,
        record(Q3),
        extra={
            "evidence/2026/files/export.yaml": "a: 1\n",  # in files/: evidence, not a record
            "evidence/2026/files/sub/deep.csv": "x\n",
            "evidence/2026/files/.hidden.csv": "x\n",
            "evidence/2026/files/README.md": "what these are\n",
            "evidence/2026/.drafts/x.csv": "x\n",
            "evidence/2026/notes.txt": "x\n",
            "evidence/2025/files/old.csv": "x\n",
        },
    )
    (root / "evidence/linked").symlink_to(root / "evidence/2025", target_is_directory=True)
    assert check(root, "2026-11-15") == [
        ("EV006", "evidence/2025/files/old.csv", 0, 0),
        ("EV006", "evidence/2026/files/export.yaml", 0, 0),
        ("EV006", "evidence/2026/files/sub/deep.csv", 0, 0),
        ("EV006", "evidence/2026/notes.txt", 0, 0),
        ("LD007", "evidence/linked", 1, 1),  # a linked folder is not followed
    ]


SOC2 = """\
program: Test Program
frameworks: [nist-csf-2.0, iso27001-2022, soc2-2017]
soc2:
  categories: [security]
  period: {start: 2026-01-01, end: 2026-12-31}
"""


def test_soc2_period_names_the_missing_quarter(make_repo: MakeRepo) -> None:
    root = evidence_repo(
        make_repo, record(Q1), record(Q3), record(Q4), extra={"ciptool.yaml": SOC2}
    )
    result = check_repository(root, RunSettings(today=dt.date(2027, 2, 1), select=("EV",)))[0]
    assert brief(result) == [("EV007", "controls/iam.yaml", 6, 16)]
    assert result.findings[0].message == (
        "IAM-01 (quarterly) has no evidence for 2026-Q2 in the SOC 2 period 2026-01-01..2026-12-31"
    )


def test_soc2_judges_only_intervals_that_have_ended(make_repo: MakeRepo) -> None:
    root = evidence_repo(make_repo, record(Q1), record(Q2), extra={"ciptool.yaml": SOC2})
    # On 2026-08-15 Q3 is still running: nothing is missing yet.
    assert check(root, "2026-08-15", select=("EV",)) == []
    # A --period override replaces soc2.period.
    period = Period(start=dt.date(2025, 10, 1), end=dt.date(2026, 6, 30))
    assert check(root, "2026-08-15", soc2_period=period, select=("EV",)) == [
        ("EV007", "controls/iam.yaml", 6, 16)
    ]


def test_consecutive_missing_intervals_are_one_finding(make_repo: MakeRepo) -> None:
    monthly = MINIMAL_CONTROL.replace("frequency: quarterly", "frequency: monthly")
    may = "    collected_on: 2026-06-03\n    period: {start: 2026-05-01, end: 2026-05-31}\n"
    root = evidence_repo(
        make_repo, record(may), extra={"ciptool.yaml": SOC2, "controls/iam.yaml": monthly}
    )
    result = check_repository(root, RunSettings(today=dt.date(2026, 9, 10)))[0]
    assert [f.message.split(" in the SOC 2")[0] for f in result.findings if f.code == "EV007"] == [
        "IAM-01 (monthly) has no evidence for 2026-01..2026-04",
        "IAM-01 (monthly) has no evidence for 2026-06..2026-08",
    ]


def test_intervals_are_calendar_intervals_clipped_to_the_period() -> None:
    period = Period(start=dt.date(2026, 2, 15), end=dt.date(2026, 8, 10))
    assert [
        (i.name, i.start.isoformat(), i.end.isoformat()) for i in intervals("quarterly", period)
    ] == [
        ("2026-Q1", "2026-02-15", "2026-03-31"),
        ("2026-Q2", "2026-04-01", "2026-06-30"),
        ("2026-Q3", "2026-07-01", "2026-08-10"),
    ]
    assert [i.name for i in intervals("semiannual", period)] == ["2026-H1", "2026-H2"]
    assert [
        i.name
        for i in intervals("weekly", Period(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 12)))
    ] == [
        "2026-W01",
        "2026-W02",
        "2026-W03",
    ]


DAYS = st.dates(min_value=dt.date(2025, 10, 1), max_value=dt.date(2027, 3, 31))


@st.composite
def evidence_records(draw: st.DrawFn) -> EvidenceRecord:
    first = draw(DAYS)
    if draw(st.booleans()):
        return EvidenceRecord(
            control="C-1", requirement="r", collected_on=first, effective_on=first
        )
    last = first + dt.timedelta(days=draw(st.integers(0, 200)))
    period = Period(start=first, end=last)
    return EvidenceRecord(control="C-1", requirement="r", collected_on=first, period=period)


@given(
    st.lists(evidence_records(), max_size=30),
    st.sampled_from(RECURRING),
    DAYS,
    st.integers(0, 400),
)
def test_spoken_for_agrees_with_asking_every_record_about_every_interval(
    records: list[EvidenceRecord], frequency: str, start: dt.date, length: int
) -> None:
    due = intervals(frequency, Period(start=start, end=start + dt.timedelta(days=length)))
    asked = [
        any(span(r)[0] <= interval.end and span(r)[1] >= interval.start for r in records)
        for interval in due
    ]
    assert spoken_for(records, due) == asked
    assert spoken_for(records, due[::-1]) == asked[::-1]  # in any order
