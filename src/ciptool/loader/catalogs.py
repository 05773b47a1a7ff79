"""Framework catalogs and crosswalks: the bundled ones, then the repository's own.

The bundled files ship inside the package (``ciptool/frameworks``); in a source checkout that
was not installed they are read from the repository's top-level ``frameworks/`` folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ciptool.findings import Finding, Location, Severity, format_yaml_path
from ciptool.loader.files import YAML_SUFFIXES, FoundFile, read_text
from ciptool.loader.places import FRAMEWORKS_DIR, bundled_frameworks_dir
from ciptool.loader.source import FileSource
from ciptool.loader.validate import validate_record
from ciptool.loader.yamlparse import parse_yaml
from ciptool.models import Catalog, Crosswalk, Sourced
from ciptool.models.repository import CatalogSource

BUNDLED = "bundled"

ParseFile = Callable[[FoundFile, list[Finding]], Any]


@dataclass(frozen=True)
class BundledFile:
    """One catalog or crosswalk file shipped with ciptool."""

    name: str
    text: str


def bundled_files() -> Iterator[BundledFile]:
    """The bundled catalog and crosswalk files, sorted by name."""
    folder = bundled_frameworks_dir()
    entries = sorted(folder.iterdir(), key=lambda entry: entry.name) if folder.is_dir() else []
    for entry in entries:
        if entry.name.endswith(YAML_SUFFIXES):
            yield BundledFile(entry.name, entry.read_text(encoding="utf-8"))


def load_catalogs(
    source: FileSource | None, findings: list[Finding], parse_file: ParseFile
) -> tuple[dict[str, CatalogSource], list[Sourced[Crosswalk]]]:
    """Bundled catalogs and crosswalks, then those of the repository ``source`` reads, which
    may add to or replace them.
    """
    catalogs: dict[str, CatalogSource] = {}
    crosswalks: dict[str, Sourced[Crosswalk]] = {}
    bundled_text: dict[str, str] = {}
    for bundled in bundled_files():
        parsed = parse_yaml(bundled.text)
        label = f"{BUNDLED}:{bundled.name}"
        _add(parsed.data, label, catalogs, crosswalks, findings, BUNDLED)
        for kind in ("catalog", "crosswalk"):
            if isinstance(parsed.data, dict) and isinstance(parsed.data.get(kind), dict):
                bundled_text[f"{kind}:{parsed.data[kind].get('id')}"] = bundled.text
    repository_files = source.walk(FRAMEWORKS_DIR, findings) if source is not None else ()
    for found in repository_files:
        text, _ = read_text(found.rel, found.path)  # bounded; the parse says what is wrong
        if text is not None and text in bundled_text.values():
            continue  # a copy of a bundled file, e.g. in ciptool's own repository
        data = parse_file(found, findings)
        if data is None:
            continue
        _add(data, found.rel, catalogs, crosswalks, findings, found.rel)
    return catalogs, list(crosswalks.values())


def _add(  # noqa: PLR0917 - the destinations and the origin travel together
    data: Any,
    file: str,
    catalogs: dict[str, CatalogSource],
    crosswalks: dict[str, Sourced[Crosswalk]],
    findings: list[Finding],
    origin: str,
) -> None:
    if (
        not isinstance(data, dict)
        or len(data) != 1
        or next(iter(data)) not in ("catalog", "crosswalk")
    ):
        findings.append(
            Finding(
                "LD011",
                Severity.ERROR,
                "a frameworks file should hold one top-level key, `catalog:` or `crosswalk:`",
                Location(file, 1, 1),
                "See the format of the bundled catalogs in the README of ciptool's frameworks/.",
            )
        )
        return
    kind, body = next(iter(data.items()))
    if kind == "catalog":
        catalog, problems = validate_record(Catalog, body, file, ("catalog",))
        findings.extend(problems)
        if catalog is None:
            return
        _note_replacement(catalogs.get(catalog.id), catalog.id, file, findings)
        catalogs[catalog.id] = CatalogSource(catalog, origin)
        findings.extend(_check_parents(catalog, file))
        return
    crosswalk, problems = validate_record(Crosswalk, body, file, ("crosswalk",))
    findings.extend(problems)
    if crosswalk is not None:
        crosswalks[crosswalk.id] = Sourced(crosswalk, file, ("crosswalk",))


def _note_replacement(
    previous: CatalogSource | None, ident: str, file: str, findings: list[Finding]
) -> None:
    if previous is None:
        return
    findings.append(
        Finding(
            "LD014",
            Severity.NOTE if previous.origin == BUNDLED else Severity.ERROR,
            f"catalog `{ident}` replaces the one from {previous.origin}",
            Location(file, yaml_path="catalog.id", path=("catalog", "id")),
            "Give the catalog a new id if it is a different framework.",
            subject=ident,
        )
    )


def _check_parents(catalog: Catalog, file: str) -> Iterator[Finding]:
    seen: set[str] = set()
    levels = {level.type for level in catalog.levels}
    for index, item in enumerate(catalog.items):
        place = (file, ("catalog", "items", index), item.id)
        if item.id in seen:
            yield _item_finding(
                place,
                "id",
                "SC004",
                f"item id `{item.id}` appears twice in catalog {catalog.id}",
                "Give each item its own id.",
            )
        seen.add(item.id)
        if item.parent is not None and item.parent not in catalog.by_id:
            yield _item_finding(
                place,
                "parent",
                "RF002",
                f"parent `{item.parent}` of item {item.id} is not in catalog {catalog.id}",
                "List the parent item before its children, or correct the id.",
            )
        if item.type not in levels:
            yield _item_finding(
                place,
                "type",
                "SC005",
                f"item type `{item.type}` is not one of the catalog's levels",
                "Add the type to `levels`, or use one of the types listed there.",
            )


def _item_finding(
    place: tuple[str, tuple[str | int, ...], str], key: str, code: str, message: str, hint: str
) -> Finding:
    file, path, subject = place
    full = (*path, key)
    location = Location(file, yaml_path=format_yaml_path(full), path=full)
    return Finding(code, Severity.ERROR, message, location, hint, subject=subject)
