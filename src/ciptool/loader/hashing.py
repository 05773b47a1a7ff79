"""The SHA-256 of one file, read without following a link swapped in or waiting on a FIFO.

Kept apart from :mod:`ciptool.loader.evidence_files`, which judges what the records list, so
that hashing can begin before the models load (see :mod:`ciptool.incremental.ahead`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

_READ = 1024 * 1024


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
        return sha256_fd(fd, info.st_size)
    finally:
        os.close(fd)


def sha256_fd(fd: int, size: int) -> tuple[str, int]:
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
