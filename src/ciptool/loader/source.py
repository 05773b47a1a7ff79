"""Where the loader reads a repository's files from: a small interface and its plain form.

The loader asks a :class:`FileSource` for five things: the YAML files of a folder (a walk),
the record folders walked and their YAML files read, given YAML files read, the facts of the
evidence files the records list, and to be told when the repository is read. The plain
source, :class:`PlainSource`, walks, parses in this process and hashes, and keeps nothing;
:mod:`ciptool.incremental` supplies one that takes unchanged files from a cache, parses in
worker processes and records what it read. Both give the loader the same files, so a
repository loads the same through either.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ciptool.findings import Finding
from ciptool.loader.evidence_files import evidence_facts
from ciptool.loader.files import FoundFile, walk_yaml
from ciptool.loader.reading import ReadFile, parse_files
from ciptool.models.filefacts import EvidenceFileFacts

if TYPE_CHECKING:
    from ciptool.models.repository import Repository

#: The folders of record files, in the order they are loaded.
RECORD_FOLDER_NAMES = (
    "controls",
    "policies",
    "evidence",
    "exceptions",
    "risks",
    "third-parties",
    "apps",
    "metrics",
    "findings",
    "incidents",
    "workpapers",
    "requests",
)
#: Evidence artifacts live in folders of this name and are never read as records.
EVIDENCE_FILES_DIR = "files"


@dataclass
class RecordFiles:
    """The record folders walked, and their YAML files read."""

    #: The YAML files found in each record folder, in the order of the walk.
    found: dict[str, list[FoundFile]] = field(default_factory=dict)
    #: What the walk found wrong (a link leading outside, a FIFO).
    findings: list[Finding] = field(default_factory=list)
    #: The files under evidence/ that are not records.
    artifacts: list[str] = field(default_factory=list)
    #: Every YAML file found, read, by path.
    read: dict[str, ReadFile] = field(default_factory=dict)


class FileSource(Protocol):
    """What the loader reads a repository through; see :class:`PlainSource` for the rules."""

    @property
    def root(self) -> Path:
        """The repository's top folder, resolved."""

    def walk(
        self,
        folder: str,
        findings: list[Finding],
        *,
        skip_dir: str = "",
        others: list[str] | None = None,
    ) -> Iterator[FoundFile]:
        """The YAML files under ``folder``, as :func:`~ciptool.loader.files.walk_yaml` finds
        them."""

    def record_files(self) -> RecordFiles:
        """The record folders walked in :data:`RECORD_FOLDER_NAMES` order, their files read."""

    def yaml_files(self, files: Sequence[FoundFile]) -> dict[str, ReadFile]:
        """Each of ``files`` read, by path."""

    def evidence_files(self, keys: Sequence[str]) -> dict[str, EvidenceFileFacts]:
        """The facts of each of the distinct repository paths ``keys``, in their order."""

    def loaded(self, repository: Repository) -> None:
        """Told once ``repository`` is read: nothing more will be asked."""


class PlainSource:
    """Files walked, parsed in this process and hashed when asked for; nothing kept."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    @property
    def root(self) -> Path:
        """The repository's top folder, resolved."""
        return self._root

    def walk(
        self,
        folder: str,
        findings: list[Finding],
        *,
        skip_dir: str = "",
        others: list[str] | None = None,
    ) -> Iterator[FoundFile]:
        """The YAML files under ``folder`` in sorted order (see
        :func:`~ciptool.loader.files.walk_yaml`)."""
        return walk_yaml(self._root, folder, findings, skip_dir=skip_dir, others=others)

    def record_files(self) -> RecordFiles:
        """The record folders walked in :data:`RECORD_FOLDER_NAMES` order, their files read."""
        files = walk_records(self)
        files.read = self.yaml_files([f for found in files.found.values() for f in found])
        return files

    def yaml_files(self, files: Sequence[FoundFile]) -> dict[str, ReadFile]:
        """Each of ``files`` read and parsed now, by path."""
        return parse_files(files)

    def evidence_files(self, keys: Sequence[str]) -> dict[str, EvidenceFileFacts]:
        """Each evidence file looked at and hashed now."""
        return evidence_facts(self._root, keys)

    def loaded(self, repository: Repository) -> None:
        """Nothing to keep."""


def walk_records(source: FileSource) -> RecordFiles:
    """The record folders of ``source`` walked, in :data:`RECORD_FOLDER_NAMES` order (their
    files not read yet); the evidence folder's other files are its artifacts."""
    files = RecordFiles()
    for folder in RECORD_FOLDER_NAMES:
        evidence = folder == "evidence"
        files.found[folder] = list(
            source.walk(
                folder,
                files.findings,
                skip_dir=EVIDENCE_FILES_DIR if evidence else "",
                others=files.artifacts if evidence else None,
            )
        )
    return files
