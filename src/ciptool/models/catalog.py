"""Framework catalogs and crosswalks: the requirements controls map to, and hints between them."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

from pydantic import Field

from ciptool.models.records import Record, RecordId, Text
from ciptool.models.types import YamlBool


class Level(Record):
    """One level of a catalog's hierarchy, e.g. CSF 2.0 subcategories."""

    type: RecordId
    label: Text = Field(description="Plural name for counts, e.g. subcategories.")
    requirement: YamlBool = Field(
        False, description="True when items of this level are requirements that coverage counts."
    )
    heading: YamlBool = Field(
        False, description="True for grouping levels (functions, themes) that nothing should map."
    )
    prefix: str = Field(
        "",
        description="A word that may be written before this level's ids to name them"
        " unambiguously, e.g. Clause: `Clause 7.3` where `7.3` is also Annex A's A.7.3.",
    )


class Example(Record):
    """An implementation example attached to a requirement (CSF 2.0 has them)."""

    id: Text
    label: str = ""
    text: Text


class Item(Record):
    """One function, category, clause, control or criterion of a catalog."""

    id: Text
    type: RecordId
    title: str = ""
    text: str = ""
    parent: str | None = None
    examples: list[Example] = Field(default_factory=list)


class WithdrawnItem(Record):
    """An id the framework withdrew, and where its content went."""

    id: Text
    type: RecordId
    title: str = ""
    former_id: str = Field("", description="The id as the earlier version wrote it.")
    reason: str = ""
    incorporated_into: list[str] = Field(default_factory=list)
    moved_to: list[str] = Field(default_factory=list)


class Catalog(Record):
    """A framework: its items in document order and how its ids may be written."""

    id: RecordId
    name: Text
    short_name: str = Field("", description="A short name for messages, e.g. CSF 2.0.")
    version: str = ""
    previous_version: str = Field(
        "", description="The catalog id of the version this one replaced, e.g. nist-csf-1.1."
    )
    publisher: str = ""
    license: str = ""
    source: str = ""
    levels: list[Level]
    optional_prefixes: list[str] = Field(
        default_factory=list,
        description="Prefixes users may leave out, e.g. A. for ISO/IEC 27001 Annex A.",
    )
    items: list[Item]
    withdrawn: list[WithdrawnItem] = Field(default_factory=list)

    @cached_property
    def by_id(self) -> dict[str, Item]:
        """Items keyed by their exact id."""
        return {item.id: item for item in self.items}

    @cached_property
    def withdrawn_by_id(self) -> dict[str, WithdrawnItem]:
        """Withdrawn ids keyed by id and by the form the earlier version wrote."""
        index: dict[str, WithdrawnItem] = {}
        for item in self.withdrawn:
            index[item.id] = item
            if item.former_id:
                index[item.former_id] = item
        return index

    @property
    def display_name(self) -> str:
        """The short name when there is one, else the id."""
        return self.short_name or self.id

    @cached_property
    def heading_types(self) -> frozenset[str]:
        """The item types that only group others."""
        return frozenset(level.type for level in self.levels if level.heading)

    @cached_property
    def requirement_types(self) -> frozenset[str]:
        """The item types that count as requirements."""
        return frozenset(level.type for level in self.levels if level.requirement)

    @cached_property
    def requirements(self) -> list[Item]:
        """Items that coverage counts, in document order."""
        return [item for item in self.items if item.type in self.requirement_types]

    def requirements_under(self, item_id: str) -> tuple[str, ...]:
        """The requirements below ``item_id``, at any depth, in document order."""
        found = []
        for item in self.requirements:
            parent = item.parent
            while parent is not None and parent != item_id:
                above = self.by_id.get(parent)
                parent = above.parent if above is not None else None
            if parent == item_id:
                found.append(item.id)
        return tuple(found)

    @property
    def requirement_label(self) -> str:
        """What coverage counts, as the catalog's levels name it: "Annex A controls"."""
        return " and ".join(level.label for level in self.levels if level.requirement)

    def counts(self) -> list[tuple[str, int]]:
        """(label, count) per level, in level order."""
        tally: dict[str, int] = {}
        for item in self.items:
            tally[item.type] = tally.get(item.type, 0) + 1
        return [(level.label, tally.get(level.type, 0)) for level in self.levels]

    @cached_property
    def _folded(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for item in self.items:
            for key in self._fold_keys(item.id):
                index.setdefault(key, []).append(item.id)
        return index

    def _fold_keys(self, raw: str) -> set[str]:
        key = fold_id(raw)
        keys = {key}
        for prefix in self.optional_prefixes:
            folded_prefix = fold_id(prefix)
            if key.startswith(folded_prefix):
                keys.add(key[len(folded_prefix) :])
        return keys

    @cached_property
    def _order(self) -> dict[str, int]:
        return {item.id: position for position, item in enumerate(self.items)}

    @cached_property
    def _prefixed_levels(self) -> dict[str, tuple[str, frozenset[str]]]:
        """Folded prefix word -> (the word as the catalog writes it, the level types it names)."""
        words: dict[str, tuple[str, set[str]]] = {}
        for level in self.levels:
            if level.prefix:
                words.setdefault(level.prefix.casefold(), (level.prefix, set()))[1].add(level.type)
        return {key: (word, frozenset(types)) for key, (word, types) in words.items()}

    def spelling(self, item_id: str) -> str:
        """How to write ``item_id`` so that it has one reading: the id itself, or the id after
        its level's prefix word (``Clause 7.3``) where the bare id is also another item's.
        """
        item = self.by_id[item_id]
        prefix = next((lv.prefix for lv in self.levels if lv.type == item.type), "")
        if prefix and len(set(self._folded.get(fold_id(item_id), ()))) > 1:
            return f"{prefix} {item_id}"
        return item_id

    def in_order(self, ids: Iterable[str]) -> tuple[str, ...]:
        """``ids`` without repeats, in document order (unknown ids last, as given)."""
        unique = list(dict.fromkeys(ids))
        return tuple(sorted(unique, key=lambda i: self._order.get(i, len(self._order))))

    def resolve(self, raw: str) -> Resolution:
        """Find the item ``raw`` names: exactly, as a known variant, or with suggestions.

        Surrounding whitespace never changes the reading. An id that names two items (``7.3``
        in ISO/IEC 27001: clause 7.3, or Annex A control A.7.3 without its optional prefix) is
        refused: it resolves to nothing and lists both readings in ``ambiguous``.
        """
        written = raw.strip()
        prefixed = self._resolve_prefixed(raw, written)
        if prefixed is not None:
            return prefixed
        key = fold_id(written)
        candidates = set(self._folded.get(key, []))
        if not candidates:
            for prefix in self.optional_prefixes:
                candidates = set(self._folded.get(fold_id(prefix) + key, []))
                if candidates:
                    break
        if written in self.by_id:
            # Written exactly: other items that fold alike only by case or zeros do not count,
            # those reached by leaving out an optional prefix do.
            candidates = {written} | {c for c in candidates if fold_id(c) != key}
        if len(candidates) == 1:
            (found,) = candidates
            return Resolution(raw, found, exact=raw == found)
        if len(candidates) > 1:
            readings = self.in_order(candidates) + self._dropped_zero(written)
            return Resolution(raw, None, exact=False, ambiguous=readings)
        withdrawn = self.withdrawn_by_id.get(written) or self._withdrawn_folded.get(key)
        pool = [item.id for item in self.requirements] or list(self.by_id)
        # Compared without regard to case, so that `cc 6.1` is closest to CC6.1, not P6.1.
        folded_pool: dict[str, str] = {}
        for item_id in pool:
            folded_pool.setdefault(item_id.casefold(), item_id)
        close = difflib.get_close_matches(written.casefold(), folded_pool, n=3, cutoff=0.6)
        suggestions = tuple(folded_pool[found] for found in close)
        return Resolution(raw, None, exact=False, suggestions=suggestions, withdrawn=withdrawn)

    def _resolve_prefixed(self, raw: str, written: str) -> Resolution | None:
        word, _, rest = written.partition(" ")
        level = self._prefixed_levels.get(word.casefold()) if rest else None
        if level is None:
            return None
        spelled, types = level
        rest = rest.strip()
        found = [c for c in self._folded.get(fold_id(rest), []) if self.by_id[c].type in types]
        if len(found) != 1:
            return None
        return Resolution(raw, found[0], exact=raw == f"{spelled} {found[0]}")

    def _dropped_zero(self, written: str) -> tuple[str, ...]:
        """The Annex A id a spreadsheet turns into ``written`` by dropping a last zero
        (``5.30`` shown as ``5.3``), for an id written without its optional prefix."""
        if not written[-1:].isdigit() or "." not in written:
            return ()
        found: list[str] = []
        for prefix in self.optional_prefixes:
            if fold_id(written).startswith(fold_id(prefix)):
                return ()
            found.extend(self._folded.get(fold_id(prefix + written + "0"), []))
        return self.in_order(c for c in found if self.by_id[c].type in self.requirement_types)

    @cached_property
    def _withdrawn_folded(self) -> dict[str, WithdrawnItem]:
        return {fold_id(key): item for key, item in self.withdrawn_by_id.items()}


@dataclass(frozen=True)
class Resolution:
    """What an id written by a user resolves to in one catalog."""

    written: str
    item_id: str | None
    exact: bool
    suggestions: tuple[str, ...] = ()
    withdrawn: WithdrawnItem | None = None
    #: Every item an ambiguous id could name, in document order; the id resolves to none.
    ambiguous: tuple[str, ...] = ()


_DIGITS = re.compile(r"\d+")


def fold_id(raw: str) -> str:
    """A comparison key: upper case, no surrounding space, no leading zeros in numbers."""
    return _DIGITS.sub(_number, raw.strip().upper())


def _number(match: re.Match[str]) -> str:
    """The digits as ``str(int(digits))`` writes them, for any length: ``int`` refuses more
    than 4300 digits, and an id is text a person wrote."""
    digits = match.group()
    if not digits.isascii():  # any decimal digit, as \d and int() read them
        digits = "".join(str(unicodedata.decimal(c)) for c in digits)
    return digits.lstrip("0") or "0"


class CrosswalkMapping(Record):
    """One link between an item of the source framework and one of the target."""

    from_: Text = Field(alias="from")
    to: Text
    relationship: str = "related"
    detail: str = ""


class Withdrawal(Record):
    """The disposition of a withdrawn source item: where its content went."""

    from_: Text = Field(alias="from")
    relationship: Literal["incorporated_into", "moved_to"]
    to: list[str] = Field(default_factory=list)
    note: str = ""


class Crosswalk(Record):
    """Links from one framework's items to another's: hints, never proof of coverage."""

    id: RecordId
    source_framework: RecordId
    target_framework: RecordId
    name: str = ""
    license: str = ""
    source: str = ""
    mappings: list[CrosswalkMapping]
    withdrawals: list[Withdrawal] = Field(default_factory=list)


@dataclass(frozen=True)
class Lineage:
    """Where an item of an earlier version went in a later one, from both of the statements
    the data holds: the later catalog's withdrawal of it, and every crosswalk link between them.
    """

    earlier: str
    item_id: str
    later: str
    withdrawn: WithdrawnItem | None
    #: (crosswalk id, linked item ids of the later catalog, in document order)
    linked: tuple[tuple[str, tuple[str, ...]], ...]
    #: Every later item named by the withdrawal or a link, in document order.
    targets: tuple[str, ...]

    @property
    def withdrawn_to(self) -> tuple[str, ...]:
        """The later items the withdrawal names."""
        if self.withdrawn is None:
            return ()
        return tuple(self.withdrawn.incorporated_into or self.withdrawn.moved_to)


@dataclass(frozen=True)
class Reading:
    """An id as written under one framework: the catalog's own reading of it, and its reading
    in another version of the same framework where it is written as that version writes it.
    """

    framework: str
    resolution: Resolution
    #: (catalog id, item id): the other version's item the id names as written.
    other: tuple[str, str] | None = None
    #: Where the earlier version's item (the one written, or the one read) went in the later.
    lineage: Lineage | None = None

    @property
    def item_id(self) -> str | None:
        """The item of ``framework`` the id was read as, if any."""
        return self.resolution.item_id


class IdReader:
    """Reads requirement ids with every catalog and crosswalk in view.

    The reading itself is always the catalog's own (:meth:`Catalog.resolve`); this adds what
    the other versions of the same framework say, so that an id that is another version's
    is never read silently. ``check``, ``explain`` and ``frameworks show`` all read ids here.
    """

    def __init__(self, catalogs: Mapping[str, Catalog], crosswalks: Iterable[Crosswalk]) -> None:
        self.catalogs = catalogs
        self.crosswalks = list(crosswalks)

    def versions(self, framework: str) -> list[Catalog]:
        """The catalogs of the version before ``framework`` and of the versions after it."""
        catalog = self.catalogs.get(framework)
        found = []
        if catalog is not None and catalog.previous_version in self.catalogs:
            found.append(self.catalogs[catalog.previous_version])
        found.extend(
            other
            for key, other in sorted(self.catalogs.items())
            if other.previous_version == framework and key != framework
        )
        return found

    def read(self, framework: str, written: str) -> Reading:
        """``written`` under ``framework``, with its reading in another version if it has one."""
        catalog = self.catalogs[framework]
        resolution = catalog.resolve(written)
        as_written = written.strip().upper()
        mine = resolution.item_id
        if mine is not None and as_written in (mine.upper(), catalog.spelling(mine).upper()):
            return Reading(framework, resolution)
        if resolution.ambiguous:
            return Reading(framework, resolution)
        for other in self.versions(framework):
            theirs = other.resolve(written).item_id
            if theirs is None:
                continue
            theirs_as_written = as_written in (theirs.upper(), other.spelling(theirs).upper())
            if mine is not None and not theirs_as_written:
                continue  # a variant of this version's own id
            if mine is None and resolution.withdrawn is not None:
                break  # the withdrawal says where it went
            reading = Reading(framework, resolution, (other.id, theirs))
            if catalog.previous_version == other.id:
                return replace(reading, lineage=self.lineage(other.id, theirs, framework))
            if mine is not None:
                return replace(reading, lineage=self.lineage(framework, mine, other.id))
            return reading
        if resolution.withdrawn is not None and catalog.previous_version:
            former = resolution.withdrawn.former_id or resolution.withdrawn.id
            lineage = self.lineage(catalog.previous_version, former, framework)
            return Reading(framework, resolution, lineage=lineage)
        return Reading(framework, resolution)

    def lineage(self, earlier: str, item_id: str, later: str) -> Lineage:
        """Where ``earlier``'s ``item_id`` went in ``later``: withdrawal and crosswalk links."""
        target = self.catalogs.get(later)
        withdrawn = target.withdrawn_by_id.get(item_id) if target else None
        linked = []
        for crosswalk in self.crosswalks:
            if (crosswalk.source_framework, crosswalk.target_framework) == (earlier, later):
                ids = [m.to for m in crosswalk.mappings if m.from_ == item_id]
            elif (crosswalk.source_framework, crosswalk.target_framework) == (later, earlier):
                ids = [m.from_ for m in crosswalk.mappings if m.to == item_id]
            else:
                continue
            if ids:
                linked.append((crosswalk.id, target.in_order(ids) if target else tuple(ids)))
        named = [
            *(withdrawn.incorporated_into or withdrawn.moved_to if withdrawn else ()),
            *(i for _, ids in linked for i in ids),
        ]
        targets = target.in_order(named) if target else tuple(dict.fromkeys(named))
        return Lineage(earlier, item_id, later, withdrawn, tuple(linked), targets)
