"""Which cache folder a run uses: the one asked for, the repository's own, or none.

A received repository's own cache folder may be a link to anywhere, or files it supplies:
such a folder is neither read nor written, and the run goes on without a cache.
"""

from __future__ import annotations

from pathlib import Path

from ciptool.errors import UsageError
from ciptool.incremental.cachefiles import DEFAULT_DIR, not_a_cache
from ciptool.loader.git import tracked


def cache_folder(root: Path, asked: Path | None, no_cache: bool) -> tuple[Path | None, str | None]:
    """The cache folder for a run over ``root`` (None for none), and a note to print when the
    repository's own folder is not used. A folder ``asked`` for that is unfit is a usage error.
    """
    if no_cache:
        return None, None
    if asked is None:
        default = root / DEFAULT_DIR
        if not default.resolve().is_relative_to(root.resolve()):
            why: str | None = "is a link leading outside the repository"
        else:
            why = _came_with_the_repository(default)
        if why is None:
            return default, None
        return None, f"{default} {why}; the run goes on without a cache"
    why = not_a_cache(asked) or _came_with_the_repository(asked)
    if why is not None:
        raise UsageError(f"--cache-dir {asked} {why}; name a new or empty folder")
    return asked.resolve(), None


def _came_with_the_repository(directory: Path) -> str | None:
    """Why the cache folder ``directory`` may hold what a repository supplied, or None.

    A folder that git tracks anything in (committed, received in a pull request, or only
    added to the index) came with the repository, CACHEDIR.TAG and intact files included:
    its files are data to distrust, never a cache this ciptool made. In a git work tree whose
    index git cannot list, that cannot be ruled out.
    """
    if not directory.is_dir():
        return None  # nothing there yet: ciptool makes it
    known = tracked(directory)
    if known is None:
        return "lies in a git work tree whose index git cannot list"
    return "holds files git tracks (it came with the repository)" if known else None
