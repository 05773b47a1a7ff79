"""The facts about evidence files that checks judge: present or not, and their SHA-256.

Checks read no files, so the loader gathers these facts once: for every path an evidence
record lists, whether it is a readable file inside the repository and what its digest is; and
which files under ``evidence/`` no record lists.
"""

from __future__ import annotations

import hashlib
import os
import stat
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
    keys: dict[str, None] = {}
    for sourced in records:
        for entry in sourced.record.files:
            key = evidence_file_key(sourced.file, entry.path)
            if key is not None:
                keys.setdefault(key)
    # One file after another: with evidence files of tens of kilobytes, two hashing threads
    # measured slower than one (0.62 s against 0.44 s for 10,000 files of 20 KB).
    return {key: file_facts(root, key) for key in keys}


def file_facts(root: Path, key: str) -> EvidenceFileFacts:
    """What is at ``key`` (a repository-relative path that stays inside the repository)."""
    path = os.path.join(root, key)  # noqa: PTH118 - plain strings: once per evidence file
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            if not Path(path).resolve().is_relative_to(root):
                return EvidenceFileFacts(key, FileState.OUTSIDE)
            info = os.stat(path)  # noqa: PTH116
        if not stat.S_ISREG(info.st_mode):
            return EvidenceFileFacts(key, FileState.NOT_A_FILE)
        digest, size = sha256_file(path, info.st_size)
    except FileNotFoundError:
        return EvidenceFileFacts(key, FileState.MISSING)
    except OSError:
        return EvidenceFileFacts(key, FileState.UNREADABLE)
    return EvidenceFileFacts(key, FileState.PRESENT, digest, size)


def sha256_file(path: str | Path, size_hint: int = -1) -> tuple[str, int]:
    """The file's SHA-256 in hex and its size: small files in one read, large ones in chunks."""
    with open(path, "rb") as handle:  # noqa: PTH123 - a str path, on the hot path
        if 0 <= size_hint <= _CHUNK:
            data = handle.read()
            return hashlib.sha256(data).hexdigest(), len(data)
        digest = hashlib.sha256()
        size = 0
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
