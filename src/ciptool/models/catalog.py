"""Framework catalogs and crosswalks: the requirements controls map to, and hints between them."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
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

    def resolve(self, raw: str) -> Resolution:
        """Find the item ``raw`` names: exactly, as a known variant, or with suggestions."""
        if raw in self.by_id:
            return Resolution(raw, self.by_id[raw].id, exact=True)
        key = fold_id(raw)
        candidates = sorted(set(self._folded.get(key, [])))
        if not candidates:
            for prefix in self.optional_prefixes:
                candidates = sorted(set(self._folded.get(fold_id(prefix) + key, [])))
                if candidates:
                    break
        if len(candidates) == 1:
            return Resolution(raw, candidates[0], exact=False)
        withdrawn = self.withdrawn_by_id.get(raw) or self._withdrawn_folded().get(key)
        suggestions = candidates or difflib.get_close_matches(
            raw, list(self.by_id), n=3, cutoff=0.6
        )
        return Resolution(
            raw, None, exact=False, suggestions=tuple(suggestions), withdrawn=withdrawn
        )

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


_DIGITS = re.compile(r"\d+")


def fold_id(raw: str) -> str:
    """A comparison key: upper case, no surrounding space, no leading zeros in numbers."""
    return _DIGITS.sub(lambda m: str(int(m.group())), raw.strip().upper())


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
