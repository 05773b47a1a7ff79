"""Evidence checks: every required piece of evidence exists, is current, intact and honest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from ciptool.checks.base import Check, Context
from ciptool.findings import Finding, Location, Severity
from ciptool.graph import EvidenceFileFacts, FileState, Graph
from ciptool.models import Control, EvidenceRecord, Sourced
from ciptool.models.records import EvidenceFile, Period
from ciptool.models.types import Duration

#: How old the newest evidence may be, by the control's frequency, unless ``max_age`` says
#: otherwise. Each default leaves a margin for collecting evidence after the interval ends.
DEFAULT_MAX_AGE: dict[str, Duration | None] = {
    "continuous": Duration(40, "d"),
    "daily": Duration(7, "d"),
    "weekly": Duration(14, "d"),
    "monthly": Duration(40, "d"),
    "quarterly": Duration(100, "d"),
    "semiannual": Duration(200, "d"),
    "annual": Duration(13, "mo"),
    "event-driven": None,  # evidence follows events; there is no schedule to fall behind
}

_FILE_PROBLEMS = {
    FileState.MISSING: "is missing",
    FileState.NOT_A_FILE: "is not a regular file (a folder, a FIFO or a device)",
    FileState.OUTSIDE: "is a link that leads outside the repository",
    FileState.UNREADABLE: "cannot be read",
}


def span(record: EvidenceRecord) -> tuple[dt.date, dt.date]:
    """The first and last day the record speaks for: its period, or its one effective day."""
    if record.period is not None:
        return record.period.start, record.period.end
    assert record.effective_on is not None  # the model requires one of the two
    return record.effective_on, record.effective_on


def effective_date(record: EvidenceRecord) -> dt.date:
    """The last day the evidence speaks for: the end of its period, or its effective date."""
    return span(record)[1]


def dates(record: EvidenceRecord) -> list[tuple[str, dt.date, tuple[str, ...]]]:
    """The days a record names, each with what it is and its YAML path in the record:
    collected, and the end of its period or its effective day.
    """
    found: list[tuple[str, dt.date, tuple[str, ...]]] = [
        ("collected", record.collected_on, ("collected_on",))
    ]
    if record.period is not None:
        found.append(("its period ends", record.period.end, ("period", "end")))
    elif record.effective_on is not None:
        found.append(("effective", record.effective_on, ("effective_on",)))
    return found


def in_the_future(record: EvidenceRecord, today: dt.date) -> bool:
    """True when the record is collected, effective or ends its period after ``today``:
    EV005 reports exactly these records.
    """
    return any(day > today for _, day, _ in dates(record))


def ahead_of_collection(record: EvidenceRecord) -> list[tuple[str, dt.date, tuple[str, ...]]]:
    """The days of :func:`dates` the record speaks for after the day it was collected (its
    effective day, or the end of its period): EV008 reports exactly these.
    """
    return [found for found in dates(record)[1:] if found[1] > record.collected_on]


def counts_on(record: EvidenceRecord, today: dt.date) -> bool:
    """True when the record may speak for anything on ``today``.

    The one definition: a record in the future (EV005) or dated after its own collection
    (EV008) counts for nothing, not for currency, coverage or SOC 2 occurrences.
    """
    return not in_the_future(record, today) and not ahead_of_collection(record)


def max_age(control: Control, requirement_index: int) -> Duration | None:
    """How old the newest evidence for the requirement may be."""
    requirement = control.evidence[requirement_index]
    return requirement.max_age or DEFAULT_MAX_AGE[control.frequency]


class EvidenceStatus(str, Enum):
    """Where one evidence requirement of one control stands on a day, by its newest record."""

    CURRENT = "current"
    STALE = "stale"
    MISSING = "missing"
    BROKEN = "broken"  # a listed file is missing or its digest differs
    #: dated after the day, or speaking for a day after its own collection (see :func:`counts_on`)
    FUTURE = "future"


@dataclass(frozen=True)
class RequirementEvidence:
    """The records of one evidence requirement of one control, newest last."""

    control: Sourced[Control]
    index: int
    records: tuple[Sourced[EvidenceRecord], ...]

    @property
    def newest(self) -> Sourced[EvidenceRecord] | None:
        """The record whose evidence speaks for the latest day."""
        return self.records[-1] if self.records else None

    def stale_on(self, today: dt.date) -> bool:
        """True when the newest evidence is older than allowed on ``today``."""
        newest = self.newest
        limit = max_age(self.control.record, self.index)
        if newest is None or limit is None:
            return False
        return limit.after(effective_date(newest.record)) < today

    def status_on(self, graph: Graph, today: dt.date) -> EvidenceStatus:
        """Where the requirement stands on ``today``: only ``CURRENT`` counts for coverage."""
        newest = self.newest
        if newest is None:
            return EvidenceStatus.MISSING
        if not intact(graph, newest):
            return EvidenceStatus.BROKEN
        if not counts_on(newest.record, today):
            return EvidenceStatus.FUTURE
        if self.stale_on(today):
            return EvidenceStatus.STALE
        return EvidenceStatus.CURRENT


def requirement_evidence(graph: Graph) -> list[RequirementEvidence]:
    """Every evidence requirement of every control with its records, newest last."""
    return graph.derived("requirement_evidence", lambda: list(_requirement_evidence(graph)))


def _requirement_evidence(graph: Graph) -> Iterator[RequirementEvidence]:
    for control in graph.iter_controls():
        for index, requirement in enumerate(control.record.evidence):
            found = graph.evidence_by_requirement.get((control.record.id, requirement.id), [])
            ordered = sorted(found, key=lambda s: (effective_date(s.record), s.record.collected_on))
            yield RequirementEvidence(control, index, tuple(ordered))


def intact(graph: Graph, sourced: Sourced[EvidenceRecord]) -> bool:
    """True when every file the record lists is present with the recorded digest."""
    for entry in sourced.record.files:
        facts = graph.repository.facts_for(sourced.file, entry.path)
        if facts is None or facts.state is not FileState.PRESENT or facts.sha256 != entry.sha256:
            return False
    return True


class ListedFile(NamedTuple):
    """A file an evidence record lists, with what the loader found at its path."""

    record: Sourced[EvidenceRecord]
    position: int  # in the record's `files`
    entry: EvidenceFile
    facts: EvidenceFileFacts


def listed_files(graph: Graph) -> list[ListedFile]:
    """Every file every record lists that stays inside the repository, with its facts."""
    return graph.derived("listed_files", lambda: list(_listed_files(graph)))


def _listed_files(graph: Graph) -> Iterator[ListedFile]:
    facts_for = graph.repository.facts_for
    for sourced in graph.repository.evidence_listing_files():
        for index, entry in enumerate(sourced.record.files):
            found = facts_for(sourced.file, entry.path)
            if found is not None:
                yield ListedFile(sourced, index, entry, found)


def _subject(control: Sourced[Control], index: int) -> str:
    return f"{control.record.id}/{control.record.evidence[index].id}"


class MissingEvidence(Check):
    """A control's evidence requirement has no evidence record at all.

    Why: a control without evidence cannot be shown to operate; every framework requirement it
    maps to is only declared, not covered, and an auditor will raise it as an exception.

    Passes: control IAM-03 requires ``recert-signoff`` and ``evidence/`` has a record for it.
    Fails: no record names ``control: IAM-03, requirement: recert-signoff``.

    Fix: collect the evidence and record it with ``ciptool evidence add``.
    """

    code = "EV001"
    slug = "missing-evidence"
    family = "evidence"

    def run(self, ctx: Context) -> Iterator[Finding]:
        repository = ctx.graph.repository
        for item in requirement_evidence(ctx.graph):
            if item.records or repository.is_invalid(
                "evidence", _subject(item.control, item.index)
            ):
                continue  # an invalid record's own findings say what to fix
            control = item.control
            requirement = control.record.evidence[item.index]
            yield self.finding(
                f"no evidence recorded for {control.record.id} / {requirement.id}"
                f" ({requirement.description})",
                control.at("evidence", item.index, "id"),
                f"Collect it and run `ciptool evidence add FILE --control {control.record.id}"
                f" --requirement {requirement.id}`.",
                subject=_subject(control, item.index),
                control=control.record.id,
            )


class StaleEvidence(Check):
    """The newest evidence for a requirement is older than the control's frequency allows.

    Why: evidence shows a control operated on the day it speaks for; a quarterly control whose
    newest evidence is five months old has a quarter nobody can vouch for. By default evidence
    may be 7 days old for daily controls, 14 weekly, 40 monthly or continuous, 100 quarterly,
    200 semiannual and 13 months annual; event-driven controls never go stale. ``max_age`` on
    the evidence requirement overrides the default.

    Passes: quarterly evidence effective 2026-09-30, checked on 2026-11-15 (46 days).
    Fails: the same evidence checked on 2027-01-15 (107 days, more than 100).

    Fix: collect current evidence, or set ``max_age`` if the control's rhythm differs.
    """

    code = "EV002"
    slug = "stale-evidence"
    family = "evidence"
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for item in requirement_evidence(ctx.graph):
            newest = item.newest
            if newest is None or not item.stale_on(ctx.today):
                continue
            control = item.control
            limit = max_age(control.record, item.index)
            effective = effective_date(newest.record)
            age = (ctx.today - effective).days
            yield self.finding(
                f"newest evidence for {_subject(control, item.index)} speaks for {effective},"
                f" {age} days before {ctx.today}; {control.record.frequency} evidence may be"
                f" {limit.describe() if limit else 'any age'} old",
                control.at("evidence", item.index, "id"),
                "Collect current evidence and record it, or set `max_age` on the requirement.",
                subject=_subject(control, item.index),
                related=(newest.at(),),
                control=control.record.id,
            )


class EvidenceFileProblem(Check):
    """A file an evidence record lists is not there (missing, a folder, unreadable).

    Why: the record claims evidence that nobody can inspect; to an auditor it is no evidence.

    Passes: ``files: [{path: files/iam-03-q3.csv, ...}]`` and the file exists beside the record.
    Fails: the file was renamed or never committed.

    Fix: commit the file at the listed path, or correct the path.
    """

    code = "EV003"
    slug = "evidence-file-missing"
    family = "evidence"

    def run(self, ctx: Context) -> Iterator[Finding]:
        for listed in listed_files(ctx.graph):
            if listed.facts.state is FileState.PRESENT:
                continue
            yield self.finding(
                f"evidence file `{listed.entry.path}` {_FILE_PROBLEMS[listed.facts.state]}",
                listed.record.at("files", listed.position, "path"),
                "Commit the file at this path (relative to the record's folder), or correct it.",
                subject=listed.facts.path,
                control=listed.record.record.control,
            )


class DigestMismatch(Check):
    """An evidence file's SHA-256 differs from the digest its record holds.

    Why: the digest is what lets an auditor trust that the file is the one collected; a
    mismatch means the file was changed after it was recorded, by accident or on purpose.

    Passes: ``sha256`` equals ``sha256sum files/x.csv``.
    Fails: one byte of the file changed since the record was written.

    Fix: restore the recorded file from version control; if the new content is right, record
    it as new evidence with ``ciptool evidence add`` rather than editing the digest.
    """

    code = "EV004"
    slug = "digest-mismatch"
    family = "evidence"

    def run(self, ctx: Context) -> Iterator[Finding]:
        for listed in listed_files(ctx.graph):
            found, entry = listed.facts, listed.entry
            if found.state is not FileState.PRESENT or found.sha256 == entry.sha256:
                continue
            yield self.finding(
                f"`{entry.path}` has sha256 {found.sha256}, but the record says"
                f" {entry.sha256}: the file changed after it was recorded",
                listed.record.at("files", listed.position, "sha256"),
                "Restore the recorded file; if the new content is right, record it as new"
                " evidence with `ciptool evidence add`.",
                subject=found.path,
                control=listed.record.record.control,
            )


class FutureEvidence(Check):
    """Evidence dated after the day of the check: collected, effective or covering the future.

    Why: evidence can only speak for what has happened; a future date is a typing mistake or
    evidence recorded before the control operated, and either way it proves nothing yet.

    Passes: ``collected_on: 2026-10-04``, ``period: {start: 2026-07-01, end: 2026-09-30}``.
    Fails: ``period: {start: 2026-10-01, end: 2026-12-31}`` checked on 2026-11-15.

    Fix: correct the date, or record the evidence once its period has ended.
    """

    code = "EV005"
    slug = "evidence-in-the-future"
    family = "evidence"

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.repository.evidence:
            record = sourced.record
            for label, date, where in dates(record):
                if date > ctx.today:
                    yield self.finding(
                        f"evidence for {record.control} / {record.requirement}: {label}"
                        f" {date}, after {ctx.today}",
                        sourced.at(*where),
                        "Correct the date, or record the evidence once it has happened.",
                        subject=f"{record.control}/{record.requirement}/{label}",
                        control=record.control,
                    )


class EvidenceAheadOfCollection(Check):
    """Evidence that speaks for a day after it was collected: effective, or ending its period,
    after `collected_on`.

    Why: evidence shows what had happened by the day it was collected; a record that speaks
    for a later day is a typing mistake or evidence recorded ahead of the control operating,
    and it proves nothing for that day. Such a record counts for nothing: while it is a
    requirement's newest record, the requirement's evidence is not current, and it speaks for
    no interval of the SOC 2 period.

    Passes: ``collected_on: 2026-10-03``, ``period: {start: 2026-07-01, end: 2026-09-30}``.
    Fails: ``collected_on: 2026-09-01`` with the same period, or ``effective_on: 2026-09-02``.

    Fix: correct the date that is wrong; evidence collected before its period ended is
    recorded again once the period has ended, as new evidence.
    """

    code = "EV008"
    slug = "evidence-dated-after-collection"
    family = "evidence"

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.repository.evidence:
            record = sourced.record
            for label, date, where in ahead_of_collection(record):
                yield self.finding(
                    f"evidence for {record.control} / {record.requirement}: {label} {date},"
                    f" after it was collected on {record.collected_on}",
                    sourced.at(*where),
                    "Correct the date: evidence speaks for a day no later than the day it was"
                    " collected.",
                    subject=f"{record.control}/{record.requirement}/{label}",
                    control=record.control,
                )


class UnlistedEvidenceFile(Check):
    """A file under ``evidence/`` that no evidence record lists.

    Why: evidence nobody refers to is either forgotten (its record was never written) or left
    over; either way it proves nothing and may confuse an auditor.

    Hidden files and README files (documentation) are not evidence and are passed over.

    Passes: every file under ``evidence/**/files/`` appears in some record's ``files``.
    Fails: ``evidence/2026/files/old-export.csv`` appears in none.

    Fix: record it with ``ciptool evidence add``, or delete it.
    """

    code = "EV006"
    slug = "unlisted-evidence-file"
    family = "evidence"
    severity = Severity.NOTE

    def run(self, ctx: Context) -> Iterator[Finding]:
        for path in ctx.graph.repository.unlisted_evidence:
            yield self.finding(
                "no evidence record lists this file",
                Location(path),
                "Record it with `ciptool evidence add`, or delete it.",
                subject=path,
            )


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


class Soc2OccurrenceMissing(Check):
    """A recurring control has no evidence for an interval of the SOC 2 Type II period.

    Why: a Type II report tests that each control operated throughout the audit period; a
    quarterly control must show an occurrence in every quarter, judged by the day or period
    the evidence speaks for, not by when it was collected. Intervals still running on the day
    of the check are not judged yet. Controls that map to SOC 2 criteria are tested, over
    ``soc2.period`` in ``ciptool.yaml`` or ``--period``.

    Passes: a quarterly control with evidence for Q1, Q2, Q3 and Q4 of a 2026 period.
    Fails: the same control with nothing effective in Q2: "no evidence for 2026-Q2".

    It is a warning by default: an interval that has passed cannot be made up for, so as an
    error it would keep every change red for the rest of the period; it belongs in the audit
    conversation and the reports. Make it an error in ``check.severity`` to gate on it.

    Fix: record the evidence for the interval if it exists; if the control did not operate,
    that is a deviation to discuss with the auditor (and to record as an exception).
    """

    code = "EV007"
    slug = "soc2-occurrence-missing"
    family = "evidence"
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        period = ctx.soc2_period
        if period is None:
            return
        graph = ctx.graph
        for control, runs in deviations(graph, period, ctx.today).items():
            sourced = graph.controls[control]
            for named in runs:
                yield self.finding(
                    f"{control} ({sourced.record.frequency}) has no evidence for {named}"
                    f" in the SOC 2 period {period.start}..{period.end}",
                    sourced.at("frequency"),
                    "Record the evidence that speaks for this interval.",
                    subject=f"{control}/{named}",
                    control=control,
                )


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
