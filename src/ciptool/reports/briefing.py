"""The Audit Committee briefing: what the Board's committee should know and decide, in order."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ciptool.findings import Finding, Severity
from ciptool.graph import Graph
from ciptool.queries.evidence import EvidenceStatus
from ciptool.queries.exceptions import live_exceptions
from ciptool.queries.intervals import SOC2
from ciptool.reports.changes import Changes
from ciptool.reports.common import EvidenceLine, percent
from ciptool.reports.frameworks import CSF, ISO, Tally, framework_tally, group_tallies
from ciptool.results import RunResult

EXPIRY_HORIZON_DAYS = 90

#: The sections management briefs the Audit Committee on each year, and the words in a
#: control's ``process`` that place it in each.
PROGRAM_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Threat environment and security operations", ("monitoring", "operations", "threat")),
    ("Incident preparedness", ("incident", "breach")),
    ("Business continuity", ("continuity", "resilience", "recovery")),
    ("Program governance", ("governance", "risk", "compliance")),
    ("External testing and assurance", ("assurance", "testing", "audit")),
    ("Employee training and awareness", ("training", "awareness")),
)


@dataclass(frozen=True)
class Point:
    """One of the things the committee should know or decide."""

    kind: str  # "Decide" or "Know"
    text: str


@dataclass(frozen=True)
class Item:
    """A gap or overdue item, with who answers for it."""

    code: str
    severity: str
    subject: str
    text: str
    owner: str
    where: str


@dataclass(frozen=True)
class Acceptance:
    """A risk acceptance (exception) and its age."""

    id: str
    applies_to: str
    risk: str
    approved_by: str
    approved_on: dt.date
    expires_on: dt.date
    age_days: int
    state: str  # "live", "expiring", "expired", "pending"
    reason: str


@dataclass(frozen=True)
class ProcessLine:
    """A program process: how many controls, and how many have current evidence."""

    process: str
    controls: int
    current: int

    @property
    def current_percent(self) -> str:
        """Controls with all evidence current, as a percentage."""
        return percent(self.current, self.controls)


@dataclass(frozen=True)
class Section:
    """One of the program sections the committee is briefed on, with its controls' standing."""

    title: str
    controls: tuple[tuple[str, str, str, str], ...]  # id, title, owner, evidence status
    latest: dt.date | None


@dataclass(frozen=True)
class Briefing:
    """Everything the briefing shows, computed; the template only lays it out."""

    frameworks: tuple[Tally, ...]
    functions: tuple[Tally, ...]
    points: tuple[Point, ...]
    errors: int
    warnings: int
    items: tuple[Item, ...]
    acceptances: tuple[Acceptance, ...]
    evidence_counts: tuple[tuple[str, int], ...]
    evidence_total: int
    processes: tuple[ProcessLine, ...]
    sections: tuple[Section, ...]
    posture: str
    changes: Changes | None = None


def build_briefing(
    graph: Graph, result: RunResult, lines: list[EvidenceLine], changes: Changes | None
) -> Briefing:
    """The briefing's content for ``result``'s day."""
    today = result.today
    frameworks = tuple(t for t in (framework_tally(result, graph, f) for f in _scope(graph)) if t)
    functions = tuple(group_tallies(result, graph, CSF, 0))
    acceptances = tuple(risk_acceptances(graph, today))
    items = tuple(_items(graph, result))
    evidence = Counter(line.status for line in lines)
    processes = tuple(_processes(graph, lines))
    errors = sum(1 for f in result.findings if f.severity is Severity.ERROR and not f.excepted)
    warnings = sum(1 for f in result.findings if f.severity is Severity.WARNING and not f.excepted)
    return Briefing(
        frameworks=frameworks,
        functions=functions,
        points=tuple(_points(result, acceptances, evidence, frameworks)[:3]),
        errors=errors,
        warnings=warnings,
        items=items,
        acceptances=acceptances,
        evidence_counts=tuple((status.value, evidence.get(status, 0)) for status in EvidenceStatus),
        evidence_total=len(lines),
        processes=processes,
        sections=tuple(_sections(graph, lines)),
        posture=_posture(frameworks, errors, warnings),
        changes=changes,
    )


def _scope(graph: Graph) -> list[str]:
    config = graph.config
    return list(config.frameworks) if config else []


def _posture(frameworks: tuple[Tally, ...], errors: int, warnings: int) -> str:
    shares = "; ".join(_share(t) for t in frameworks)
    if errors:
        standing = f"{_count(errors, 'open error')} {_verb(errors, 'fails', 'fail')} the gate"
    else:
        standing = "No open errors at the compliance gate"
    return f"{shares}. {standing}; {_count(warnings, 'warning')} to follow up."


def _share(tally: Tally) -> str:
    """A framework's coverage in words: covered of applicable, and the rest counted apart."""
    text = f"{tally.title} {tally.covered_percent} covered ({tally.covered} of {tally.applicable}"
    text += " applicable requirements"
    if tally.qualified:
        text += f"; {tally.qualified}"
    if tally.open:
        text += f"; {tally.open}"
    if tally.not_applicable:
        text += f"; {tally.not_applicable} not applicable"
    return text + ")"


def risk_acceptances(graph: Graph, today: dt.date) -> list[Acceptance]:
    """Every exception with its state on ``today`` and its age, soonest expiry first."""
    live = {e.record.id for e in live_exceptions(graph, today)}
    rows = []
    for sourced in sorted(
        graph.exceptions.values(), key=lambda e: (e.record.expires_on, e.record.id)
    ):
        exception = sourced.record
        target = exception.applies_to
        applies = (
            f"control {target.control}"
            if target.control
            else f"requirement {target.requirement}"
            if target.requirement
            else f"check {target.check} {target.subject or ''}".strip()
        )
        if exception.expires_on < today:
            state = "expired"
        elif exception.id not in live:
            state = "pending"
        elif (exception.expires_on - today).days <= EXPIRY_HORIZON_DAYS:
            state = "expiring"
        else:
            state = "live"
        rows.append(
            Acceptance(
                id=exception.id,
                applies_to=applies,
                risk=exception.risk,
                approved_by=exception.approved_by,
                approved_on=exception.approved_on,
                expires_on=exception.expires_on,
                age_days=max((today - exception.approved_on).days, 0),
                state=state,
                reason=exception.reason,
            )
        )
    return rows


#: What the committee hears about first: failing problems before warnings, then by kind;
#: coverage gaps (CV001) last, since a new program may have many.
_ITEM_CODES = (
    "EX001",
    "EV004",
    "EV003",
    "EV001",
    "EV007",
    "EX002",
    "PL001",
    "EV002",
    "PL002",
    "CV001",
)


def _items(graph: Graph, result: RunResult) -> list[Item]:
    rank = {code: index for index, code in enumerate(_ITEM_CODES)}
    chosen = [f for f in result.findings if f.code in rank and not f.excepted]
    chosen.sort(key=lambda f: (f.severity.rank, rank[f.code], f.subject))
    items = [
        Item(
            code=f.code,
            severity=f.severity.value,
            subject=f.subject,
            text=f.message,
            owner=_owner(graph, f),
            where=str(f.location) if f.location else "",
        )
        for f in chosen
        if f.code != "CV001"
    ]
    return items + _gap_items(graph, [f for f in chosen if f.code == "CV001"])


def _gap_items(graph: Graph, gaps: list[Finding]) -> list[Item]:
    """Coverage gaps, one item per framework, with the first requirements in catalog order."""
    by_framework: dict[str, list[Finding]] = {}
    for finding in gaps:
        by_framework.setdefault(finding.subject.partition(":")[0], []).append(finding)
    items = []
    for framework, found in by_framework.items():
        catalog = graph.catalogs.get(framework)
        order = (
            {item.id: index for index, item in enumerate(catalog.requirements)} if catalog else {}
        )
        ids = sorted(
            (f.subject.partition(":")[2] for f in found), key=lambda i: (order.get(i, 0), i)
        )
        name = catalog.display_name if catalog else framework
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        items.append(
            Item(
                code="CV001",
                severity=found[0].severity.value,
                subject=framework,
                text=f"{name}: {_count(len(ids), 'requirement')} in scope that no control is"
                f" mapped to (a gap): {shown}",
                owner="",
                where=str(found[0].location) if found[0].location else "",
            )
        )
    return items


def _owner(graph: Graph, finding: Finding) -> str:
    if finding.control and finding.control in graph.controls:
        return graph.controls[finding.control].record.owner
    if finding.code.startswith("PL") and finding.subject in graph.policies:
        return graph.policies[finding.subject].record.owner or "(no owner)"
    if finding.code.startswith("EX") and finding.subject in graph.exceptions:
        return graph.exceptions[finding.subject].record.approved_by
    return ""


def _points(
    result: RunResult,
    acceptances: tuple[Acceptance, ...],
    evidence: Counter[EvidenceStatus],
    frameworks: tuple[Tally, ...],
) -> list[Point]:
    """What the committee should hear first: decisions, then facts, most pressing first."""
    codes = Counter(f.code for f in result.findings if not f.excepted)
    points: list[Point] = []
    expired = [a.id for a in acceptances if a.state == "expired"]
    if expired:
        text = f"{_count(len(expired), 'risk acceptance')} expired ({', '.join(expired)})"
        points.append(Point("Decide", f"{text}: renew with a new expiry, or have the gap closed."))
    broken = evidence.get(EvidenceStatus.MISSING, 0) + evidence.get(EvidenceStatus.BROKEN, 0)
    if broken:
        text = f"{_count(broken, 'evidence requirement')} without intact evidence"
        points.append(Point("Know", f"{text}: those controls cannot be shown to operate."))
    missed = sorted(
        {f.control or f.subject for f in result.findings if f.code == "EV007" and not f.excepted}
    )
    if missed:
        several = len(missed) > 1
        names = ", ".join(missed[:3]) + (", ..." if len(missed) > 3 else "")
        text = (
            f"{names} {_verb(len(missed), 'has', 'have')} no evidence for part of the SOC 2"
            f" audit period: expect the auditor to report {'each' if several else 'it'} as a"
            f" deviation; the criteria resting on {'them' if several else 'it'} are covered with"
            " deviations at best."
        )
        points.append(Point("Know", text))
    expiring = [a for a in acceptances if a.state == "expiring"]
    if expiring:
        first, many = expiring[0], len(expiring)
        text = (
            f"{_count(many, 'risk acceptance')} {_verb(many, 'expires', 'expire')}"
            f" within {EXPIRY_HORIZON_DAYS} days, first {first.id} ({first.risk} risk) on"
            f" {first.expires_on}"
        )
        points.append(Point("Decide", f"{text}: renew or remediate."))
    high = [
        a for a in acceptances if a.state in ("live", "expiring") and a.risk in ("high", "critical")
    ]
    if high:
        text = (
            f"{_count(len(high), 'high or critical risk')} {_verb(len(high), 'is', 'are')} accepted"
        )
        points.append(Point("Know", f"{text}: {', '.join(a.id for a in high)}."))
    if codes.get("PL001"):
        overdue = codes["PL001"]
        text = f"{_count(overdue, 'policy review')} {_verb(overdue, 'is', 'are')} overdue"
        points.append(Point("Know", f"{text}: policies may no longer match their controls."))
    lowest = min((t for t in frameworks if t.gap), key=lambda t: t.covered_share, default=None)
    if lowest is not None:
        text = f"{lowest.title} has {_count(lowest.gap, 'requirement')} no control is mapped to"
        points.append(Point("Know", f"{text} ({lowest.covered_percent} covered)."))
    if codes.get("EV002"):
        text = f"{_count(codes['EV002'], 'evidence requirement')} with stale evidence"
        points.append(Point("Know", f"{text}: collect current evidence."))
    if not points:
        points.append(Point("Know", "No open issues: every check passes."))
    return points


def _processes(graph: Graph, lines: list[EvidenceLine]) -> list[ProcessLine]:
    current = _current_controls(lines)
    counts: dict[str, list[str]] = {}
    for control in graph.iter_controls():
        counts.setdefault(control.record.process or "(no process)", []).append(control.record.id)
    return [
        ProcessLine(process, len(ids), sum(1 for i in ids if current.get(i)))
        for process, ids in sorted(counts.items())
    ]


def _current_controls(lines: list[EvidenceLine]) -> dict[str, bool]:
    current: dict[str, bool] = {}
    for line in lines:
        current[line.control] = current.get(line.control, True) and (
            line.status is EvidenceStatus.CURRENT
        )
    return current


def _sections(graph: Graph, lines: list[EvidenceLine]) -> list[Section]:
    status: dict[str, str] = {}
    latest: dict[str, dt.date] = {}
    for line in lines:
        worst = status.get(line.control)
        if worst is None or line.status is not EvidenceStatus.CURRENT:
            status[line.control] = line.status.value
        if line.last_effective is not None:
            latest[line.control] = max(
                latest.get(line.control, line.last_effective), line.last_effective
            )
    sections = []
    for title, words in PROGRAM_SECTIONS:
        members = [
            c.record
            for c in graph.iter_controls()
            if any(word in (c.record.process or "") for word in words)
        ]
        rows = tuple(
            (c.id, c.title, c.owner, status.get(c.id, "no evidence required")) for c in members
        )
        dates = [latest[c.id] for c in members if c.id in latest]
        sections.append(Section(title, rows, max(dates) if dates else None))
    return sections


def _verb(number: int, singular: str, plural: str) -> str:
    return singular if number == 1 else plural


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


__all__ = [
    "CSF",
    "ISO",
    "SOC2",
    "Briefing",
    "build_briefing",
]
