"""SOC 2 Type II occurrences: the intervals of a recurring control over the audit period, and
which of them evidence speaks for.

Shared by EV007, coverage (``covered-with-deviations``), the framework reports and ``ciptool
explain``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ciptool.graph import Graph
from ciptool.models import Control, EvidenceRecord
from ciptool.models.records import Period
from ciptool.queries.evidence import counts_on, span

#: The catalog id of SOC 2, whose Type II period tests recurring controls.
SOC2 = "soc2-2017"
#: Frequencies tested interval by interval over a SOC 2 Type II period.
RECURRING = ("daily", "weekly", "monthly", "quarterly", "semiannual", "annual")


@dataclass(frozen=True, order=True)
class Interval:
    """One occurrence window of a recurring control, e.g. 2026-Q2."""

    start: dt.date
    end: dt.date
    name: str


def intervals(frequency: str, period: Period) -> list[Interval]:
    """The calendar intervals of ``frequency`` that overlap ``period``, clipped to it."""
    found: list[Interval] = []
    day = period.start
    while day <= period.end:
        start, end, name = _interval_around(frequency, day)
        found.append(Interval(max(start, period.start), min(end, period.end), name))
        day = end + dt.timedelta(days=1)
    return found


def _interval_around(frequency: str, day: dt.date) -> tuple[dt.date, dt.date, str]:
    if frequency == "daily":
        return day, day, day.isoformat()
    if frequency == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return start, start + dt.timedelta(days=6), f"{year}-W{week:02d}"
    months = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}[frequency]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    next_month = first_month + months
    following = dt.date(day.year + (next_month > 12), (next_month - 1) % 12 + 1, 1)
    end = following - dt.timedelta(days=1)
    if frequency == "monthly":
        name = f"{day.year}-{first_month:02d}"
    elif frequency == "quarterly":
        name = f"{day.year}-Q{(first_month - 1) // 3 + 1}"
    elif frequency == "semiannual":
        name = f"{day.year}-H{(first_month - 1) // 6 + 1}"
    else:
        name = str(day.year)
    return start, end, name


def spoken_for(records: Iterable[EvidenceRecord], due: Sequence[Interval]) -> list[bool]:
    """For each interval, whether some record's day or span falls in it.

    One pass over the records sorted by their first day: asking every record about every
    interval would grow with their product (a daily control with a year of daily evidence
    is 365 records by 365 intervals).
    """
    spans = sorted(span(record) for record in records)
    covered = [False] * len(due)
    reach: dt.date | None = None  # the latest last day of the spans that start in time
    taken = 0
    for index in sorted(range(len(due)), key=lambda i: due[i].end):
        interval = due[index]
        while taken < len(spans) and spans[taken][0] <= interval.end:
            last = spans[taken][1]
            reach = last if reach is None else max(reach, last)
            taken += 1
        covered[index] = reach is not None and reach >= interval.start
    return covered


def occurrence_tested(control: Control) -> bool:
    """True when a SOC 2 Type II period tests the control interval by interval."""
    return (
        control.frequency in RECURRING
        and bool(control.evidence)
        and bool(control.mappings.get(SOC2))
    )


def occurrences(
    graph: Graph, control: Control, period: Period, today: dt.date
) -> list[tuple[Interval, bool | None]]:
    """Each interval of ``period`` for the control, with whether evidence speaks for it (None
    while the interval has not ended on ``today``). Records that do not count (see
    :func:`counts_on`) speak for no interval, as everywhere.
    """
    evidence = [
        sourced.record
        for requirement in control.evidence
        for sourced in graph.evidence_by_requirement.get((control.id, requirement.id), [])
        if counts_on(sourced.record, today)
    ]
    every = intervals(control.frequency, period)
    return [
        (interval, ok if interval.end < today else None)
        for interval, ok in zip(every, spoken_for(evidence, every), strict=True)
    ]


def deviations(graph: Graph, period: Period, today: dt.date) -> dict[str, list[str]]:
    """Control id -> the runs of ended intervals of the SOC 2 period without evidence
    ("2026-Q2", "2026-01..2026-03"), for every occurrence-tested control that has any.

    EV007 reports each run; coverage of the SOC 2 criteria such a control maps says
    ``covered-with-deviations``.
    """
    key = ("deviations", period.start, period.end, today)
    return graph.derived(key, lambda: _deviations(graph, period, today))


def _deviations(graph: Graph, period: Period, today: dt.date) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for sourced in graph.iter_controls():
        control = sourced.record
        if not occurrence_tested(control):
            continue
        cells = occurrences(graph, control, period, today)
        due = [interval for interval, ok in cells if ok is not None]
        missing = [interval for interval, ok in cells if ok is False]
        runs = [
            run[0].name if len(run) == 1 else f"{run[0].name}..{run[-1].name}"
            for run in _consecutive(missing, due)
        ]
        if runs:
            found[control.id] = runs
    return found


def _consecutive(missing: list[Interval], due: list[Interval]) -> Iterator[list[Interval]]:
    """Group missing intervals that follow each other, so a long gap is one finding."""
    position = {interval: index for index, interval in enumerate(due)}
    run: list[Interval] = []
    for interval in missing:
        if run and position[interval] != position[run[-1]] + 1:
            yield run
            run = []
        run.append(interval)
    if run:
        yield run
