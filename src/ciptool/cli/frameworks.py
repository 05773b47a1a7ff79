"""Printing catalogs: the list with counts, one catalog's items, one requirement in full."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

from ciptool.errors import UsageError
from ciptool.loader import FrameworkSet, load_frameworks
from ciptool.models import Catalog
from ciptool.models.catalog import IdReader
from ciptool.render.terminal import terminal_console


def catalogs_for(root: Path | None) -> FrameworkSet:
    """Bundled catalogs, plus the repository's when there is one."""
    return load_frameworks(root)


def _console() -> Console:
    return terminal_console()


def print_catalog_list(frameworks: FrameworkSet, *, as_json: bool) -> None:
    """One row per catalog: id, name, version, counts per level, where it came from."""
    rows = sorted(frameworks.catalogs.values(), key=lambda source: source.catalog.id)
    if as_json:
        document = [
            {
                "id": source.catalog.id,
                "name": source.catalog.name,
                "version": source.catalog.version,
                "origin": source.origin,
                "counts": dict(source.catalog.counts()),
                "requirements": len(source.catalog.requirements),
            }
            for source in rows
        ]
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    console = _console()
    width = max((len(source.catalog.id) for source in rows), default=0) + 2
    names = max((len(source.catalog.display_name) for source in rows), default=0) + 2
    for source in rows:
        catalog = source.catalog
        counts = ", ".join(f"{count} {label}" for label, count in catalog.counts())
        line = Text(f"{catalog.id:<{width}}", style="bold")
        line.append(f"{catalog.display_name:<{names}}")
        line.append(counts)
        if source.origin != "bundled":
            line.append(f"  ({source.origin})", style="dim")
        console.print(line)
    for crosswalk in sorted(frameworks.crosswalks, key=lambda c: c.record.id):
        cw = crosswalk.record
        console.print(
            Text(
                f"crosswalk {cw.id}: {cw.source_framework} -> {cw.target_framework},"
                f" {len(cw.mappings)} links (hints only, never coverage)",
                style="dim",
            )
        )


def print_catalog(catalog: Catalog) -> None:
    """Every item of the catalog as an indented outline."""
    console = _console()
    console.print(Text(f"{catalog.id}: {catalog.name}", style="bold"))
    if catalog.license:
        console.print(Text(catalog.license, style="dim"))
    depth = {level.type: index for index, level in enumerate(catalog.levels)}
    for item in catalog.items:
        indent = "  " * depth.get(item.type, 0)
        label = item.title or item.text
        style = "bold" if item.type in catalog.heading_types else ""
        line = Text(f"{indent}{item.id}", style=style or "cyan")
        line.append(f"  {label}")
        console.print(line)


def print_requirement(catalog: Catalog, written: str, frameworks: FrameworkSet) -> None:
    """One item in full: its place in the hierarchy, text, examples, crosswalk links, and
    where it went in a later version, read as ``ciptool check`` reads the id.
    """
    from ciptool.checks.references import (
        explain_other_reading,
        explain_unresolved,
        level_name,
        lineage_clause,
    )

    all_catalogs = {key: source.catalog for key, source in frameworks.catalogs.items()}
    reader = IdReader(all_catalogs, [c.record for c in frameworks.crosswalks])
    reading = reader.read(catalog.id, written)
    if reading.item_id is None:
        message, suggestion = explain_unresolved(reading, all_catalogs)
        raise UsageError(f"{message}. {suggestion}")
    item = catalog.by_id[reading.item_id]
    console = _console()
    if reading.other is not None:
        message, suggestion = explain_other_reading(reading, all_catalogs)
        console.print(Text(message, style="dim"))
        console.print(Text(suggestion, style="dim"))
    elif not reading.resolution.exact:
        console.print(Text(f"(`{written}` read as {item.id})", style="dim"))
    console.print(Text(f"{catalog.id}:{item.id}", style="bold"))
    chain = []
    parent = item.parent
    while parent:
        ancestor = catalog.by_id[parent]
        chain.append(f"{ancestor.id} {ancestor.title}".strip())
        parent = ancestor.parent
    if chain:
        console.print(Text("in: " + " > ".join(reversed(chain)), style="dim"))
    console.print(Text(f"type: {level_name(catalog, item.type)}"))
    if item.title:
        console.print(Text(f"title: {item.title}"))
    if item.text:
        console.print(Text(item.text))
    for example in item.examples:
        console.print(Text(f"  {example.label or example.id}: {example.text}"))
    children = [child for child in catalog.items if child.parent == item.id]
    for child in children:
        console.print(Text(f"  {child.id}  {child.title or child.text}"))
    later = [other for other in reader.versions(catalog.id) if other.previous_version == catalog.id]
    for other in later:
        lineage = reader.lineage(catalog.id, item.id, other.id)
        if lineage.targets or lineage.withdrawn is not None:
            clause = lineage_clause(lineage, all_catalogs)
            console.print(Text(f"{clause[0].upper()}{clause[1:]}."))
    for crosswalk in frameworks.crosswalks:
        cw = crosswalk.record
        if cw.source_framework == catalog.id:
            linked = sorted({m.to for m in cw.mappings if m.from_ == item.id})
            other_id = cw.target_framework
        elif cw.target_framework == catalog.id:
            linked = sorted({m.from_ for m in cw.mappings if m.to == item.id})
            other_id = cw.source_framework
        else:
            continue
        if linked:
            console.print(Text(f"crosswalk {other_id} (a hint): {', '.join(linked)}", style="dim"))
