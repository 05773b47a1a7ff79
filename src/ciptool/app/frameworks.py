"""``ciptool frameworks list`` and ``frameworks show``: the catalogs, one catalog's items, and
one requirement in full, read as ``ciptool check`` reads its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ciptool.errors import UsageError
from ciptool.loader import FrameworkSet, load_frameworks
from ciptool.models import Catalog, Item
from ciptool.models.catalog import IdReader


def catalogs_for(root: Path | None) -> FrameworkSet:
    """Bundled catalogs, plus the repository's when there is one."""
    return load_frameworks(root)


def catalog_list_document(frameworks: FrameworkSet) -> list[dict[str, Any]]:
    """``frameworks list --format json``: one object per catalog, in the order of their ids."""
    rows = sorted(frameworks.catalogs.values(), key=lambda source: source.catalog.id)
    return [
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


@dataclass(frozen=True)
class Requirement:
    """One item of a catalog in full, as ``frameworks show FRAMEWORK ID`` shows it."""

    catalog: Catalog
    item: Item
    #: The id as the user wrote it.
    written: str
    #: When the id as written names another version's item: what it names, and what to do.
    other: tuple[str, str] | None
    #: True when the id was read as the item's own id, not as a variant of it.
    exact: bool
    #: The item's ancestors, from the top of its tree, each as "ID title".
    ancestors: list[str]
    #: The name of the item's level, e.g. "category".
    level: str
    #: The items directly under it.
    children: list[Item]
    #: Where its content went in each later version, one sentence each.
    lineage: list[str]
    #: (other framework, the ids a crosswalk links it to there), a hint each.
    crosswalks: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class Shown:
    """``frameworks show``: the catalogs read, the one named, and one requirement if asked."""

    frameworks: FrameworkSet
    catalog: Catalog
    requirement: Requirement | None


def show_framework(root: Path | None, framework: str, requirement: str | None) -> Shown:
    """The catalog ``framework`` among those of ``root`` (bundled ones when None), and with
    ``requirement`` that requirement in full; a usage error names what is unknown."""
    frameworks = catalogs_for(root)
    source = frameworks.catalogs.get(framework)
    if source is None:
        from ciptool.queries.suggestions import suggest_framework

        hint = suggest_framework(framework, sorted(frameworks.catalogs))
        raise UsageError(f"unknown framework `{framework}`. {hint}")
    if requirement is None:
        return Shown(frameworks, source.catalog, None)
    read = read_requirement(source.catalog, requirement, frameworks)
    return Shown(frameworks, source.catalog, read)


def read_requirement(catalog: Catalog, written: str, frameworks: FrameworkSet) -> Requirement:
    """The item ``written`` names in ``catalog``, read as ``ciptool check`` reads the id: its
    place in the hierarchy, the items under it, crosswalk links, and where it went in a later
    version.
    """
    from ciptool.queries.readings import explain_other_reading, explain_unresolved, level_name

    all_catalogs = {key: source.catalog for key, source in frameworks.catalogs.items()}
    reader = IdReader(all_catalogs, [c.record for c in frameworks.crosswalks])
    reading = reader.read(catalog.id, written)
    if reading.item_id is None:
        message, suggestion = explain_unresolved(reading, all_catalogs)
        raise UsageError(f"{message}. {suggestion}")
    item = catalog.by_id[reading.item_id]
    other = explain_other_reading(reading, all_catalogs) if reading.other is not None else None
    ancestors = []
    parent = item.parent
    while parent:
        ancestor = catalog.by_id[parent]
        ancestors.append(f"{ancestor.id} {ancestor.title}".strip())
        parent = ancestor.parent
    children = [child for child in catalog.items if child.parent == item.id]
    crosswalks = []
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
            crosswalks.append((other_id, linked))
    return Requirement(
        catalog=catalog,
        item=item,
        written=written,
        other=other,
        exact=reading.resolution.exact,
        ancestors=list(reversed(ancestors)),
        level=level_name(catalog, item.type),
        children=children,
        lineage=where_it_went(reader, all_catalogs, catalog.id, item.id),
        crosswalks=crosswalks,
    )


def where_it_went(
    reader: IdReader, catalogs: Mapping[str, Catalog], catalog: str, item: str
) -> list[str]:
    """Where the content of ``item`` went in each later version of ``catalog``, a sentence each."""
    from ciptool.queries.readings import lineage_clause

    sentences = []
    for version in reader.versions(catalog):
        if version.previous_version != catalog:
            continue
        lineage = reader.lineage(catalog, item, version.id)
        if lineage.targets or lineage.withdrawn is not None:
            clause = lineage_clause(lineage, catalogs)
            sentences.append(f"{clause[0].upper()}{clause[1:]}.")
    return sentences
