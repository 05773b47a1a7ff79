"""Reading a file whole and safely: a regular file only, never waiting, never past a bound.

A FIFO named like an input makes ``open()`` wait for a writer that never comes, and a device
such as ``/dev/zero`` never ends. So a file is opened without blocking, what was opened is
checked to be a regular file (``fstat``, not the name, which may change meanwhile), and at most
one byte more than the bound is read, in case the file grows as it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class NotRegularFile(Exception):
    """The path names a folder, a FIFO, a device or a socket."""


class FileReplaced(Exception):
    """Another file took the place of the one looked at before (a link swapped in, which
    could lead anywhere): it is not read."""


class FileTooLarge(Exception):
    """The file holds more bytes than the reader takes."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size:,} bytes, over {limit:,}")
        self.size = size
        self.limit = limit


def read_regular_file(
    path: str | Path, limit: int, *, inode: int | None = None, follow_links: bool = True
) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises NotRegularFile, FileTooLarge, FileReplaced when ``inode`` is given and the file
    opened is another, or the OSError of opening or reading; without ``follow_links``, a link
    at ``path`` itself is an OSError (ELOOP) and is not followed.
    """
    flags = _READ_FLAGS if follow_links else _READ_FLAGS | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:  # what was opened is looked at before anything reads it (a folder cannot be)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(str(path))
        if inode is not None and info.st_ino != inode:
            raise FileReplaced(str(path))
        if info.st_size > limit:
            raise FileTooLarge(info.st_size, limit)
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb") as handle:  # noqa: PTH123 - an open descriptor, closed with it
        data = handle.read(limit + 1)  # a file growing as it is read stops here
    if len(data) > limit:
        raise FileTooLarge(len(data), limit)
    return data
