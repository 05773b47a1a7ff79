"""``ciptool explain ID``: a control and what it maps, or a requirement and what covers it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from ciptool.engine import load_graph
from ciptool.errors import UsageError
from ciptool.graph import Graph
from ciptool.models import Catalog, Control, Sourced


def explain_identifier(identifier: str, root: Path, cache_dir: Path | None = None) -> None:
    """Print what ``identifier`` is and how it connects to the rest of the repository."""
    graph, _findings = load_graph(root, cache_dir)
    if graph is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    console = Console(soft_wrap=True, highlight=False)
    control = graph.controls.get(identifier)
    if control is not None:
        _explain_control(control, graph, console)
        return
    framework, _, requirement = identifier.rpartition(":")
    candidates = _requirement_candidates(graph, framework, requirement or identifier)
    if len(candidates) == 1:
        catalog, item_id = candidates[0]
        _explain_requirement(catalog, item_id, graph, console)
        return
    if candidates:
        options = ", ".join(f"{c.id}:{i}" for c, i in candidates)
        raise UsageError(f"`{identifier}` is in several frameworks: {options}; name one")
    raise UsageError(
        f"`{identifier}` is neither a control id nor a requirement of a known framework;"
        " write a requirement as FRAMEWORK:ID, e.g. iso27001-2022:A.5.10"
    )


def _requirement_candidates(
    graph: Graph, framework: str, written: str
) -> list[tuple[Catalog, str]]:
    catalogs = graph.catalogs
    if framework:
        catalog = catalogs.get(framework)
        if catalog is None:
            raise UsageError(f"unknown framework `{framework}`; see `ciptool frameworks list`")
        resolved = catalog.resolve(written).item_id
        return [(catalog, resolved)] if resolved else []
    exact = [(c, written) for c in catalogs.values() if written in c.by_id]
    if exact:
        return sorted(exact, key=lambda pair: pair[0].id)
    found = [(c, c.resolve(written).item_id) for c in catalogs.values()]
    return sorted(((c, i) for c, i in found if i), key=lambda pair: pair[0].id)


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
    config = graph.config
    decision = config.applicability.get(catalog.id, {}).get(item.id) if config else None
    if decision is not None and not decision.applicable:
        console.print(Text(f"not applicable: {decision.justification}", style="yellow"))
    elif not controls and item.type in catalog.requirement_types:
        console.print(Text("no control maps this requirement: a coverage gap", style="yellow"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
