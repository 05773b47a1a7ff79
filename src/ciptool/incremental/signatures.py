"""The files and folders a run reads, and whether any of them changed since.

A file's *signature* is its identity on disk, or the reason there is no file to read (see
:mod:`ciptool.loader.identities`). A folder's signature changes whenever an entry is added to
it, removed or renamed, so the signatures of the folders a run listed and of the files it read
say together whether a second run would read the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
from collections.abc import Iterable
from contextlib import suppress
from itertools import islice
from pathlib import Path
from typing import Any

from ciptool.loader.identities import (
    MISSING,
    UNREADABLE,
    Signature,
    evidence_signatures,
    open_folder,
    signature,
)
from ciptool.loader.places import PACKAGE, bundled_frameworks_dir


def newest_change(signatures: Iterable[Signature]) -> int:
    """The latest modification or change time among ``signatures``, in nanoseconds (0 for none)."""
    return max((max(sig[1], sig[3]) for sig in signatures if not isinstance(sig, str)), default=0)


class Inputs:
    """Every folder a run listed and every file it read, each with its signature then.

    For the YAML files, ``texts`` also holds the SHA-256 of the text that was read.
    """

    KINDS = ("folders", "files", "evidence", "texts")

    def __init__(self) -> None:
        self.folders: dict[str, Signature] = {}
        self.files: dict[str, Signature] = {}
        self.evidence: dict[str, Signature] = {}
        self.texts: dict[str, str] = {}

    def newest_change(self) -> int:
        """The latest modification or change time among them, in nanoseconds (0 for none)."""
        return newest_change(
            sig for entries in (self.folders, self.files, self.evidence) for sig in entries.values()
        )

    def changed_files(self, root: Path, most: int) -> list[str] | None:
        """The files whose signature changed, in the order read; evidence files aside.

        None when a folder's signature changed (an entry added, removed or renamed) or more
        than ``most`` files changed.
        """
        changed: list[str] = []
        with open_folder(root) as root_fd:
            for rel, sig in self.folders.items():
                if signature(rel if root_fd is not None else root / rel, root_fd) != sig:
                    return None
            for rel, sig in self.files.items():
                if signature(rel if root_fd is not None else root / rel, root_fd) != sig:
                    changed.append(rel)
                    if len(changed) > most:
                        return None
        return changed

    def evidence_unchanged(self, root: Path) -> bool:
        """True when every evidence file still has the signature it had."""
        known = self.evidence
        with open_folder(root) as root_fd:
            return all(sig == known[key] for key, sig in evidence_signatures(root, known, root_fd))

    def hold(self, root: Path, path: Path) -> bool:
        """True when ``path``, links followed, is a file of ``root`` the run read, or a file an
        evidence record lists, wherever in the repository and whether found or not: an output
        written there would replace an input.
        """
        real_root, target = root.resolve(), path.resolve()
        if not target.is_relative_to(real_root) or target == real_root:
            return False
        rel = target.relative_to(real_root).as_posix()
        if rel in self.evidence or rel in self.files:
            return True
        # Listed under another name: through a linked folder, or as a link to the file.
        try:
            found: os.stat_result | None = target.stat()
        except OSError:
            found = None
        for key, sig in self.evidence.items():
            if isinstance(sig, str):
                if (
                    sig in (MISSING, UNREADABLE)
                    and key.rpartition("/")[2] == target.name
                    and (real_root / key).resolve() == target
                ):
                    return True
            elif found is not None and (sig[0], sig[2]) == (found.st_size, found.st_ino):
                with suppress(OSError):
                    if os.path.samestat((real_root / key).stat(), found):
                        return True
        return False

    def digests(self) -> dict[str, str]:
        """A SHA-256 of each kind's folders or files with their signatures, in the order read.

        Equal digests mean equal inputs of that kind; the same inputs read in another order
        differ.
        """
        digests = {}
        for kind in self.KINDS:
            digest = hashlib.sha256()
            items = iter(getattr(self, kind).items())
            # marshal's version 2 writes equal values as equal bytes: it has no references
            # to objects seen before and no mark for interned text, as later versions do.
            # In slices, so that no copy of all the entries is ever made at once.
            while chunk := list(islice(items, 4096)):
                digest.update(marshal.dumps(chunk, 2))
            digests[kind] = digest.hexdigest()
        return digests

    def to_plain(self) -> tuple[Any, ...]:
        """The signatures as plain data, for a cache."""
        return (self.folders, self.files, self.evidence, self.texts)

    @classmethod
    def from_plain(cls, plain: Any) -> Inputs | None:
        """What :meth:`to_plain` gave, or None when ``plain`` is not of that shape."""
        if not (isinstance(plain, tuple) and len(plain) == len(cls.KINDS)):
            return None
        if not all(isinstance(entries, dict) for entries in plain):
            return None
        inputs = cls()
        inputs.folders, inputs.files, inputs.evidence, inputs.texts = plain
        return inputs


@functools.cache
def code_signature() -> str:
    """A digest of the signatures of ciptool's own files: its code, templates and catalogs.

    Results kept and files parsed by an earlier run are only reused by the same ciptool, even
    when it was changed in place without a new version number. Looked at once per process
    (about 1 ms: the size and times of its files, none of them read).
    """
    digest = hashlib.sha256()
    for folder in dict.fromkeys((PACKAGE, bundled_frameworks_dir())):
        for current, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                path = os.path.join(current, name)  # noqa: PTH118
                digest.update(f"{path}\0{signature(path)}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
