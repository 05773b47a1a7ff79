"""``--trend``: the repository at the end of each of the last quarters, read from git history.

Each earlier point is the last commit on or before its day, written out of git (disarmed, as
every git run of ciptool is: :mod:`ciptool.loader.git`) into a temporary folder and checked
afresh as of that day; the last point is the briefing's own repository and result. A day
before the first commit has no record.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from ciptool.app.check import check_repository
from ciptool.errors import UsageError
from ciptool.findings import unread_files
from ciptool.graph import Graph
from ciptool.loader.git import export_revision, git_output, resolve_revision
from ciptool.models import Metric
from ciptool.reports.trends import (
    BEFORE_HISTORY,
    FEWEST_QUARTERS,
    MOST_QUARTERS,
    UNREADABLE,
    Point,
    Quarter,
    Trend,
    build_trend,
    measure_point,
    trend_days,
)
from ciptool.results import RunResult, RunSettings

_SPAN = re.compile(r"([0-9]{1,2})q")

#: The only report that shows a trend.
TREND_KIND = "audit-committee"


def trend_quarters(text: str, kind: str) -> int:
    """How many quarters ``--trend TEXT`` asks for; a usage error for any other text, or for a
    report other than the Audit Committee briefing."""
    if kind != TREND_KIND:
        raise UsageError(f"--trend is for the {TREND_KIND} report only, not `{kind}`")
    match = _SPAN.fullmatch(text.strip().lower())
    count = int(match.group(1)) if match else 0
    if not FEWEST_QUARTERS <= count <= MOST_QUARTERS:
        raise UsageError(
            f"--trend takes a number of quarters from {FEWEST_QUARTERS}q to {MOST_QUARTERS}q"
            f" (such as 4q), not `{text}`"
        )
    return count


def check_history(root: Path) -> None:
    """Refuse ``--trend`` for a repository git does not hold: its history is the trend."""
    if git_output(root, "rev-parse", "--is-inside-work-tree") is None:
        raise UsageError(
            f"--trend reads the repository's history from git, and {root} is not in a git"
            " repository (or git cannot be run there)"
        )


def trend_over(
    root: Path,
    quarters: int,
    result: RunResult,
    graph: Graph,
    progress: Callable[[str], None],
) -> Trend:
    """The trend over ``quarters`` quarters ending with ``result``'s day, ``result`` and
    ``graph`` being the repository as it is on that day."""
    check_history(root)
    days = trend_days(result.today, quarters)
    marks: list[Quarter] = []
    points: list[Point | None] = []
    #: Every metric any point had, as the latest point that had it defines it.
    metrics: dict[str, Metric] = {}
    with tempfile.TemporaryDirectory(prefix="ciptool-trend-") as folder:
        # A commit that stands for several quarter ends is written out once; None: it holds
        # no ciptool.yaml, so the program had no record there yet.
        written: dict[str, Path | None] = {}
        for label, day in days[:-1]:
            revision = resolve_revision(root, day.isoformat())
            if revision is None:
                marks.append(Quarter(label, day, "", recorded=False, why=BEFORE_HISTORY))
                points.append(None)
                continue
            progress(f"reading the repository as it stood on {day}")
            if revision.commit not in written:
                target = Path(folder) / str(len(written))
                written[revision.commit] = _written(root, revision.commit, target)
            exported = written[revision.commit]
            if exported is None:
                marks.append(Quarter(label, day, "", recorded=False, why=BEFORE_HISTORY))
                points.append(None)
                continue
            point, old_graph = _point_at(exported, day)
            why = "" if point is not None else UNREADABLE
            marks.append(Quarter(label, day, revision.commit[:12], point is not None, why=why))
            points.append(point)
            if old_graph is not None:
                metrics.update({s.record.id: s.record for s in old_graph.metrics.values()})
    label, day = days[-1]
    marks.append(Quarter(label, day, "", recorded=True, current=True))
    points.append(measure_point(graph, result, day))
    metrics.update({s.record.id: s.record for s in graph.metrics.values()})
    return build_trend(marks, points, [metrics[ident] for ident in sorted(metrics)])


def _written(root: Path, commit: str, target: Path) -> Path | None:
    """``commit``'s files written into ``target``; None when it held no ``ciptool.yaml`` (the
    folder was not yet a compliance repository) or git could not list them."""
    target.mkdir()
    written = export_revision(root, commit, target)
    if written is None or not (written / "ciptool.yaml").is_file():
        return None
    return written


def _point_at(root: Path, day: dt.date) -> tuple[Point | None, Graph | None]:
    """The trend's figures of the repository written out at ``root``, judged as of ``day``;
    None when its ``ciptool.yaml`` is not usable or a file of it could not be read (figures
    made without it could be wrong, as a report of today would be)."""
    result, graph = check_repository(root, RunSettings(today=day))
    if graph is None or unread_files(result.findings):
        return None, None
    return measure_point(graph, result, day), graph
