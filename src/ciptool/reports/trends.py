"""Trends over the last quarters (``--trend``): the repository as it stood at the end of each
quarter, read from git history, and judged as of that day.

The points are the ends of the last quarters before the report's day, and the report's day
itself, which is the briefing's own state: with ``4q`` on 2026-11-15, the ends of 2026-Q1,
Q2 and Q3 and 2026-11-15 ("2026-Q4 to date"); on 2026-12-31, the ends of Q1 to Q4. The last
point is the repository the rest of the briefing reports on, so every figure of it agrees
with the briefing's. An earlier point is the last commit on or before its day, judged as of
that day; a day before the first commit has no record (never a zero).

This module computes a point's figures from a loaded, checked repository; reading history is
:mod:`ciptool.app.trend`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ciptool.graph import Graph
from ciptool.models import Metric
from ciptool.queries.exceptions import live_exceptions
from ciptool.queries.registers import beyond_threshold
from ciptool.queries.risks import LEVELS, appetite, level
from ciptool.reports.common import counted
from ciptool.reports.frameworks import CSF, Tally, framework_tally, group_tallies
from ciptool.results import RunResult

#: How many quarters ``--trend`` may show: at least two points make a line, and eight (two
#: years) keep a board page readable.
FEWEST_QUARTERS, MOST_QUARTERS = 2, 8

#: What a table says for a quarter the repository has no record of.
NO_RECORD = "no record"
#: Why a quarter has no record: its day comes before the repository's first commit (or before
#: the first with a ``ciptool.yaml``), or the repository as committed then could not be read in
#: full (a ``ciptool.yaml`` that could not be used, or a file that could not be read, which
#: would leave figures out).
BEFORE_HISTORY, UNREADABLE = "before the first commit", "could not be read"


#: A line as a chart draws it: its name and each value with its label.
Series = tuple[str, tuple[tuple[float | None, str], ...]]

#: The risk lines shown in the table only, so that the chart stays readable.
_TABLE_ONLY = ("all risks", "of which no live acceptance carries")


def quarter_end(day: dt.date) -> dt.date:
    """The last day of the calendar quarter ``day`` falls in."""
    month = (day.month - 1) // 3 * 3 + 3
    following = dt.date(day.year + 1, 1, 1) if month == 12 else dt.date(day.year, month + 1, 1)
    return following - dt.timedelta(days=1)


def quarter_name(day: dt.date) -> str:
    """``2026-Q3`` for a day of July to September 2026."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def trend_days(as_of: dt.date, quarters: int) -> list[tuple[str, dt.date]]:
    """The points of a trend over ``quarters`` quarters, oldest first, each with its label:
    the ends of the ``quarters - 1`` quarters before the one ``as_of`` falls in, and ``as_of``
    (the quarter's end itself when it is one, "to date" otherwise)."""
    days: list[tuple[str, dt.date]] = []
    end = quarter_end(as_of)
    last = quarter_name(as_of) if end == as_of else f"{quarter_name(as_of)} to date"
    days.append((last, as_of))
    start = dt.date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1)
    for _ in range(quarters - 1):
        previous = start - dt.timedelta(days=1)
        days.append((quarter_name(previous), previous))
        start = dt.date(previous.year, (previous.month - 1) // 3 * 3 + 1, 1)
    return days[::-1]


@dataclass(frozen=True)
class Quarter:
    """One point of the trend: the day it speaks for and whether the repository had a record."""

    label: str
    day: dt.date
    #: The commit the point was read from (12 hex digits); empty for the briefing's own state
    #: and for a day before the first commit.
    commit: str
    recorded: bool
    #: Whether this point is the repository the rest of the briefing reports on.
    current: bool = False
    #: Why it has no record (``BEFORE_HISTORY`` or ``UNREADABLE``); empty when it has one.
    why: str = ""


@dataclass(frozen=True)
class RiskPoint:
    """The risk register on one day."""

    #: How many risks stand at each residual level, highest first (``LEVELS``).
    by_level: tuple[tuple[str, int], ...]
    total: int
    #: ``risk.appetite`` then, None when ``ciptool.yaml`` set none.
    appetite: int | None
    #: Risks whose residual score is above the appetite (0 without an appetite).
    above_appetite: int
    #: Of those, how many no live acceptance among their ``exceptions`` carried.
    above_unaccepted: int
    #: Risk acceptances (exceptions) live on the day.
    live_acceptances: int


@dataclass(frozen=True)
class MetricPoint:
    """A metric on one day: the value of the latest period ended by then, if any."""

    #: False when the metric was not in the register on that day.
    tracked: bool
    period: str = ""
    value: Decimal | None = None
    unit: str = ""
    #: Whether the value was beyond the metric's threshold; None without a threshold or value.
    beyond: bool | None = None
    #: The metric's threshold on that day, if it had one.
    threshold: Decimal | None = None

    @property
    def text(self) -> str:
        """The value as a table shows it."""
        if not self.tracked:
            return "not tracked"
        if self.value is None:
            return "no value"
        return f"{_number(self.value, self.unit)} ({self.period})"


@dataclass(frozen=True)
class Point:
    """Everything the trend shows of one day the repository has a record of."""

    frameworks: dict[str, Tally]
    functions: dict[str, Tally]
    risk: RiskPoint
    metrics: dict[str, MetricPoint]


#: Which of a point's tallies a line follows: its frameworks or its CSF functions.
_Part = Callable[[Point], dict[str, Tally]]


@dataclass(frozen=True)
class Line:
    """A line of the trend: its name and its value at each quarter, None where there is none."""

    name: str
    cells: tuple[str, ...]
    #: The plotted values (None: no point).
    values: tuple[float | None, ...]
    #: Each point's label on a chart; the cells' text when not given.
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricLine:
    """A metric over the quarters."""

    id: str
    title: str
    unit: str
    better: str
    threshold: Decimal | None
    cells: tuple[MetricPoint | None, ...]  # None: no record of the quarter

    @property
    def breaches(self) -> int:
        """How many quarters the metric was beyond its threshold."""
        return sum(1 for cell in self.cells if cell is not None and cell.beyond)

    @property
    def threshold_text(self) -> str:
        """The threshold with its unit, empty without one."""
        return "" if self.threshold is None else _number(self.threshold, self.unit)

    @property
    def texts(self) -> tuple[str, ...]:
        """Each quarter's cell as a table shows it."""
        return tuple(
            NO_RECORD if cell is None else cell.text + (" beyond threshold" if cell.beyond else "")
            for cell in self.cells
        )

    @property
    def series(self) -> tuple[Series, ...]:
        """The metric's line and its threshold's, for a line chart."""
        points = tuple(
            (float(cell.value), _number(cell.value, self.unit) + (" beyond" if cell.beyond else ""))
            if cell is not None and cell.value is not None
            else (None, "")
            for cell in self.cells
        )
        lines = [(self.title, points)]
        if self.threshold is not None:
            # The threshold as it stood on each day the metric was in the register.
            limits = tuple(
                (float(cell.threshold), "")
                if cell is not None and cell.threshold is not None
                else (None, "")
                for cell in self.cells
            )
            lines.append((f"threshold ({_number(self.threshold, self.unit)} now)", limits))
        return tuple(lines)


@dataclass(frozen=True)
class Trend:
    """The posture, risk and metric lines over the quarters asked for."""

    quarters: tuple[Quarter, ...]
    #: Coverage of each framework in scope: the share of applicable requirements covered.
    frameworks: tuple[Line, ...]
    #: NIST CSF 2.0 by function, the same share.
    functions: tuple[Line, ...]
    #: Risks by residual level, above the appetite, and live acceptances.
    risks: tuple[Line, ...]
    metrics: tuple[MetricLine, ...]  # by id
    #: Each point's appetite, for the note under the risk table.
    appetites: tuple[int | None, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """The quarters' labels, for a chart's axis."""
        return tuple(
            f"{q.label}|{q.day.isoformat()}" + ("" if q.recorded else f"|{NO_RECORD}")
            for q in self.quarters
        )

    @property
    def framework_series(self) -> tuple[Series, ...]:
        """The frameworks' lines, for a line chart."""
        return series(self.frameworks)

    @property
    def function_series(self) -> tuple[Series, ...]:
        """The CSF 2.0 functions' lines, for a line chart."""
        return series(self.functions)

    @property
    def risk_series(self) -> tuple[Series, ...]:
        """Risks by level, above the appetite, and live acceptances, for a line chart (the
        totals are in the table)."""
        return series([line for line in self.risks if line.name not in _TABLE_ONLY])

    @property
    def unrecorded(self) -> tuple[Quarter, ...]:
        """The quarters before the repository's first commit."""
        return tuple(q for q in self.quarters if q.why == BEFORE_HISTORY)

    @property
    def unreadable(self) -> tuple[Quarter, ...]:
        """The quarters whose repository could not be read in full."""
        return tuple(q for q in self.quarters if q.why == UNREADABLE)

    @property
    def gaps_note(self) -> str:
        """Why some quarters show no record, in words; empty when all have one."""
        sentences = []
        before = self.unrecorded
        if before:
            many = len(before) > 1
            sentences.append(
                f"The program's record begins after {before[-1].day}, so"
                f" {counted(len(before), 'earlier quarter')} {'show' if many else 'shows'} no"
                " record."
            )
        unread = self.unreadable
        if unread:
            days = ", ".join(str(q.day) for q in unread)
            sentences.append(
                f"The program's records as they stood on {days} could not be read in full,"
                " so no figures are shown for that day."
                if len(unread) == 1
                else f"The program's records as they stood on {days} could not be read in"
                " full, so no figures are shown for those days."
            )
        return " ".join(sentences)

    @property
    def appetite_note(self) -> str:
        """What the appetite was, in one sentence, or empty when none was set."""
        known = sorted({a for a in self.appetites if a is not None})
        if not known:
            return "No risk appetite was set, so no risk is counted above it."
        if len(known) == 1:
            return f"The risk appetite was a residual score of {known[0]} throughout."
        each = ", ".join(
            f"{q.label}: {a if a is not None else 'none'}"
            for q, a in zip(self.quarters, self.appetites, strict=True)
            if q.recorded
        )
        return f"The risk appetite changed over the quarters ({each})."


def series(lines: Sequence[Line]) -> tuple[Series, ...]:
    """``lines`` as a line chart draws them: each value with its label."""
    return tuple(
        (line.name, tuple(zip(line.values, line.labels or line.cells, strict=True)))
        for line in lines
    )


def measure_point(graph: Graph, result: RunResult, day: dt.date) -> Point:
    """The trend's figures of a repository checked as of ``day``."""
    config = graph.config
    frameworks = {}
    for framework in config.frameworks if config else []:
        tally = framework_tally(result, graph, framework)
        if tally is not None:
            frameworks[tally.title] = tally
    functions = {f"{t.label} {t.title}": t for t in group_tallies(result, graph, CSF, 0)}
    return Point(frameworks, functions, _risk_point(graph, day), _metric_points(graph, day))


def _risk_point(graph: Graph, day: dt.date) -> RiskPoint:
    limit = appetite(graph)
    live = {sourced.record.id for sourced in live_exceptions(graph, day)}
    counts = dict.fromkeys(LEVELS, 0)
    above = unaccepted = 0
    for sourced in graph.risks.values():
        risk = sourced.record
        score = risk.residual.score
        counts[level(score)] += 1
        if limit is not None and score > limit:
            above += 1
            if not any(ident in live for ident in risk.exceptions):
                unaccepted += 1
    return RiskPoint(
        by_level=tuple(counts.items()),
        total=len(graph.risks),
        appetite=limit,
        above_appetite=above,
        above_unaccepted=unaccepted,
        live_acceptances=len(live),
    )


def _metric_points(graph: Graph, day: dt.date) -> dict[str, MetricPoint]:
    return {
        sourced.record.id: _metric_point(sourced.record, day) for sourced in graph.metrics.values()
    }


def _metric_point(metric: Metric, day: dt.date) -> MetricPoint:
    ended = [value for value in metric.values if value.period.end <= day]
    latest = max(ended, key=lambda value: value.period.end, default=None)
    if latest is None:
        return MetricPoint(tracked=True, unit=metric.unit, threshold=metric.threshold)
    return MetricPoint(
        tracked=True,
        period=latest.period.text,
        value=latest.value,
        unit=metric.unit,
        beyond=beyond_threshold(metric, latest.value),
        threshold=metric.threshold,
    )


def build_trend(
    quarters: Sequence[Quarter], points: Sequence[Point | None], metrics: Sequence[Metric]
) -> Trend:
    """The trend of ``points`` (None for a quarter with no record), one per quarter, oldest
    first; ``metrics`` are the register's metrics as the last recorded point has them, and
    any metric an earlier point had that it has not."""
    last = next((p for p in reversed(points) if p is not None), None)
    frameworks = _names(points, last, lambda p: p.frameworks)
    functions = _names(points, last, lambda p: p.functions)
    return Trend(
        quarters=tuple(quarters),
        frameworks=tuple(_share_line(name, points, lambda p: p.frameworks) for name in frameworks),
        functions=tuple(_share_line(name, points, lambda p: p.functions) for name in functions),
        risks=_risk_lines(points),
        metrics=tuple(_metric_line(metric, points) for metric in metrics),
        appetites=tuple(p.risk.appetite if p else None for p in points),
    )


def _names(points: Sequence[Point | None], last: Point | None, part: _Part) -> list[str]:
    """The names the last recorded point has, in its order, then the others earlier points had,
    sorted."""
    names = list(part(last)) if last else []
    others = {name for p in points if p is not None for name in part(p)} - set(names)
    return names + sorted(others)


def _share_line(name: str, points: Sequence[Point | None], part: _Part) -> Line:
    cells: list[str] = []
    values: list[float | None] = []
    labels: list[str] = []
    for point in points:
        tally = part(point).get(name) if point is not None else None
        if point is None:
            cells.append(NO_RECORD)
            values.append(None)
            labels.append("")
        elif tally is None:
            cells.append("not in scope")
            values.append(None)
            labels.append("")
        else:
            cells.append(f"{tally.covered_percent} ({tally.covered} of {tally.applicable})")
            values.append(100 * tally.covered / tally.applicable if tally.applicable else None)
            labels.append(tally.covered_percent)
    return Line(name, tuple(cells), tuple(values), tuple(labels))


def _risk_lines(points: Sequence[Point | None]) -> tuple[Line, ...]:
    rows: list[tuple[str, list[int | None]]] = [
        (f"{name} residual risks", [dict(p.risk.by_level)[name] if p else None for p in points])
        for name in LEVELS
    ]
    rows.append(("all risks", [p.risk.total if p else None for p in points]))
    rows.append(("risks above appetite", [p.risk.above_appetite if p else None for p in points]))
    rows.append(
        (
            "of which no live acceptance carries",
            [p.risk.above_unaccepted if p else None for p in points],
        )
    )
    rows.append(("live risk acceptances", [p.risk.live_acceptances if p else None for p in points]))
    return tuple(
        Line(
            name,
            tuple(NO_RECORD if n is None else str(n) for n in counts),
            tuple(None if n is None else float(n) for n in counts),
        )
        for name, counts in rows
    )


def _metric_line(metric: Metric, points: Sequence[Point | None]) -> MetricLine:
    cells: list[MetricPoint | None] = []
    for point in points:
        if point is None:
            cells.append(None)
        else:
            cells.append(point.metrics.get(metric.id, MetricPoint(tracked=False)))
    return MetricLine(
        id=metric.id,
        title=metric.title,
        unit=metric.unit,
        better=metric.better,
        threshold=metric.threshold,
        cells=tuple(cells),
    )


def _number(value: Decimal, unit: str) -> str:
    return f"{value}%" if unit in {"percent", "%"} else f"{value} {unit}"
