"""The compliance repository's git state, for the provenance line of every report."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

_TIMEOUT = 10


@dataclass(frozen=True)
class GitState:
    """The commit the repository is at and whether its tree differs from it; None outside git."""

    commit: str | None
    dirty: bool | None


def git_state(root: Path) -> GitState:
    """The repository's HEAD and whether the working tree is dirty, or unknowns outside git."""
    head = git_output(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None:
        return GitState(None, None)
    status = git_output(root, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return GitState(head.strip() or None, bool(status.strip()) if status is not None else None)


def git_output(root: Path, *args: str, timeout: float = _TIMEOUT) -> str | None:
    """What ``git -C root ARGS`` prints, or None when git is missing or fails.

    Bytes that are not UTF-8 (a file name, say) are kept as surrogate escapes.
    """
    executable = shutil.which("git")
    if executable is None:
        return None
    try:
        completed = subprocess.run(
            [executable, "-C", str(root), *args],
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout if completed.returncode == 0 else None


@dataclass(frozen=True)
class Revision:
    """A commit of the repository and the day it speaks for."""

    commit: str
    day: str  # YYYY-MM-DD


def looks_like_date(since: str) -> bool:
    """True when ``since`` is written as a date (YYYY-MM-DD), not as a revision."""
    return len(since) == 10 and since[4] == "-" and since[7] == "-"


def resolve_revision(root: Path, since: str) -> Revision | None:
    """The commit ``since`` names: a revision, or the last commit on or before a date."""
    if looks_like_date(since):
        commit = git_output(root, "rev-list", "-1", f"--before={since} 23:59:59", "HEAD")
        if commit is None or not commit.strip():
            return None
        return Revision(commit.strip(), since)
    commit = git_output(root, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}")
    if commit is None or not commit.strip():
        return None
    day = git_output(root, "show", "-s", "--format=%cs", commit.strip())
    return Revision(commit.strip(), (day or "").strip())


def export_revision(root: Path, commit: str, target: Path) -> Path | None:
    """Write the repository's files as they were at ``commit`` under ``target``.

    Returns the folder that corresponds to ``root`` there (the compliance repository may sit in
    a sub-folder of the git repository), or None when git cannot export it.
    """
    executable = shutil.which("git")
    prefix = git_output(root, "rev-parse", "--show-prefix")
    if executable is None or prefix is None:
        return None
    try:
        archive = subprocess.run(
            [executable, "-C", str(root), "archive", "--format=tar", commit, "--", "."],
            capture_output=True,
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if archive.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        _extract(tar, target)
    return target / prefix.strip() if prefix.strip() else target


def _extract(tar: tarfile.TarFile, target: Path) -> None:
    """Extract regular files and folders only, never outside ``target``."""
    base = target.resolve()
    for member in tar.getmembers():
        destination = (target / member.name).resolve()
        if not destination.is_relative_to(base) or not (member.isfile() or member.isdir()):
            continue
        if member.isdir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is not None:
            destination.write_bytes(source.read())
