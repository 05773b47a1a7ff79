"""Kept results: a check's last result reused while none of its inputs changed.

A check's result depends only on ciptool itself, the run's settings (the date among them),
the commit the repository's git HEAD names and the bytes of the files it read and the folders it
listed. The commit is there for the back-dated evidence check (EV009), which reads when each
evidence record was committed: a new commit changes that without changing a file, and a kept
result is never reused across one (an uncommitted line counts as committed on the run's day,
which the settings hold; a changed file is a changed input). After a run, the result is kept in
the cache folder with the signature of every one of those (see
:mod:`ciptool.incremental.signatures`); the next run with the same settings looks at the
signatures again, and when none changed it prints the kept result without loading anything. A
result is not kept when any input changed within :data:`~ciptool.incremental.cachefiles.RACY_NS`
of the run: its signature might not show a second change.

When a few YAML files changed:

- A file that was touched, saved again or changed only in comments or layout has a new
  signature but says the same: when the changed files parse to the same data as the text the
  result was made from, and no finding points into them (their lines and columns could have
  moved), the kept result is still the result.
- When they are evidence record files that say something new, only what they can change is
  checked again (see :mod:`ciptool.incremental.recheck`), with what the kept result's scope holds.

A report needs the whole repository loaded either way. It takes the kept findings when its load
read exactly what the kept result was made from, and when a few YAML files changed since, it
compares what it read with the kept signatures and goes on as a check would; a report that had
to check everything keeps its result as a check does.

A fresh result (:func:`fresh`) is the repository loaded through the read-ahead
(:mod:`.ahead`), which records what was read, and checked by the engine.
"""

from __future__ import annotations

import os
import time
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ciptool.incremental import cachefiles
from ciptool.incremental.cachefiles import cache_file, read_cache_file, write_cache_file
from ciptool.incremental.plain import result_from_plain, result_to_plain
from ciptool.incremental.signatures import Inputs, code_signature, newest_change
from ciptool.loader.collector import gc_paused
from ciptool.loader.git import head_commit
from ciptool.results import RunResult, RunSettings

if TYPE_CHECKING:
    from ciptool.graph import Graph
    from ciptool.incremental.recheck import Scope
    from ciptool.loader.identities import Signature
    from ciptool.models.repository import Repository

#: Bump when the layout of a kept result changes.
_FORMAT = 5
_KIND = "result"
#: The thresholds ciptool.yaml can give (``FailOn``; the models are not loaded to read it).
_THRESHOLDS = ("error", "warning", "never")
#: What a recheck needs beyond the kept result, in a file of its own: only a run with changed
#: evidence records reads it.
_SCOPE_KIND = "scope"
#: Changed files are read again to see whether they say anything new only up to this many;
#: past it, checking afresh costs about as much.
SAME_DATA_MOST_FILES = 64


@dataclass(frozen=True)
class _Kept:
    """A kept result made with this run's key, and the files that changed since."""

    result: RunResult
    inputs: Inputs
    #: ciptool.yaml's threshold for failing, when the result was made.
    configured: str
    #: Ties the result to the scope kept beside it.
    token: str
    #: The YAML files whose signature changed, in the order read; no folder or evidence
    #: file changed.
    changed: list[str]


def check(root: Path, settings: RunSettings, cache_dir: Path | None) -> tuple[RunResult, Inputs]:
    """The result of checking ``root``: the kept one in ``cache_dir`` when nothing changed,
    else a fresh one; and what the result was made from (the files read and listed, see
    :meth:`Inputs.hold`). Without ``cache_dir``, nothing is reused or kept.
    """
    started = time.time_ns()
    inputs = Inputs()
    if cache_dir is None:
        return fresh(root, settings, None, inputs)[0], inputs
    key = (code_signature(), settings.key(), head_commit(root))
    kept = _kept(root, cache_dir, key)
    if kept is not None:
        result = _reused(root, cache_dir, settings, key=key, kept=kept, started=started)
        if result is not None:
            return _failing_at(result, settings, kept.configured), kept.inputs
    result, configured, graph = fresh(root, settings, cache_dir, inputs)
    _keep_settled((settings, cache_dir), root, (key, inputs, result, configured), graph, started)
    return result, inputs


def checked(
    root: Path, settings: RunSettings, cache_dir: Path | None
) -> tuple[RunResult, Graph | None, Inputs]:
    """``root`` checked, with the graph the result speaks of and what was read, for a report.

    The repository is loaded either way. The checks run only when the result a check kept
    in ``cache_dir`` with the same settings does not hold for what this load read and cannot
    be rechecked from it; the new result is then kept, as a check keeps it.
    """
    if cache_dir is None:
        inputs = Inputs()
        result, _, graph = fresh(root, settings, None, inputs)
        return result, graph, inputs
    started = time.time_ns()
    key = (code_signature(), settings.key(), head_commit(root))
    kept = _kept_as_made(root, cache_dir, key)
    known = None if kept is None else _Known(root, (settings, cache_dir), (key, started), kept)
    del kept  # only what ``known`` holds of it stays while the repository loads
    inputs = Inputs()
    result, configured, graph = fresh(root, settings, cache_dir, inputs, known)
    if known is None or not known.used:
        _keep_settled(
            (settings, cache_dir), root, (key, inputs, result, configured), graph, started
        )
    return result, graph, inputs


class _Known:
    """The result a check kept, for what a report's load read (see :func:`checked`).

    The signatures of the evidence files are most of a large repository's inputs: while the
    repository loads, only their digest is held (:meth:`Inputs.digests`).
    """

    def __init__(
        self,
        root: Path,
        asked: tuple[RunSettings, Path],
        run: tuple[tuple[Any, ...], int],
        kept: _Kept,
    ) -> None:
        self.root = root
        #: The run's settings and cache folder.
        self.settings, self.cache_dir = asked
        #: The run's key and when it started.
        self.key, self.started = run
        self.digests = kept.inputs.digests()
        kept.inputs.evidence = {}
        self.kept = kept
        #: Whether the result was known, so that the checks did not run.
        self.used = False

    def __call__(self, read: Inputs) -> RunResult | None:
        """The kept result, or one rechecked from it, when it holds for what was ``read``."""
        digests = read.digests()
        if digests == self.digests:
            result: RunResult | None = self.kept.result
        else:
            result = self._rechecked(read, digests)
        if result is None:
            return None
        self.used = True
        return _failing_at(result, self.settings, self.kept.configured)

    def _rechecked(self, read: Inputs, digests: dict[str, str]) -> RunResult | None:
        """The result as a check would find it when only a few YAML files changed; ``digests``
        are those of what was ``read``.
        """
        kept, cache_dir = self.kept, self.cache_dir
        inputs = kept.inputs
        if any(digests[k] != self.digests[k] for k in _NOT_RECHECKED):
            return None
        changed = [rel for rel, sig in read.files.items() if inputs.files.get(rel) != sig]
        if not changed or len(changed) > SAME_DATA_MOST_FILES:
            return None
        inputs.evidence = dict(read.evidence)  # the same signatures, as their digests are
        result = _reused(
            self.root,
            cache_dir,
            self.settings,
            key=self.key,
            kept=replace(kept, changed=changed),
            started=self.started,
        )
        if result is None:
            return None
        # The result holds for what was read only when the files rechecked are those read.
        now = inputs.digests()
        if any(now[kind] != digests[kind] for kind in ("folders", "files", "evidence")):
            return None
        return result


#: The kinds of input whose change rules out a recheck: folders' entries and evidence files.
_NOT_RECHECKED = ("folders", "evidence")


def _failing_at(result: RunResult, settings: RunSettings, configured: str) -> RunResult:
    """A kept or rechecked ``result`` with this run's threshold for failing, or the one
    ciptool.yaml sets (``configured``) when the run gives none: the threshold plays no part
    in the findings.
    """
    if not result.config_usable:
        return result
    return replace(result, fail_on=settings.fail_on or configured)


def _reused(
    root: Path,
    cache_dir: Path,
    settings: RunSettings,
    *,
    key: tuple[Any, ...],
    kept: _Kept,
    started: int,
) -> RunResult | None:
    """The kept result, or one rechecked from it; None when the run must check everything."""
    inputs = kept.inputs
    if not kept.changed:
        return kept.result
    # In git, an evidence record's line rewritten to say the same (a comment added, say) is
    # no longer the line committed, which the back-dated evidence check (EV009) reads: the
    # changed records are checked again instead.
    history = key[2] is not None and any(rel.startswith("evidence/") for rel in kept.changed)
    same = None if history else _same_data(root, cache_dir, kept)
    if same is not None:
        inputs.files.update(same)
        if newest_change(same.values()) < started - cachefiles.RACY_NS:
            _keep(cache_dir, root, (key, inputs, kept.result, kept.configured), kept.token)
        return kept.result
    rechecked = _recheck(root, cache_dir, settings, kept)
    if rechecked is None:
        return None
    result, scope = rechecked
    if inputs.newest_change() < started - cachefiles.RACY_NS:
        _keep(cache_dir, root, (key, inputs, result, kept.configured), scope)
    return result


def _keep(cache_dir: Path, root: Path, kept: tuple[Any, ...], scope: Scope | str | None) -> None:
    """Keep a result: ``kept`` is its key, inputs, the result and ciptool.yaml's threshold.

    With a ``scope``, it is kept beside the result, tied to it by a new token; with a token,
    the result still has the scope kept with that token.
    """
    key, inputs, result, configured = kept
    if isinstance(scope, str):
        token = scope
    else:
        token = os.urandom(8).hex()
        if scope is not None:
            write_cache_file(
                cache_file(cache_dir, root, _SCOPE_KIND), _made_by(root), (token, scope.to_plain())
            )
    body = (key, inputs.to_plain(), result_to_plain(result), configured, token)
    write_cache_file(cache_file(cache_dir, root, _KIND), _made_by(root), body)


def fresh(
    root: Path,
    settings: RunSettings,
    cache_dir: Path | None,
    inputs: Inputs,
    known: _Known | None = None,
) -> tuple[RunResult, str, Graph | None]:
    """A fresh result, unless ``known`` knows it for what the load read, the threshold for
    failing that ciptool.yaml sets, and the graph checked.

    Files unchanged since a run that kept them in ``cache_dir`` are neither parsed nor hashed
    again; everything read is recorded in ``inputs``.
    """
    # Deferred for start-up: a kept result is printed without the read-ahead's parser.
    from ciptool.incremental.ahead import ReadAhead

    # The record files are walked and their parsing begun while the models and checks load.
    with closing(ReadAhead(root, cache_dir, inputs)) as ahead:
        # Deferred for start-up, and loaded while the read-ahead's workers parse.
        from ciptool import engine
        from ciptool.graph import Graph
        from ciptool.loader import load_repository

        with gc_paused():
            repository = load_repository(root, ahead)
            if repository.config is None:
                result, graph = engine.unusable(repository, settings), None
            else:
                graph = Graph(repository)
                made = known(inputs) if known is not None else None
                result = made if made is not None else engine.check_graph(graph, settings)
    if graph is None or graph.config is None:
        return result, result.fail_on, graph
    return result, graph.config.check.fail_on, graph


def load(root: Path, cache_dir: Path | None, inputs: Inputs) -> Repository:
    """``root`` loaded through the cache folder ``cache_dir``, what was read recorded in
    ``inputs``; nothing is checked."""
    # Deferred for start-up, as in :func:`fresh`.
    from ciptool.incremental.ahead import ReadAhead
    from ciptool.loader import load_repository

    with closing(ReadAhead(root, cache_dir, inputs)) as ahead:
        return load_repository(root, ahead)


def _keep_settled(
    asked: tuple[RunSettings, Path],
    root: Path,
    kept: tuple[Any, ...],
    graph: Graph | None,
    started: int,
) -> None:
    """Keep a fresh result (see :func:`_keep`) in the cache folder unless an input changed
    just before the run; ``asked`` is the run's settings and cache folder."""
    settings, cache_dir = asked
    inputs: Inputs = kept[1]
    if inputs.newest_change() < started - cachefiles.RACY_NS:
        # Deferred for start-up: what a recheck needs is made only when a result is kept.
        from ciptool.incremental.recheck import Scope

        scope = Scope.of(graph, inputs, settings) if graph is not None else None
        _keep(cache_dir, root, kept, scope)


def _made_by(root: Path) -> tuple[Any, ...]:
    return cachefiles.header(root, _FORMAT)


def _kept(root: Path, cache_dir: Path, key: tuple[Any, ...]) -> _Kept | None:
    """The kept result when it was made with ``key``, no folder or evidence file changed since,
    and at most :data:`SAME_DATA_MOST_FILES` YAML files did.
    """
    kept = _kept_as_made(root, cache_dir, key)
    if kept is None:
        return None
    inputs = kept.inputs
    try:
        changed = inputs.changed_files(root, SAME_DATA_MOST_FILES)
        if changed is None or not inputs.evidence_unchanged(root):
            return None
    except (TypeError, ValueError):  # kept signatures of another shape are never used
        return None
    return replace(kept, changed=changed)


def _kept_as_made(root: Path, cache_dir: Path, key: tuple[Any, ...]) -> _Kept | None:
    """The result kept with ``key``, whatever changed since (``changed`` is left empty)."""
    # A kept result may hold 300,000 findings: the collector would scan them while they are
    # made (2.3 s of 3.3 s to read such a result).
    with gc_paused():
        return _read_kept(root, cache_dir, key)


def _read_kept(root: Path, cache_dir: Path, key: tuple[Any, ...]) -> _Kept | None:
    body = read_cache_file(cache_file(cache_dir, root, _KIND), _made_by(root))
    if not (isinstance(body, tuple) and len(body) == 5 and body[0] == key):
        return None
    if not (body[3] in _THRESHOLDS and isinstance(body[4], str)):
        return None  # a threshold no ciptool.yaml can give: the file was not made by a run
    inputs = Inputs.from_plain(body[1])
    if inputs is None:
        return None
    try:
        result = result_from_plain(root, body[2])
    except (TypeError, ValueError):  # a kept result of another shape is never used
        return None
    return _Kept(result, inputs, body[3], body[4], [])


def _same_data(root: Path, cache_dir: Path, kept: _Kept) -> dict[str, Signature] | None:
    """The new signatures of the changed files when they say what they said and no finding
    points into them; None otherwise.

    The result is then the same: it depends on what files say, not on their bytes, but for
    the lines and columns of findings.
    """
    if any(not finding.files.isdisjoint(kept.changed) for finding in kept.result.findings):
        return None
    texts = {rel: kept.inputs.texts.get(rel) for rel in kept.changed}
    if any(text is None for text in texts.values()):
        return None
    # Deferred for start-up: the YAML parser loads only when a changed file is read.
    from ciptool.incremental.source import same_data

    return same_data(root, cache_dir, {rel: text for rel, text in texts.items() if text})


def _recheck(
    root: Path, cache_dir: Path, settings: RunSettings, kept: _Kept
) -> tuple[RunResult, Scope] | None:
    """The result rechecked from ``kept`` and its scope; None when they do not allow it."""
    if not kept.result.config_usable:
        return None
    body = read_cache_file(cache_file(cache_dir, root, _SCOPE_KIND), _made_by(root))
    if not (isinstance(body, tuple) and len(body) == 2 and body[0] == kept.token):
        return None
    # Deferred for start-up: the models and checks load only when a recheck is tried.
    from ciptool.incremental.recheck import Scope, recheck

    try:
        scope = Scope.from_plain(body[1])
    except (TypeError, ValueError):
        return None
    return recheck(
        root, settings, kept=kept.result, scope=scope, changed=kept.changed, inputs=kept.inputs
    )
