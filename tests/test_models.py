"""Field types read YAML text by the schema."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from ciptool.loader.validate import validate_record
from ciptool.models import Control, EvidenceRecord
from ciptool.models.records import Applicability, CheckSettings
from ciptool.models.types import Duration, WarningDays


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("100d", dt.date(2026, 1, 1), dt.date(2026, 4, 11)),
        ("6w", dt.date(2026, 1, 1), dt.date(2026, 2, 12)),
        ("12mo", dt.date(2026, 3, 2), dt.date(2027, 3, 2)),
        ("1mo", dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        ("1y", dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
    ],
)
def test_durations(text: str, start: dt.date, end: dt.date) -> None:
    assert Duration.parse(text).after(start) == end


@pytest.mark.parametrize(
    "text", ["12", "12 months", "1.5y", "-3d", "d", " 12mo", "12mo ", "12mo\n"]
)
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        Duration.parse(text)


def _control(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {"id": "C-1", "title": "T", "owner": "O", "frequency": "daily"}
    base.update(overrides)
    return base


def test_text_stays_text() -> None:
    control, problems = validate_record(Control, _control(id="5.10", title="NO"), "f.yaml", ())
    assert problems == []
    assert control is not None
    assert (control.id, control.title) == ("5.10", "NO")


def test_bool_is_yaml_1_2() -> None:
    good, _ = validate_record(Applicability, {"applicable": "false", "justification": "j"}, "f", ())
    assert good is not None
    assert good.applicable is False
    bad, problems = validate_record(
        Applicability, {"applicable": "no", "justification": "j"}, "f", ()
    )
    assert bad is None
    assert [p.message for p in problems] == [
        "expected true or false, found `no` (YAML 1.2 reads yes/no/on/off as text)"
    ]


def test_dates_only_where_dates_are_expected() -> None:
    record = {
        "control": "C-1",
        "requirement": "r",
        "collected_on": "2026-02-30",
        "effective_on": "yesterday",
    }
    parsed, problems = validate_record(EvidenceRecord, record, "e.yaml", ("evidence", 0))
    assert parsed is None
    assert [(p.code, p.location.yaml_path if p.location else "", p.message) for p in problems] == [
        ("SC005", "evidence[0].collected_on", "`2026-02-30` is not a real calendar date"),
        (
            "SC005",
            "evidence[0].effective_on",
            "expected a date written YYYY-MM-DD, found `yesterday`",
        ),
    ]


def test_exactly_one_of_period_and_effective_on() -> None:
    record = {"control": "C-1", "requirement": "r", "collected_on": "2026-02-03"}
    _, problems = validate_record(EvidenceRecord, record, "e.yaml", ("evidence", 0))
    assert [p.message for p in problems] == [
        "say when the evidence applies: `effective_on: YYYY-MM-DD`"
        " or `period: {start: ..., end: ...}`"
    ]


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        (
            "id",
            "C-1\n",
            "`C-1\\n` is not a valid id: use letters, digits and . _ - : / with no spaces",
        ),
        (
            "id",
            " C-1",
            "` C-1` is not a valid id: use letters, digits and . _ - : / with no spaces",
        ),
    ],
)
def test_a_line_break_or_space_around_an_id_is_refused(field: str, text: str, message: str) -> None:
    control, problems = validate_record(Control, _control(**{field: text}), "f.yaml", ())
    assert control is None
    assert [p.message for p in problems] == [message]


def test_a_line_break_after_a_whole_number_is_refused() -> None:
    settings, problems = validate_record(CheckSettings, {"expiry_warning_days": "30\n"}, "f", ())
    assert settings is None
    assert [p.message for p in problems] == ["expected a whole number, found `30\\n`"]


def test_a_whole_number_too_long_to_read_is_refused_by_its_length() -> None:
    settings, problems = validate_record(
        CheckSettings, {"expiry_warning_days": "9" * 5000}, "f", ()
    )
    assert settings is None
    assert [p.message for p in problems] == ["expected a whole number, found one of 5000 digits"]


@given(st.text(alphabet="+-0123456789 ", max_size=7))
def test_the_schema_reads_a_warning_window_written_as_text_as_ciptool_does(text: str) -> None:
    """An editor reads ``"30"`` as text: the schema's pattern for it accepts what ciptool does."""
    adapter = TypeAdapter(WarningDays)
    (_, as_text) = adapter.json_schema()["anyOf"]
    try:
        adapter.validate_python(text)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == bool(re.search(as_text["pattern"], text)), text
