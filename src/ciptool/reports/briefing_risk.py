"""The briefing's sections on risk and resilience, drawn from the registers and evidence: the
risk profile, current trends in the threat environment, incident preparedness and response, and
business continuity.

Everything is judged on the as-of day, with the judgements the checks and the risk register
make (:mod:`ciptool.queries.registers`, :mod:`ciptool.queries.risks`,
:mod:`ciptool.queries.evidence`). A control belongs to a section by its process
(:mod:`ciptool.queries.briefing_sections`); a metric speaks for a section when it measures one of
the section's controls. The incident figures cover the four calendar quarters that end with the
as-of day's quarter, by the day each incident was detected. The exercises of incident
preparedness are the evidence records of the section's controls that map NIST CSF 2.0 ID.IM-02
("improvements are identified from security tests and exercises"); the tests of business
continuity are the evidence records of that section's controls.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ciptool.graph import Graph
from ciptool.models import AssessmentFinding, Control, Incident, Metric, Sourced
from ciptool.models.records import BriefingSection
from ciptool.queries.briefing_sections import process_places, section_of
from ciptool.queries.evidence import EvidenceStatus, counts_on, effective_date, requirement_evidence
from ciptool.queries.registers import acceptances, beyond_threshold, past_due_days
from ciptool.queries.risks import LEVELS, appetite
from ciptool.reports.risk_register import (
    ActionLine,
    HeatCell,
    Position,
    RiskLine,
    heat_map,
    risk_lines,
)
from ciptool.reports.trends import quarter_name
from ciptool.reports.view import ReportSource

#: How many of the highest residual scores the risk profile shows at least (ties included).
TOP_SCORES = 5

#: The CSF 2.0 subcategory whose controls' evidence records are exercises and tests.
EXERCISE_SUBCATEGORY = ("nist-csf-2.0", "ID.IM-02")

#: Incident severities, highest first.
SEVERITIES = ("critical", "high", "medium", "low")

#: An evidence requirement's standing, in the words of a board paper.
EVIDENCE_WORDS = {
    EvidenceStatus.CURRENT: "current",
    EvidenceStatus.STALE: "out of date",
    EvidenceStatus.MISSING: "none recorded",
    EvidenceStatus.BROKEN: "record damaged",
    EvidenceStatus.FUTURE: "dated ahead",
}


@dataclass(frozen=True)
class TopRisk:
    """A risk the profile shows, with its action plan."""

    id: str
    title: str
    owner: str
    inherent: Position
    residual: Position
    treatment: str
    above_appetite: bool
    #: True when a live acceptance among the risk's own carries it.
    accepted: bool
    actions: tuple[ActionLine, ...]

    @property
    def appetite_text(self) -> str:
        """Where the risk stands against the appetite, in words."""
        if not self.above_appetite:
            return "within appetite"
        if self.accepted:
            return "above appetite, accepted"
        return "above appetite, no live acceptance"


@dataclass(frozen=True)
class AcceptanceItem:
    """A risk acceptance a risk names: what it accepts and why, who approved it and when."""

    exception: str
    risk: str
    risk_title: str
    reason: str
    #: (control id, title) of each compensating control, as the acceptance lists them.
    compensating: tuple[tuple[str, str], ...]
    approved_by: str
    approved_on: dt.date | None
    expires_on: dt.date | None
    #: Days from its approval to the as-of day; None when it is not approved by then.
    age_days: int | None
    live: bool
    #: Why it is not live, in words; empty when it is.
    why_not: str

    @property
    def state(self) -> str:
        """``live until 2028-06-30``, or why it is not live."""
        return f"live until {self.expires_on}" if self.live else f"not live: {self.why_not}"


@dataclass(frozen=True)
class RiskProfile:
    """The risk profile: the register in figures, the heat map, the top risks, acceptances."""

    risks: int
    appetite: int | None
    #: (level, risks whose residual score is at that level), highest level first.
    by_level: tuple[tuple[str, int], ...]
    above_appetite: int
    above_appetite_accepted: int
    heat_map: tuple[HeatCell, ...]
    top: tuple[TopRisk, ...]
    #: Which risks :attr:`top` holds, in words.
    top_rule: str
    acceptances: tuple[AcceptanceItem, ...]
    #: Actions of every risk's plan: all, not done, and overdue.
    actions: int
    actions_open: int
    actions_overdue: int


@dataclass(frozen=True)
class CountRow:
    """One quarter of a count table: a count per column, and their total."""

    quarter: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """The quarter's count."""
        return sum(self.counts)


@dataclass(frozen=True)
class CountTable:
    """Incidents per quarter and column (category or severity), with the totals."""

    columns: tuple[str, ...]
    rows: tuple[CountRow, ...]

    @property
    def column_totals(self) -> tuple[int, ...]:
        """Each column's count over the quarters."""
        return tuple(sum(row.counts[i] for row in self.rows) for i in range(len(self.columns)))

    @property
    def total(self) -> int:
        """Every incident the table counts."""
        return sum(row.total for row in self.rows)


@dataclass(frozen=True)
class MetricPoint:
    """A metric's value for one period, and where it stands."""

    period: str
    value: str
    standing: str


@dataclass(frozen=True)
class MetricLine:
    """A metric that measures a section's controls: its target, threshold and values."""

    id: str
    title: str
    owner: str
    target: str
    threshold: str
    #: Every period given up to the as-of day, oldest first.
    values: tuple[MetricPoint, ...]

    @property
    def latest(self) -> MetricPoint | None:
        """The value of the latest period given."""
        return self.values[-1] if self.values else None


@dataclass(frozen=True)
class Block:
    """A paragraph (``items`` empty) or a bullet list (``text`` empty) of the narrative."""

    text: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class ThreatEnvironment:
    """Current trends in the threat environment."""

    #: The first and last day the incident figures cover.
    start: dt.date
    end: dt.date
    categories: CountTable
    #: Incidents detected before :attr:`start`, not counted in the table.
    earlier: int
    metrics: tuple[MetricLine, ...]
    #: The CISO's narrative, paragraph by paragraph; empty when there is none.
    narrative: tuple[Block, ...]
    #: True when a narrative is named but could not be read.
    narrative_missing: bool


@dataclass(frozen=True)
class ExerciseLine:
    """An exercise or test on record: when, which control, what it shows."""

    on: dt.date
    control: str
    control_title: str
    evidence: str


@dataclass(frozen=True)
class IncidentResponse:
    """Incident preparedness and response."""

    start: dt.date
    end: dt.date
    severities: CountTable
    #: Incidents of the table contained by the as-of day, and those not yet contained.
    contained: int
    not_contained: tuple[str, ...]
    #: Days from detection to containment over the contained incidents: median and longest.
    median_days: str
    longest_days: int | None
    longest: tuple[str, ...]
    notification_required: int
    notified: int
    notification_outstanding: tuple[str, ...]
    notification_not_required: int
    #: Incidents with no notification decision recorded yet.
    notification_undecided: tuple[str, ...]
    closed: int
    closed_with_root_cause: int
    closed_without_root_cause: tuple[str, ...]
    exercises: tuple[ExerciseLine, ...]
    #: (control id, title) of the section's exercise controls with no exercise on record.
    exercises_missing: tuple[tuple[str, str], ...]
    metrics: tuple[MetricLine, ...]


@dataclass(frozen=True)
class TestLine:
    """An evidence requirement of a business continuity control and its records."""

    control: str
    control_title: str
    evidence: str
    records: int
    latest: dt.date | None
    standing: str


@dataclass(frozen=True)
class FindingLine:
    """An assessment finding about business continuity."""

    id: str
    title: str
    source: str
    severity: str
    found_on: dt.date
    due_on: dt.date
    status: str
    closed_on: dt.date | None
    #: Days past its due date while open on the as-of day; 0 when it is not past due.
    past_due_days: int

    @property
    def status_text(self) -> str:
        """``open, past due by 24 days``, ``remediated on 2026-07-30``, ``accepted``."""
        if self.status == "remediated":
            return f"remediated on {self.closed_on}"
        if self.past_due_days:
            plural = "" if self.past_due_days == 1 else "s"
            return f"open, past due by {self.past_due_days} day{plural}"
        return self.status


@dataclass(frozen=True)
class BusinessContinuity:
    """Business continuity: tests, backup restore success and findings."""

    tests: tuple[TestLine, ...]
    metrics: tuple[MetricLine, ...]
    findings: tuple[FindingLine, ...]
    #: (status, count) of :attr:`findings`: open, remediated, accepted.
    finding_counts: tuple[tuple[str, int], ...]
    past_due: int


@dataclass(frozen=True)
class RiskBriefing:
    """What the risk and resilience sections say."""

    profile: RiskProfile
    threat: ThreatEnvironment
    incidents: IncidentResponse
    continuity: BusinessContinuity


def build_risk_briefing(source: ReportSource) -> RiskBriefing:
    """The risk and resilience sections of ``source``'s briefing."""
    graph, today = source.graph, source.today
    places = process_places(graph.config)
    sections: dict[str, list[Sourced[Control]]] = {}
    for control in graph.iter_controls():
        section = section_of(control.record.process, places)
        if section is not None:
            sections.setdefault(section, []).append(control)
    start = _quarter_start(today, -3)
    incidents = [
        s.record for s in graph.incidents.values() if start <= s.record.detected_on <= today
    ]
    incidents.sort(key=lambda i: (i.detected_on, i.id))
    earlier = sum(s.record.detected_on < start for s in graph.incidents.values())
    return RiskBriefing(
        profile=_profile(graph, today),
        threat=ThreatEnvironment(
            start=start,
            end=today,
            categories=_table(incidents, start, today, _categories(incidents), _category),
            earlier=earlier,
            metrics=_metrics(graph, sections, "threat-environment", today),
            narrative=narrative_blocks(graph.repository.narrative or ""),
            narrative_missing=bool(
                graph.config
                and graph.config.briefing.narrative
                and graph.repository.narrative is None
            ),
        ),
        incidents=_incident_response(graph, sections, incidents, start, today),
        continuity=_continuity(graph, sections, today),
    )


# The risk profile


def _profile(graph: Graph, today: dt.date) -> RiskProfile:
    limit = appetite(graph)
    lines = risk_lines(graph, today)
    above = [line for line in lines if line.above_appetite]
    ranked = sorted(lines, key=lambda r: (-r.residual.score, -r.inherent.score, r.id))
    floor = ranked[TOP_SCORES - 1].residual.score if len(ranked) >= TOP_SCORES else 0
    cut = [
        line
        for line in ranked
        if line.above_appetite
        or line.residual.level in {"critical", "high"}
        or line.residual.score >= floor
    ]
    top = tuple(_top_risk(line) for line in cut)
    actions = [action for line in lines for action in line.actions]
    return RiskProfile(
        risks=len(lines),
        appetite=limit,
        by_level=tuple((name, sum(r.residual.level == name for r in lines)) for name in LEVELS),
        above_appetite=len(above),
        above_appetite_accepted=sum(line.accepted for line in above),
        heat_map=tuple(heat_map(lines, limit)),
        top=top,
        top_rule=_top_rule(len(top), len(lines), limit),
        acceptances=tuple(_acceptances(graph, ranked, today)),
        actions=len(actions),
        actions_open=sum(action.status != "done" for action in actions),
        actions_overdue=sum(action.overdue for action in actions),
    )


def _top_rule(shown: int, total: int, limit: int | None) -> str:
    above = "every risk above the appetite, " if limit is not None else ""
    return (
        f"{shown} of the register's {total} risks: {above}every high or critical one, and the"
        f" {_number_word(TOP_SCORES)} with the highest residual scores, with every risk tied"
        f" with the {_ordinal(TOP_SCORES)}."
    )


def _number_word(number: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}.get(number, str(number))


def _ordinal(number: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(number, f"{number}th")


def _top_risk(line: RiskLine) -> TopRisk:
    return TopRisk(
        id=line.id,
        title=line.title,
        owner=line.owner,
        inherent=line.inherent,
        residual=line.residual,
        treatment=line.treatment,
        above_appetite=line.above_appetite,
        accepted=line.accepted,
        actions=line.actions,
    )


def _acceptances(
    graph: Graph, lines: Iterable[RiskLine], today: dt.date
) -> Iterable[AcceptanceItem]:
    for line in lines:
        risk = graph.risks[line.id].record
        for found in acceptances(graph, risk.exceptions, today):
            record = found.exception.record if found.exception is not None else None
            compensating = tuple(
                (ident, graph.controls[ident].record.title if ident in graph.controls else "")
                for ident in (record.compensating_controls if record else ())
            )
            approved = record.approved_on if record else None
            yield AcceptanceItem(
                exception=found.ident,
                risk=line.id,
                risk_title=line.title,
                reason=" ".join(record.reason.split()) if record else "",
                compensating=compensating,
                approved_by=record.approved_by if record else "",
                approved_on=approved,
                expires_on=record.expires_on if record else None,
                age_days=(today - approved).days if approved and approved <= today else None,
                live=found.live,
                why_not=found.why_not,
            )


# Incidents


def _quarter_start(day: dt.date, offset: int) -> dt.date:
    """The first day of the quarter ``offset`` quarters from ``day``'s."""
    index = day.year * 4 + (day.month - 1) // 3 + offset
    return dt.date(index // 4, index % 4 * 3 + 1, 1)


def _category(incident: Incident) -> str:
    return incident.category.strip() or "uncategorised"


def _categories(incidents: Sequence[Incident]) -> tuple[str, ...]:
    return tuple(sorted({_category(i) for i in incidents}))


def _severity(incident: Incident) -> str:
    return incident.severity


def _table(
    incidents: Sequence[Incident],
    start: dt.date,
    end: dt.date,
    columns: tuple[str, ...],
    column_of: Callable[[Incident], str],
) -> CountTable:
    rows = []
    for offset in range(4):
        first = _quarter_start(start, offset)
        last = min(_quarter_start(start, offset + 1) - dt.timedelta(days=1), end)
        here = [i for i in incidents if first <= i.detected_on <= last]
        counts = tuple(sum(column_of(i) == column for i in here) for column in columns)
        rows.append(CountRow(quarter_name(first), counts))
    return CountTable(columns, tuple(rows))


def _incident_response(
    graph: Graph,
    sections: dict[str, list[Sourced[Control]]],
    incidents: list[Incident],
    start: dt.date,
    today: dt.date,
) -> IncidentResponse:
    contained = [i for i in incidents if i.contained_on is not None and i.contained_on <= today]
    days = {i.id: (i.contained_on - i.detected_on).days for i in contained if i.contained_on}
    longest = max(days.values(), default=None)
    notices = [i for i in incidents if i.notification is not None]
    required = [i for i in notices if i.notification and i.notification.required]
    notified = [
        i
        for i in required
        if i.notification and i.notification.notified_on and i.notification.notified_on <= today
    ]
    closed = [i for i in incidents if i.closed_on is not None and i.closed_on <= today]
    exercises, missing = _exercises(graph, sections.get("incident-response", []), today)
    return IncidentResponse(
        start=start,
        end=today,
        severities=_table(incidents, start, today, SEVERITIES, _severity),
        contained=len(contained),
        not_contained=tuple(i.id for i in incidents if i not in contained),
        median_days=str(statistics.median(days.values())) if days else "",
        longest_days=longest,
        longest=tuple(ident for ident, d in days.items() if d == longest),
        notification_required=len(required),
        notified=len(notified),
        notification_outstanding=tuple(i.id for i in required if i not in notified),
        notification_not_required=len(notices) - len(required),
        notification_undecided=tuple(i.id for i in incidents if i.notification is None),
        closed=len(closed),
        closed_with_root_cause=sum(bool(i.root_cause.strip()) for i in closed),
        closed_without_root_cause=tuple(i.id for i in closed if not i.root_cause.strip()),
        exercises=exercises,
        exercises_missing=missing,
        metrics=_metrics(graph, sections, "incident-response", today),
    )


def _exercises(
    graph: Graph, controls: list[Sourced[Control]], today: dt.date
) -> tuple[tuple[ExerciseLine, ...], tuple[tuple[str, str], ...]]:
    mapping = graph.controls_by_requirement.get(EXERCISE_SUBCATEGORY, [])
    exercising = {id(control) for control in mapping}
    lines: list[ExerciseLine] = []
    missing: list[tuple[str, str]] = []
    for sourced in controls:
        if id(sourced) not in exercising:
            continue
        control = sourced.record
        found = [
            ExerciseLine(
                effective_date(record.record),
                control.id,
                control.title,
                requirement.description or requirement.id,
            )
            for requirement in control.evidence
            for record in graph.evidence_by_requirement.get((control.id, requirement.id), [])
            if counts_on(record.record, today)
        ]
        if not found:
            missing.append((control.id, control.title))
        lines.extend(found)
    lines.sort(key=lambda line: (line.on, line.control))
    return tuple(lines), tuple(missing)


# Metrics


def _metrics(
    graph: Graph,
    sections: dict[str, list[Sourced[Control]]],
    section: BriefingSection,
    today: dt.date,
) -> tuple[MetricLine, ...]:
    mine = {control.record.id for control in sections.get(section, [])}
    found = [s.record for s in graph.metrics.values() if not mine.isdisjoint(s.record.controls)]
    return tuple(_metric_line(metric, today) for metric in sorted(found, key=lambda m: m.id))


def _metric_line(metric: Metric, today: dt.date) -> MetricLine:
    values = sorted(
        (v for v in metric.values if v.period.start <= today), key=lambda v: v.period.start
    )
    return MetricLine(
        id=metric.id,
        title=metric.title,
        owner=metric.owner,
        target=_amount(metric, metric.target) if metric.target is not None else "none set",
        threshold=_amount(metric, metric.threshold) if metric.threshold is not None else "none set",
        values=tuple(
            MetricPoint(str(v.period), _amount(metric, v.value), _standing(metric, v.value))
            for v in values
        ),
    )


def _amount(metric: Metric, value: Decimal) -> str:
    number = str(value)
    if metric.unit in {"percent", "%"}:
        return f"{number}%"
    return f"{number} {metric.unit}"


def _standing(metric: Metric, value: Decimal) -> str:
    """Where a value stands, in words: against the target, then the threshold."""
    beyond = beyond_threshold(metric, value)
    if beyond:
        side = "above" if metric.better == "lower" else "below"
        return f"beyond the threshold ({side} {_amount(metric, metric.threshold or value)})"
    target = metric.target
    if target is not None and (value <= target if metric.better == "lower" else value >= target):
        return "on target"
    if beyond is None:
        return "short of target; no threshold set" if target is not None else "no threshold set"
    return "within the threshold, short of target"


# Business continuity


def _continuity(
    graph: Graph, sections: dict[str, list[Sourced[Control]]], today: dt.date
) -> BusinessContinuity:
    controls = sections.get("business-continuity", [])
    mine = {c.record.id for c in controls}
    tests = []
    for item in requirement_evidence(graph):
        if item.control.record.id not in mine:
            continue
        control = item.control.record
        requirement = control.evidence[item.index]
        counted = [r for r in item.records if counts_on(r.record, today)]
        tests.append(
            TestLine(
                control=control.id,
                control_title=control.title,
                evidence=requirement.description or requirement.id,
                records=len(counted),
                latest=max((effective_date(r.record) for r in counted), default=None),
                standing=EVIDENCE_WORDS[item.status_on(graph, today)],
            )
        )
    leaning = {s.record.id for s in graph.risks.values() if not mine.isdisjoint(s.record.controls)}
    found = [
        _finding_line(s.record, today)
        for s in graph.assessment_findings.values()
        if s.record.found_on <= today
        and (not mine.isdisjoint(s.record.controls) or not leaning.isdisjoint(s.record.risks))
    ]
    found.sort(key=lambda f: (f.found_on, f.id))
    return BusinessContinuity(
        tests=tuple(tests),
        metrics=_metrics(graph, sections, "business-continuity", today),
        findings=tuple(found),
        finding_counts=tuple(
            (status, sum(f.status == status for f in found))
            for status in ("open", "remediated", "accepted")
        ),
        past_due=sum(bool(f.past_due_days) for f in found),
    )


def _finding_line(finding: AssessmentFinding, today: dt.date) -> FindingLine:
    return FindingLine(
        id=finding.id,
        title=finding.title,
        source=finding.source.replace("-", " "),
        severity=finding.severity,
        found_on=finding.found_on,
        due_on=finding.due_on,
        status=finding.status,
        closed_on=finding.closed_on,
        past_due_days=past_due_days(finding, today),
    )


# The narrative


def narrative_blocks(text: str) -> tuple[Block, ...]:
    """The narrative as paragraphs and bullet lists, nothing else: a heading is a paragraph,
    lines of one paragraph or item are joined, and no markup is interpreted."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append(Block(" ".join(paragraph), ()))
            paragraph.clear()
        if items:
            blocks.append(Block("", tuple(items)))
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            close()
            continue
        if line[:2] in {"- ", "* ", "+ "}:
            if paragraph:
                close()
            items.append(line[2:].strip())
        elif line.startswith("#"):
            close()
            blocks.append(Block(line.lstrip("#").strip(), ()))
        elif items and raw[:1].isspace():
            items[-1] = f"{items[-1]} {line}"
        else:
            if items:
                close()
            paragraph.append(line)
    close()
    return tuple(block for block in blocks if block.text or block.items)
