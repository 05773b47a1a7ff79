"""The facts about evidence files that checks judge: present or not, and their SHA-256.

Checks read no files, so the loader gathers these facts once: for every path an evidence
record lists, whether it is a readable file inside the repository and what its digest is; and
which files under ``evidence/`` no record lists.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ciptool.graph import EvidenceFileFacts, FileState, evidence_file_key
from ciptool.inputs import Identity, Inputs, evidence_signatures, open_folder, signature
from ciptool.loader.cache import FileCache
from ciptool.loader.files import YAML_SUFFIXES, relative
from ciptool.models import EvidenceRecord, Sourced

_READ = 1024 * 1024


def inspect_evidence_files(
    root: Path, records: Iterable[Sourced[EvidenceRecord]], cache: FileCache, inputs: Inputs
) -> dict[str, EvidenceFileFacts]:
    """Facts for every distinct file that the records list, keyed by repository path.

    Files whose identity is unchanged since an earlier run take their digest from ``cache``;
    what was found at each path is recorded in ``inputs``.
    """
    keys: dict[str, None] = {}
    for sourced in records:
        for entry in sourced.record.files:
            key = evidence_file_key(sourced.file, entry.path)
            if key is not None:
                keys[key] = None
    facts: dict[str, EvidenceFileFacts] = {}
    present: dict[str, Identity] = {}
    with open_folder(root) as root_fd:
        for key, sig in evidence_signatures(root, keys, root_fd):
            inputs.evidence[key] = sig
            if isinstance(sig, str):
                facts[key] = EvidenceFileFacts(key, FileState(sig))
            else:
                present[key] = sig
    hits = cache.match("files", present.items())
    for key, hit in hits.items():
        digest, size = hit.payload
        facts[key] = EvidenceFileFacts(key, FileState.PRESENT, digest, size)
    # One file after another: hashing threads measured slower, not faster, on 100,000 files of
    # 20 KB (4.2 s in one thread, 4.9 s in two, the process holding the parsed records).
    if len(hits) < len(present):
        for hashed in _hash_files(root, [key for key in present if key not in hits]):
            facts[hashed.path] = hashed
            if hashed.state is FileState.PRESENT:
                cache.store("files", hashed.path, present[hashed.path], hashed[2:])
    return {key: facts[key] for key in keys}


def _hash_files(root: Path, keys: list[str]) -> Iterator[EvidenceFileFacts]:
    for key in keys:
        try:
            digest, size = sha256_file(os.path.join(root, key))  # noqa: PTH118
        except FileNotFoundError:
            yield EvidenceFileFacts(key, FileState.MISSING)
        except OSError:
            yield EvidenceFileFacts(key, FileState.UNREADABLE)
        else:
            yield EvidenceFileFacts(key, FileState.PRESENT, digest, size)


def sha256_file(path: str | Path) -> tuple[str, int]:
    """The file's SHA-256 in hex and its size."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        if size < _READ:
            # One read of exactly what the file holds, and one byte more to see that it ended:
            # a read into a larger buffer than needed costs more than hashing the file.
            data = os.read(fd, size + 1)
            if len(data) <= size:
                return hashlib.sha256(data).hexdigest(), len(data)
        else:
            data = b""
        digest = hashlib.sha256(data)
        total = len(data)
        while chunk := os.read(fd, _READ):
            digest.update(chunk)
            total += len(chunk)
        return digest.hexdigest(), total
    finally:
        os.close(fd)


def unlisted_evidence_files(
    root: Path, listed: Iterable[str], inputs: Inputs, records_dir: str = "files"
) -> list[str]:
    """Files under ``evidence/`` that are neither records nor listed by any record, sorted.

    The folders listed are recorded in ``inputs``.
    """
    base = root / "evidence"
    if not base.is_dir():
        inputs.folders["evidence"] = signature(base)
        return []
    known = set(listed)
    found: list[str] = []
    # Repository paths are built as text: a path object per file costs more than the walk.
    for current, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        folder = relative(root, Path(current))
        inputs.folders[folder] = signature(current)
        inside_files_dir = records_dir in folder.split("/")[1:]
        for name in sorted(filenames):
            if name.startswith(".") or name.lower().startswith("readme"):
                continue  # hidden files and documentation are not evidence
            if name.endswith(YAML_SUFFIXES) and not inside_files_dir:
                continue  # a record file, read by the loader
            rel = f"{folder}/{name}"
            if rel not in known:
                found.append(rel)
    return found
