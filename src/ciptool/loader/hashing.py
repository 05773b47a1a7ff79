"""Evidence files hashed by worker processes while the run goes on, and SHA-256 of one file.

Kept apart from :mod:`ciptool.loader.evidence_files`, which judges what the records list, so
that hashing can begin before the models load (see :mod:`ciptool.incremental.ahead`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from ciptool.incremental.signatures import Identity, identity
from ciptool.incremental.workers import Pending, Workers

_READ = 1024 * 1024

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
    """Start hashing evidence files ``keys`` in ``workers``, for
    :func:`~ciptool.loader.evidence_files.inspect_evidence_files`.

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
                digest, size = _sha256_fd(fd, info.st_size)
                done.append((key, identity(info), digest, size))
        except OSError:
            continue
        finally:
            os.close(fd)
    return done


def sha256_file(path: str | Path, inode: int | None = None) -> tuple[str, int]:
    """The file's SHA-256 in hex and its size; OSError for anything but a regular file (a FIFO
    or a device is opened without waiting, and never read), and for a file other than the one
    with ``inode`` that was looked at before: a link swapped in meanwhile is never read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if inode is not None and info.st_ino != inode:
            raise OSError(errno.ESTALE, "another file took its place", str(path))
        return _sha256_fd(fd, info.st_size)
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
