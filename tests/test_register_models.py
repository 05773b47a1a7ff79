"""The registers' field types and rules: reporting periods, exact numbers, scores, and the
rules that tie one field to another (a done action has a completion date, ...)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from ciptool.loader.validate import validate_record
from ciptool.models import App, AssessmentFinding, Incident, Metric
from ciptool.models.registers import Action, RiskScore
from ciptool.models.types import ReportingPeriod


@pytest.mark.parametrize(
    ("text", "start", "end", "frequency"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "annual"),
        ("2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31), "semiannual"),
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31), "quarterly"),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "quarterly"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "monthly"),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 31), "monthly"),
    ],
)
def test_reporting_periods(text: str, start: dt.date, end: dt.date, frequency: str) -> None:
    period = ReportingPeriod.parse(text)
    assert (period.start, period.end, period.frequency, str(period)) == (
        start,
        end,
        frequency,
        text,
    )


@pytest.mark.parametrize(
    "text", ["2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-H3", "26-Q1", "2026Q1", "1899"]
)
def test_bad_reporting_periods(text: str) -> None:
    with pytest.raises(ValueError):
        ReportingPeriod.parse(text)


def _problems(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[str, str, str]]:
    record, problems = validate_record(model, data, "f.yaml", ())
    assert (record is None) == bool(problems)
    return [(p.code, p.location.yaml_path if p.location else "", p.message) for p in problems]


def _metric(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "KRI-1",
        "title": "Click rate",
        "kind": "kri",
        "unit": "percent",
        "better": "lower",
        "owner": "Awareness lead",
        "frequency": "quarterly",
        "values": [{"period": "2026-Q1", "value": "4.10"}],
    }
    base.update(overrides)
    return base


def test_a_value_is_kept_exactly_as_written() -> None:
    metric, _ = validate_record(Metric, _metric(threshold="5"), "f.yaml", ())
    assert metric is not None
    assert metric.values[0].value == Decimal("4.10")
    assert str(metric.values[0].value) == "4.10"
    assert metric.threshold == Decimal(5)


@pytest.mark.parametrize("value", ["NaN", "inf", "1e3", "4,1", "", "0x10", "1" * 31])
def test_a_value_that_is_not_a_plain_number_is_refused(value: str) -> None:
    values = [{"period": "2026-Q1", "value": value}]
    [(code, path, message)] = _problems(Metric, _metric(values=values))
    assert (code, path) == ("SC005", "values[0].value")
    assert message.startswith("expected a number such as 42 or 3.5, found")


def test_a_period_of_another_frequency_is_refused() -> None:
    values = [{"period": "2026-07", "value": "1"}]
    [(code, _, message)] = _problems(Metric, _metric(values=values))
    assert code == "SC005"
    assert "the period 2026-07 is not quarterly" in message


def test_a_period_given_twice_is_refused() -> None:
    values = [{"period": "2026-Q1", "value": "1"}, {"period": "2026-Q1", "value": "2"}]
    [(_, _, message)] = _problems(Metric, _metric(values=values))
    assert "the period 2026-Q1 has two values" in message


def test_the_latest_value_is_that_of_the_latest_period() -> None:
    values = [{"period": "2026-Q2", "value": "3"}, {"period": "2025-Q4", "value": "9"}]
    metric, _ = validate_record(Metric, _metric(values=values), "f.yaml", ())
    assert metric is not None
    latest = metric.latest()
    assert latest is not None
    assert (str(latest.period), latest.value) == ("2026-Q2", Decimal(3))


@pytest.mark.parametrize(
    ("likelihood", "ok"), [("0", False), ("1", True), ("5", True), ("6", False)]
)
def test_scores_run_from_one_to_five(likelihood: str, ok: bool) -> None:
    score, problems = validate_record(
        RiskScore, {"likelihood": likelihood, "impact": "4"}, "f.yaml", ()
    )
    assert (score is not None) == ok
    if score is not None:
        assert score.score == int(likelihood) * 4
    else:
        assert problems[0].message == (
            f"`likelihood` should be a whole number from 1 to 5, found {likelihood}"
        )


def _action(**overrides: Any) -> dict[str, Any]:
    base = {"id": "A-1", "description": "D", "owner": "O", "due_on": "2027-01-01"}
    base.update(overrides)
    return base


def test_a_done_action_has_a_completion_date_and_only_a_done_one() -> None:
    [(_, _, message)] = _problems(Action, _action(status="done"))
    assert message == "a done action needs `completed_on: YYYY-MM-DD`"
    [(_, _, message)] = _problems(Action, _action(status="planned", completed_on="2026-01-01"))
    assert message == "`completed_on` goes with `status: done`; this action is planned"
    assert _problems(Action, _action(status="done", completed_on="2026-12-01")) == []


def test_a_decision_on_an_app_has_a_date() -> None:
    app = {"id": "APP-1", "name": "N", "developer": "D", "status": "approved"}
    [(_, _, message)] = _problems(App, app)
    assert message == "a decision (approved) needs `decided_on: YYYY-MM-DD`"
    assert _problems(App, {**app, "status": "requested"}) == []


def test_a_remediated_finding_has_a_closing_date() -> None:
    finding = {
        "id": "PT-1",
        "source": "penetration-test",
        "title": "T",
        "severity": "high",
        "found_on": "2026-05-14",
        "owner": "O",
        "due_on": "2026-08-14",
        "status": "remediated",
    }
    [(_, _, message)] = _problems(AssessmentFinding, finding)
    assert message == "a remediated finding needs `closed_on: YYYY-MM-DD`"


def test_an_incident_is_not_contained_before_it_is_detected() -> None:
    incident = {
        "id": "INC-1",
        "title": "T",
        "severity": "low",
        "detected_on": "2026-03-03",
        "contained_on": "2026-03-02",
    }
    [(_, _, message)] = _problems(Incident, incident)
    assert message == "`contained_on` (2026-03-02) is before `detected_on` (2026-03-03)"
