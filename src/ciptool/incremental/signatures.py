"""The files and folders a run reads, and whether any of them changed since.

A file's *signature* is its identity on disk (size, modification time, inode and change
time), or the reason there is no file to read. A folder's signature changes whenever an entry
is added to it, removed or renamed, so the signatures of the folders a run listed and of the
files it read say together whether a second run would read the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import Any

from ciptool.errors import RepositoryNotFound

#: size, modification time, inode and change time (nanoseconds)
Identity = tuple[int, int, int, int]
#: An identity, or why there is no file: "missing", "not-a-file", "outside", "unreadable".
Signature = Identity | str

MISSING = "missing"
NOT_A_FILE = "not-a-file"
OUTSIDE = "outside"
UNREADABLE = "unreadable"
#: The file that marks a repository's top folder and holds its settings.
CONFIG_FILE = "ciptool.yaml"
#: The folder of framework catalogs, in a repository and in ciptool's package.
FRAMEWORKS_DIR = "frameworks"
_PACKAGE = Path(__file__).resolve().parent.parent


def find_repository(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``ciptool.yaml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise RepositoryNotFound(
        f"no {CONFIG_FILE} in {start.name or start} or any folder above it;"
        " run `ciptool init PATH` to create a repository, or pass --repo PATH"
    )


def work_tree_prefix(root: Path) -> str:
    """``root``'s folder within the git work tree holding it, as ``compliance/``; "" when
    ``root`` is the work tree's top or is in none.

    The work tree's top is the nearest folder at or above ``root`` with a ``.git`` entry (a
    folder, or the file of a linked work tree or submodule). git itself is not run: it would
    read the repository's configuration, and a hook or filter there could run anything.
    """
    root = root.resolve()
    for folder in (root, *root.parents):
        if os.path.lexists(folder / ".git"):
            relative = root.relative_to(folder).as_posix()
            return "" if relative == "." else relative + "/"
    return ""


def identity(info: os.stat_result) -> Identity:
    """The facts about a file that change whenever its content does."""
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def signature(path: str | Path, root_fd: int | None = None) -> Signature:
    """The signature of whatever ``path`` names, links followed.

    With ``root_fd``, an open folder, a relative ``path`` is looked up from that folder.
    """
    try:
        return identity(os.stat(path, dir_fd=root_fd))
    except FileNotFoundError:
        return MISSING
    except OSError:
        return UNREADABLE


def evidence_signature(root: Path, key: str, root_fd: int | None = None) -> Signature:
    """What is at evidence path ``key``: a readable file's identity, or why it is none.

    A link is followed only while it stays inside ``root``, a linked folder on the way
    included; ``root_fd`` is ``root`` opened, to look ``key`` up from.
    """
    if not folder_inside(os.path.realpath(root), key.rpartition("/")[0], {}):
        return OUTSIDE
    try:
        if root_fd is None:
            info = os.lstat(os.path.join(root, key))  # noqa: PTH118 - once per evidence file
        else:
            info = os.stat(key, dir_fd=root_fd, follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            path = root / key
            if not path.resolve().is_relative_to(root):
                return OUTSIDE
            info = path.stat()
    except FileNotFoundError:
        return MISSING
    except OSError:
        return UNREADABLE
    if not stat.S_ISREG(info.st_mode):
        return NOT_A_FILE
    return identity(info)


def folder_inside(real_root: str, folder: str, known: dict[str, bool]) -> bool:
    """True when ``folder``, relative to ``real_root`` (a resolved path), resolves inside it,
    links on the way followed; ``known`` keeps the answers by folder.
    """
    inside = known.get(folder)
    if inside is None:
        real = os.path.realpath(os.path.join(real_root, folder))  # noqa: PTH118
        inside = known[folder] = real == real_root or real.startswith(real_root + os.sep)
    return inside


@contextmanager
def open_folder(root: Path) -> Iterator[int | None]:
    """``root`` opened, to look paths up from; None where the system cannot."""
    if not (os.stat in os.supports_dir_fd and os.stat in os.supports_follow_symlinks):
        yield None
        return
    root_fd = os.open(root, os.O_RDONLY)
    try:
        yield root_fd
    finally:
        os.close(root_fd)


def evidence_signatures(
    root: Path, keys: Iterable[str], root_fd: int | None
) -> Iterator[tuple[str, Signature]]:
    """Each evidence path in ``keys`` with its :func:`evidence_signature`, in order.

    ``root_fd`` is ``root`` opened (:func:`open_folder`), or None to look each path up from
    ``root``'s path.
    """
    if root_fd is None:
        for key in keys:
            yield key, evidence_signature(root, key)
        return
    # The common case inline, a regular file looked up from the top folder: this loop runs
    # once per evidence file, in every run. Each folder on the way is resolved once.
    lookup, regular = os.stat, stat.S_ISREG
    real_root, folders = os.path.realpath(root), dict[str, bool]()
    for key in keys:
        if not folder_inside(real_root, key.rpartition("/")[0], folders):
            yield key, OUTSIDE
            continue
        try:
            info = lookup(key, dir_fd=root_fd, follow_symlinks=False)
        except OSError:
            info = None
        if info is not None and regular(info.st_mode):
            yield key, (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        else:
            yield key, evidence_signature(root, key, root_fd)


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


def bundled_frameworks_dir() -> Path:
    """Where the bundled catalogs are: inside the package, or in the source checkout."""
    packaged = _PACKAGE / FRAMEWORKS_DIR
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parents[1] / FRAMEWORKS_DIR


@functools.cache
def code_signature() -> str:
    """A digest of the signatures of ciptool's own files: its code, templates and catalogs.

    Results kept and files parsed by an earlier run are only reused by the same ciptool, even
    when it was changed in place without a new version number. Looked at once per process
    (about 1 ms: the size and times of its files, none of them read).
    """
    digest = hashlib.sha256()
    for folder in dict.fromkeys((_PACKAGE, bundled_frameworks_dir())):
        for current, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                path = os.path.join(current, name)  # noqa: PTH118
                digest.update(f"{path}\0{signature(path)}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
