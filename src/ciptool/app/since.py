"""``--since``: what moved between an earlier state of the repository and now."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from ciptool.app.check import check_repository
from ciptool.errors import UsageError
from ciptool.graph import Graph
from ciptool.loader.git import Revision, export_revision, looks_like_date, resolve_revision
from ciptool.reports.changes import (
    MOVES_NOTE,
    Changes,
    acceptance_moves,
    requirement_moves,
    status_moves,
)
from ciptool.reports.frameworks import CSF, group_tallies
from ciptool.results import RunResult, RunSettings


def check_since(root: Path, since: str, as_of: dt.date) -> Revision:
    """The revision ``since`` names, before any work; a usage error for a date that is no date
    or comes after ``as_of``, for a revision git does not know, and for one committed after
    ``as_of`` (the report would compare with a state later than its own)."""
    day = _since_day(since)
    if day is not None and day > as_of:
        raise UsageError(
            f"--since {since} is after the report's date {as_of} (--as-of):"
            " compare with an earlier date or revision"
        )
    revision = resolve_revision(root, since)
    if revision is None:
        raise UsageError(
            f"--since {since}: no such git revision, or no commit on or before that date"
        )
    if day is None and revision.day and dt.date.fromisoformat(revision.day) > as_of:
        raise UsageError(
            f"--since {since} was committed on {revision.day}, after the report's date {as_of}"
            " (--as-of): compare with an earlier revision or date"
        )
    return revision


def changes_since(root: Path, since: str, result: RunResult, graph: Graph) -> Changes:
    """Compare ``result`` with the repository at ``since`` (a git revision or a date), judged
    as of the date ``since`` names, or as of its commit's date."""
    revision = check_since(root, since, result.today)
    then_day = dt.date.fromisoformat(revision.day) if revision.day else result.today
    with tempfile.TemporaryDirectory(prefix="ciptool-since-") as folder:
        old_root = export_revision(root, revision.commit, Path(folder))
        if old_root is None or not (old_root / "ciptool.yaml").is_file():
            raise UsageError(f"--since {since}: the repository had no ciptool.yaml at that commit")
        before, old_graph = check_repository(old_root, RunSettings(today=then_day))
    if old_graph is None:
        raise UsageError(f"--since {since}: ciptool.yaml was not usable at that commit")
    then = {t.label: t for t in group_tallies(before, old_graph, CSF, 0)}
    moves = []
    for tally in group_tallies(result, graph, CSF, 0):
        old = then.get(tally.label)
        # The share of applicable subcategories covered, as in every other coverage figure.
        before_share = round(100 * old.covered / old.applicable) if old and old.applicable else 0
        now_share = round(100 * tally.covered / tally.applicable) if tally.applicable else 0
        moves.append(
            (
                f"{tally.label} {tally.title}",
                f"{before_share}%",
                f"{now_share}%",
                now_share - before_share,
            )
        )
    names = {**_names(old_graph), **_names(graph)}
    return Changes(
        since=since,
        since_as_of=then_day,
        by_date=looks_like_date(since),
        status_moves=status_moves(before.coverage, result.coverage),
        requirement_moves=requirement_moves(before.coverage, result.coverage, names),
        function_moves=tuple(moves),
        acceptance_moves=acceptance_moves(old_graph, then_day, graph, result.today, names),
        notes=(MOVES_NOTE,),
    )


def _names(graph: Graph) -> dict[str, str]:
    return {ident: catalog.display_name for ident, catalog in graph.catalogs.items()}


def _since_day(since: str) -> dt.date | None:
    """The date ``since`` names, None for a revision; a usage error for an impossible date."""
    if not looks_like_date(since):
        return None
    try:
        return dt.date.fromisoformat(since)
    except ValueError:
        raise UsageError(f"--since {since} is not a date: use YYYY-MM-DD") from None
