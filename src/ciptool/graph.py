"""The loaded repository as indexes: controls <-> framework requirements <-> evidence."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, cached_property
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from ciptool.findings import Finding, Location, Severity
from ciptool.models import (
    Catalog,
    Control,
    Crosswalk,
    EvidenceRecord,
    Policy,
    ProgramConfig,
    Resolution,
    RiskException,
    Sourced,
)

_R = TypeVar("_R")
_T = TypeVar("_T")


@dataclass(frozen=True)
class CatalogSource:
    """A catalog and where it came from: ``bundled`` or a repository file."""

    catalog: Catalog
    origin: str


#: A Windows drive (``C:``) at the start of a path: absolute on that system.
_DRIVE = re.compile(r"^[A-Za-z]:")
#: A relative path that is already normal: no ``.`` or ``..`` parts, no empty ones, no
#: backslashes. Nearly every path a record lists is one, and joins without normalising.
_PLAIN_PATH = re.compile(r"(?:[\w-][\w.-]*/)*[\w-][\w.-]*", re.ASCII)


class FileState(str, Enum):
    """What is found at an evidence file's path."""

    PRESENT = "present"
    MISSING = "missing"
    NOT_A_FILE = "not-a-file"
    OUTSIDE = "outside"  # a link that leads outside the repository
    UNREADABLE = "unreadable"


class EvidenceFileFacts(NamedTuple):
    """An evidence file as found on disk: its state and, when present, its digest and size.

    A named tuple: a large program has a hundred thousand of them, made in every run.
    """

    path: str
    state: FileState
    sha256: str | None = None
    size: int = 0


@cache  # every check and report asks again for the same (record file, path) pairs
def evidence_file_key(record_file: str, written: str) -> str | None:
    """The repository path of a file a record lists, or None when the path leaves the repository.

    The path is relative to the record's folder; judged on the text alone, so absolute paths,
    drive letters and ``..`` above the top of the repository give None.
    """
    folder = record_file.rpartition("/")[0]  # a repository path, always normal
    if _PLAIN_PATH.fullmatch(written):
        return f"{folder}/{written}" if folder else written
    if written.startswith(("/", "\\")) or _DRIVE.match(written):
        return None
    joined = posixpath.normpath(posixpath.join(folder, written.replace("\\", "/")))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def listed_paths(records: Iterable[Sourced[EvidenceRecord]]) -> Iterator[str]:
    """The repository path of every file ``records`` list, in order; paths that leave the
    repository are left out.
    """
    for sourced in records:
        for entry in sourced.record.files:
            key = evidence_file_key(sourced.file, entry.path)
            if key is not None:
                yield key


@dataclass
class Repository:
    """Everything the loader read: valid records with their sources, and load findings."""

    root: Path
    config: Sourced[ProgramConfig] | None
    controls: list[Sourced[Control]] = field(default_factory=list)
    policies: list[Sourced[Policy]] = field(default_factory=list)
    evidence: list[Sourced[EvidenceRecord]] = field(default_factory=list)
    exceptions: list[Sourced[RiskException]] = field(default_factory=list)
    catalogs: dict[str, CatalogSource] = field(default_factory=dict)
    crosswalks: list[Sourced[Crosswalk]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files_read: int = 0
    #: SHA-256 of every file read (YAML text as read; evidence files as found), by path.
    input_digests: dict[str, str] = field(default_factory=dict)
    #: Evidence files the records list, by repository path; the files under ``evidence/``
    #: that are not records (artifacts), and those of them no record lists.
    evidence_files: dict[str, EvidenceFileFacts] = field(default_factory=dict)
    artifacts: list[str] = field(default_factory=list)
    unlisted_evidence: list[str] = field(default_factory=list)
    #: Ids of records that exist but failed validation, by kind ("controls", "policies", ...):
    #: references to them are not reported again as unknown.
    invalid_ids: dict[str, set[str]] = field(default_factory=dict)
    #: Records that failed validation, by kind, built from the fields that passed (the others
    #: absent or default): read only by the reference checks, so that one run reports a
    #: broken record's unknown policy or requirement too, and by the integrity checks, which
    #: verify the files of an evidence record whose `files` entries are valid.
    partial: dict[str, list[Sourced[Any]]] = field(default_factory=dict)

    def inputs_digest(self) -> str:
        """One SHA-256 over every input file's path and digest: what a report was made from."""
        lines = [f"{path}\t{digest}\n" for path, digest in sorted(self.input_digests.items())]
        return hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()

    def evidence_listing_files(self) -> list[Sourced[EvidenceRecord]]:
        """The evidence records whose files are verified: the valid ones, then those that
        failed validation but whose ``files`` entries are all valid (a misspelt key elsewhere
        must not keep a changed file from being reported)."""
        partial = self.partial.get("evidence", ())
        return [*self.evidence, *(s for s in partial if "files" in s.record.model_fields_set)]

    def facts_for(self, record_file: str, written: str) -> EvidenceFileFacts | None:
        """What was found at a path a record lists; None when the path leaves the repository."""
        key = evidence_file_key(record_file, written)
        return self.evidence_files.get(key) if key else None

    def is_invalid(self, kind: str, ident: str) -> bool:
        """True when a record of ``kind`` with this id exists but failed validation."""
        return ident in self.invalid_ids.get(kind, ())


@dataclass(frozen=True)
class MappingLink:
    """One mapping entry of one control, resolved against its framework's catalog."""

    control: Sourced[Control]
    framework: str
    index: int
    written: str
    resolution: Resolution | None  # None when the framework itself is unknown

    @property
    def requirement_id(self) -> str | None:
        """The catalog id the entry resolved to, if any."""
        return self.resolution.item_id if self.resolution else None

    @property
    def location(self) -> Location:
        """Where the entry is written: ``controls[3].mappings.nist-csf-2.0[1]``."""
        return self.control.at("mappings", self.framework, self.index)


class Graph:
    """Indexes over a loaded repository; built once, read by checks, reports and commands."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self.duplicate_findings: list[Finding] = []
        self.controls = self._unique("control", repository.controls, lambda c: c.id)
        self.policies = self._unique("policy", repository.policies, lambda p: p.id)
        self.exceptions = self._unique("exception", repository.exceptions, lambda e: e.id)
        self._check_evidence_ids()
        self._derived: dict[Any, Any] = {}
        self._resolved: dict[tuple[str, str], Resolution | None] = {}

    def derived(self, key: Any, compute: Callable[[], _T]) -> _T:
        """A view of the graph that checks and reports share: computed once, under ``key``."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[no-any-return]

    @property
    def config(self) -> ProgramConfig | None:
        """The program settings, when ``ciptool.yaml`` was usable."""
        return self.repository.config.record if self.repository.config else None

    @property
    def catalogs(self) -> dict[str, Catalog]:
        """Catalogs by framework id, bundled and the repository's own."""
        return {key: source.catalog for key, source in self.repository.catalogs.items()}

    def _unique(
        self, kind: str, records: list[Sourced[_R]], key: Callable[[_R], str]
    ) -> dict[str, Sourced[_R]]:
        index: dict[str, Sourced[_R]] = {}
        for sourced in records:
            ident = key(sourced.record)
            first = index.get(ident)
            if first is None:
                index[ident] = sourced
                continue
            self.duplicate_findings.append(
                Finding(
                    "SC004",
                    Severity.ERROR,
                    f"{kind} id `{ident}` is already used by another {kind}",
                    sourced.at("id"),
                    f"Give this {kind} a new id, or remove one of the two.",
                    subject=ident,
                    related=(first.at("id"),),
                )
            )
        return index

    def _check_evidence_ids(self) -> None:
        for control in self.controls.values():
            seen: dict[str, int] = {}
            for position, requirement in enumerate(control.record.evidence):
                if requirement.id in seen:
                    self.duplicate_findings.append(
                        Finding(
                            "SC004",
                            Severity.ERROR,
                            f"evidence requirement id `{requirement.id}` is used twice in"
                            f" control {control.record.id}",
                            control.at("evidence", position, "id"),
                            "Give each evidence requirement of a control its own id.",
                            subject=f"{control.record.id}/{requirement.id}",
                            related=(control.at("evidence", seen[requirement.id], "id"),),
                        )
                    )
                else:
                    seen[requirement.id] = position

    @cached_property
    def mapping_links(self) -> list[MappingLink]:
        """Every mapping entry of every control, resolved against the catalogs."""
        return self._links(self.controls.values())

    @cached_property
    def reference_links(self) -> list[MappingLink]:
        """The mapping links, and those of the controls that failed validation: for the
        reference checks only, never for coverage."""
        return [*self.mapping_links, *self._links(self.repository.partial.get("controls", ()))]

    def _links(self, controls: Iterable[Sourced[Control]]) -> list[MappingLink]:
        catalogs = self.catalogs
        # Thousands of controls map the same few hundred ids: each is resolved once.
        resolved = self._resolved
        links: list[MappingLink] = []
        for control in controls:
            for framework, targets in control.record.mappings.items():
                catalog = catalogs.get(framework)
                for index, target in enumerate(targets):
                    key = (framework, target.id)
                    if key not in resolved:
                        resolved[key] = catalog.resolve(target.id) if catalog else None
                    links.append(MappingLink(control, framework, index, target.id, resolved[key]))
        return links

    def referring_controls(self) -> Iterator[Sourced[Control]]:
        """The controls whose references are checked: those with unique ids, then those that
        failed validation (see :attr:`Repository.partial`)."""
        yield from self.controls.values()
        yield from self.repository.partial.get("controls", ())

    def referring_exceptions(self) -> Iterator[Sourced[RiskException]]:
        """The exceptions whose target is checked: those with unique ids, then those that
        failed validation but name a valid target (see :attr:`Repository.partial`)."""
        yield from self.exceptions.values()
        for sourced in self.repository.partial.get("exceptions", ()):
            if "applies_to" in sourced.record.model_fields_set:
                yield sourced

    def referring_evidence(self) -> Iterator[Sourced[EvidenceRecord]]:
        """The evidence records whose references are checked: the valid ones, then those that
        failed validation (see :attr:`Repository.partial`)."""
        yield from self.repository.evidence
        yield from self.repository.partial.get("evidence", ())

    @cached_property
    def controls_by_requirement(self) -> dict[tuple[str, str], list[Sourced[Control]]]:
        """(framework, requirement id) -> the controls that map it, in repository order."""
        index: dict[tuple[str, str], list[Sourced[Control]]] = {}
        seen: set[tuple[str, str, int]] = set()
        for link in self.mapping_links:
            if link.requirement_id is None:
                continue
            key = (link.framework, link.requirement_id)
            if (*key, id(link.control)) in seen:  # a control listing a requirement twice
                continue
            seen.add((*key, id(link.control)))
            index.setdefault(key, []).append(link.control)
        return index

    @cached_property
    def evidence_by_requirement(self) -> dict[tuple[str, str], list[Sourced[EvidenceRecord]]]:
        """(control id, evidence requirement id) -> its records, in repository order."""
        index: dict[tuple[str, str], list[Sourced[EvidenceRecord]]] = {}
        for sourced in self.repository.evidence:
            key = (sourced.record.control, sourced.record.requirement)
            index.setdefault(key, []).append(sourced)
        return index

    def canonical_reference(self, reference: str) -> str | None:
        """``FRAMEWORK:ID`` with the catalog's own id (``iso27001-2022:A.5.15`` for ``:5.15``)."""
        framework, _, written = reference.partition(":")
        catalog = self.catalogs.get(framework)
        resolved = catalog.resolve(written).item_id if catalog else None
        return f"{framework}:{resolved}" if resolved else None

    def iter_controls(self) -> Iterator[Sourced[Control]]:
        """Controls with unique ids, in the order they were read."""
        return iter(self.controls.values())
