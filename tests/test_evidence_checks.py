"""Evidence checks beyond their cases in ``checks/cases/``: the terminal's report of a changed
file, what counts as an evidence file, and the SOC 2 intervals."""

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
from conftest import MakeRepo, brief

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


Q3 = "    collected_on: 2026-10-03\n    period: {start: 2026-07-01, end: 2026-09-30}\n"


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
