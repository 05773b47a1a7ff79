"""Where a repository is: its top folder, its settings file, and the bundled catalogs.

A leaf (the standard library only): the check command finds the repository and names its
settings file before anything else loads, and a kept result is printed without the loader.
"""

from __future__ import annotations

import os
from pathlib import Path

from ciptool.errors import RepositoryNotFound

#: The file that marks a repository's top folder and holds its settings.
CONFIG_FILE = "ciptool.yaml"
#: The folder of framework catalogs, in a repository and in ciptool's package.
FRAMEWORKS_DIR = "frameworks"
#: ciptool's package folder.
PACKAGE = Path(__file__).resolve().parent.parent


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


def bundled_frameworks_dir() -> Path:
    """Where the bundled catalogs are: inside the package, or in the source checkout."""
    packaged = PACKAGE / FRAMEWORKS_DIR
    if packaged.is_dir():
        return packaged
    return PACKAGE.parents[1] / FRAMEWORKS_DIR
