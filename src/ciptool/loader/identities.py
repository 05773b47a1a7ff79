"""What is at a path on disk: a file's identity, or why there is no file to read.

A file's *signature* is its identity (size, modification time, inode and change time), or the
reason there is no file: the walk gives each file found its signature, so that a file read
later is the one found (another file at the path, a link swapped in, is not read), and an
evidence file's signature says whether it is a readable file inside the repository. The
incremental room compares signatures between runs. A leaf: the standard library only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: size, modification time, inode and change time (nanoseconds)
Identity = tuple[int, int, int, int]
#: An identity, or why there is no file: "missing", "not-a-file", "outside", "unreadable".
Signature = Identity | str

MISSING = "missing"
NOT_A_FILE = "not-a-file"
OUTSIDE = "outside"
UNREADABLE = "unreadable"


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
