"""``ciptool explain ID``: a control and what it maps, or a requirement and what covers it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from ciptool.checks.coverage import applicability
from ciptool.checks.references import (
    explain_other_reading,
    explain_unresolved,
    id_reader,
    lineage_clause,
)
from ciptool.engine import load_graph
from ciptool.errors import UsageError
from ciptool.graph import Graph
from ciptool.models import Catalog, Control, Sourced
from ciptool.models.catalog import Reading


def explain_identifier(identifier: str, root: Path, cache_dir: Path | None = None) -> None:
    """Print what ``identifier`` is and how it connects to the rest of the repository.

    A requirement is read as ``ciptool check`` reads it, in every form check accepts
    (``FRAMEWORK:ID`` or the id alone, variants, surrounding spaces, another version's id
    with where its content went). An id given alone is looked up first in the frameworks
    in scope (``frameworks:`` in ``ciptool.yaml``), then in every catalog; where it has
    more than one reading, each is named and none is chosen.
    """
    graph, _findings = load_graph(root, cache_dir)
    if graph is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    console = Console(soft_wrap=True, highlight=False)
    written = identifier.strip()
    control = graph.controls.get(written)
    if control is not None:
        _explain_control(control, graph, console)
        return
    framework, requirement = _split(written, graph)
    reader = id_reader(graph)
    if framework:
        _explain_reading(reader.read(framework, requirement), graph, console)
        return
    config = graph.config
    scope = [f for f in (config.frameworks if config else []) if f in graph.catalogs]
    for pool in (scope, sorted(graph.catalogs)):
        readings = [reader.read(key, written) for key in pool]
        resolved = [r for r in readings if r.item_id is not None]
        if not resolved:
            resolved = [r for r in readings if _explained(r)]
        if len(resolved) == 1:
            _explain_reading(resolved[0], graph, console)
            return
        if resolved:
            options = ", ".join(f"{r.framework}:{r.item_id or requirement}" for r in resolved)
            raise UsageError(
                f"`{written}` has a reading in several frameworks: {options}; name one as"
                " FRAMEWORK:ID"
            )
    raise UsageError(
        f"`{written}` is neither a control id nor a requirement of a known framework;"
        " write a requirement as FRAMEWORK:ID, e.g. iso27001-2022:A.5.10"
    )


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


def _explain_reading(reading: Reading, graph: Graph, console: Console) -> None:
    catalogs = graph.catalogs
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
                _explain_requirement(catalog, target, graph, console)
        return
    if reading.other is not None:
        message, suggestion = explain_other_reading(reading, catalogs)
        console.print(Text(message, style="dim"))
        console.print(Text(suggestion, style="dim"))
    _explain_requirement(catalog, reading.item_id, graph, console)


def _explain_control(sourced: Sourced[Control], graph: Graph, console: Console) -> None:
    control = sourced.record
    console.print(Text(f"{control.id}: {control.title}", style="bold"))
    console.print(Text(f"defined in {sourced.file}", style="dim"))
    if control.description:
        console.print(Text(control.description))
    policy = graph.policies.get(control.policy) if control.policy else None
    facts = [
        ("owner", control.owner),
        ("process", control.process or "-"),
        ("policy", f"{control.policy} {policy.record.title}" if policy else control.policy or "-"),
        ("frequency", control.frequency),
    ]
    for label, value in facts:
        console.print(Text(f"{label + ':':<11}{value}"))
    console.print(Text("mappings:", style="bold"))
    links = [link for link in graph.mapping_links if link.control is sourced]
    for link in links:
        catalog = graph.catalogs.get(link.framework)
        item = catalog.by_id.get(link.requirement_id or "") if catalog else None
        target = control.mappings[link.framework][link.index]
        label = (item.title or item.text) if item else "(not in the catalog: see `ciptool check`)"
        line = Text(f"  {link.framework}:{link.requirement_id or link.written}  {label}")
        if target.relationship != "equal":
            line.append(f"  [{target.relationship}] {target.rationale}".rstrip(), style="dim")
        console.print(line)
    if not links:
        console.print("  (none)")
    console.print(Text("evidence:", style="bold"))
    for requirement in control.evidence:
        records = graph.evidence_by_requirement.get((control.id, requirement.id), [])
        dates = sorted(r.record.collected_on for r in records)
        latest = f"latest collected {dates[-1].isoformat()}" if dates else "no records"
        console.print(
            Text(
                f"  {requirement.id}: {requirement.description}"
                f" ({_count(len(records), 'record')}, {latest})"
            )
        )
    if not control.evidence:
        console.print("  (none required)")


def _explain_requirement(catalog: Catalog, item_id: str, graph: Graph, console: Console) -> None:
    item = catalog.by_id[item_id]
    console.print(Text(f"{catalog.id}:{item.id}", style="bold"))
    if item.title:
        console.print(Text(item.title))
    if item.text:
        console.print(Text(item.text))
    controls = graph.controls_by_requirement.get((catalog.id, item.id), [])
    console.print(
        Text(f"mapped by {len(controls)} control{'s' if len(controls) != 1 else ''}:", style="bold")
    )
    for sourced in controls:
        console.print(Text(f"  {sourced.record.id}  {sourced.record.title}"))
    reader = id_reader(graph)
    for other in reader.versions(catalog.id):
        if other.previous_version != catalog.id:
            continue
        lineage = reader.lineage(catalog.id, item.id, other.id)
        if lineage.targets or lineage.withdrawn is not None:
            clause = lineage_clause(lineage, graph.catalogs)
            console.print(Text(f"{clause[0].upper()}{clause[1:]}."))
    config = graph.config
    decision = applicability(graph, catalog, item.id)  # its own, or its category's
    in_scope = config is not None and catalog.id in config.frameworks
    if decision is not None and not decision.applicable:
        console.print(Text(f"not applicable: {decision.justification}", style="yellow"))
    elif not in_scope:
        console.print(
            Text(f"{catalog.id} is not in scope (`frameworks:` in ciptool.yaml)", style="dim")
        )
    elif not controls and item.type in catalog.requirement_types:
        console.print(Text("no control maps this requirement: a coverage gap", style="yellow"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
