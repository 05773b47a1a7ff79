"""Printing ``ciptool explain ID``: a control and what it maps, or a requirement and what
covers it, as :func:`ciptool.app.explain.explain_identifier` found them.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ciptool.app.explain import (
    Explanation,
    Standing,
    count,
    evidence_detail,
    exception_line,
    kind_of,
    one_line,
    soc2_category,
)
from ciptool.cli.explain_fieldwork import print_control_fieldwork, print_soa_entry, testing_style
from ciptool.cli.explain_registers import print_naming, print_record
from ciptool.models import Catalog, Control, Item, Sourced
from ciptool.models.catalog import Reading
from ciptool.queries.evidence import EvidenceStatus
from ciptool.queries.intervals import SOC2
from ciptool.queries.registers import naming_control
from ciptool.render.terminal import terminal_console
from ciptool.results import RequirementCoverage, Status

_STATUS_STYLES = {
    Status.COVERED: "green",
    Status.COVERED_WITH_DEVIATIONS: "yellow",
    Status.DECLARED: "yellow",
    Status.EXCEPTED: "magenta",
    Status.NOT_APPLICABLE: "dim",
    Status.GAP: "yellow",
}
_EVIDENCE_STYLES = {EvidenceStatus.CURRENT: "green", EvidenceStatus.STALE: "yellow"}


def print_explanation(explanation: Explanation) -> None:
    """Print what an id names and how it stands."""
    console = terminal_console()
    if explanation.control is not None:
        _explain_control(explanation.control, explanation.standing, console)
    elif explanation.record is not None:
        kind, sourced = explanation.record
        print_record(kind, sourced, explanation.standing, console, _control_standing)
    elif explanation.reading is not None:
        _explain_reading(explanation, explanation.reading, console)


def _explain_reading(explanation: Explanation, reading: Reading, console: Console) -> None:
    standing = explanation.standing
    catalog = standing.graph.catalogs[reading.framework]
    if reading.item_id is None:
        assert explanation.note is not None  # what check says of an id that names no item
        message, suggestion = explanation.note
        console.print(Text(f"{catalog.id}:{reading.resolution.written.strip()}", style="bold"))
        console.print(Text(message))
        console.print(Text(suggestion, style="dim"))
        targets = reading.lineage.targets if reading.lineage is not None else ()
        for target in targets:
            if reading.lineage is not None and reading.lineage.later == catalog.id:
                console.print()
                _explain_requirement(catalog, target, standing, console)
        return
    if explanation.note is not None:
        message, suggestion = explanation.note
        console.print(Text(message, style="dim"))
        console.print(Text(suggestion, style="dim"))
    _explain_requirement(catalog, reading.item_id, standing, console)


def _explain_control(sourced: Sourced[Control], standing: Standing, console: Console) -> None:
    graph = standing.graph
    control = sourced.record
    console.print(Text(f"{control.id}: {one_line(control.title)}", style="bold"))
    console.print(Text(f"defined in {one_line(sourced.file)}", style="dim"))
    if control.description:
        console.print(Text(one_line(control.description)))
    policy = graph.policies.get(control.policy) if control.policy else None
    facts = [
        ("owner", control.owner),
        ("process", control.process or "-"),
        ("policy", f"{control.policy} {policy.record.title}" if policy else control.policy or "-"),
        ("frequency", control.frequency),
    ]
    for label, value in facts:
        console.print(Text(f"{label + ':':<11}{one_line(value)}"))
    console.print(Text(f"mappings, with each requirement's status as of {standing.today}:"))
    links = [link for link in graph.mapping_links if link.control is sourced]
    statuses = [standing.mapped_status(link.framework, link.requirement_id) for link in links]
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
            rationale = one_line(target.rationale)
            line.append(f"  [{target.relationship}] {rationale}".rstrip(), style="dim")
        console.print(line)
    if not links:
        console.print("  (none)")
    _print_control_standing(sourced, standing, console, indent="", soc2=True)
    print_control_fieldwork(sourced, standing, console)
    print_naming(naming_control(graph, control.id), console)


def _control_standing(
    sourced: Sourced[Control], standing: Standing, console: Console, indent: str
) -> None:
    """A control's evidence and live exceptions under a register record that names it."""
    _print_control_standing(sourced, standing, console, indent=indent, soc2=False)


def _status_style(status: str) -> str:
    known = {s.value: s for s in Status}
    return _STATUS_STYLES[known[status]] if status in known else "dim"


def _print_control_standing(
    sourced: Sourced[Control], standing: Standing, console: Console, indent: str, soc2: bool
) -> None:
    """A control's evidence and live exceptions as of the day, and with ``soc2`` what it
    missed of the SOC 2 period. Under a requirement (an ``indent``), "no exception" goes unsaid.
    """
    control = sourced.record
    items = standing.evidence.get(control.id, [])
    verdict = standing.evidence_verdict(control)
    console.print(Text(f"{indent}evidence as of {standing.today}: {verdict}", style="bold"))
    for item in items:
        requirement = control.evidence[item.index]
        line = Text(f"{indent}  {requirement.id}: ")
        status = item.status_on(standing.graph, standing.today)
        line.append(status.value, style=_EVIDENCE_STYLES.get(status, "yellow"))
        line.append(f" - {evidence_detail(item, status, standing.today)}")
        console.print(line)
    exceptions = standing.on_control(control.id)
    if exceptions:
        console.print(Text(f"{indent}live exceptions on {control.id}:", style="bold"))
        for exception in exceptions:
            console.print(Text(f"{indent}  {exception_line(exception)}", style="magenta"))
    elif not indent:
        console.print(Text(f"live exceptions on {control.id}: none", style="bold"))
    period = standing.period
    runs = standing.missed(control) if soc2 else None
    if period is not None and runs is not None:
        head = f"{indent}SOC 2 period {period.start}..{period.end}: "
        if runs:
            console.print(Text(f"{head}no evidence for {', '.join(runs)}", style="yellow"))
        else:
            console.print(Text(f"{head}evidence for every interval ended by {standing.today}"))
    tested = standing.testing.get(control.id) if soc2 and indent else None
    if tested is not None:  # under a SOC 2 criterion: what testing found, as the package says
        line = Text(f"{indent}SOC 2 testing: ")
        line.append(one_line(tested.text), style=testing_style(tested.status))
        console.print(line)


def _explain_requirement(
    catalog: Catalog, item_id: str, standing: Standing, console: Console
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
    entry = standing.soa_row(catalog, item.id)
    if entry is not None and standing.statement is not None:
        print_soa_entry(entry, standing.statement, console)
    if item.type not in catalog.requirement_types:
        _print_not_a_requirement(catalog, item, console)
    controls = graph.controls_by_requirement.get((catalog.id, item.id), [])
    console.print(
        Text(f"mapped by {len(controls)} control{'s' if len(controls) != 1 else ''}:", style="bold")
    )
    for sourced in controls:
        console.print(Text(f"  {sourced.record.id}  {one_line(sourced.record.title)}"))
        if row is not None:
            soc2 = row.framework == SOC2
            _print_control_standing(sourced, standing, console, indent="    ", soc2=soc2)
    for sentence in standing.where_it_went(catalog, item):
        console.print(Text(sentence))
    if row is None:
        _print_no_status(catalog, item, standing, console)


def _print_status(row: RequirementCoverage, standing: Standing, console: Console) -> None:
    """The status check gives the requirement, and why."""
    line = Text(f"status as of {standing.today}: ", style="bold")
    line.append(row.status.value, style=_STATUS_STYLES[row.status])
    if row.framework == SOC2 and standing.period is not None:
        period = standing.period
        line.append(f" (SOC 2 period {period.start}..{period.end})", style="dim")
    console.print(line)
    for reason in standing.status_reasons(row):
        console.print(Text(f"  {reason}"))
    tested = standing.criterion_testing(row.requirement) if row.framework == SOC2 else None
    if tested is not None:
        line = Text("SOC 2 testing: ", style="bold")
        line.append(one_line(tested.text), style=testing_style(tested.status))
        console.print(line)


def _print_no_status(catalog: Catalog, item: Item, standing: Standing, console: Console) -> None:
    """Why check gives the item no status: out of scope, or not a requirement."""
    config = standing.graph.config
    justification = standing.not_applicable(catalog, item)
    if justification is not None:
        console.print(Text(f"not applicable: {justification}", style="yellow"))
    if config is None or catalog.id not in config.frameworks:
        console.print(
            Text(f"{catalog.id} is not in scope (`frameworks:` in ciptool.yaml)", style="dim")
        )
    elif catalog.id == SOC2 and item.type in catalog.requirement_types:
        category = soc2_category(catalog, item)
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
    head = f"{item.id} is {kind_of(catalog, item)} of {catalog.display_name}"
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
        console.print(Text(f"{count(len(under), 'requirement')} under it: {shown}"))
    else:
        console.print(Text("no requirement under it"))
