"""``ciptool check``, with the last run's result reused while none of its inputs changed.

A check's result depends only on ciptool itself, the run's settings (the date among them) and
the bytes of the files it read and the folders it listed. After a run, the result is kept in
the cache folder with the signature of every one of those (see :mod:`ciptool.inputs`); the next
run with the same settings looks at the signatures again, and when none changed it prints the
kept result without loading anything. A result is not kept when any input changed within
:data:`~ciptool.cachefiles.RACY_NS` of the run: its signature might not show a second change.

A YAML file that was touched, saved again or changed only in comments or layout has a new
signature but says the same: when the few files that changed parse to the same data as the
text the result was made from, and no finding points into them (their lines and columns
could have moved), the kept result is still the result.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ciptool import cachefiles
from ciptool.cachefiles import cache_file, read_cache_file, write_cache_file
from ciptool.inputs import Inputs, Signature, code_signature
from ciptool.results import RunResult, RunSettings

#: Bump when the layout of a kept result changes.
_FORMAT = 3
_KIND = "result"
#: Changed files are read again to see whether they say anything new only up to this many;
#: past it, checking afresh costs about as much.
SAME_DATA_MOST_FILES = 64


def check(root: Path, settings: RunSettings) -> RunResult:
    """The result of checking ``root``: the kept one when nothing changed, else a fresh one."""
    started = time.time_ns()
    if settings.cache_dir is None:
        return _fresh(root, settings, Inputs())[0]
    path = cache_file(settings.cache_dir, root, _KIND)
    key = (code_signature(), settings.key())
    kept = _kept(root, settings.cache_dir, path, key)
    if kept is not None:
        result, inputs, updated, configured = kept
        if updated and _newest(updated) < started - cachefiles.RACY_NS:
            inputs.files.update(updated)
            _keep(path, root, key=key, inputs=inputs, result=result, configured=configured)
        if result.config_usable:  # the threshold plays no part in the findings
            result = replace(result, fail_on=settings.fail_on or configured)
        return result
    inputs = Inputs()
    result, configured = _fresh(root, settings, inputs)
    if inputs.newest_change() < started - cachefiles.RACY_NS:
        _keep(path, root, key=key, inputs=inputs, result=result, configured=configured)
    return result


def _keep(
    path: Path,
    root: Path,
    *,
    key: tuple[Any, ...],
    inputs: Inputs,
    result: RunResult,
    configured: str,
) -> None:
    """Keep ``result`` with its key, its inputs and ciptool.yaml's threshold (see :func:`_kept`)."""
    write_cache_file(path, _made_by(root), (key, inputs.to_plain(), result.to_plain(), configured))


def _fresh(root: Path, settings: RunSettings, inputs: Inputs) -> tuple[RunResult, str]:
    """A fresh result, and the threshold for failing that ciptool.yaml sets."""
    from ciptool.engine import check_repository  # the models and checks load only when needed

    result, graph = check_repository(root, settings, inputs)
    config = graph.config if graph is not None else None
    return result, config.check.fail_on if config is not None else result.fail_on


def _made_by(root: Path) -> tuple[Any, ...]:
    return cachefiles.header(root, _FORMAT)


def _kept(
    root: Path, cache_dir: Path, path: Path, key: tuple[Any, ...]
) -> tuple[RunResult, Inputs, dict[str, Signature], str] | None:
    """The kept result when it was made with ``key`` and its inputs say the same today.

    With it, its inputs, the new signatures of the files among them that were touched or
    changed without saying anything new (see :func:`_same_data`), and the threshold for
    failing that ciptool.yaml sets.
    """
    body = read_cache_file(path, _made_by(root))
    if not (isinstance(body, tuple) and len(body) == 4 and body[0] == key):
        return None
    if not isinstance(body[3], str):
        return None
    inputs = Inputs.from_plain(body[1])
    try:
        if inputs is None:
            return None
        changed = inputs.changed_files(root, SAME_DATA_MOST_FILES)
        if changed is None:
            return None
        result = RunResult.from_plain(root, body[2])
        updated = _same_data(root, cache_dir, result, inputs, changed) if changed else {}
        if updated is None or not inputs.evidence_unchanged(root):
            return None
    except (TypeError, ValueError):  # a kept result of another shape is never used
        return None
    return result, inputs, updated, body[3]


def _same_data(
    root: Path, cache_dir: Path, result: RunResult, inputs: Inputs, changed: list[str]
) -> dict[str, Signature] | None:
    """The new signatures of the ``changed`` files when they say what they said and no finding
    points into them; None otherwise.

    The result is then the same: it depends on what files say, not on their bytes, but for
    the lines and columns of findings.
    """
    located = {
        location.file
        for finding in result.findings
        for location in (finding.location, *finding.related)
        if location is not None
    }
    if located.intersection(changed):
        return None
    texts = {rel: inputs.texts.get(rel) for rel in changed}
    if any(text is None for text in texts.values()):
        return None
    from ciptool.loader import same_data  # the YAML parser loads only when needed

    return same_data(root, cache_dir, {rel: text for rel, text in texts.items() if text})


def _newest(signatures: dict[str, Signature]) -> int:
    """The latest modification or change time among ``signatures``, in nanoseconds."""
    return max(
        (max(sig[1], sig[3]) for sig in signatures.values() if not isinstance(sig, str)), default=0
    )
