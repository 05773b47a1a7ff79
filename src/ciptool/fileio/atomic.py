"""Writing files atomically: readers see the old content or the new, never a torn file."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

#: Characters of a text encoded at a time when it is written.
_PART = 1 << 20


def write_atomic(
    path: Path,
    data: bytes | str | Iterable[bytes],
    *,
    overwrite: bool = True,
    durable: bool = True,
) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    ``data`` may be given in parts, written one after another (a large file is not copied
    to join them). With ``overwrite=False`` an existing file is never replaced:
    FileExistsError is raised. With ``durable=False`` the data is not forced to disk before
    the rename: for files that can be made again (a cache), where a torn file after a power
    cut is detected on reading.
    """
    if isinstance(data, str) and data.isascii():
        # Encoded a megabyte at a time, not copied whole (300,000 findings as JSON: 150 MB);
        # ASCII cannot fail to encode half-way.
        parts: Iterable[bytes] = (
            data[start : start + _PART].encode("ascii") for start in range(0, len(data), _PART)
        )
    elif isinstance(data, str):
        parts = (data.encode("utf-8"),)
    else:
        parts = (data,) if isinstance(data, bytes) else data
    if _is_special(path):
        # A device or a pipe (``-o /dev/stdout``, a FIFO) is written to, never renamed over:
        # replacing ``/dev/null`` with a regular file would break the machine for everyone.
        if not overwrite:
            raise FileExistsError(errno.EEXIST, "exists and is not a regular file", str(path))
        with path.open("wb") as handle:
            for part in parts:
                handle.write(part)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates the file readable by its owner only; give it the mode a new file
        # would have had, or keep the mode of the file it replaces.
        Path(tmp).chmod(path.stat().st_mode & 0o7777 if path.exists() else _default_mode())
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if overwrite:
            Path(tmp).replace(path)
        else:
            os.link(tmp, path)  # fails if path exists, unlike a rename
            Path(tmp).unlink()
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_special(path: Path) -> bool:
    """True when ``path`` names a device, a pipe or a socket (through links): not a file to
    replace, nor a folder.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


class CannotWrite(OSError):
    """A file the user named cannot be written there; the command line reports it (exit 2)."""


#: What a repository reads, beside ``ciptool.yaml``: its record folders, its own framework
#: catalogs and crosswalks, and its report templates. No output may be written in them.
INPUT_FOLDERS = (
    "controls",
    "policies",
    "evidence",
    "exceptions",
    "risks",
    "third-parties",
    "apps",
    "metrics",
    "findings",
    "incidents",
    "workpapers",
    "requests",
    "frameworks",
    "templates",
)


#: Whether a path, links followed, is a file the run read from the repository (evidence files
#: listed outside the record folders among them).
ReadByTheRun = Callable[[Path], bool]


def write_product(
    path: Path, data: bytes | str | tuple[bytes, ...], read: ReadByTheRun | None = None
) -> None:
    """:func:`write_output` for what a command makes from a repository (``check -o``,
    ``--write-baseline``, ``report -o``, ``schema --write``): a path that is, after following
    links, the ``ciptool.yaml`` of a repository, inside one of its :data:`INPUT_FOLDERS`, or a
    file the run ``read`` is refused, so that an output never replaces what the repository
    reads.
    """
    refuse_an_input(path, read)
    write_output(path, data)


def write_output(
    path: Path, data: bytes | str | Iterable[bytes], *, overwrite: bool = True
) -> None:
    """:func:`write_atomic` for a file the user named (``-o``, ``--write``, ``init PATH``):
    a place the system refuses, such as a file where a folder should be, a folder without
    write permission or a full disk, raises :class:`CannotWrite` naming the path and why.
    """
    try:
        write_atomic(path, data, overwrite=overwrite)
    except OSError as exc:
        raise CannotWrite(f"cannot write {path}: {_why(path, exc)}") from None


def refuse_an_input(path: Path, read: ReadByTheRun | None = None) -> None:
    """Raise :class:`CannotWrite` when ``path`` (after following links) is a repository's
    ``ciptool.yaml`` or lies inside one of its :data:`INPUT_FOLDERS` (the repository is the
    nearest folder above the path that holds a ``ciptool.yaml``), or is a file the run
    ``read``, such as an evidence file listed from elsewhere in the repository."""
    resolved = path.resolve()
    for folder in resolved.parents:
        if (folder / "ciptool.yaml").is_file():
            parts = resolved.relative_to(folder).parts
            if parts == ("ciptool.yaml",) or parts[0] in INPUT_FOLDERS:
                raise CannotWrite(f"{path} is an input of the repository; choose another path")
            break
    if read is not None and read(path):
        raise CannotWrite(f"{path} is an input of the repository; choose another path")


def _why(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be written, in the words a person needs to act on it."""
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                return f"{folder} is a file, not a folder"
            break
    return exc.strerror or str(exc)


def _default_mode() -> int:
    """0o666 less the process's umask: the mode ``open()`` would give a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
