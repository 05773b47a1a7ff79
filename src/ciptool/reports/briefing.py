"""The Audit Committee briefing: what the Board's committee should decide and know, in the
words a CISO would use, and every control in the section of the program it belongs to.

Nothing here speaks the tool's language (check codes, severities, file locations, options):
each judgement is read from the queries and the check result, and said as a fact with its
owner and its date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ciptool.findings import Finding, Severity
from ciptool.graph import Graph
from ciptool.models.records import CSF_FUNCTIONS, BriefingSection, Policy
from ciptool.queries import registers
from ciptool.queries.briefing_sections import SECTION_TITLES, process_places, section_of
from ciptool.queries.evidence import EvidenceStatus, current_through, max_age, requirement_evidence
from ciptool.queries.exceptions import live_exceptions
from ciptool.queries.intervals import SOC2
from ciptool.queries.registers import review_due
from ciptool.queries.risks import LEVELS, appetite, level
from ciptool.reports.changes import Changes
from ciptool.reports.common import EvidenceLine, counted
from ciptool.reports.frameworks import CSF, ISO, Tally, framework_tally, group_tallies
from ciptool.results import RunResult

#: An acceptance that ends within this many days is "expiring" and asks for a decision.
EXPIRY_HORIZON_DAYS = 90

#: A control's evidence in board words, worst first: a control stands where its worst
#: evidence requirement stands.
EVIDENCE_WORDS: dict[EvidenceStatus, str] = {
    EvidenceStatus.BROKEN: "cannot be verified",
    EvidenceStatus.MISSING: "missing",
    EvidenceStatus.STALE: "out of date",
    EvidenceStatus.FUTURE: "dated ahead",
    EvidenceStatus.CURRENT: "current",
}
#: A control that requires no evidence.
NOT_REQUIRED = "not required"
#: What each evidence word means, for the briefing's appendix.
EVIDENCE_MEANINGS: tuple[tuple[str, str], ...] = (
    ("current", "the newest evidence of each of the control's requirements is recent enough"),
    ("out of date", "the newest evidence of a requirement is older than the control allows"),
    ("missing", "no evidence has been collected for a requirement"),
    ("cannot be verified", "a file of the evidence is gone or no longer matches its record"),
    ("dated ahead", "the evidence speaks for a day after the briefing's date or its collection"),
    ("not required", "the control asks for no evidence"),
)
_WORST = tuple(EVIDENCE_WORDS)


@dataclass(frozen=True)
class Point:
    """One of the things the committee should decide or know."""

    kind: str  # "Decide" or "Know"
    text: str


@dataclass(frozen=True)
class Item:
    """Something that needs attention: what, who answers for it, and since or by when."""

    what: str
    owner: str
    when: str


@dataclass(frozen=True)
class Acceptance:
    """A risk acceptance (exception), its state on the day and its age."""

    id: str
    applies_to: str
    risk: str
    approved_by: str
    approved_on: dt.date
    expires_on: dt.date
    age_days: int
    state: str  # "live", "expiring", "expired", "pending"
    reason: str
    #: What it waives, in words ("ISO/IEC 27001:2022 A.8.11 Data masking").
    waives: str = ""
    #: Its compensating controls, each "ID (title)".
    compensating: tuple[str, ...] = ()

    @property
    def state_words(self) -> str:
        """The state as the committee reads it."""
        return _STATE_WORDS[self.state]


_STATE_WORDS = {
    "live": "in force",
    "expiring": f"ends within {EXPIRY_HORIZON_DAYS} days",
    "expired": "expired",
    "pending": "not yet in force",
}


@dataclass(frozen=True)
class ControlRow:
    """One control in its section: who owns it and where its evidence stands."""

    id: str
    title: str
    owner: str
    evidence: str
    latest: dt.date | None


@dataclass(frozen=True)
class Section:
    """A section of the briefing that holds controls, with its controls' standing."""

    id: str
    title: str
    controls: tuple[ControlRow, ...]

    @property
    def latest(self) -> dt.date | None:
        """The latest day any of the section's evidence speaks for."""
        return max((c.latest for c in self.controls if c.latest), default=None)

    @property
    def counts(self) -> tuple[tuple[str, int], ...]:
        """How many controls stand at each evidence word, in order, those with any."""
        found = Counter(c.evidence for c in self.controls)
        words = (*EVIDENCE_WORDS.values(), NOT_REQUIRED)
        return tuple((w, found[w]) for w in reversed(words[:-1]) if found[w]) + (
            ((NOT_REQUIRED, found[NOT_REQUIRED]),) if found[NOT_REQUIRED] else ()
        )

    @property
    def summary(self) -> str:
        """ "12 controls: 11 with current evidence, 1 out of date." in words."""
        if not self.controls:
            return "No control of the program is briefed in this section."
        parts = [_evidence_part(word, count) for word, count in self.counts]
        return f"{counted(len(self.controls), 'control')}: {', '.join(parts)}."


def _evidence_part(word: str, count: int) -> str:
    if word == "current":
        return f"{count} with current evidence"
    if word == NOT_REQUIRED:
        return f"{count} with no evidence required"
    if word == "missing":
        return f"{count} with evidence missing"
    return f"{count} with evidence {word}"


@dataclass(frozen=True)
class AboveAppetite:
    """A risk whose residual score is above the appetite, and the acceptances that carry it."""

    id: str
    title: str
    owner: str
    score: int
    level: str
    accepted_by: tuple[str, ...]
    #: Its acceptances not in force, each with why ("EXC-7 expired on 2026-09-30").
    lapsed: tuple[str, ...] = ()

    @property
    def standing(self) -> str:
        """The acceptances in force, or "none" with those that lapsed and why."""
        if self.accepted_by:
            return ", ".join(self.accepted_by)
        return f"none ({'; '.join(self.lapsed)})" if self.lapsed else "none"


@dataclass(frozen=True)
class Governance:
    """Program governance: policies reviewed, risk acceptances, and the link to the ERM."""

    policies: int
    policies_in_cycle: int
    policies_overdue: tuple[Item, ...]
    policies_without_cycle: int
    acceptance_counts: tuple[tuple[str, int], ...]  # state words -> count, every state
    risks: int
    risk_levels: tuple[tuple[str, int], ...]  # residual level -> count, highest first
    appetite: int | None
    above_appetite: tuple[AboveAppetite, ...]
    reviews_overdue: tuple[Item, ...]


@dataclass(frozen=True)
class Target:
    """A CSF 2.0 function against its target in the profile."""

    id: str
    title: str
    covered: int
    applicable: int
    current: int  # percent, rounded
    target: int | None

    @property
    def name(self) -> str:
        """The function as a board reads it: "GV Govern"."""
        return f"{self.id} {self.title.capitalize()}"

    @property
    def difference(self) -> int | None:
        """Points of the current share over (positive) or under the target."""
        return None if self.target is None else self.current - self.target

    @property
    def met(self) -> bool | None:
        """Whether the covered share reaches the target exactly (no rounding)."""
        if self.target is None:
            return None
        return self.covered * 100 >= self.target * self.applicable

    @property
    def words(self) -> str:
        """The function's standing in one sentence."""
        head = f"{self.name}: {self.current}% covered"
        if self.target is None:
            return f"{head}; no target set."
        if self.met:
            return f"{head}, target {self.target}%: met."
        gap = self.target - self.current
        by = f"{gap} point{'' if gap == 1 else 's'}" if gap > 0 else "less than a point"
        return f"{head}, target {self.target}%: {by} short."


@dataclass(frozen=True)
class Briefing:
    """Everything the briefing shows, computed; the templates only lay it out."""

    frameworks: tuple[Tally, ...]
    functions: tuple[Tally, ...]
    targets: tuple[Target, ...]
    decisions: tuple[Point, ...]
    facts: tuple[Point, ...]
    framework_lines: tuple[str, ...]
    comparison: str
    items: tuple[Item, ...]
    acceptances: tuple[Acceptance, ...]
    evidence_counts: tuple[tuple[str, int], ...]
    evidence_total: int
    sections: tuple[Section, ...]
    governance: Governance
    errors: int
    warnings: int
    changes: Changes | None = None
    #: The controls no section holds (each is also a finding of the check run).
    unplaced: tuple[str, ...] = field(default=())

    @property
    def evidence_meanings(self) -> tuple[tuple[str, str], ...]:
        """What each evidence word of the section tables means."""
        return EVIDENCE_MEANINGS

    @property
    def points(self) -> tuple[Point, ...]:
        """Decisions first, then facts."""
        return self.decisions + self.facts

    def section(self, ident: str) -> Section:
        """The control section ``ident``."""
        return next(s for s in self.sections if s.id == ident)


def build_briefing(
    graph: Graph, result: RunResult, lines: list[EvidenceLine], changes: Changes | None
) -> Briefing:
    """The briefing's content for ``result``'s day."""
    today = result.today
    frameworks = tuple(t for t in (framework_tally(result, graph, f) for f in _scope(graph)) if t)
    functions = tuple(group_tallies(result, graph, CSF, 0))
    acceptances = tuple(risk_acceptances(graph, today))
    sections, unplaced = _sections(graph, lines)
    governance = _governance(graph, result, acceptances)
    decisions = tuple(_decisions(acceptances, governance))
    controls = [row for s in sections for row in s.controls]
    facts = tuple(_facts(governance, controls, unplaced))
    errors = sum(1 for f in result.findings if f.severity is Severity.ERROR and not f.excepted)
    warnings = sum(1 for f in result.findings if f.severity is Severity.WARNING and not f.excepted)
    return Briefing(
        frameworks=frameworks,
        functions=functions,
        targets=tuple(_targets(graph, functions)),
        decisions=decisions,
        facts=facts,
        framework_lines=tuple(framework_words(t) for t in frameworks),
        comparison=_comparison(changes),
        items=tuple(_items(graph, result)),
        acceptances=acceptances,
        evidence_counts=tuple(
            (status.value, sum(1 for line in lines if line.status is status))
            for status in EvidenceStatus
        ),
        evidence_total=len(lines),
        sections=sections,
        governance=governance,
        errors=errors,
        warnings=warnings,
        changes=changes,
        unplaced=unplaced,
    )


def _scope(graph: Graph) -> list[str]:
    config = graph.config
    return list(config.frameworks) if config else []


def framework_words(tally: Tally) -> str:
    """A framework's coverage in words, every requirement counted once and the parts adding
    up to the total: "ISO/IEC 27001:2022, 93 requirements: 87 covered, ...".
    """
    parts = [f"{tally.covered} covered", f"{tally.with_deviations} covered with deviations"]
    if tally.declared:
        parts.append(f"{tally.declared} with controls but no current evidence")
    parts += [
        f"{tally.excepted} excepted",
        f"{tally.gap} {'gap' if tally.gap == 1 else 'gaps'}",
        f"{tally.not_applicable} not applicable",
    ]
    return f"{tally.title}, {counted(tally.total, 'requirement')}: {', '.join(parts)}."


def _comparison(changes: Changes | None) -> str:
    if changes is None:
        return "This is the first briefing of this kind: there is no earlier one to compare with."
    return f"Since {changes.since} ({changes.since_as_of}): {changes.summary}"


# --- risk acceptances --------------------------------------------------------------------


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
                waives=_waives(graph, target.control, target.requirement, target.subject),
                compensating=tuple(
                    _control_words(graph, c) for c in exception.compensating_controls
                ),
            )
        )
    return rows


def _waives(graph: Graph, control: str | None, requirement: str | None, subject: str | None) -> str:
    if control:
        return f"control {_control_words(graph, control)}"
    if requirement:
        framework, _, item = requirement.partition(":")
        catalog = graph.catalogs.get(framework)
        if catalog is None:
            return requirement
        found = catalog.by_id.get(item)
        if found is None or not (found.title or found.text):
            return f"{catalog.display_name} {item}"
        if found.title:
            return f"{catalog.display_name} {item} {' '.join(found.title.split())}"
        text = " ".join(found.text.split()).rstrip(".")
        return f"{catalog.display_name} {item} ({text[:1].lower()}{text[1:]})"
    return f"a finding about {subject}" if subject else "a finding of the program's checks"


def _control_words(graph: Graph, ident: str) -> str:
    control = graph.controls.get(ident)
    return f"{ident} ({control.record.title})" if control else ident


# --- the sections ------------------------------------------------------------------------


def _sections(
    graph: Graph, lines: list[EvidenceLine]
) -> tuple[tuple[Section, ...], tuple[str, ...]]:
    worst: dict[str, EvidenceStatus] = {}
    latest: dict[str, dt.date] = {}
    for line in lines:
        known = worst.get(line.control)
        if known is None or _WORST.index(line.status) < _WORST.index(known):
            worst[line.control] = line.status
        if line.last_effective is not None:
            latest[line.control] = max(
                latest.get(line.control, line.last_effective), line.last_effective
            )
    places = process_places(graph.config)
    held: dict[BriefingSection, list[ControlRow]] = {s: [] for s in SECTION_TITLES}
    unplaced = []
    for sourced in sorted(graph.iter_controls(), key=lambda c: c.record.id):
        control = sourced.record
        section = section_of(control.process, places)
        if section is None:
            unplaced.append(control.id)
            continue
        status = worst.get(control.id)
        held[section].append(
            ControlRow(
                id=control.id,
                title=control.title,
                owner=control.owner,
                evidence=EVIDENCE_WORDS[status] if status else NOT_REQUIRED,
                latest=latest.get(control.id),
            )
        )
    sections = tuple(
        Section(ident, title, tuple(held[ident])) for ident, title in SECTION_TITLES.items()
    )
    return sections, tuple(unplaced)


# --- governance --------------------------------------------------------------------------


def _governance(graph: Graph, result: RunResult, acceptances: tuple[Acceptance, ...]) -> Governance:
    today = result.today
    overdue = {f.subject: f for f in result.findings if f.code == "PL001"}
    policies = sorted(graph.policies.values(), key=lambda p: p.record.id)
    without_cycle = [
        p for p in policies if p.record.review_every is None or not _reviewed(p.record)
    ]
    late = []
    for entry in policies:
        policy = entry.record
        if policy.id in overdue and policy.review_every is not None:
            reviewed = _reviewed(policy)
            due = policy.review_every.after(reviewed) if reviewed else today
            late.append(
                Item(f"Review of policy {policy.id} ({policy.title})", policy.owner, f"due {due}")
            )
    states = Counter(a.state for a in acceptances)
    risks = sorted(graph.risks.values(), key=lambda r: r.record.id)
    levels = Counter(level(r.record.residual.score) for r in risks)
    limit = appetite(graph)
    above = []
    for held in risks:
        risk = held.record
        score = risk.residual.score
        if limit is not None and score > limit:
            accepted = registers.acceptances(graph, risk.exceptions, today)
            above.append(
                AboveAppetite(
                    id=risk.id,
                    title=risk.title,
                    owner=risk.owner,
                    score=score,
                    level=level(score),
                    accepted_by=tuple(a.ident for a in accepted if a.live),
                    lapsed=tuple(f"{a.ident} {a.why_not}" for a in accepted if not a.live),
                )
            )
    reviews = [
        Item(
            f"Review of risk {r.record.id} ({r.record.title})",
            r.record.owner,
            f"due {review_due(r.record)}",
        )
        for r in risks
        if review_due(r.record) < today
    ]
    return Governance(
        policies=len(policies),
        policies_in_cycle=len(policies) - len(without_cycle) - len(late),
        policies_overdue=tuple(late),
        policies_without_cycle=len(without_cycle),
        acceptance_counts=tuple((_STATE_WORDS[s], states[s]) for s in _STATE_WORDS),
        risks=len(risks),
        risk_levels=tuple((name, levels[name]) for name in LEVELS),
        appetite=limit,
        above_appetite=tuple(above),
        reviews_overdue=tuple(reviews),
    )


def _reviewed(policy: Policy) -> dt.date | None:
    """The day a policy was last reviewed, as PL001 reads it: its approval if never since."""
    return policy.last_reviewed or policy.approved_on


# --- the CSF 2.0 target profile ----------------------------------------------------------


def _targets(graph: Graph, functions: tuple[Tally, ...]) -> list[Target]:
    profile = graph.config.briefing.target_profile if graph.config else {}
    by_id = {t.label: t for t in functions}
    targets = []
    for ident in CSF_FUNCTIONS:
        tally = by_id.get(ident)
        if tally is None:
            continue
        share = round(100 * tally.covered / tally.applicable) if tally.applicable else 100
        targets.append(
            Target(
                id=ident,
                title=tally.title,
                covered=tally.covered,
                applicable=tally.applicable,
                current=share,
                target=profile.get(ident),
            )
        )
    return targets


# --- the executive summary ---------------------------------------------------------------


def _decisions(acceptances: tuple[Acceptance, ...], governance: Governance) -> list[Point]:
    """What the committee is asked to decide, the heaviest first."""
    points = []
    acceptances = tuple(sorted(acceptances, key=lambda a: _RISK_RANK.get(a.risk, 4)))
    for a in acceptances:
        if a.state in ("live", "expiring") and a.risk in ("high", "critical"):
            points.append(Point("Decide", _standing(a)))
    for a in acceptances:
        if a.state == "expired":
            points.append(
                Point(
                    "Decide",
                    f"Renew or close the acceptance {a.id} of a {a.risk} risk on {a.waives}:"
                    f" it expired on {a.expires_on} and the risk is carried"
                    " without one.",
                )
            )
    for risk in governance.above_appetite:
        if not risk.accepted_by:
            points.append(
                Point(
                    "Decide",
                    f"Treat or accept risk {risk.id} ({risk.title}, owner {risk.owner}): its"
                    f" residual score of {risk.score} ({risk.level}) is above the appetite of"
                    f" {governance.appetite} and no acceptance in force carries it"
                    + (f" ({'; '.join(risk.lapsed)})." if risk.lapsed else "."),
                )
            )
    for a in acceptances:
        if a.state == "expiring" and a.risk not in ("high", "critical"):
            days = (a.expires_on - a.approved_on).days - a.age_days
            points.append(
                Point(
                    "Decide",
                    f"Renew or let lapse the acceptance {a.id} of a {a.risk} risk on"
                    f" {a.waives}: it ends on {a.expires_on}, in {counted(days, 'day')}.",
                )
            )
    return points


#: Risk levels, heaviest first: decisions on heavier risks come first (sorting is stable, so
#: acceptances of one level stay soonest expiry first).
_RISK_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _standing(a: Acceptance) -> str:
    text = (
        f"Confirm or end the standing acceptance {a.id} of a {a.risk} risk on {a.waives},"
        f" approved by the {a.approved_by} on {a.approved_on} ({counted(a.age_days, 'day')}"
        f" ago) until {a.expires_on}. Reason: {' '.join(a.reason.split())}"
    )
    if a.compensating:
        text += f" Compensating controls: {', '.join(a.compensating)}."
    else:
        text += " No compensating control is named."
    return text


def _facts(
    governance: Governance,
    controls: list[ControlRow],
    unplaced: tuple[str, ...],
) -> list[Point]:
    points = []
    if governance.risks:
        levels = ", ".join(f"{n} {name}" for name, n in governance.risk_levels)
        text = (
            f"The risk register holds {counted(governance.risks, 'risk')} ({levels} after controls)"
        )
        above = governance.above_appetite
        if governance.appetite is None:
            text += "; no risk appetite is set."
        elif not above:
            text += f"; none is above the appetite of {governance.appetite}."
        else:
            carried = [r for r in above if r.accepted_by]
            names = "; ".join(
                f"{r.id} {r.title} ({r.level}, residual score {r.score})"
                + (
                    f", accepted under {', '.join(r.accepted_by)}"
                    if r.accepted_by
                    else ", with no acceptance in force"
                    + (f" ({'; '.join(r.lapsed)})" if r.lapsed else "")
                )
                for r in above
            )
            text += (
                f"; {len(above)} {_verb(len(above), 'is', 'are')} above the appetite of"
                f" {governance.appetite}, {len(carried)} of them carried by an acceptance in"
                f" force: {names}."
            )
        points.append(Point("Know", text))
    found = Counter(c.evidence for c in controls)
    total = len(controls) + len(unplaced)
    parts = [
        _evidence_part(w, found[w])
        for w in (*reversed(tuple(EVIDENCE_WORDS.values())), NOT_REQUIRED)
        if found[w]
    ]
    if unplaced:
        parts.append(f"{len(unplaced)} not yet placed in a section of this briefing")
    points.append(
        Point("Know", f"Evidence of the {counted(total, 'control')}: {', '.join(parts)}.")
    )
    if governance.policies:
        overdue = len(governance.policies_overdue)
        kept = governance.policies_in_cycle
        text = (
            f"Of {counted(governance.policies, 'policy', 'policies')}, {kept}"
            f" {_verb(kept, 'was', 'were')} reviewed within {_verb(kept, 'its', 'their')} cycle"
            f" and {overdue} {_verb(overdue, 'is', 'are')} overdue"
        )
        loose = governance.policies_without_cycle
        if loose:
            text += f"; {loose} {_verb(loose, 'has', 'have')} no review cycle"
        points.append(Point("Know", text + "."))
    return points


# --- what needs attention ----------------------------------------------------------------

_Words = Callable[[Graph, Finding], "Item | None"]


def _items(graph: Graph, result: RunResult) -> list[Item]:
    """What needs attention, in the order the committee should hear it, each in words with
    its owner and its date; coverage gaps last, one line per framework."""
    items: list[Item] = []
    chosen = [f for f in result.findings if not f.excepted and f.code in _ITEM_WORDS]
    chosen.sort(key=lambda f: (_ORDER.index(f.code), f.subject))
    missing: dict[str, list[str]] = {}
    for finding in chosen:
        if finding.code == "TP001":  # one line per third party, however many standards
            third_party, _, standard = finding.subject.partition("/")
            if third_party not in missing:
                items.append(Item("", "", ""))  # its place, filled below
            missing.setdefault(third_party, []).append(standard)
            continue
        item = _ITEM_WORDS[finding.code](graph, finding)
        items.append(item or Item(_plain(finding.message), "", ""))
    for third_party, standards in missing.items():
        place = next(i for i, item in enumerate(items) if not item.what)
        items[place] = _missing_standards(graph, third_party, standards)
    gaps = [f for f in result.findings if f.code == "CV001" and not f.excepted]
    return items + _gap_items(graph, gaps)


def _gap_items(graph: Graph, gaps: Iterable[Finding]) -> list[Item]:
    by_framework: dict[str, list[str]] = {}
    for finding in gaps:
        framework, _, ident = finding.subject.partition(":")
        by_framework.setdefault(framework, []).append(ident)
    items = []
    for framework in sorted(by_framework):
        catalog = graph.catalogs.get(framework)
        name = catalog.display_name if catalog else framework
        order = {r.id: i for i, r in enumerate(catalog.requirements)} if catalog else {}
        ids = sorted(by_framework[framework], key=lambda i: (order.get(i, 0), i))
        shown = ", ".join(ids[:5]) + (", and others" if len(ids) > 5 else "")
        items.append(
            Item(
                f"{name}: {counted(len(ids), 'requirement')} no control addresses ({shown})",
                "",
                "",
            )
        )
    return items


def _control_item(text: str) -> _Words:
    def words(graph: Graph, finding: Finding) -> Item | None:
        control = graph.controls.get(finding.control or finding.subject.partition("/")[0])
        if control is None:
            return None
        since = _stale_since(graph, finding) if finding.code == "EV002" else ""
        return Item(
            text.format(control=f"{control.record.id} ({control.record.title})"),
            control.record.owner,
            since,
        )

    return words


def _stale_since(graph: Graph, finding: Finding) -> str:
    for item in requirement_evidence(graph):
        control = item.control.record
        requirement = control.evidence[item.index].id
        if f"{control.id}/{requirement}" == finding.subject:
            end = current_through(item.newest, max_age(control, item.index))
            return f"since {end + dt.timedelta(days=1)}" if end else ""
    return ""


def _soc2_item(graph: Graph, finding: Finding) -> Item | None:
    control = graph.controls.get(finding.control)
    if control is None:
        return None
    interval = finding.subject.rpartition("/")[2]
    return Item(
        f"No evidence that {control.record.id} ({control.record.title}) operated in {interval},"
        " inside the SOC 2 audit period: the auditor will report a deviation",
        control.record.owner,
        interval,
    )


def _acceptance_item(graph: Graph, finding: Finding) -> Item | None:
    sourced = graph.exceptions.get(finding.subject)
    if sourced is None:
        return None
    e = sourced.record
    verb = "expired" if finding.code == "EX001" else "ends"
    when = f"{'since' if finding.code == 'EX001' else 'by'} {e.expires_on}"
    waives = _waives(graph, e.applies_to.control, e.applies_to.requirement, e.applies_to.subject)
    return Item(
        f"Acceptance {e.id} of a {e.risk} risk on {waives} {verb} on {e.expires_on}",
        e.approved_by,
        when,
    )


def _policy_item(graph: Graph, finding: Finding) -> Item | None:
    sourced = graph.policies.get(finding.subject)
    if sourced is None:
        return None
    policy = sourced.record
    what = {
        "PL001": "Review of policy {id} ({title}) is overdue",
        "PL002": "Policy {id} ({title}) has no recorded approval",
        "PL003": "Policy {id} ({title}) has no owner",
    }[finding.code].format(id=policy.id, title=policy.title)
    reviewed = _reviewed(policy)
    due = (
        f"due {policy.review_every.after(reviewed)}"
        if finding.code == "PL001" and policy.review_every and reviewed
        else ""
    )
    return Item(what, policy.owner, due)


def _risk_item(graph: Graph, finding: Finding) -> Item | None:
    if finding.code == "RK001":
        return _action_item(graph, finding.subject)
    sourced = graph.risks.get(finding.subject)
    if sourced is None:
        return None
    risk = sourced.record
    name = f"risk {risk.id} ({risk.title})"
    if finding.code == "RK004":
        return Item(f"Review of {name} is overdue", risk.owner, f"due {review_due(risk)}")
    return Item(
        f"Residual level of {name} is above the risk appetite with no acceptance in force",
        risk.owner,
        "",
    )


def _action_item(graph: Graph, action_id: str) -> Item | None:
    for sourced in sorted(graph.risks.values(), key=lambda r: r.record.id):
        risk = sourced.record
        for action in risk.actions:
            if action.id == action_id:
                return Item(
                    f"Action {action.id} on risk {risk.id} ({risk.title}) is past due:"
                    f" {action.description}",
                    action.owner,
                    f"due {action.due_on}",
                )
    return None


def _missing_standards(graph: Graph, third_party: str, standards: list[str]) -> Item:
    sourced = graph.third_parties.get(third_party)
    name = f"{third_party} ({sourced.record.name})" if sourced else third_party
    return Item(
        f"{name} has no evidence for {counted(len(standards), 'minimum standard')} of the"
        f" Third Party Management Program: {', '.join(sorted(standards))}",
        sourced.record.owner if sourced else "",
        "",
    )


def _stale_standard(graph: Graph, finding: Finding) -> Item | None:
    third_party, _, standard = finding.subject.partition("/")
    sourced = graph.third_parties.get(third_party)
    if sourced is None:
        return None
    return Item(
        f"Evidence of {third_party} ({sourced.record.name}) for the minimum standard {standard}"
        " is out of date",
        sourced.record.owner,
        "",
    )


def _register_item(kind: str) -> _Words:
    def words(graph: Graph, finding: Finding) -> Item | None:
        tables: dict[str, dict[str, Any]] = {
            "finding": graph.assessment_findings,
            "metric": graph.metrics,
            "incident": graph.incidents,
            "third party": graph.third_parties,
            "app": graph.apps,
        }
        records = tables[kind]
        sourced = records.get(finding.subject.partition("/")[0])
        record = sourced.record if sourced is not None else None
        owner = str(getattr(record, "owner", "") or "")
        due = getattr(record, "due_on", None) if kind == "finding" else None
        return Item(_plain(finding.message), owner, f"due {due}" if due else "")

    return words


def _plain(message: str) -> str:
    """A check's message as a sentence for the board: no code quotes, a capital first."""
    text = message.replace("`", "")
    return text[:1].upper() + text[1:]


_ITEM_WORDS: dict[str, _Words] = {
    "EX001": _acceptance_item,
    "RK002": _risk_item,
    "EV004": _control_item("Evidence of {control} no longer matches its record"),
    "EV003": _control_item("Evidence of {control} cannot be found"),
    "EV001": _control_item("No evidence has been collected for {control}"),
    "EV007": _soc2_item,
    "IN001": _register_item("incident"),
    "AF002": _register_item("finding"),
    "TP001": _register_item("third party"),
    "TP002": _stale_standard,
    "TP003": _register_item("third party"),
    "AP002": _register_item("app"),
    "EX002": _acceptance_item,
    "RK001": _risk_item,
    "AF001": _register_item("finding"),
    "RK004": _risk_item,
    "PL001": _policy_item,
    "PL002": _policy_item,
    "PL003": _policy_item,
    "EV002": _control_item("Evidence of {control} is out of date"),
    "MT001": _register_item("metric"),
    "MT002": _register_item("metric"),
    "TP004": _register_item("third party"),
    "TP005": _register_item("third party"),
    "AP001": _register_item("app"),
    "IN002": _register_item("incident"),
}
_ORDER = tuple(_ITEM_WORDS)


def _verb(number: int, singular: str, plural: str) -> str:
    return singular if number == 1 else plural


__all__ = [
    "CSF",
    "ISO",
    "SOC2",
    "Briefing",
    "build_briefing",
]
