"""``ciptool explain ID``: a control and what it maps, or a requirement and what covers it.

Every status is the one ``ciptool check`` gives on the same day and SOC 2 period: it is read
from :func:`ciptool.checks.coverage.coverage`, never decided here; the rest of an
explanation says why, from the same evidence, exceptions and deviations the check reads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.text import Text

from ciptool.checks.base import Context
from ciptool.checks.coverage import (
    SOC2_CATEGORIES,
    applicability,
    control_evidence_current,
    coverage,
)
from ciptool.checks.evidence import (
    SOC2,
    EvidenceStatus,
    RequirementEvidence,
    dates,
    deviations,
    effective_date,
    max_age,
    occurrence_tested,
    requirement_evidence,
)
from ciptool.checks.exceptions import live_exceptions
from ciptool.checks.references import (
    explain_other_reading,
    explain_unresolved,
    id_reader,
    lineage_clause,
    one_of,
)
from ciptool.engine import context, load_graph
from ciptool.errors import UsageError
from ciptool.findings import Finding, unread_files
from ciptool.graph import Graph
from ciptool.models import Catalog, Control, Item, RiskException, Sourced
from ciptool.models.catalog import Reading
from ciptool.models.records import Period
from ciptool.render.printable import printable
from ciptool.render.terminal import terminal_console
from ciptool.results import RequirementCoverage, RunSettings, Status

_STATUS_STYLES = {
    Status.COVERED: "green",
    Status.COVERED_WITH_DEVIATIONS: "yellow",
    Status.DECLARED: "yellow",
    Status.EXCEPTED: "magenta",
    Status.NOT_APPLICABLE: "dim",
    Status.GAP: "yellow",
}
_EVIDENCE_STYLES = {EvidenceStatus.CURRENT: "green", EvidenceStatus.STALE: "yellow"}


def explain_identifier(
    identifier: str,
    root: Path,
    cache_dir: Path | None = None,
    today: dt.date | None = None,
    period: Period | None = None,
) -> list[Finding]:
    """Print what ``identifier`` is and how it stands on ``today`` (default: the clock's day);
    return the findings of loading the repository, for the caller to name what was not read.

    A requirement is read as ``ciptool check`` reads it, in every form check accepts
    (``FRAMEWORK:ID`` or the id alone, variants, surrounding spaces, another version's id
    with where its content went). An id given alone is looked up first in the frameworks
    in scope (``frameworks:`` in ``ciptool.yaml``), then in every catalog; where it has
    more than one reading, each is named and none is chosen. Statuses are check's, for the
    SOC 2 ``period`` given or, by default, ``soc2.period`` in ``ciptool.yaml``.
    """
    graph, findings = load_graph(root, cache_dir)
    if graph is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    day = today if today is not None else dt.date.today()
    standing = _Standing(graph, context(graph, RunSettings(today=day, soc2_period=period)))
    console = terminal_console()
    written = identifier.strip()
    control = graph.controls.get(written)
    if control is not None:
        _explain_control(control, standing, console)
        return findings
    framework, requirement = _split(written, graph)
    reader = id_reader(graph)
    if framework:
        _explain_reading(reader.read(framework, requirement), standing, console)
        return findings
    config = graph.config
    scope = [f for f in (config.frameworks if config else []) if f in graph.catalogs]
    for pool in (scope, sorted(graph.catalogs)):
        readings = [reader.read(key, written) for key in pool]
        resolved = [r for r in readings if r.item_id is not None]
        if not resolved:
            # Another version's id, a withdrawn one, or one with two readings (`7.3`): each
            # is answered as check answers it, the last by naming the readings.
            resolved = [r for r in readings if _explained(r) or r.resolution.ambiguous]
        if len(resolved) == 1:
            _explain_reading(resolved[0], standing, console)
            return findings
        if resolved:
            options = ", ".join(f"{r.framework}:{r.item_id or requirement}" for r in resolved)
            raise UsageError(
                f"`{written}` has a reading in several frameworks: {options}; name one as"
                " FRAMEWORK:ID"
            )
    unread = len(unread_files(findings))
    raise UsageError(
        f"`{written}` is neither a control id nor a requirement of a known framework;"
        " write a requirement as FRAMEWORK:ID, e.g. iso27001-2022:A.5.10"
        + (
            f" ({unread} loading error{'' if unread == 1 else 's'} left files unread:"
            " run `ciptool check`)"
            if unread
            else ""
        )
    )


class _Standing:
    """Where everything stands on the day: check's coverage rows and what they rest on."""

    def __init__(self, graph: Graph, ctx: Context) -> None:
        self.graph = graph
        self.today = ctx.today
        self.period = ctx.soc2_period
        self.rows = {(row.framework, row.requirement): row for row in coverage(ctx)}
        self.current = control_evidence_current(graph, ctx.today)
        self.live = live_exceptions(graph, ctx.today)
        self.missed = deviations(graph, self.period, ctx.today) if self.period else {}
        self.evidence: dict[str, list[RequirementEvidence]] = {}
        for item in requirement_evidence(graph):
            self.evidence.setdefault(item.control.record.id, []).append(item)

    def on_control(self, control: str) -> list[RiskException]:
        """The live exceptions that name ``control``, in the repository's order."""
        return [s.record for s in self.live if s.record.applies_to.control == control]

    def on_requirement(self, reference: str) -> list[RiskException]:
        """The live exceptions that name the requirement ``FRAMEWORK:ID`` itself."""
        found = []
        for sourced in self.live:
            written = sourced.record.applies_to.requirement
            if written and self.graph.canonical_reference(written) == reference:
                found.append(sourced.record)
        return found


def _split(written: str, graph: Graph) -> tuple[str, str]:
    """(framework, requirement) of ``FRAMEWORK:ID``; ("", written) for an id alone."""
    framework, colon, requirement = written.partition(":")
    if not colon:
        return "", written
    framework = framework.strip()
    if framework not in graph.catalogs:
        from ciptool.checks.references import suggest_framework

        hint = suggest_framework(framework, sorted(graph.catalogs))
        raise UsageError(f"unknown framework `{framework}`. {hint}")
    return framework, requirement.strip()


def _explained(reading: Reading) -> bool:
    """True when check explains an id that names no item: another version's, or withdrawn."""
    resolution = reading.resolution
    return reading.other is not None or resolution.withdrawn is not None


def _explain_reading(reading: Reading, standing: _Standing, console: Console) -> None:
    catalogs = standing.graph.catalogs
    catalog = catalogs[reading.framework]
    if reading.item_id is None:
        message, suggestion = explain_unresolved(reading, catalogs)
        if not _explained(reading):
            raise UsageError(f"{message}. {suggestion}")
        console.print(Text(f"{catalog.id}:{reading.resolution.written.strip()}", style="bold"))
        console.print(Text(message))
        console.print(Text(suggestion, style="dim"))
        targets = reading.lineage.targets if reading.lineage is not None else ()
        for target in targets:
            if reading.lineage is not None and reading.lineage.later == catalog.id:
                console.print()
                _explain_requirement(catalog, target, standing, console)
        return
    if reading.other is not None:
        message, suggestion = explain_other_reading(reading, catalogs)
        console.print(Text(message, style="dim"))
        console.print(Text(suggestion, style="dim"))
    _explain_requirement(catalog, reading.item_id, standing, console)


def _explain_control(sourced: Sourced[Control], standing: _Standing, console: Console) -> None:
    graph = standing.graph
    control = sourced.record
    console.print(Text(f"{control.id}: {_one_line(control.title)}", style="bold"))
    console.print(Text(f"defined in {_one_line(sourced.file)}", style="dim"))
    if control.description:
        console.print(Text(_one_line(control.description)))
    policy = graph.policies.get(control.policy) if control.policy else None
    facts = [
        ("owner", control.owner),
        ("process", control.process or "-"),
        ("policy", f"{control.policy} {policy.record.title}" if policy else control.policy or "-"),
        ("frequency", control.frequency),
    ]
    for label, value in facts:
        console.print(Text(f"{label + ':':<11}{_one_line(value)}"))
    console.print(Text(f"mappings, with each requirement's status as of {standing.today}:"))
    links = [link for link in graph.mapping_links if link.control is sourced]
    statuses = [_mapped_status(standing, link.framework, link.requirement_id) for link in links]
    width = max((len(status) for status in statuses), default=0)
    for link, status in zip(links, statuses, strict=True):
        catalog = graph.catalogs.get(link.framework)
        item = catalog.by_id.get(link.requirement_id or "") if catalog else None
        target = control.mappings[link.framework][link.index]
        label = (item.title or item.text) if item else "(not in the catalog: see `ciptool check`)"
        line = Text("  ")
        line.append(f"{status:<{width}}", style=_status_style(status))
        line.append(f"  {link.framework}:{link.requirement_id or link.written}  {label}")
        if target.relationship != "equal":
            rationale = _one_line(target.rationale)
            line.append(f"  [{target.relationship}] {rationale}".rstrip(), style="dim")
        console.print(line)
    if not links:
        console.print("  (none)")
    _print_control_standing(sourced, standing, console, indent="", soc2=True)


def _mapped_status(standing: _Standing, framework: str, item_id: str | None) -> str:
    """The status check gives a mapped requirement, or why it has none."""
    if item_id is None:
        return "-"
    row = standing.rows.get((framework, item_id))
    return row.status.value if row is not None else "not in scope"


def _status_style(status: str) -> str:
    known = {s.value: s for s in Status}
    return _STATUS_STYLES[known[status]] if status in known else "dim"


def _print_control_standing(
    sourced: Sourced[Control], standing: _Standing, console: Console, indent: str, soc2: bool
) -> None:
    """A control's evidence and live exceptions as of the day, and with ``soc2`` what it
    missed of the SOC 2 period. Under a requirement (an ``indent``), "no exception" goes unsaid.
    """
    control = sourced.record
    items = standing.evidence.get(control.id, [])
    if not control.evidence:
        verdict = "none required, so no requirement is covered through it"
    elif standing.current.get(control.id, False):
        verdict = "current and intact for every evidence requirement"
    else:
        verdict = (
            "not current for every evidence requirement, so no requirement is covered through it"
        )
    console.print(Text(f"{indent}evidence as of {standing.today}: {verdict}", style="bold"))
    for item in items:
        requirement = control.evidence[item.index]
        line = Text(f"{indent}  {requirement.id}: ")
        status = item.status_on(standing.graph, standing.today)
        line.append(status.value, style=_EVIDENCE_STYLES.get(status, "yellow"))
        line.append(f" - {_evidence_detail(item, status, standing.today)}")
        console.print(line)
    exceptions = standing.on_control(control.id)
    if exceptions:
        console.print(Text(f"{indent}live exceptions on {control.id}:", style="bold"))
        for exception in exceptions:
            console.print(Text(f"{indent}  {_exception_line(exception)}", style="magenta"))
    elif not indent:
        console.print(Text(f"live exceptions on {control.id}: none", style="bold"))
    period = standing.period
    if soc2 and period is not None and occurrence_tested(control):
        runs = standing.missed.get(control.id)
        head = f"{indent}SOC 2 period {period.start}..{period.end}: "
        if runs:
            console.print(Text(f"{head}no evidence for {', '.join(runs)}", style="yellow"))
        else:
            console.print(Text(f"{head}evidence for every interval ended by {standing.today}"))


def _evidence_detail(item: RequirementEvidence, status: EvidenceStatus, today: dt.date) -> str:
    """Why an evidence requirement stands where it does, from its newest record."""
    newest = item.newest
    if newest is None:
        return "no evidence recorded"
    effective = effective_date(newest.record)
    head = f"newest effective {effective} ({_count(len(item.records), 'record')})"
    where = f"the newest record ({newest.file})"
    if status is EvidenceStatus.BROKEN:
        return (
            f"{head}, but {where} lists a file that is missing or differs from its recorded"
            " sha256 (`ciptool evidence verify` names it)"
        )
    if status is EvidenceStatus.FUTURE:
        later = [f"{what} {day}" for what, day, _ in dates(newest.record) if day > today]
        return f"{head}, but {where} is dated after {today}: {', '.join(later)}"
    control = item.control.record
    limit = max_age(control, item.index)
    if limit is None:
        return f"{head}; {control.frequency} evidence does not go stale"
    until = limit.after(effective)
    if control.evidence[item.index].max_age is not None:
        rule = f"`max_age` allows {limit.describe()}"
    else:
        rule = f"{control.frequency} evidence may be {limit.describe()} old"
    if status is EvidenceStatus.STALE:
        return f"{head}, stale since {until + dt.timedelta(days=1)}: {rule}"
    return f"{head}, current through {until}: {rule}"


def _exception_line(exception: RiskException) -> str:
    return _one_line(
        f"{exception.id} until {exception.expires_on} (risk {exception.risk}, approved by"
        f" {exception.approved_by} on {exception.approved_on})"
    )


def _one_line(text: str) -> str:
    """A value from the repository on the line it belongs to: a newline in it is shown as
    ``\\x0a``, so it cannot start a line of its own (one a CI log would read as a command).
    """
    return printable(text)


def _explain_requirement(
    catalog: Catalog, item_id: str, standing: _Standing, console: Console
) -> None:
    graph = standing.graph
    item = catalog.by_id[item_id]
    console.print(Text(f"{catalog.id}:{item.id}", style="bold"))
    if item.title:
        console.print(Text(item.title))
    if item.text:
        console.print(Text(item.text))
    row = standing.rows.get((catalog.id, item.id))
    if row is not None:
        _print_status(row, standing, console)
    if item.type not in catalog.requirement_types:
        _print_not_a_requirement(catalog, item, console)
    controls = graph.controls_by_requirement.get((catalog.id, item.id), [])
    console.print(
        Text(f"mapped by {len(controls)} control{'s' if len(controls) != 1 else ''}:", style="bold")
    )
    for sourced in controls:
        console.print(Text(f"  {sourced.record.id}  {_one_line(sourced.record.title)}"))
        if row is not None:
            soc2 = row.framework == SOC2
            _print_control_standing(sourced, standing, console, indent="    ", soc2=soc2)
    reader = id_reader(graph)
    for other in reader.versions(catalog.id):
        if other.previous_version != catalog.id:
            continue
        lineage = reader.lineage(catalog.id, item.id, other.id)
        if lineage.targets or lineage.withdrawn is not None:
            clause = lineage_clause(lineage, graph.catalogs)
            console.print(Text(f"{clause[0].upper()}{clause[1:]}."))
    if row is None:
        _print_no_status(catalog, item, standing, console)


def _print_status(row: RequirementCoverage, standing: _Standing, console: Console) -> None:
    """The status check gives the requirement, and why."""
    line = Text(f"status as of {standing.today}: ", style="bold")
    line.append(row.status.value, style=_STATUS_STYLES[row.status])
    if row.framework == SOC2 and standing.period is not None:
        period = standing.period
        line.append(f" (SOC 2 period {period.start}..{period.end})", style="dim")
    console.print(line)
    reasons = [row.reason] if row.reason else []
    if row.status is Status.COVERED:
        current = [c for c in row.controls if standing.current.get(c, False)]
        reasons.append(f"current, intact evidence: {', '.join(current)}")
    if row.status is Status.EXCEPTED:
        reference = f"{row.framework}:{row.requirement}"
        reasons.extend(_exception_line(e) for e in standing.on_requirement(reference))
    if row.suggested:
        reasons.append(f"a crosswalk suggests {', '.join(row.suggested)} (a hint, never coverage)")
    for reason in reasons:
        console.print(Text(f"  {reason}"))


def _print_no_status(catalog: Catalog, item: Item, standing: _Standing, console: Console) -> None:
    """Why check gives the item no status: out of scope, or not a requirement."""
    config = standing.graph.config
    decision = applicability(standing.graph, catalog, item.id)  # its own, or its category's
    if decision is not None and not decision.applicable:
        justification = _one_line(decision.justification)
        console.print(Text(f"not applicable: {justification}", style="yellow"))
    if config is None or catalog.id not in config.frameworks:
        console.print(
            Text(f"{catalog.id} is not in scope (`frameworks:` in ciptool.yaml)", style="dim")
        )
    elif catalog.id == SOC2 and item.type in catalog.requirement_types:
        category = _soc2_category(catalog, item)
        console.print(
            Text(
                f"{item.id} is a {category} criterion, and {category} is not in scope"
                " (`soc2: categories:` in ciptool.yaml)",
                style="dim",
            )
        )


#: How many of the requirements under a heading are named before "...".
_UNDER_SHOWN = 8


def _print_not_a_requirement(catalog: Catalog, item: Item, console: Console) -> None:
    """What a heading or another item that coverage does not count is, what is under it, and
    what a mapping to it counts for: nothing, as check's RF005 says.
    """
    head = f"{item.id} is {one_of(catalog, item.type)} of {catalog.display_name}"
    if item.type in catalog.heading_types:
        head += (
            ", a heading and not a requirement: check gives each requirement under it a status"
            f" of its own, and a mapping to {item.id} counts toward none of them (RF005)"
        )
    else:
        head += (
            f", not a requirement: coverage counts its {catalog.requirement_label} only, and a"
            f" mapping to {item.id} counts toward none of them (RF005)"
        )
    console.print(Text(head))
    under = catalog.requirements_under(item.id)
    if under:
        shown = ", ".join(under[:_UNDER_SHOWN]) + (", ..." if len(under) > _UNDER_SHOWN else "")
        console.print(Text(f"{_count(len(under), 'requirement')} under it: {shown}"))
    else:
        console.print(Text("no requirement under it"))


def _soc2_category(catalog: Catalog, item: Item) -> str:
    """The SOC 2 category name of a criterion, from the top of its tree."""
    top = item
    while top.parent is not None:
        top = catalog.by_id[top.parent]
    names = {prefix: name for name, prefix in SOC2_CATEGORIES.items()}
    return names.get(top.id, top.id)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
