"""The briefing's sections on the program's components, drawn from the registers and evidence:
the security processes and the metrics that measure them, external testing, training and
awareness, third parties, and member data sharing.

Every judgement is the one the checks and the other reports make: a control's evidence by
:func:`~ciptool.reports.common.evidence_lines`, a metric against its threshold by
:func:`~ciptool.queries.registers.beyond_threshold`, a third party's minimum standards, contract,
agreement and SOC 2 report as the third-party register shows them, an app's attestation as the
list of approved apps marks it. Every count is split into parts that add up to it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ciptool.graph import Graph
from ciptool.models import AssessmentFinding, Metric
from ciptool.models.registers import FindingSource, MetricValue, Severity
from ciptool.queries.apps import policy_review_due
from ciptool.queries.briefing_sections import (
    DEFAULT_PLACES,
    SECTION_TITLES,
    process_places,
    section_of,
)
from ciptool.queries.evidence import EvidenceStatus
from ciptool.queries.registers import beyond_threshold, naming_control, past_due_days
from ciptool.reports.approved_apps import approved_apps
from ciptool.reports.common import EvidenceLine, counted, evidence_lines, percent
from ciptool.reports.third_parties import ThirdPartyRow, third_party_rows
from ciptool.reports.view import ReportSource

#: The section these processes are briefed in.
SECTION = "program-components"

#: The seven critical security processes, in the order the program lists them: every process
#: with a default section but governance, which the briefing's governance section covers.
CRITICAL_PROCESSES: tuple[str, ...] = tuple(p for p in DEFAULT_PLACES if p != "governance")

#: The processes' names in words, where a process name's words are not enough.
PROCESS_TITLES: dict[str, str] = {
    "application-infrastructure-security": "Application and infrastructure security",
    "security-awareness-training": "Security awareness and training",
    "security-operations-monitoring": "Security operations and monitoring",
    "third-party-security-oversight": "Third-party security oversight",
}

#: The process whose metrics make the training and awareness trends.
TRAINING_PROCESS = "security-awareness-training"

#: The sources of external testing, in words.
EXTERNAL_SOURCES: dict[FindingSource, str] = {
    "penetration-test": "penetration test",
    "red-team": "red-team exercise",
}

#: Assessment finding severities, the most severe first.
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")

#: An app's status, in the words of the briefing, in the order it lists them.
DECISIONS: dict[str, str] = {
    "approved": "approved",
    "requested": "awaiting a decision",
    "denied": "denied",
    "revoked": "revoked after approval",
}

#: How far ahead the briefing looks for privacy-policy reviews coming due.
REVIEW_HORIZON_DAYS = 90

#: Where a control's evidence stands, worst first: a control takes the worst of its
#: requirements, so that "current" means every requirement is current.
_WORST_FIRST = (
    EvidenceStatus.MISSING,
    EvidenceStatus.BROKEN,
    EvidenceStatus.FUTURE,
    EvidenceStatus.STALE,
    EvidenceStatus.CURRENT,
)

#: A standard's or a requirement's status in the briefing's words.
STATUS_WORDS: dict[str, str] = {
    "current": "current",
    "stale": "out of date",
    "missing": "missing",
    "broken": "files missing or changed",
    "future": "dated after the briefing",
}


@dataclass(frozen=True)
class EvidenceTally:
    """How many controls (or minimum standards) stand where: the parts add up to ``total``."""

    current: int
    out_of_date: int
    missing: int
    #: Evidence whose files are missing or changed, or dated after the briefing.
    unreliable: int
    #: Controls that ask for no evidence (never a minimum standard).
    not_required: int = 0

    @property
    def total(self) -> int:
        """Every control or standard counted."""
        return self.current + self.out_of_date + self.missing + self.unreliable + self.not_required

    @property
    def current_percent(self) -> str:
        """The current share of the total."""
        return percent(self.current, self.total)


@dataclass(frozen=True)
class MetricStanding:
    """A metric's latest value against its threshold."""

    id: str
    title: str
    owner: str
    #: The latest period given, and its value with the unit ("98.6%"); empty without values.
    period: str
    value: str
    threshold: str
    #: "within threshold", "beyond threshold", "no threshold set" or "no value reported".
    standing: str


@dataclass(frozen=True)
class ProcessComponent:
    """A security process: its controls' evidence and the metrics that measure them."""

    process: str
    title: str
    #: The section whose table lists its controls; empty when no section claims them.
    listed_under: str
    evidence: EvidenceTally
    metrics: tuple[MetricStanding, ...]

    @property
    def controls(self) -> int:
        """How many controls the process has."""
        return self.evidence.total


@dataclass(frozen=True)
class SeverityLine:
    """External-testing findings of one severity (or all of them) by remediation status."""

    severity: str
    open_on_time: int
    open_past_due: int
    remediated: int
    accepted: int

    @property
    def open(self) -> int:
        """Open findings, past due or not."""
        return self.open_on_time + self.open_past_due

    @property
    def total(self) -> int:
        """Every finding of the line."""
        return self.open + self.remediated + self.accepted


@dataclass(frozen=True)
class OpenFinding:
    """An open external-testing finding, named with its owner and due date."""

    id: str
    title: str
    source: str
    severity: str
    owner: str
    due_on: dt.date
    #: "past due by 9 days" or "due in 136 days" (on the briefing's day).
    due_text: str


@dataclass(frozen=True)
class ExternalTesting:
    """Findings of penetration tests and red-team exercises."""

    #: (source in words, how many findings), in the order of :data:`EXTERNAL_SOURCES`.
    sources: tuple[tuple[str, int], ...]
    lines: tuple[SeverityLine, ...]
    totals: SeverityLine
    #: Open findings of high or critical severity, most severe first, then soonest due.
    open_high: tuple[OpenFinding, ...]
    #: Open findings of medium or low severity past their due date (the high and critical
    #: ones are named above, past due or not).
    past_due: tuple[OpenFinding, ...]


@dataclass(frozen=True)
class ChartPoint:
    """One period of a trend chart: where it is drawn, and its labels."""

    x: float
    y: float
    period: str
    value: str
    beyond: bool


@dataclass(frozen=True)
class TrendChart:
    """A line chart's geometry, worked out here so that the template only draws it."""

    width: int
    height: int
    points: tuple[ChartPoint, ...]
    #: The threshold's line; None when the metric has none.
    threshold_y: float | None
    left: float
    right: float

    @property
    def polyline(self) -> str:
        """The line through the points, for an SVG ``points`` attribute."""
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


@dataclass(frozen=True)
class TrendValue:
    """One period's value of a metric against its threshold."""

    period: str
    value: str
    standing: str


@dataclass(frozen=True)
class MetricTrend:
    """A training or awareness metric over the periods recorded."""

    id: str
    title: str
    owner: str
    #: "higher is better" or "lower is better".
    better: str
    threshold: str
    target: str
    values: tuple[TrendValue, ...]
    chart: TrendChart | None
    #: How many periods are within and beyond the threshold: they add up to the periods.
    within: int
    beyond: int
    #: The chart's description in words, for readers who cannot see it.
    description: str


@dataclass(frozen=True)
class ThirdPartyException:
    """A third party and what is wrong with it, in words."""

    id: str
    name: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ThirdPartySummary:
    """The third parties, in and out of the program, and how the program's stand."""

    total: int
    in_program: int
    out_of_program: int
    #: Minimum standards of the third parties in the program.
    standards: EvidenceTally
    #: Third parties (in the program or not) that handle PHI, and those of them with an
    #: agreement.
    phi: int
    with_baa: int
    #: Contracts and supplier SOC 2 reports recorded, and those past their end or expiry.
    contracts: int
    contracts_ended: int
    soc2_reports: int
    soc2_expired: int
    exceptions: tuple[ThirdPartyException, ...]


@dataclass(frozen=True)
class AppLine:
    """An app named in the member data sharing section."""

    id: str
    name: str
    text: str


@dataclass(frozen=True)
class MemberDataSharing:
    """The apps members may let read their claims data, and the decisions on them."""

    total: int
    #: (decision in words, how many apps), every decision, adding up to ``total``.
    decisions: tuple[tuple[str, int], ...]
    approved: int
    attested: int
    #: Approved apps without the mark, each saying why (not attested, or its document fails).
    not_attested: tuple[AppLine, ...]
    #: Approved apps whose privacy-policy review is overdue, then those due within the horizon.
    reviews_overdue: tuple[AppLine, ...]
    reviews_due_soon: tuple[AppLine, ...]

    @property
    def attested_percent(self) -> str:
        """The attested share of the approved apps."""
        return percent(self.attested, self.approved)


@dataclass(frozen=True)
class ProgramBriefing:
    """What the program sections say."""

    processes: tuple[ProcessComponent, ...]
    #: How many of the processes are placed in the section beyond the seven critical ones.
    other_processes: int
    #: Every process's controls together (a control is in one process).
    process_totals: EvidenceTally
    testing: ExternalTesting
    training: tuple[MetricTrend, ...]
    third_parties: ThirdPartySummary
    apps: MemberDataSharing
    review_horizon_days: int = REVIEW_HORIZON_DAYS


def build_program_briefing(source: ReportSource) -> ProgramBriefing:
    """The program sections of ``source``'s briefing."""
    graph, today = source.graph, source.today
    processes = tuple(_processes(graph, evidence_lines(graph, today)))
    return ProgramBriefing(
        processes=processes,
        other_processes=len(processes) - len(CRITICAL_PROCESSES),
        process_totals=_sum(p.evidence for p in processes),
        testing=_external_testing(graph, today),
        training=tuple(_training(graph)),
        third_parties=_third_parties(graph, today),
        apps=_apps(graph, today),
    )


# -- program components ---------------------------------------------------------------------


def _processes(graph: Graph, lines: list[EvidenceLine]) -> list[ProcessComponent]:
    places = process_places(graph.config)
    status = _control_status(lines)
    by_process: dict[str, list[str]] = {}
    for control in graph.iter_controls():
        if control.record.process:
            by_process.setdefault(control.record.process, []).append(control.record.id)
    named = list(CRITICAL_PROCESSES)
    named += sorted(p for p, s in places.items() if s == SECTION and p not in CRITICAL_PROCESSES)
    found = []
    for process in named:
        ids = by_process.get(process, [])
        section = section_of(process, places)
        found.append(
            ProcessComponent(
                process=process,
                title=PROCESS_TITLES.get(process) or process.replace("-", " ").capitalize(),
                listed_under=SECTION_TITLES[section] if section else "",
                evidence=_tally(status.get(i) for i in ids),
                metrics=tuple(_metrics_of(graph, ids)),
            )
        )
    return found


def _control_status(lines: list[EvidenceLine]) -> dict[str, EvidenceStatus]:
    """Each control with evidence requirements: the worst status of its requirements."""
    worst: dict[str, EvidenceStatus] = {}
    for line in lines:
        seen = worst.get(line.control)
        if seen is None or _WORST_FIRST.index(line.status) < _WORST_FIRST.index(seen):
            worst[line.control] = line.status
    return worst


def _tally(statuses: Iterable[EvidenceStatus | None]) -> EvidenceTally:
    counts = Counter(statuses)
    return EvidenceTally(
        current=counts[EvidenceStatus.CURRENT],
        out_of_date=counts[EvidenceStatus.STALE],
        missing=counts[EvidenceStatus.MISSING],
        unreliable=counts[EvidenceStatus.BROKEN] + counts[EvidenceStatus.FUTURE],
        not_required=counts[None],
    )


def _sum(tallies: Iterable[EvidenceTally]) -> EvidenceTally:
    parts = list(tallies)
    return EvidenceTally(
        current=sum(t.current for t in parts),
        out_of_date=sum(t.out_of_date for t in parts),
        missing=sum(t.missing for t in parts),
        unreliable=sum(t.unreliable for t in parts),
        not_required=sum(t.not_required for t in parts),
    )


def _metrics_of(graph: Graph, controls: list[str]) -> list[MetricStanding]:
    """The metrics that name any of ``controls``, by id."""
    metrics: dict[str, Metric] = {}
    for control in controls:
        for sourced in naming_control(graph, control).metrics:
            metrics.setdefault(sourced.record.id, sourced.record)
    return [_standing(metrics[ident]) for ident in sorted(metrics)]


def value_text(metric: Metric, value: Decimal) -> str:
    """A metric's value with its unit: ``98.6%``, ``4.4 hours``."""
    unit = metric.unit
    return f"{value}{'%' if unit in {'percent', '%'} else ' ' + unit}"


def _against(metric: Metric, value: Decimal) -> str:
    beyond = beyond_threshold(metric, value)
    if beyond is None:
        return "no threshold set"
    return "beyond threshold" if beyond else "within threshold"


def _standing(metric: Metric) -> MetricStanding:
    latest = metric.latest()
    threshold = value_text(metric, metric.threshold) if metric.threshold is not None else "none"
    return MetricStanding(
        id=metric.id,
        title=metric.title,
        owner=metric.owner,
        period=latest.period.text if latest else "",
        value=value_text(metric, latest.value) if latest else "",
        threshold=threshold,
        standing=_against(metric, latest.value) if latest else "no value reported",
    )


# -- external testing -----------------------------------------------------------------------


def _open_finding(finding: AssessmentFinding, today: dt.date) -> OpenFinding:
    late = past_due_days(finding, today)
    if late:
        due = f"past due by {counted(late, 'day')}"
    elif finding.due_on == today:
        due = "due today"
    else:
        due = f"due in {counted((finding.due_on - today).days, 'day')}"
    return OpenFinding(
        id=finding.id,
        title=finding.title,
        source=EXTERNAL_SOURCES[finding.source],
        severity=finding.severity,
        owner=finding.owner,
        due_on=finding.due_on,
        due_text=due,
    )


def _external_testing(graph: Graph, today: dt.date) -> ExternalTesting:
    found: list[AssessmentFinding] = sorted(
        (
            s.record
            for s in graph.assessment_findings.values()
            if s.record.source in EXTERNAL_SOURCES
        ),
        key=lambda f: f.id,
    )
    lines = tuple(
        _severity_line(s, [f for f in found if f.severity == s], today) for s in SEVERITIES
    )
    open_found = [f for f in found if f.status == "open"]
    open_found.sort(key=lambda f: (SEVERITIES.index(f.severity), f.due_on, f.id))
    return ExternalTesting(
        sources=tuple(
            (words, sum(1 for f in found if f.source == source))
            for source, words in EXTERNAL_SOURCES.items()
        ),
        lines=lines,
        totals=_severity_line("all", found, today),
        open_high=tuple(
            _open_finding(f, today) for f in open_found if f.severity in ("critical", "high")
        ),
        past_due=tuple(
            _open_finding(f, today)
            for f in open_found
            if past_due_days(f, today) and f.severity not in ("critical", "high")
        ),
    )


def _severity_line(severity: str, found: list[AssessmentFinding], today: dt.date) -> SeverityLine:
    late = sum(1 for f in found if past_due_days(f, today))
    return SeverityLine(
        severity=severity,
        open_on_time=sum(1 for f in found if f.status == "open") - late,
        open_past_due=late,
        remediated=sum(1 for f in found if f.status == "remediated"),
        accepted=sum(1 for f in found if f.status == "accepted"),
    )


# -- training and awareness -----------------------------------------------------------------


def _training(graph: Graph) -> list[MetricTrend]:
    controls = {c.record.id for c in graph.iter_controls() if c.record.process == TRAINING_PROCESS}
    metrics: dict[str, Metric] = {}
    for control in sorted(controls):
        for sourced in naming_control(graph, control).metrics:
            metrics.setdefault(sourced.record.id, sourced.record)
    return [_trend(metrics[ident]) for ident in sorted(metrics)]


def _trend(metric: Metric) -> MetricTrend:
    ordered = sorted(metric.values, key=lambda v: v.period.start)
    values = tuple(
        TrendValue(v.period.text, value_text(metric, v.value), _against(metric, v.value))
        for v in ordered
    )
    beyond = sum(1 for v in values if v.standing == "beyond threshold")
    within = sum(1 for v in values if v.standing == "within threshold")
    threshold = value_text(metric, metric.threshold) if metric.threshold is not None else "none"
    target = value_text(metric, metric.target) if metric.target is not None else "none"
    if values:
        first, last = values[0], values[-1]
        description = (
            f"{metric.title}, {metric.better} is better, from {first.value} in {first.period}"
            f" to {last.value} in {last.period}; threshold {threshold}."
            f" {counted(within, 'period')} within threshold, {beyond} beyond."
        )
    else:
        description = f"{metric.title}: no value reported."
    return MetricTrend(
        id=metric.id,
        title=metric.title,
        owner=metric.owner,
        better=f"{metric.better} is better",
        threshold=threshold,
        target=target,
        values=values,
        chart=_chart(metric, ordered) if ordered else None,
        within=within,
        beyond=beyond,
        description=description,
    )


#: The trend chart's size and margins, in SVG user units.
_WIDTH, _HEIGHT, _LEFT, _RIGHT, _TOP, _BOTTOM = 560, 200, 60, 150, 40, 150


def _chart(metric: Metric, ordered: list[MetricValue]) -> TrendChart:
    values = [v.value for v in ordered]
    periods = [v.period.text for v in ordered]
    scale = list(values) + ([metric.threshold] if metric.threshold is not None else [])
    low, high = min(scale), max(scale)
    if low == high:
        low, high = low - 1, high + 1
    span = high - low

    def y(value: Decimal) -> float:
        return round(_BOTTOM - float((value - low) / span) * (_BOTTOM - _TOP), 1)

    step = (_WIDTH - _LEFT - _RIGHT) / max(len(values) - 1, 1)
    points = tuple(
        ChartPoint(
            x=round(_LEFT + index * step, 1),
            y=y(value),
            period=period,
            value=value_text(metric, value),
            beyond=bool(beyond_threshold(metric, value)),
        )
        for index, (period, value) in enumerate(zip(periods, values, strict=True))
    )
    return TrendChart(
        width=_WIDTH,
        height=_HEIGHT,
        points=points,
        threshold_y=y(metric.threshold) if metric.threshold is not None else None,
        left=_LEFT,
        right=_WIDTH - _RIGHT + 20,
    )


# -- third parties --------------------------------------------------------------------------


def _third_parties(graph: Graph, today: dt.date) -> ThirdPartySummary:
    rows = sorted(third_party_rows(graph, today), key=lambda row: row.id)
    in_program = [row for row in rows if row.in_program]
    statuses = [EvidenceStatus(cell.status) for row in in_program for cell in row.standards]
    phi = [row for row in rows if "phi" in row.data.split(", ")]
    return ThirdPartySummary(
        total=len(rows),
        in_program=len(in_program),
        out_of_program=len(rows) - len(in_program),
        standards=_tally(statuses),
        phi=len(phi),
        with_baa=sum(1 for row in phi if not row.baa_missing),
        contracts=sum(row.contract_end is not None for row in rows),
        contracts_ended=sum(row.contract_ended for row in rows),
        soc2_reports=sum(row.soc2_expires is not None for row in rows),
        soc2_expired=sum(row.soc2_expired for row in rows),
        exceptions=tuple(e for e in (_exception(row) for row in rows) if e.problems),
    )


def _exception(row: ThirdPartyRow) -> ThirdPartyException:
    problems = []
    if row.baa_missing:
        problems.append("handles PHI without a business associate agreement")
    if row.contract_ended:
        problems.append(f"contract ended on {row.contract_end}")
    if row.soc2_expired:
        problems.append(f"SOC 2 report expired on {row.soc2_expires}")
    by_status: dict[str, list[str]] = {}
    for cell in row.standards:
        if cell.status != "current":
            by_status.setdefault(cell.status, []).append(cell.standard.replace("-", " "))
    for status in ("missing", "stale", "broken", "future"):
        if status in by_status:
            names = ", ".join(by_status[status])
            problems.append(f"{STATUS_WORDS[status]}: {names}")
    return ThirdPartyException(row.id, row.name, tuple(problems))


# -- member data sharing --------------------------------------------------------------------


def _apps(graph: Graph, today: dt.date) -> MemberDataSharing:
    apps = sorted((s.record for s in graph.apps.values()), key=lambda a: a.id)
    counts: Counter[str] = Counter(app.status for app in apps)
    approved = sorted(approved_apps(graph), key=lambda a: a.id)
    not_attested = tuple(
        AppLine(
            a.id,
            a.name,
            "not attested"
            if a.attested_on is None
            else f"attested on {a.attested_on}, but the attestation document is missing or not"
            " the one recorded",
        )
        for a in approved
        if not a.attested
    )
    overdue, soon = [], []
    for app in apps:
        if app.status != "approved":
            continue
        policy = app.privacy_policy
        if policy is None:
            overdue.append(AppLine(app.id, app.name, "no privacy-policy review recorded"))
            continue
        due = policy_review_due(policy)
        if due < today:
            text = f"last reviewed on {policy.reviewed_on}; the review was due on {due}"
            overdue.append(AppLine(app.id, app.name, text))
        elif (due - today).days <= REVIEW_HORIZON_DAYS:
            text = f"last reviewed on {policy.reviewed_on}; next review due on {due}"
            soon.append(AppLine(app.id, app.name, text))
    return MemberDataSharing(
        total=len(apps),
        decisions=tuple((words, counts[status]) for status, words in DECISIONS.items()),
        approved=len(approved),
        attested=sum(1 for a in approved if a.attested),
        not_attested=not_attested,
        reviews_overdue=tuple(overdue),
        reviews_due_soon=tuple(soon),
    )


__all__ = ["ProgramBriefing", "build_program_briefing"]
