"""Metric checks: a key indicator beyond its breach level, or not measured for the last period.

A metric's periods are calendar ones (``2026-07``, ``2026-Q3``, ``2026-H2``, ``2026``), written
as its ``frequency`` measures them; the model refuses a value for a period of another form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.models.registers import Metric
from ciptool.models.types import ReportingPeriod
from ciptool.queries.registers import beyond_threshold

#: Months in one period of each frequency.
_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


def _period_text(year: int, month: int, frequency: str) -> str:
    """How a period of ``frequency`` that starts in ``month`` of ``year`` is written."""
    index = (month - 1) // _MONTHS[frequency] + 1
    if frequency == "monthly":
        return f"{year:04d}-{month:02d}"
    if frequency == "quarterly":
        return f"{year:04d}-Q{index}"
    if frequency == "semiannual":
        return f"{year:04d}-H{index}"
    return f"{year:04d}"


def _period_before(period: ReportingPeriod, frequency: str) -> ReportingPeriod | None:
    """The period of ``frequency`` just before ``period``; None before the earliest date."""
    day = period.start - dt.timedelta(days=1)
    try:
        return ReportingPeriod.parse(_period_text(day.year, day.month, frequency))
    except ValueError:
        return None


def latest_due_period(metric: Metric, today: dt.date) -> ReportingPeriod | None:
    """The latest period of the metric's frequency that ended before ``today`` and whose
    ``reporting_lag``, if it has one, has passed too; None when there is none in range."""
    try:
        current: ReportingPeriod | None = ReportingPeriod.parse(
            _period_text(today.year, today.month, metric.frequency)
        )
    except ValueError:
        return None
    lag = metric.reporting_lag
    while current is not None:
        current = _period_before(current, metric.frequency)
        if current is None or lag is None or lag.after(current.end) < today:
            return current
    return None


def _describe_value(metric: Metric, value: object) -> str:
    unit = metric.unit
    return f"{value}{'%' if unit in {'percent', '%'} else ' ' + unit}"


class MetricBeyondThreshold(Check):
    """A metric's latest value is beyond its threshold, the level the program calls a breach.

    Why: a key risk or performance indicator past its breach level is what the board's
    reporting exists to surface; the owner should act, or the threshold should be set again
    deliberately. The latest value is the one of the latest period given. With
    ``better: lower`` a value above the threshold is a breach; with ``better: higher``, a
    value below it. A value equal to the threshold is not a breach, and a metric without a
    ``threshold`` is never one.

    Passes: ``better: lower``, ``threshold: 5.0``, latest value ``4.1``.
    Fails: the same metric with a latest value of ``6.3``.

    Fix: act on the indicator and record the next period's value; if the breach level is wrong,
    change ``threshold`` with the owner's agreement.
    """

    code = "MT001"
    slug = "metric-beyond-threshold"
    family = "metrics"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.metrics.values():
            metric = sourced.record
            latest = metric.latest()
            if metric.threshold is None or latest is None:
                continue
            if not beyond_threshold(metric, latest.value):
                continue
            above = metric.better == "lower"
            index = metric.values.index(latest)
            yield self.finding(
                f"metric {metric.id} ({metric.title}) is {_describe_value(metric, latest.value)}"
                f" for {latest.period}, {'above' if above else 'below'} its threshold of"
                f" {_describe_value(metric, metric.threshold)} ({metric.better} is better)",
                sourced.at("values", index, "value"),
                "Act on the indicator and record the next period's value; change `threshold`"
                " only if the breach level itself is wrong.",
                subject=metric.id,
            )


class MetricValueMissing(Check):
    """A metric has no value for its latest ended period.

    Why: a metric reported on is only as good as its last value; a quarter without one is a
    quarter the board cannot see. The latest ended period is the latest calendar period of the
    metric's ``frequency`` that ended before the day of the check: on 2026-11-15, 2026-Q3 for a
    quarterly metric, 2026-10 for a monthly one. A metric whose figures come in late says so
    with ``reporting_lag`` (e.g. ``30d``): a period's value is then due that long after the
    period ends, and until then the period before it is the one checked.

    Passes: a quarterly metric with a value for ``2026-Q3``, checked on 2026-11-15.
    Fails: the same metric whose latest value is for ``2026-Q2``.

    Fix: record the period's value under ``values``; if the figures always arrive later, set
    ``reporting_lag``.
    """

    code = "MT002"
    slug = "metric-value-missing"
    family = "metrics"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.metrics.values():
            metric = sourced.record
            due = latest_due_period(metric, ctx.today)
            if due is None or any(value.period.text == due.text for value in metric.values):
                continue
            lag = metric.reporting_lag
            ended = (
                f"ended before {ctx.today}"
                if lag is None
                else f"ended more than {lag.describe()} (its reporting lag) before {ctx.today}"
            )
            latest = metric.latest()
            last = f"its latest value is for {latest.period}" if latest else "it has no values yet"
            yield self.finding(
                f"metric {metric.id} ({metric.title}) has no value for {due}, the latest"
                f" {metric.frequency} period that {ended}; {last}",
                sourced.at("values" if "values" in metric.model_fields_set else "frequency"),
                f"Record the value for {due} under `values`; if the figures always arrive"
                " later, set `reporting_lag` (e.g. 30d).",
                subject=metric.id,
            )
