"""``ciptool check``, with the last run's result reused while none of its inputs changed.

A check's result depends only on ciptool itself, the run's settings (the date among them) and
the bytes of the files it read and the folders it listed. After a run, the result is kept in
the cache folder with the signature of every one of those (see :mod:`ciptool.inputs`); the next
run with the same settings looks at the signatures again, and when none changed it prints the
kept result without loading anything. A result is not kept when any input changed within
:data:`~ciptool.cachefiles.RACY_NS` of the run: its signature might not show a second change.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ciptool import cachefiles
from ciptool.cachefiles import cache_file, read_cache_file, write_cache_file
from ciptool.inputs import Inputs, code_signature
from ciptool.results import RunResult, RunSettings

#: Bump when the layout of a kept result changes.
_FORMAT = 1
_KIND = "result"


def check(root: Path, settings: RunSettings) -> RunResult:
    """The result of checking ``root``: the kept one when nothing changed, else a fresh one."""
    started = time.time_ns()
    if settings.cache_dir is None:
        return _fresh(root, settings, Inputs())
    path = cache_file(settings.cache_dir, root, _KIND)
    key = (code_signature(), settings.key())
    kept = _kept(root, path, key)
    if kept is not None:
        return kept
    inputs = Inputs()
    result = _fresh(root, settings, inputs)
    if inputs.newest_change() < started - cachefiles.RACY_NS:
        write_cache_file(path, _made_by(root), (key, inputs.to_plain(), result.to_plain()))
    return result


def _fresh(root: Path, settings: RunSettings, inputs: Inputs) -> RunResult:
    from ciptool.engine import check_repository  # the models and checks load only when needed

    result, _graph = check_repository(root, settings, inputs)
    return result


def _made_by(root: Path) -> tuple[Any, ...]:
    return cachefiles.header(root, _FORMAT)


def _kept(root: Path, path: Path, key: tuple[Any, ...]) -> RunResult | None:
    """The kept result when it was made with ``key`` and its inputs are unchanged."""
    body = read_cache_file(path, _made_by(root))
    if not (isinstance(body, tuple) and len(body) == 3 and body[0] == key):
        return None
    inputs = Inputs.from_plain(body[1])
    try:
        if inputs is None or not inputs.unchanged(root):
            return None
        return RunResult.from_plain(root, body[2])
    except (TypeError, ValueError):  # a kept result of another shape is never used
        return None
