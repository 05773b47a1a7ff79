"""The facts about evidence files that checks judge: present or not, and their SHA-256.

Checks read no files, so the loader gathers these facts once: for every path an evidence
record lists, whether it is a readable file inside the repository and what its digest is. (The
files under ``evidence/`` that no record lists are found by the walk that finds the records.)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ciptool.incremental.filecache import FileCache
from ciptool.incremental.signatures import (
    Identity,
    Inputs,
    evidence_signatures,
    folder_inside,
    open_folder,
)
from ciptool.incremental.workers import Pending
from ciptool.loader.hashing import collect, sha256_file
from ciptool.models import EvidenceRecord, Sourced
from ciptool.models.paths import listed_paths
from ciptool.models.repository import EvidenceFileFacts, FileState


def inspect_evidence_files(
    root: Path,
    records: Iterable[Sourced[EvidenceRecord]],
    cache: FileCache,
    inputs: Inputs,
    ahead: Pending | None = None,
) -> dict[str, EvidenceFileFacts]:
    """Facts for every distinct file that the records list, keyed by repository path.

    Files hashed ``ahead`` (:func:`~ciptool.loader.hashing.hash_later`) take their digest from
    there, and files whose identity is unchanged since an earlier run take theirs from
    ``cache``; what was found at each path is recorded in ``inputs``.
    """
    keys = dict.fromkeys(listed_paths(records))
    facts: dict[str, EvidenceFileFacts] = {}
    # A file hashed ahead is taken with the identity it was hashed with: looking at it again
    # would cost a system call (0.35 s for 100,000 files) and find the same file, or a newer
    # one that the next run sees changed.
    # A worker opens a path as it is then: a folder on the way swapped for a link since the
    # walk could have led it outside. Each folder is resolved once.
    real_root, folders = os.path.realpath(root), dict[str, bool]()
    hashed = {
        key: found
        for key, found in collect(ahead).items()
        if folder_inside(real_root, key.rpartition("/")[0], folders)
    }
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
    for found in _hash_files(root, [(key, present[key][2]) for key in to_hash]):
        facts[found.path] = found
        if found.state is FileState.PRESENT:
            cache.store("files", found.path, present[found.path], found[2:])
    return {key: facts[key] for key in keys}


def _hash_files(root: Path, keys: list[tuple[str, int]]) -> Iterator[EvidenceFileFacts]:
    """Facts of the files at ``keys``, each with the inode it was looked at with: another file
    found there (a link swapped in since) is unreadable, never hashed."""
    for key, inode in keys:
        try:
            digest, size = sha256_file(os.path.join(root, key), inode)  # noqa: PTH118
        except FileNotFoundError:
            yield EvidenceFileFacts(key, FileState.MISSING)
        except OSError:
            yield EvidenceFileFacts(key, FileState.UNREADABLE)
        else:
            yield EvidenceFileFacts(key, FileState.PRESENT, digest, size)
