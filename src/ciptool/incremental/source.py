"""The loader's files read through the per-file cache, with what was read recorded.

A :class:`CachedSource` is a :class:`~ciptool.loader.source.FileSource`: the loader reads a
repository through it as through the plain source, and gets the same files. It takes the parse
of each unchanged YAML file and the digest of each unchanged evidence file from a
:class:`~ciptool.incremental.filecache.FileCache`, parses many files in worker processes, and
records in an :class:`~ciptool.incremental.signatures.Inputs` every folder it listed and file
it read, with their signatures and the digests of the YAML texts.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ciptool.findings import Finding
from ciptool.incremental.filecache import FileCache
from ciptool.incremental.reading import read_yaml_files
from ciptool.incremental.signatures import Inputs
from ciptool.incremental.workers import Pending, Workers
from ciptool.loader.evidence_files import hash_files, looked_at
from ciptool.loader.files import FoundFile, walk_yaml
from ciptool.loader.hashing import sha256_fd
from ciptool.loader.identities import Identity, Signature, folder_inside, identity, signature
from ciptool.loader.reading import ReadFile, unpacked
from ciptool.loader.source import RecordFiles, walk_records
from ciptool.models.filefacts import EvidenceFileFacts, FileState

if TYPE_CHECKING:
    from ciptool.models.repository import Repository

#: An evidence file hashed ahead: its identity when hashed, its SHA-256 and size.
Hashed = tuple[Identity, str, int]
#: Files per job given to a worker: large enough that sending the job costs little.
_HASH_JOB_FILES = 256
#: How a file is opened to be hashed ahead: no link followed, and a FIFO or a device never
#: waited on (what was opened is checked to be a regular file).
_AHEAD_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | os.O_CLOEXEC
)


class CachedSource:
    """A repository's files read through ``cache``, and what was read recorded in ``inputs``.

    With ``workers``, many YAML files to parse are shared among them. Use it with
    :func:`contextlib.closing`: the workers stop once the repository is read, or on
    :meth:`close`.
    """

    def __init__(
        self, root: Path, cache: FileCache, inputs: Inputs, workers: Workers | None = None
    ) -> None:
        self._root = root.resolve()
        self.cache = cache
        self.inputs = inputs
        self.workers = workers
        #: Evidence files being hashed by the workers, if any.
        self.hashing: Pending | None = None

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
        """The YAML files under ``folder``; the folders listed and the files found recorded."""
        inputs = self.inputs
        for found in walk_yaml(
            self._root,
            folder,
            findings,
            skip_dir=skip_dir,
            others=others,
            listed=inputs.folders,
        ):
            assert found.signature is not None  # the walk gives each file its signature
            inputs.files[found.rel] = found.signature
            yield found

    def record_files(self) -> RecordFiles:
        """The record folders walked and their files read (by the workers when many); the
        parsed files are saved now: they need not stay while the records are validated."""
        files = walk_records(self)
        found = [item for items in files.found.values() for item in items]
        files.read = read_yaml_files(found, self.cache, self.workers)
        self.cache.finish("yaml")
        return files

    def yaml_files(self, files: Sequence[FoundFile]) -> dict[str, ReadFile]:
        """Each of ``files`` by path, from the cache when unchanged; a file the walk did not
        find is recorded with its signature now."""
        return read_yaml_files([self._signed(found) for found in files], self.cache)

    def _signed(self, found: FoundFile) -> FoundFile:
        """``found`` with its signature, recorded now when the walk did not give it one."""
        if found.signature is not None:
            return found
        sig = self.inputs.files[found.rel] = signature(found.path)
        return FoundFile(found.rel, found.path, sig)

    def evidence_files(self, keys: Sequence[str]) -> dict[str, EvidenceFileFacts]:
        """Facts of each evidence file: hashed ahead, from the cache, or hashed now."""
        return cached_evidence_facts(self._root, keys, self.cache, self.inputs, self.hashing)

    def loaded(self, repository: Repository) -> None:
        """Record the digests of the YAML texts read, stop the workers and save the cache."""
        texts = repository.input_digests
        self.inputs.texts.update((rel, texts[rel]) for rel in self.inputs.files if rel in texts)
        self.close()
        self.cache.save()

    def close(self) -> None:
        """Stop the workers; what they had not finished is dropped."""
        if self.workers is not None:
            self.workers.__exit__(None, None, None)


def cached_evidence_facts(
    root: Path,
    keys: Sequence[str],
    cache: FileCache,
    inputs: Inputs,
    ahead: Pending | None = None,
) -> dict[str, EvidenceFileFacts]:
    """Facts for each of the distinct repository paths ``keys``, in their order.

    Files hashed ``ahead`` (:func:`hash_later`) take their digest from there, and files whose
    identity is unchanged since an earlier run take theirs from ``cache``; what was found at
    each path is recorded in ``inputs``.
    """
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
    looked = looked_at(root, [key for key in keys if key not in hashed])
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
    for found in hash_files(root, [(key, present[key][2]) for key in to_hash]):
        facts[found.path] = found
        if found.state is FileState.PRESENT:
            cache.store("files", found.path, present[found.path], found[2:])
    return {key: facts[key] for key in keys}


def hash_later(workers: Workers, root: Path, keys: list[str]) -> Pending:
    """Start hashing evidence files ``keys`` in ``workers``, for :func:`cached_evidence_facts`.

    Only regular files are hashed: a link or anything else is left to the inspection, which
    looks at it with the rules for links.
    """
    jobs = [
        (str(root), keys[start : start + _HASH_JOB_FILES])
        for start in range(0, len(keys), _HASH_JOB_FILES)
    ]
    return workers.later(_hash_job, jobs)


def collect(ahead: Pending | None) -> dict[str, Hashed]:
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
                digest, size = sha256_fd(fd, info.st_size)
                done.append((key, identity(info), digest, size))
        except OSError:
            continue
        finally:
            os.close(fd)
    return done


def same_data(root: Path, cache_dir: Path, texts: dict[str, str]) -> dict[str, Signature] | None:
    """The signatures now of the YAML files in ``texts``, when none says anything new.

    ``texts`` holds the SHA-256 of each file's text when it was last read. A file says nothing
    new when it parses to the same data and YAML problems as that text did: touched, saved
    again, or changed only in comments or layout. None when any says something new, cannot
    be read, or its earlier text is not in the cache to compare with.
    """
    root = root.resolve()
    cache = FileCache(root, cache_dir, kinds=("yaml",))
    found = []
    for rel in texts:
        now = signature(root / rel)
        if isinstance(now, str):
            return None
        found.append(FoundFile(rel, root / rel, now))
    before = {rel: cache.payload("yaml", rel) for rel in texts}
    read = read_yaml_files(found, cache)  # the cache is not written: its entries still hold
    for rel, text in texts.items():
        old, new = before[rel], read[rel].payload
        if old is None or new is None or old[0] != text:
            return None  # no parse of the text the result was made from
        if new[0] != text and unpacked(old[1]) != unpacked(new[1]):
            return None  # the text changed, and so did what it says (or the cache was not sound)
    return {item.rel: item.signature for item in found if item.signature is not None}
