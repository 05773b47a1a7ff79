"""The facts about evidence files that checks judge: present or not, and their SHA-256.

Checks read no files, so the loader gathers these facts once: for every path an evidence
record lists, whether it is a readable file inside the repository and what its digest is; and
which files under ``evidence/`` no record lists.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from ciptool.graph import EvidenceFileFacts, FileState, evidence_file_key
from ciptool.loader.files import YAML_SUFFIXES, relative
from ciptool.models import EvidenceRecord, Sourced

_CHUNK = 1024 * 1024


def inspect_evidence_files(
    root: Path, records: Iterable[Sourced[EvidenceRecord]]
) -> dict[str, EvidenceFileFacts]:
    """Facts for every distinct file that the records list, keyed by repository path."""
    facts: dict[str, EvidenceFileFacts] = {}
    for sourced in records:
        for entry in sourced.record.files:
            key = evidence_file_key(sourced.file, entry.path)
            if key is not None and key not in facts:
                facts[key] = file_facts(root, key)
    return facts


def file_facts(root: Path, key: str) -> EvidenceFileFacts:
    """What is at ``key`` (a repository-relative path that stays inside the repository)."""
    path = root / key
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            return EvidenceFileFacts(key, FileState.OUTSIDE)
        if not path.exists():
            return EvidenceFileFacts(key, FileState.MISSING)
        if not path.is_file():
            return EvidenceFileFacts(key, FileState.NOT_A_FILE)
        digest, size = sha256_file(path)
    except OSError:
        return EvidenceFileFacts(key, FileState.UNREADABLE)
    return EvidenceFileFacts(key, FileState.PRESENT, digest, size)


def sha256_file(path: Path) -> tuple[str, int]:
    """The file's SHA-256 in hex and its size, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def unlisted_evidence_files(
    root: Path, listed: Iterable[str], records_dir: str = "files"
) -> list[str]:
    """Files under ``evidence/`` that are neither records nor listed by any record, sorted."""
    base = root / "evidence"
    if not base.is_dir():
        return []
    known = set(listed)
    found: list[str] = []
    for current, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(current)
        inside_files_dir = records_dir in here.relative_to(base).parts
        for name in sorted(filenames):
            if name.startswith(".") or name.lower().startswith("readme"):
                continue  # hidden files and documentation are not evidence
            if name.endswith(YAML_SUFFIXES) and not inside_files_dir:
                continue  # a record file, read by the loader
            rel = relative(root, here / name)
            if rel not in known:
                found.append(rel)
    return found
