"""The facts about evidence files that checks judge: present or not, and their SHA-256.

Checks read no files, so the loader gathers these facts once: for every path an evidence
record lists, whether it is a readable file inside the repository and what its digest is. (The
files under ``evidence/`` that no record lists are found by the walk that finds the records.)
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ciptool.graph import EvidenceFileFacts, FileState, listed_paths
from ciptool.inputs import Identity, Inputs, evidence_signatures, identity, open_folder
from ciptool.loader.cache import FileCache
from ciptool.loader.workers import Pending, Workers
from ciptool.models import EvidenceRecord, Sourced

_READ = 1024 * 1024


def inspect_evidence_files(
    root: Path,
    records: Iterable[Sourced[EvidenceRecord]],
    cache: FileCache,
    inputs: Inputs,
    ahead: Pending | None = None,
) -> dict[str, EvidenceFileFacts]:
    """Facts for every distinct file that the records list, keyed by repository path.

    Files hashed ``ahead`` (:func:`hash_later`) take their digest from there, and files whose
    identity is unchanged since an earlier run take theirs from ``cache``; what was found at
    each path is recorded in ``inputs``.
    """
    keys = dict.fromkeys(listed_paths(records))
    facts: dict[str, EvidenceFileFacts] = {}
    # A file hashed ahead is taken with the identity it was hashed with: looking at it again
    # would cost a system call (0.35 s for 100,000 files) and find the same file, or a newer
    # one that the next run sees changed.
    hashed = _collect(ahead)
    with open_folder(root) as root_fd:
        unhashed = (key for key in keys if key not in hashed)
        looked = dict(evidence_signatures(root, unhashed, root_fd))
    present: dict[str, Identity] = {}
    for key in keys:
        if (known := hashed.get(key)) is not None:
            ident, digest, size = known
            inputs.evidence[key] = ident
            facts[key] = EvidenceFileFacts(key, FileState.PRESENT, digest, size)
            cache.store("files", key, ident, (digest, size))
            continue
        sig = inputs.evidence[key] = looked[key]
        if isinstance(sig, str):
            facts[key] = EvidenceFileFacts(key, FileState(sig))
        else:
            present[key] = sig
    hits = cache.match("files", present.items())
    for key, hit in hits.items():
        digest, size = hit.payload
        facts[key] = EvidenceFileFacts(key, FileState.PRESENT, digest, size)
    to_hash = [key for key in present if key not in hits]
    # One file after another: hashing threads measured slower, not faster, on 100,000 files of
    # 20 KB (4.2 s in one thread, 4.9 s in two, the process holding the parsed records).
    for found in _hash_files(root, to_hash):
        facts[found.path] = found
        if found.state is FileState.PRESENT:
            cache.store("files", found.path, present[found.path], found[2:])
    return {key: facts[key] for key in keys}


#: An evidence file hashed ahead: its identity when hashed, its SHA-256 and size.
Hashed = tuple[Identity, str, int]
#: Files per job given to a worker: large enough that sending the job costs little.
_HASH_JOB_FILES = 256
#: How a file is opened to be hashed ahead: no link followed, and a FIFO or a device never
#: waited on (what was opened is checked to be a regular file).
_AHEAD_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | os.O_CLOEXEC
)


def hash_later(workers: Workers, root: Path, keys: list[str]) -> Pending:
    """Start hashing evidence files ``keys`` in ``workers``, for :func:`inspect_evidence_files`.

    Only regular files are hashed: a link or anything else is left to the inspection, which
    looks at it with the rules for links.
    """
    jobs = [
        (str(root), keys[start : start + _HASH_JOB_FILES])
        for start in range(0, len(keys), _HASH_JOB_FILES)
    ]
    return workers.later(_hash_job, jobs)


def _collect(ahead: Pending | None) -> dict[str, Hashed]:
    """The files hashed ahead, by key, once the workers are done."""
    if ahead is None:
        return {}
    return {key: (ident, digest, size) for job in ahead.get() for key, ident, digest, size in job}


def _hash_job(job: tuple[str, list[str]]) -> list[tuple[str, Identity, str, int]]:
    root, keys = job
    done = []
    for key in keys:
        try:
            fd = os.open(os.path.join(root, key), _AHEAD_FLAGS)  # noqa: PTH118
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode):
                digest, size = _sha256_fd(fd, info.st_size)
                done.append((key, identity(info), digest, size))
        except OSError:
            continue
        finally:
            os.close(fd)
    return done


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
        return _sha256_fd(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)


def _sha256_fd(fd: int, size: int) -> tuple[str, int]:
    """The SHA-256 in hex and the size of what is left to read from ``fd``, ``size`` bytes long."""
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
