"""``ciptool check``: the repository checked, its last result reused while nothing it read
changed (see :mod:`ciptool.incremental.kept`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from ciptool.incremental import kept
from ciptool.incremental.signatures import Inputs

if TYPE_CHECKING:
    from pathlib import Path

    from ciptool.fileio.atomic import ReadByTheRun
    from ciptool.graph import Graph
    from ciptool.results import RunResult, RunSettings


def check(root: Path, settings: RunSettings, cache_dir: Path | None) -> tuple[RunResult, Inputs]:
    """The result of checking ``root``, with what it was made from (the files read and
    listed, see :meth:`Inputs.hold`); the cache folder ``cache_dir``, when given, keeps it
    and what was learnt about each file for the next run.
    """
    return kept.check(root, settings, cache_dir)


def checked(
    root: Path, settings: RunSettings, cache_dir: Path | None
) -> tuple[RunResult, Graph | None, Inputs]:
    """``root`` loaded and checked, for a report: the result, its graph and what was read."""
    return kept.checked(root, settings, cache_dir)


def check_repository(root: Path, settings: RunSettings) -> tuple[RunResult, Graph | None]:
    """``root`` read afresh and checked, nothing reused or kept: the result and its graph
    (None when ciptool.yaml could not be used)."""
    result, _, graph = kept.fresh(root, settings, None, Inputs())
    return result, graph


def read_by(root: Path, cache_dir: Path | None) -> ReadByTheRun:
    """Whether a path is a file that loading ``root`` reads, or one its evidence records list
    (see :meth:`Inputs.hold`); ``root`` is loaded through the cache folder ``cache_dir``."""
    inputs = Inputs()
    kept.load(root, cache_dir, inputs)
    return partial(inputs.hold, root)
