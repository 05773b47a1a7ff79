"""What earlier runs learnt about unchanged files: parsed YAML and evidence digests.

An entry is keyed by the file's repository path and trusted only while the file's identity on
disk is the same: size, modification time, inode and change time. Two things make identities
change although the content did not, and one makes them stay although it did:

- A fresh clone (a CI job) gives every file a new identity. Where the repository is a git
  checkout, an entry also matches when git says the file is unchanged from the index and its
  blob id and size are those the entry was made from.
- A file rewritten within the timestamp granularity of its filesystem (a second or two on some)
  keeps its identity. Entries for files changed that close to the run that stored them are
  *racy*: the next run verifies their content before using them.

The cache is one file per repository in the cache folder, replaced atomically; two runs
sharing it at once each read a whole cache and each write a whole one, and an entry is only
ever used after its identity is checked, so neither can hand the other wrong data. A cache
that cannot be read is treated as empty and one that cannot be written is left alone: the
cache makes runs faster, never different.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from ciptool.incremental import cachefiles
from ciptool.incremental.cachefiles import RACY_NS, cache_file, read_cache_file, write_cache_file
from ciptool.incremental.signatures import code_signature
from ciptool.loader.git import git_output
from ciptool.loader.identities import Identity

#: Bump when the layout of entries changes; ciptool's version and a signature of its own files
#: are part of the key as well, so a parser or a check changed in place meets no entry made
#: by the code before it.
_FORMAT = 3
#: Below this many stat misses, reading the files again is cheaper than asking git.
GIT_MIN_MISSES = 64


def git_blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class Hit(NamedTuple):
    """A cache entry that matches a file: its payload, and whether to verify it first."""

    payload: Any
    blob: str | None
    trusted: bool


class FileCache:
    """Entries of two kinds, ``yaml`` (parsed files) and ``files`` (evidence digests).

    :meth:`match` sorts a run's files into hits and misses, and keeps the trusted hits for the
    next run; :meth:`store` records what the run found out about the others; :meth:`save`
    writes the entries this run used, and only those, when any changed. Each kind is a file
    of its own, so that the parsed files can be written and let go of (:meth:`finish`) before
    the records in them are validated.
    """

    KINDS = ("yaml", "files")

    def __init__(self, root: Path, directory: Path | None, kinds: tuple[str, ...] = KINDS) -> None:
        """The entries of ``kinds`` kept in ``directory``; no entries of the other kinds."""
        self.root = root
        self.directory = directory
        self.started = time.time_ns()
        self._old: dict[str, dict[str, tuple[Any, ...]]] = {kind: {} for kind in self.KINDS}
        self._new: dict[str, dict[str, tuple[Any, ...]]] = {kind: {} for kind in self.KINDS}
        self._changed = dict.fromkeys(self.KINDS, False)
        self._blobs: dict[str, str] | None = None
        self._blobs_at = 0
        self._kinds = kinds
        if directory is not None:
            self._old.update({kind: self._read(directory, kind) for kind in kinds})

    @classmethod
    def disabled(cls, root: Path) -> FileCache:
        """A cache that never hits and never writes (``--no-cache``)."""
        return cls(root, None)

    def match(self, kind: str, files: Iterable[tuple[str, Identity]]) -> dict[str, Hit]:
        """The entries that still describe these files, by path; files not in it are misses.

        Trusted hits are kept for the next run as they are; the caller stores what it learns
        about the misses and about hits it had to verify.
        """
        old, new = self._old[kind], self._new[kind]
        hits: dict[str, Hit] = {}
        misses: list[tuple[str, Identity]] = []
        for rel, ident in files:
            entry = old.get(rel)
            if entry is not None and entry[0] == ident and _well_formed(kind, entry):
                racy = entry[2]
                if not racy:
                    hits[rel] = Hit(entry[3], entry[1], trusted=True)
                    if entry[1] is None and self._blobs is not None:
                        self.store(kind, rel, ident, entry[3])  # git may know its blob now
                    else:
                        new[rel] = entry  # the same entry: it changes nothing
                    continue
                if kind != "files":  # a racy digest is no cheaper to verify than to make
                    hits[rel] = Hit(entry[3], entry[1], trusted=False)
                    continue
            misses.append((rel, ident))
        if len(misses) >= GIT_MIN_MISSES and self.directory is not None:
            blobs = self.git_blobs()
            for rel, ident in misses:
                entry = old.get(rel)
                blob = blobs.get(rel)
                # The same size too: a pointer file (git LFS) has the blob id of its content.
                if (
                    blob is not None
                    and entry is not None
                    and (entry[1], entry[0][0]) == (blob, ident[0])
                ):
                    hits[rel] = Hit(entry[3], blob, trusted=True)
                    self.store(kind, rel, ident, entry[3], blob)
        return hits

    def payload(self, kind: str, rel: str) -> Any:
        """What an earlier run stored for the file at ``rel``, whatever its identity; or None."""
        entry = self._old[kind].get(rel)
        return entry[3] if entry is not None and _well_formed(kind, entry) else None

    def knows(self, kind: str, rel: str) -> bool:
        """True when an earlier run left an entry for the file at ``rel``, whatever its identity."""
        return rel in self._old[kind]

    def store(
        self, kind: str, rel: str, ident: Identity, payload: Any, blob: str | None = None
    ) -> None:
        """Record what this run knows about a file, for the next run."""
        changed_at = max(ident[1], ident[3])
        racy = changed_at >= self.started - RACY_NS
        if blob is None and self._blobs is not None and changed_at < self._blobs_at - RACY_NS:
            # git's word holds for the bytes read only if the file did not change after git
            # looked at it.
            blob = self._blobs.get(rel)
        entry = (ident, blob, racy, payload)
        if self._old[kind].get(rel) != entry:
            self._changed[kind] = True
        self._new[kind][rel] = entry

    def git_blobs(self) -> dict[str, str]:
        """Blob ids of the files git says are unchanged from its index; empty outside git."""
        if self._blobs is None:
            self._blobs_at = time.time_ns()
            self._blobs = _clean_blobs(self.root, self._inside_root())
        return self._blobs

    def save(self) -> None:
        """Write this run's entries when they differ from what was read; never fails the run."""
        for kind in self.KINDS:
            self.finish(kind)

    def finish(self, kind: str) -> None:
        """Save the entries of ``kind`` now and let go of them: the run stores no more.

        A kind this cache did not read is never written: its entries would replace those kept.
        """
        old, new = self._old[kind], self._new[kind]
        changed = self._changed[kind] or len(new) != len(old)
        if self.directory is not None and kind in self._kinds and changed:
            write_cache_file(self._path(self.directory, kind), self._header(), new)
        self._old[kind], self._new[kind] = {}, {}
        self._changed[kind] = False

    def _path(self, directory: Path, kind: str) -> Path:
        return cache_file(directory, self.root, f"{kind}.cache")

    def _header(self) -> tuple[Any, ...]:
        return made_by(self.root)

    def _read(self, directory: Path, kind: str) -> dict[str, tuple[Any, ...]]:
        entries = read_cache_file(self._path(directory, kind), self._header())
        if not isinstance(entries, dict):
            return {}
        # A cache file is intact but may hold anything (made by hand, say): entries of another
        # shape are left out, as if no run had stored them.
        return {
            rel: entry
            for rel, entry in entries.items()
            if isinstance(rel, str) and isinstance(entry, tuple) and _well_formed(kind, entry)
        }

    def _inside_root(self) -> str | None:
        """The cache folder's path in the repository, when it is inside it."""
        if self.directory is None:
            return None
        try:
            return self.directory.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None


def made_by(root: Path) -> tuple[Any, ...]:
    """The header of the cache files of ``root``: what made them, this ciptool's own files too."""
    return (*cachefiles.header(root, _FORMAT), code_signature())


def _well_formed(kind: str, entry: tuple[Any, ...]) -> bool:
    """True when an entry has the shape this version stores (a cache is never trusted blindly)."""
    if len(entry) != 4 or not isinstance(entry[3], tuple) or len(entry[3]) != 2:
        return False
    ident, blob, racy, (first, second) = entry
    return (
        isinstance(ident, tuple)
        and len(ident) == 4
        and all(type(part) is int for part in ident)
        and (blob is None or isinstance(blob, str))
        and isinstance(racy, bool)
        and isinstance(first, str)
        and type(second) is (bytes if kind == "yaml" else int)
    )


def _clean_blobs(root: Path, cache_rel: str | None) -> dict[str, str]:
    """Path -> blob id for tracked files whose working copy git finds unchanged."""
    listed = _git_z(root, "ls-files", "--stage", "-z")
    # `git diff` compares content where the index's stat data is out of date (a checkout whose
    # timestamps were reset, say); it writes nothing with --no-optional-locks, and runs no
    # external diff, textconv or filter (see ciptool.loader.git).
    changed = _git_z(
        root,
        "diff",
        "--name-only",
        "--relative",
        "-z",
        "--no-ext-diff",
        "--no-textconv",
        "--ignore-submodules=all",
    )
    if listed is None or changed is None:
        return {}
    blobs: dict[str, str] = {}
    for line in listed:
        meta, _, path = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[2] == "0":  # stage 0: not in the middle of a merge
            blobs[path] = parts[1]
    if cache_rel is not None and any(
        path == cache_rel or path.startswith(cache_rel + "/") for path in blobs
    ):
        # A cache committed to the repository could claim anything about its files: a run
        # never takes git's word for files when the cache itself came through git.
        return {}
    for path in changed:
        blobs.pop(path, None)
    return blobs


def _git_z(root: Path, *args: str) -> list[str] | None:
    """The NUL-separated items git prints; it writes nothing with --no-optional-locks."""
    out = git_output(root, "--no-optional-locks", *args, timeout=60)
    return None if out is None else [item for item in out.split("\0") if item]
