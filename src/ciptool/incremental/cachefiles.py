"""The files of ciptool's cache folder: one per repository and kind, each checked when read.

A cache file holds a header (what made it) and a body, marshalled, behind a magic line and a
CRC. It is replaced atomically, never edited in place; one that is damaged, or was written by
another version or for another repository, reads as nothing. A cache can make a run faster,
never different, and never fail it: a folder that cannot be written is left alone.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import zlib
from pathlib import Path
from typing import Any

from ciptool import __version__
from ciptool.fileio.atomic import write_atomic
from ciptool.fileio.marshalled import unmarshal
from ciptool.fileio.regular import FileTooLarge, NotRegularFile, read_regular_file

#: The cache folder's name inside a repository, unless another folder is given.
DEFAULT_DIR = ".ciptool-cache"
#: How close to the run that saw it a file may have changed before what the run learnt from
#: it is *racy*: a file rewritten within its filesystem's timestamp granularity (a second or
#: two on some) keeps its identity, so such knowledge is verified before it is used again.
RACY_NS = 3_000_000_000
#: The largest cache file read: ten times what the largest corpus measured needs (100,000
#: evidence records and their files: 26 MB). A larger one was not made by ciptool and is not
#: read into memory.
MAX_CACHE_BYTES = 256 * 1024 * 1024
_MAGIC = b"ciptool-cache\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder is a cache made by ciptool; it can be deleted at any time.\n"
)


def cache_file(directory: Path, root: Path, kind: str) -> Path:
    """The file in ``directory`` that holds the cache of ``kind`` for the repository ``root``."""
    key = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()
    return directory / f"{key[:24]}.{kind}"


def header(root: Path, layout: int) -> tuple[Any, ...]:
    """What a cache file records about its maker: layout, ciptool and Python versions, root."""
    return (layout, __version__, sys.version_info[:2], str(root))


def read_cache_file(path: Path, expected: tuple[Any, ...]) -> Any:
    """The body of the cache file at ``path`` when it is intact and its header is ``expected``.

    None when there is no such file or it cannot be used.
    """
    try:  # without waiting, and only a regular file: a FIFO or a device in its place is no cache
        raw = read_regular_file(path, MAX_CACHE_BYTES)
    except (OSError, NotRegularFile, FileTooLarge):
        return None
    start = len(_MAGIC) + 4
    packed = memoryview(raw)[start:]  # a view: a large cache is not copied
    if not raw.startswith(_MAGIC) or zlib.crc32(packed) != int.from_bytes(
        raw[len(_MAGIC) : start], "big"
    ):
        return None
    try:
        found, body = unmarshal(packed)
    except (EOFError, ValueError, TypeError):  # code refused, or not a (header, body) pair
        return None
    return body if found == expected else None


def write_cache_file(path: Path, made_by: tuple[Any, ...], body: Any) -> None:
    """Replace the cache file at ``path``; a folder that cannot be written is left alone."""
    packed = marshal.dumps((made_by, body))
    try:
        mode = os.lstat(path).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            return  # a FIFO or a device in its place is never written to (a link is replaced)
    except FileNotFoundError:
        pass
    except OSError:
        return
    try:
        _prepare(path.parent)
        crc = zlib.crc32(packed).to_bytes(4, "big")
        write_atomic(path, (_MAGIC, crc, packed), durable=False)
    except OSError:
        return  # a read-only checkout or a full disk: the run goes on without a cache


def not_a_cache(directory: Path) -> str | None:
    """Why ``directory`` may not hold ciptool's cache, or None when it may: a link (its
    target could be anywhere), a file, or a folder that holds other files and no
    ``CACHEDIR.TAG`` made by ciptool (its ``.gitignore`` would be replaced)."""
    if directory.is_symlink():
        return "is a link"
    if not directory.exists():
        return None
    if not directory.is_dir():
        return "is not a folder"
    tag = directory / "CACHEDIR.TAG"
    try:
        ours = not tag.is_symlink() and tag.read_text(encoding="utf-8") == _CACHEDIR_TAG
    except (OSError, UnicodeDecodeError):
        ours = False
    if not ours and any(directory.iterdir()):
        return "holds other files and no CACHEDIR.TAG made by ciptool"
    return None


def _prepare(directory: Path) -> None:
    """Make the cache folder, marked so that git and backup tools pass it over; a folder
    that is not ciptool's (see :func:`not_a_cache`) is left alone."""
    why = not_a_cache(directory)
    if why is not None:
        raise OSError(f"{directory} {why}")
    if (directory / "CACHEDIR.TAG").exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(directory / ".gitignore", "# made by ciptool\n*\n", durable=False)
    write_atomic(directory / "CACHEDIR.TAG", _CACHEDIR_TAG, durable=False)
