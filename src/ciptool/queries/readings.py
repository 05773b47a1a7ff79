"""How a requirement id written in a record reads against the catalogs and crosswalks, and the
words that explain a reading: what an unknown, ambiguous or other-version id is, and what to
write instead.

Shared by the reference checks, the exception checks, ``ciptool explain`` and ``ciptool
frameworks show``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ciptool.graph import Graph
from ciptool.models import Catalog
from ciptool.models.catalog import IdReader, Lineage, Reading


def id_reader(graph: Graph) -> IdReader:
    """The graph's catalogs and crosswalks as one :class:`IdReader`, built once per graph."""
    return graph.derived(
        "id-reader",
        lambda: IdReader(graph.catalogs, [c.record for c in graph.repository.crosswalks]),
    )


def link_readings(graph: Graph) -> dict[tuple[str, str], Reading]:
    """(framework, id as written) -> its reading, for every mapping entry of a known framework."""

    def compute() -> dict[tuple[str, str], Reading]:
        reader = id_reader(graph)
        readings: dict[tuple[str, str], Reading] = {}
        for link in graph.reference_links:
            key = (link.framework, link.written)
            if link.resolution is not None and key not in readings:
                readings[key] = reader.read(*key)
        return readings

    return graph.derived("link-readings", compute)


def describe(catalog: Catalog, item_id: str) -> str:
    """An item with its kind and title: "clause 7.3 Awareness", "Annex A control A.7.3 ..."."""
    item = catalog.by_id[item_id]
    level = next((lv for lv in catalog.levels if lv.type == item.type), None)
    kind = level.prefix.lower() if level is not None and level.prefix else ""
    return f"{kind or level_name(catalog, item.type)} {item_id} {item.title}".rstrip()


def level_name(catalog: Catalog, item_type: str) -> str:
    """One item of a level, as the catalog names the level: "Annex A control", "criterion"."""
    level = next((lv for lv in catalog.levels if lv.type == item_type), None)
    return _singular(level.label) if level is not None else item_type.replace("_", " ")


def _singular(label: str) -> str:
    if label.endswith("series"):
        return label
    if label.endswith("ies"):
        return label[:-3] + "y"
    if label.endswith("ria"):
        return label[:-1] + "on"
    return label[:-1] if label.endswith("s") else label


def _either(ids: Sequence[str]) -> str:
    quoted = [f"`{i}`" for i in ids]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def lineage_clause(lineage: Lineage, catalogs: Mapping[str, Catalog]) -> str:
    """Where an earlier version's item went in the later one, every target named with its
    source: "in CSF 2.0 it moved to GV.RM-04, and crosswalk ... links it to GV.RM-03".
    """
    later = catalogs[lineage.later].display_name if lineage.later in catalogs else lineage.later
    parts = []
    withdrawn = lineage.withdrawn
    named = lineage.withdrawn_to
    if withdrawn is not None and named:
        verb = "was incorporated into" if withdrawn.incorporated_into else "moved to"
        parts.append(f"in {later} it {verb} {', '.join(named)}")
    elif withdrawn is not None:
        parts.append(f"it was withdrawn from {later} ({withdrawn.reason})")
    for crosswalk, ids in lineage.linked:
        extra = [i for i in ids if i not in named]
        if extra:
            parts.append(f"crosswalk {crosswalk} links it to {', '.join(extra)}")
    if withdrawn is None and not parts:
        return f"no crosswalk links it to {later}"
    return ", and ".join(parts)


def _map_to(catalog: Catalog, targets: Sequence[str]) -> str:
    """A suggestion naming requirements only: headings among ``targets`` are named as places
    to choose requirements from."""
    requirements = [t for t in targets if t in catalog.by_id and _is_requirement(catalog, t)]
    headings = [t for t in targets if t in catalog.by_id and not _is_requirement(catalog, t)]
    if requirements and not headings:
        return f"Map to {' or '.join(requirements)} instead."
    if headings:
        under = f"the requirements under {', '.join(headings)}"
        also = f" (or {' or '.join(requirements)})" if requirements else ""
        return f"Map to {under} that the control addresses{also}."
    return f"Choose the {catalog.display_name} requirement that fits the control."


def _is_requirement(catalog: Catalog, item_id: str) -> bool:
    return catalog.by_id[item_id].type in catalog.requirement_types


def explain_ambiguous(reading: Reading, catalogs: Mapping[str, Catalog]) -> tuple[str, str]:
    """Message and suggestion for an id refused because it names more than one item."""
    catalog = catalogs[reading.framework]
    readings = reading.resolution.ambiguous
    written = reading.resolution.written.strip()
    described = [describe(catalog, i) for i in readings]
    listed = ", ".join(described[:-1]) + f", or {described[-1]}"
    message = (
        f"`{written}` has {len(readings)} readings in {catalog.display_name}: {listed};"
        " ciptool reads it as none of them"
    )
    spelled = {i: catalog.spelling(i) for i in readings}
    writable = [w for i, w in spelled.items() if catalog.resolve(w).item_id == i]
    suggestion = f"Write {_either(writable)}, whichever is meant." if len(writable) > 1 else ""
    if len(writable) == 1:
        suggestion = f"Write `{writable[0]}` if that is meant."
    uncounted = [w for i, w in spelled.items() if w in writable and not _is_requirement(catalog, i)]
    if uncounted:
        # A clause can be written, but a mapping to it counts for nothing (RF005): say so.
        suggestion = suggestion[:-1] + (
            f"; {_either(uncounted)} would count toward no requirement's coverage."
        )
    unwritable = [i for i, w in spelled.items() if w not in writable]
    if unwritable:
        suggestion += (
            f" {catalog.display_name} gives no unambiguous way to write {', '.join(unwritable)}:"
            " its catalog needs a `prefix` word on that level."
        )
    return message, suggestion.strip()


def explain_unresolved(reading: Reading, catalogs: Mapping[str, Catalog]) -> tuple[str, str]:
    """Message and suggestion for a requirement id that names no item of its catalog."""
    catalog = catalogs[reading.framework]
    resolution = reading.resolution
    if resolution.ambiguous:
        return explain_ambiguous(reading, catalogs)
    written = resolution.written.strip()
    lineage = reading.lineage
    if reading.other is not None:
        other = catalogs[reading.other[0]]
        their_id = reading.other[1]
        title = other.by_id[their_id].title or other.by_id[their_id].text
        message = f"`{written}` is not in {catalog.display_name}: it is {other.display_name}"
        message += f" {their_id}" + (f" ({title})" if title and len(title) <= 80 else "")
        if lineage is not None and lineage.later == catalog.id:
            message += f"; {lineage_clause(lineage, catalogs)}"
        suggestion = (
            f"Map `{their_id}` under `{other.id}`, or choose the {catalog.display_name}"
            " requirement that fits"
        )
        if lineage is not None and lineage.later == catalog.id and lineage.targets:
            suggestion = _map_to(catalog, lineage.targets)[:-1] + f", or map `{their_id}`"
            suggestion += f" under `{other.id}`"
        if not _is_requirement(other, their_id):
            # Never suggest a mapping that counts for nothing (2022's clause 9.2.1).
            suggestion = (
                f"{other.display_name} {their_id} is {one_of(other, other.by_id[their_id].type)},"
                f" which ciptool's coverage does not count (it counts the"
                f" {other.requirement_label}); choose the {catalog.display_name} requirement"
                " that fits"
            )
        return message, suggestion + f" (see `ciptool frameworks show {catalog.id}`)."
    withdrawn = resolution.withdrawn
    if withdrawn is not None:
        earlier = catalogs.get(catalog.previous_version) if catalog.previous_version else None
        earlier_name = earlier.display_name if earlier else "an earlier version"
        former = withdrawn.former_id or withdrawn.id
        message = f"`{written}` is not in {catalog.display_name}: {former} is {earlier_name}"
        if lineage is None:
            lineage = Lineage("", former, catalog.id, withdrawn, (), ())
            targets: tuple[str, ...] = catalog.in_order(lineage.withdrawn_to)
        else:
            targets = lineage.targets
        message += f"; {lineage_clause(lineage, catalogs)}"
        return message, _map_to(catalog, targets)
    message = f"`{written}` is not a requirement of {catalog.display_name}"
    if resolution.suggestions:
        return message, "Did you mean " + " or ".join(
            f"`{s}`" for s in resolution.suggestions
        ) + "?"
    return message, f"See `ciptool frameworks show {catalog.id}` for its ids."


def explain_other_reading(reading: Reading, catalogs: Mapping[str, Catalog]) -> tuple[str, str]:
    """Message and suggestion for an id read as this catalog's item although it is written as
    another version writes one of its own (``ID.AM-1`` under CSF 2.0 is CSF 1.1's id).
    """
    catalog = catalogs[reading.framework]
    assert reading.other is not None and reading.item_id is not None
    other = catalogs[reading.other[0]]
    their_id = reading.other[1]
    mine = catalog.by_id[reading.item_id]
    theirs = other.by_id[their_id]
    written = reading.resolution.written.strip()
    differs = (mine.title, mine.text) != (theirs.title, theirs.text)
    message = (
        f"`{written}` is {other.display_name}'s id {their_id}; it was read as"
        f" {catalog.display_name} {mine.id}" + (", whose text differs" if differs else "")
    )
    lineage = reading.lineage
    if lineage is not None:
        earlier = catalogs[lineage.earlier].display_name
        message += f" ({earlier} {lineage.item_id}: {lineage_clause(lineage, catalogs)})"
    suggestion = f"Write `{catalog.spelling(mine.id)}` for {catalog.display_name} {mine.id}"
    if not _is_requirement(other, their_id):
        # Never suggest a mapping that counts for nothing (2022's clause 9.3.1 under 2013).
        suggestion += (
            f"; {other.display_name} {their_id} is {one_of(other, theirs.type)}, which"
            f" ciptool's coverage does not count (it counts the {other.requirement_label})."
        )
    elif lineage is not None and lineage.later == catalog.id and lineage.targets != (mine.id,):
        targets = [t for t in lineage.targets if _is_requirement(catalog, t)]
        suggestion += f"; for {other.display_name} {their_id}, map {' and '.join(targets)} here"
        suggestion += f" or `{their_id}` under `{other.id}`."
    else:
        suggestion += f"; for {other.display_name} {their_id}, map `{their_id}` under"
        suggestion += f" `{other.id}`."
    return message, suggestion


def one_of(catalog: Catalog, level_type: str) -> str:
    """One item of a level, with its article, from the level's plural label as the catalog
    writes it: "an Annex A theme", "a common criteria series", "a category".
    """
    label = next((lv.label for lv in catalog.levels if lv.type == level_type), "")
    one = _singular(label) if label else level_type.replace("_", " ")
    return ("an " if one[:1].lower() in "aeiou" else "a ") + one
