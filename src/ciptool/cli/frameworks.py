"""Printing catalogs: the list with counts, one catalog's items, one requirement in full."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.text import Text

from ciptool.app.frameworks import Requirement, Shown, catalog_list_document
from ciptool.loader import FrameworkSet
from ciptool.models import Catalog
from ciptool.render.terminal import terminal_console


def _console() -> Console:
    return terminal_console()


def print_catalog_list(frameworks: FrameworkSet, *, as_json: bool) -> None:
    """One row per catalog: id, name, version, counts per level, where it came from."""
    if as_json:
        sys.stdout.write(json.dumps(catalog_list_document(frameworks), indent=2) + "\n")
        return
    rows = sorted(frameworks.catalogs.values(), key=lambda source: source.catalog.id)
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


def print_shown(shown: Shown) -> None:
    """A framework's items, or the one requirement asked for in full."""
    if shown.requirement is None:
        print_catalog(shown.catalog)
    else:
        print_requirement(shown.requirement)


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


def print_requirement(requirement: Requirement) -> None:
    """One item in full: its place in the hierarchy, text, examples, crosswalk links, and
    where it went in a later version.
    """
    catalog, item = requirement.catalog, requirement.item
    console = _console()
    if requirement.other is not None:
        message, suggestion = requirement.other
        console.print(Text(message, style="dim"))
        console.print(Text(suggestion, style="dim"))
    elif not requirement.exact:
        console.print(Text(f"(`{requirement.written}` read as {item.id})", style="dim"))
    console.print(Text(f"{catalog.id}:{item.id}", style="bold"))
    if requirement.ancestors:
        console.print(Text("in: " + " > ".join(requirement.ancestors), style="dim"))
    console.print(Text(f"type: {requirement.level}"))
    if item.title:
        console.print(Text(f"title: {item.title}"))
    if item.text:
        console.print(Text(item.text))
    for example in item.examples:
        console.print(Text(f"  {example.label or example.id}: {example.text}"))
    for child in requirement.children:
        console.print(Text(f"  {child.id}  {child.title or child.text}"))
    for sentence in requirement.lineage:
        console.print(Text(sentence))
    for other_id, linked in requirement.crosswalks:
        console.print(Text(f"crosswalk {other_id} (a hint): {', '.join(linked)}", style="dim"))
