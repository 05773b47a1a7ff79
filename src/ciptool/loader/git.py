"""The compliance repository's git state, for the provenance line of every report."""

from __future__ import annotations

import shutil
import subprocess
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
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None:
        return GitState(None, None)
    status = _git(root, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return GitState(head.strip() or None, bool(status.strip()) if status is not None else None)


def _git(root: Path, *args: str) -> str | None:
    executable = shutil.which("git")
    if executable is None:
        return None
    try:
        completed = subprocess.run(
            [executable, "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout if completed.returncode == 0 else None
