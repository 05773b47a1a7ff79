"""Dates and durations the calendar cannot hold are located findings or usage errors, not bugs.

Every date ciptool reads lies between 1900-01-01 and 2999-12-31, every duration is at most
99999d, 9999w, 9999mo or 999y, and a warning window at most 3650 days: with those bounds no
date arithmetic of the checks (a date plus a duration, an interval, a warning window) can leave
the calendar that Python's dates hold, which ends in the year 9999.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import (
    EVIDENCE_CSV,
    EXCEPTION_EXPIRING,
    MINIMAL_CONFIG,
    MINIMAL_CONTROL,
    MINIMAL_EVIDENCE,
    MINIMAL_POLICY,
    MakeRepo,
    write_repo,
)


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the CLI; the exit code and all its output, after making sure nothing crashed."""
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def check(root: Path, *args: str, as_of: str = "2026-11-15") -> tuple[int, str]:
    return invoke("check", "--repo", str(root), "--as-of", as_of, "--format", "json", *args)


def findings_of(output: str) -> list[tuple[str, str, int, str]]:
    """(code, file, line, message) of every finding of a JSON check report."""
    import json

    report = json.loads(output)
    return [(f["code"], f["file"], f["line"], f["message"]) for f in report["findings"]]


DATE_RANGE = "dates must lie between 1900-01-01 and 2999-12-31"


@pytest.mark.parametrize(
    ("files", "exit_code", "expected"),
    [
        (
            {"controls/iam.yaml": MINIMAL_CONTROL + "        max_age: 9000y\n"},
            1,
            ("SC005", "controls/iam.yaml", 15,
             "`9000y` is too long: a duration is at most 99999d, 9999w, 9999mo or 999y"),
        ),
        (
            {"controls/iam.yaml": MINIMAL_CONTROL + '        max_age: " 12mo"\n'},
            1,
            ("SC005", "controls/iam.yaml", 15,
             "expected a duration such as 100d, 6w, 12mo or 1y, found ` 12mo`:"
             " write it without spaces around it"),
        ),
        (
            {"policies/access.yaml": MINIMAL_POLICY.replace("12mo", "9000y")},
            1,
            ("SC005", "policies/access.yaml", 7,
             "`9000y` is too long: a duration is at most 99999d, 9999w, 9999mo or 999y"),
        ),
        (
            {"evidence/2026/iam-01.yaml": MINIMAL_EVIDENCE.replace(
                "period: {start: 2026-07-01, end: 2026-09-30}", "effective_on: 9999-12-31")},
            1,
            ("SC005", "evidence/2026/iam-01.yaml", 5, f"{DATE_RANGE}, found `9999-12-31`"),
        ),
        (
            {"exceptions/x.yaml": EXCEPTION_EXPIRING % "9999-12-31"},
            1,
            ("SC005", "exceptions/x.yaml", 8, f"{DATE_RANGE}, found `9999-12-31`"),
        ),
        (
            {"ciptool.yaml": MINIMAL_CONFIG
             + "soc2:\n  period: {start: 2026-01-01, end: 9999-12-31}\n"},
            2,
            ("SC005", "ciptool.yaml", 3, f"{DATE_RANGE}, found `9999-12-31`"),
        ),
        (
            {"ciptool.yaml": MINIMAL_CONFIG + "check:\n  expiry_warning_days: 99999999999\n"},
            2,
            ("SC005", "ciptool.yaml", 3,
             "`expiry_warning_days` should be a whole number from 0 to 3650, found 99999999999"),
        ),
        (
            {"ciptool.yaml": MINIMAL_CONFIG + "check:\n  expiry_warning_days: -1\n"},
            2,
            ("SC005", "ciptool.yaml", 3,
             "`expiry_warning_days` should be a whole number from 0 to 3650, found -1"),
        ),
        (
            {"evidence/2026/iam-01.yaml": MINIMAL_EVIDENCE.replace("2026-10-03", "0001-01-01")},
            1,
            ("SC005", "evidence/2026/iam-01.yaml", 4, f"{DATE_RANGE}, found `0001-01-01`"),
        ),
    ],
    ids=["max_age", "max_age-space", "review_every", "effective_on", "expires_on", "soc2-period",
         "expiry-warning-days", "negative-warning-days", "year-1"],
)  # fmt: skip
def test_out_of_range_values_are_located_findings(
    make_repo: MakeRepo,
    files: dict[str, str],
    exit_code: int,
    expected: tuple[str, str, int, str],
) -> None:
    root = make_repo(files)
    code, output = check(root, "--select", "SC")
    assert code == exit_code
    assert findings_of(output) == [expected]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "9999-12-31"], f"--as-of: {DATE_RANGE}, not `9999-12-31`"),
        (["--as-of", "1899-12-31"], f"--as-of: {DATE_RANGE}, not `1899-12-31`"),
        (["--period", "0001-01-01..9999-12-31"], f"--period: {DATE_RANGE}, not `0001-01-01`"),
    ],
)
def test_out_of_range_option_dates_are_usage_errors(
    make_repo: MakeRepo, args: list[str], message: str
) -> None:
    root = make_repo()
    code, output = invoke("check", "--repo", str(root), *args)
    assert code == 2
    assert output == f"ciptool: {message}\n"


@pytest.mark.parametrize(
    ("epoch", "message"),
    [
        ("99999999999999999", "SOURCE_DATE_EPOCH `99999999999999999` is after 2999-12-31"),
        ("32503680000", "SOURCE_DATE_EPOCH `32503680000` is after 2999-12-31"),
        ("-1", "SOURCE_DATE_EPOCH `-1` is before 1970-01-01"),
        ("soon", "SOURCE_DATE_EPOCH should be whole seconds, not `soon`"),
    ],
)
def test_out_of_range_source_date_epoch_is_a_usage_error(
    make_repo: MakeRepo, tmp_path: Path, epoch: str, message: str
) -> None:
    root = make_repo()
    code, output = invoke(
        "report", "soa", "--repo", str(root), "--as-of", "2026-11-15", "-o", str(tmp_path / "r.md"),
        env={"SOURCE_DATE_EPOCH": epoch},
    )  # fmt: skip
    assert code == 2
    assert output.splitlines()[-1] == f"ciptool: {message}"


def test_out_of_range_generation_time_is_a_usage_error(make_repo: MakeRepo) -> None:
    root = make_repo()
    code, output = invoke(
        "report", "soa", "--repo", str(root), "--generated-at", "9999-12-31T23:59:59-12:00",
        "-o", "-",
    )  # fmt: skip
    assert code == 2
    assert output.splitlines()[-1] == (
        "ciptool: --generated-at: the time must lie between 1970-01-01 and 2999-12-31,"
        " not `9999-12-31T23:59:59-12:00`"
    )


CSV_DIGEST = hashlib.sha256(EVIDENCE_CSV).hexdigest()


@pytest.mark.parametrize(
    ("first", "last", "as_of"),
    [("1900-01-01", "1900-12-31", "1900-01-01"), ("2999-01-01", "2999-12-31", "2999-12-31")],
)
def test_the_edges_of_the_range_run_every_check(
    make_repo: MakeRepo, first: str, last: str, as_of: str
) -> None:
    """Every date at an end of the range, every duration at its longest: findings, no crash."""
    config = (
        "program: Edge\nframeworks: [soc2-2017, iso27001-2022, nist-csf-2.0]\n"
        f"soc2:\n  period: {{start: {first}, end: {last}}}\n"
        "check:\n  expiry_warning_days: 3650\n"
    )
    controls = "controls:\n" + "".join(
        f"  - id: C-{frequency}\n    title: T\n    owner: O\n    policy: POL\n"
        f"    frequency: {frequency}\n    mappings: {{soc2-2017: [CC6.1]}}\n"
        f"    evidence:\n      - {{id: e, description: d, max_age: {duration}}}\n"
        for frequency, duration in [
            ("daily", "999y"), ("weekly", "9999mo"), ("monthly", "9999w"),
            ("quarterly", "99999d"), ("semiannual", "0d"), ("annual", "999y"),
        ]
    )  # fmt: skip
    evidence = "evidence:\n" + "".join(
        f"  - control: C-{frequency}\n    requirement: e\n    collected_on: {day}\n"
        f"    effective_on: {day}\n"
        f'    files: [{{path: files/q.csv, sha256: "{CSV_DIGEST}"}}]\n'
        for frequency in ("daily", "weekly", "monthly", "quarterly", "semiannual", "annual")
        for day in (first, last)
    )
    root = make_repo(
        {
            "ciptool.yaml": config,
            "controls/iam.yaml": controls,
            "policies/access.yaml": (
                f"policies:\n  - {{id: POL, title: P, approved_on: {first},"
                f" review_every: 999y, last_reviewed: {last}}}\n"
            ),
            "evidence/2026/iam-01.yaml": evidence,
            "exceptions/x.yaml": (
                "exceptions:\n  - id: EXC-1\n    applies_to: {control: C-daily}\n"
                f"    reason: r\n    risk: low\n    approved_by: CISO\n"
                f"    approved_on: {first}\n    expires_on: {last}\n"
            ),
        }
    )
    code, output = check(root, "--period", f"{first}..{last}", as_of=as_of)
    assert code in (0, 1), output
    assert not [f for f in findings_of(output) if f[0].startswith(("SC", "LD"))]
    for kind in ("soc2", "soa", "csf-profile", "audit-committee", "evidence-index"):
        code, output = invoke(
            "report", kind, "--repo", str(root), "--as-of", as_of, "-o", str(root / "r.md"),
            "--no-cache", env={"SOURCE_DATE_EPOCH": EPOCHS[as_of]},
        )  # fmt: skip
        assert code == 0, output


#: The first and the last generation time allowed, as SOURCE_DATE_EPOCH.
EPOCHS = {"1900-01-01": "0", "2999-12-31": "32503679999"}


# --- any value within the bounds is judged, never a crash -----------------------------------

LAST_DAY = dt.date(2999, 12, 31)
DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=LAST_DAY)
#: Any duration the schema allows, by unit: up to 99999d, 9999w, 9999mo or 999y.
DURATIONS = st.one_of(
    st.integers(0, 99999).map(lambda n: f"{n}d"),
    st.integers(0, 9999).map(lambda n: f"{n}w"),
    st.integers(0, 9999).map(lambda n: f"{n}mo"),
    st.integers(0, 999).map(lambda n: f"{n}y"),
)
FREQUENCIES = ("continuous", "daily", "weekly", "monthly", "quarterly", "semiannual", "annual",
               "event-driven")  # fmt: skip


@st.composite
def dated_repository(draw: st.DrawFn) -> tuple[dict[str, str | bytes], str]:
    """Files of a small program whose every date and duration is drawn within the bounds,
    in any order (a record's period may end before it starts, evidence be dated ahead of
    its collection), and an as-of day.
    """
    first = draw(DAYS)
    # A SOC 2 period of up to ten years: a daily control over eleven centuries is checked
    # by test_the_edges_of_the_range_run_every_check, and takes seconds.
    period = (first, min(first + dt.timedelta(days=draw(st.integers(0, 3650))), LAST_DAY))
    config = (
        "program: Drawn\nframeworks: [soc2-2017, nist-csf-2.0]\n"
        f"soc2:\n  period: {{start: {period[0]}, end: {period[1]}}}\n"
        f"check:\n  expiry_warning_days: {draw(st.integers(0, 3650))}\n"
    )
    frequency = draw(st.sampled_from(FREQUENCIES))
    max_age = draw(st.one_of(st.none(), DURATIONS))
    control = MINIMAL_CONTROL.replace("frequency: quarterly", f"frequency: {frequency}") + (
        f"        max_age: {max_age}\n" if max_age else ""
    )
    records = ["evidence:\n"]
    for _ in range(draw(st.integers(1, 3))):
        collected = draw(DAYS)
        if draw(st.booleans()):
            when = f"    effective_on: {draw(DAYS)}\n"
        else:
            when = f"    period: {{start: {draw(DAYS)}, end: {draw(DAYS)}}}\n"
        records.append(
            f"  - control: IAM-01\n    requirement: recert-signoff\n"
            f"    collected_on: {collected}\n{when}"
            f'    files: [{{path: files/q.csv, sha256: "{CSV_DIGEST}"}}]\n'
        )
    policy = (
        f"policies:\n  - {{id: POL-ACCESS, title: P, owner: O, approved_by: C,"
        f" approved_on: {draw(DAYS)}, review_every: {draw(DURATIONS)},"
        f" last_reviewed: {draw(DAYS)}}}\n"
    )
    exception = EXCEPTION_EXPIRING.replace("2026-01-15", str(draw(DAYS))) % draw(DAYS)
    files: dict[str, str | bytes] = {
        "ciptool.yaml": config,
        "controls/iam.yaml": control,
        "policies/access.yaml": policy,
        "evidence/2026/iam-01.yaml": "".join(records),
        "exceptions/x.yaml": exception,
    }
    return files, str(draw(DAYS))


@settings(max_examples=50, deadline=None, database=None)
@given(dated_repository())
def test_any_dates_and_durations_within_the_bounds_are_judged(
    drawn: tuple[dict[str, str | bytes], str],
) -> None:
    """Whatever their order, in-bound dates and durations give findings, never exit 3."""
    files, as_of = drawn
    with tempfile.TemporaryDirectory() as folder:
        root = write_repo(Path(folder), files)
        code, output = check(root, as_of=as_of)
        assert code in (0, 1), output
        assert not [f for f in findings_of(output) if f[0].startswith("LD")], output
        code, output = invoke(
            "report", "soc2", "--repo", str(root), "--as-of", as_of, "-o",
            str(Path(folder) / "soc2.md"), "--generated-at", "2026-11-15T12:00:00Z",
        )  # fmt: skip
        assert code == 0, output
