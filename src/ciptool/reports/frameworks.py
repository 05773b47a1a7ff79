"""Framework views: the Statement of Applicability, the CSF 2.0 profile, the SOC 2 criteria."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ciptool.graph import Graph
from ciptool.models import Catalog
from ciptool.models.records import Period
from ciptool.queries.coverage import REQUIREMENT_EXCEPTED
from ciptool.queries.exceptions import requirement_exceptions
from ciptool.queries.intervals import occurrence_tested, occurrences
from ciptool.queries.soa import SoaRow, Statement, statement
from ciptool.reports.common import percent
from ciptool.results import RequirementCoverage, RunResult, Status

ISO = "iso27001-2022"
CSF = "nist-csf-2.0"

#: What each status means, in words for a reader who has not read the README: every document
#: that shows a status says this where its statuses first appear.
STATUS_MEANINGS: tuple[tuple[str, str], ...] = (
    (
        Status.COVERED.value,
        "a control is mapped to it and all the evidence that control requires is intact and"
        " current; no mapped control is under an exception or missed part of the SOC 2 audit"
        " period",
    ),
    (
        Status.COVERED_WITH_DEVIATIONS.value,
        "covered, but a mapped control missed an interval of the SOC 2 audit period (no"
        " evidence for it), which an auditor reports as a deviation; SOC 2 criteria only",
    ),
    (
        Status.EXCEPTED.value,
        "a live exception (a risk acceptance, approved until a set date) covers it or a control"
        " it rests on, so it is not shown to operate in full",
    ),
    (Status.DECLARED.value, "controls are mapped to it, but none has current evidence"),
    (Status.NOT_APPLICABLE.value, "excluded from scope, with a written justification"),
    (Status.GAP.value, "no control is mapped to it"),
)


@dataclass(frozen=True)
class RequirementRow:
    """One requirement with its place in the framework, status and implementing controls."""

    id: str
    title: str
    group: str
    group_title: str
    status: str
    controls: tuple[str, ...]
    note: str
    suggested: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tally:
    """How many requirements stand where. No figure adds two statuses together: the share is
    of covered requirements among the applicable ones, and the rest are counted apart.
    """

    label: str
    title: str
    total: int
    covered: int
    with_deviations: int
    declared: int
    excepted: int
    not_applicable: int
    gap: int

    @property
    def applicable(self) -> int:
        """The requirements the Statement of Applicability does not exclude."""
        return self.total - self.not_applicable

    @property
    def covered_percent(self) -> str:
        """Covered requirements as a share of the applicable ones, as a percentage."""
        return percent(self.covered, self.applicable)

    @property
    def covered_share(self) -> float:
        """Covered requirements as a fraction of the applicable ones (1.0 when none apply)."""
        return self.covered / self.applicable if self.applicable else 1.0

    @property
    def qualified(self) -> str:
        """The applicable requirements that are neither covered nor open, in words: those
        covered with deviations and those excepted; empty when there are none.
        """
        parts = []
        if self.with_deviations:
            parts.append(f"{self.with_deviations} covered with deviations")
        if self.excepted:
            parts.append(f"{self.excepted} excepted")
        return ", ".join(parts)

    @property
    def open(self) -> str:
        """The applicable requirements still open, in words: declared without current
        evidence, and gaps; empty when there are none.
        """
        parts = []
        if self.declared:
            parts.append(f"{self.declared} declared without current evidence")
        if self.gap:
            parts.append(f"{self.gap} gap{'' if self.gap == 1 else 's'}")
        return ", ".join(parts)


def tally(label: str, title: str, rows: Iterable[RequirementCoverage]) -> Tally:
    """Count ``rows`` by status."""
    return tally_statuses(label, title, (row.status for row in rows))


def tally_statuses(label: str, title: str, statuses: Iterable[Status]) -> Tally:
    """Count ``statuses``."""
    counts = dict.fromkeys(Status, 0)
    total = 0
    for status in statuses:
        counts[status] += 1
        total += 1
    return Tally(
        label,
        title,
        total,
        counts[Status.COVERED],
        counts[Status.COVERED_WITH_DEVIATIONS],
        counts[Status.DECLARED],
        counts[Status.EXCEPTED],
        counts[Status.NOT_APPLICABLE],
        counts[Status.GAP],
    )


def _group(catalog: Catalog, item_id: str, level: int) -> tuple[str, str]:
    """The ancestor ``level`` steps below the top (0: the top itself): id and title."""
    chain = []
    current = catalog.by_id[item_id]
    while current.parent is not None:
        current = catalog.by_id[current.parent]
        chain.append(current)
    chain.reverse()
    if not chain:
        return "", ""
    ancestor = chain[min(level, len(chain) - 1)]
    return ancestor.id, ancestor.title


def _note(reason: str, reference: str, exceptions: dict[str, list[str]]) -> str:
    """The coverage reason, naming the exception when one covers the requirement itself."""
    if reason == REQUIREMENT_EXCEPTED and reference in exceptions:
        return f"{reason} ({', '.join(sorted(exceptions[reference]))})"
    return reason


def requirement_rows(
    graph: Graph, result: RunResult, framework: str, level: int = 0
) -> list[RequirementRow]:
    """Every in-scope requirement of ``framework`` as report rows, in catalog order."""
    catalog = graph.catalogs[framework]
    exceptions = requirement_exceptions(graph, result.today)
    rows = []
    for row in result.coverage:
        if row.framework != framework:
            continue
        group, group_title = _group(catalog, row.requirement, level)
        rows.append(
            RequirementRow(
                id=row.requirement,
                title=row.title,
                group=group,
                group_title=group_title,
                status=row.status.value,
                controls=row.controls,
                note=_note(row.reason, f"{framework}:{row.requirement}", exceptions),
                suggested=row.suggested,
            )
        )
    return rows


def statement_of_applicability(graph: Graph, result: RunResult) -> Statement:
    """All 93 Annex A controls and the additional ones: applicability with the reasons,
    implementation status, implementing controls and coverage status (:mod:`ciptool.queries.soa`).

    Made only with ISO/IEC 27001:2022 in scope (``build_report`` refuses otherwise), so every
    Annex A control has its status from ``result``, not applicable ones included.
    """
    return statement(graph, result.coverage, result.today)


def soa_tally(rows: Iterable[SoaRow]) -> Tally:
    """The Statement of Applicability's Annex A rows counted by coverage status."""
    return tally_statuses("", "ISO/IEC 27001:2022 Annex A", (Status(row.status) for row in rows))


def by_group(rows: list[RequirementRow]) -> list[tuple[str, str, list[RequirementRow]]]:
    """Rows grouped by their group, in order: (group id, group title, rows)."""
    groups: dict[str, tuple[str, list[RequirementRow]]] = {}
    for row in rows:
        groups.setdefault(row.group, (row.group_title, []))[1].append(row)
    return [(group, title, members) for group, (title, members) in groups.items()]


def group_tallies(result: RunResult, graph: Graph, framework: str, level: int) -> list[Tally]:
    """One tally per group of ``framework`` (CSF functions at level 0, categories at 1)."""
    catalog = graph.catalogs.get(framework)
    if catalog is None:
        return []
    grouped: dict[str, list[RequirementCoverage]] = {}
    titles: dict[str, str] = {}
    for row in result.coverage:
        if row.framework != framework:
            continue
        group, title = _group(catalog, row.requirement, level)
        grouped.setdefault(group, []).append(row)
        titles[group] = title
    return [tally(group, titles[group], rows) for group, rows in grouped.items()]


def framework_tally(result: RunResult, graph: Graph, framework: str) -> Tally | None:
    """One tally for a whole framework in scope, or None when it is not in scope."""
    rows = [row for row in result.coverage if row.framework == framework]
    if not rows:
        return None
    catalog = graph.catalogs[framework]
    return tally("", catalog.display_name, rows)


@dataclass(frozen=True)
class OccurrenceRow:
    """A recurring SOC 2 control, tested interval by interval over the audit period."""

    control: str
    title: str
    frequency: str
    cells: tuple[tuple[str, str], ...]  # (interval name, "ok" | "missing" | "open")

    @property
    def missing(self) -> int:
        """How many intervals that have ended have no evidence."""
        return sum(1 for _, state in self.cells if state == "missing")

    @property
    def runs(self) -> tuple[OccurrenceRun, ...]:
        """The cells with consecutive intervals of one state taken together, so a daily
        control's period reads as a few runs, not hundreds of days.
        """
        runs: list[OccurrenceRun] = []
        for name, state in self.cells:
            if runs and runs[-1].state == state:
                last = runs[-1]
                runs[-1] = OccurrenceRun(last.first, name, state, last.count + 1)
            else:
                runs.append(OccurrenceRun(name, name, state, 1))
        return tuple(runs)


@dataclass(frozen=True)
class OccurrenceRun:
    """Consecutive intervals in one state: evidence found ("ok"), "missing", or still "open"."""

    first: str
    last: str
    state: str
    count: int

    @property
    def text(self) -> str:
        """The run in words: "2026-Q2: missing", "2026-01 to 2026-09: 9 ok"."""
        if self.count == 1:
            return f"{self.first}: {self.state}"
        return f"{self.first} to {self.last}: {self.count} {self.state}"


def occurrence_testing(graph: Graph, period: Period | None, today: dt.date) -> list[OccurrenceRow]:
    """Each recurring control mapped to SOC 2, with an occurrence per interval of the period."""
    if period is None:
        return []
    rows = []
    for control in graph.iter_controls():
        record = control.record
        if not occurrence_tested(record):
            continue
        cells = tuple(
            (interval.name, "open" if ok is None else "ok" if ok else "missing")
            for interval, ok in occurrences(graph, record, period, today)
        )
        rows.append(OccurrenceRow(record.id, record.title, record.frequency, cells))
    return rows
