"""``ciptool report``: load, check, build the view, render it, write it atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ciptool.app.check import checked
from ciptool.errors import UsageError
from ciptool.fileio.atomic import ReadByTheRun, write_product
from ciptool.findings import Finding, unread_files
from ciptool.loader.git import git_state
from ciptool.render import ReportFormat
from ciptool.render.documents import has_template
from ciptool.render.report_formats import REPORT_OUTPUTS, Document
from ciptool.reports import REPORT_KINDS, ReportKind
from ciptool.reports.common import report_meta
from ciptool.reports.view import ReportSource, build_report, kind_content, repository_report
from ciptool.results import RunSettings


@dataclass(frozen=True)
class ReportRequest:
    """What the command line asked for."""

    kind: str
    fmt: ReportFormat
    as_of: dt.date
    generated_at: dt.datetime
    since: str | None = None
    #: ``--trend``: how many quarters, as written (``4q``).
    trend: str | None = None
    cache_dir: Path | None = None


Progress = Callable[[str], None]


class UnreadFiles(Exception):
    """Files of the repository could not be read, so a report would silently leave out what
    they hold (a control, its evidence, an exception): no report is made."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"{len(findings)} loading errors")
        self.findings = findings


@dataclass(frozen=True)
class Report:
    """A rendered document, and what the repository it was made from reads."""

    data: bytes
    #: Whether a path is a file the run read
    #: (see :meth:`ciptool.incremental.signatures.Inputs.hold`).
    read: ReadByTheRun


def make_report(root: Path, request: ReportRequest, progress: Progress) -> Report:
    """The document; a usage error for an unknown kind or an unsupported format, and
    :class:`UnreadFiles` when a file of the repository could not be read."""
    builtin = REPORT_KINDS.get(request.kind)
    output = REPORT_OUTPUTS[request.fmt]
    fmt = request.fmt.value
    if builtin is None and not has_template(root, request.kind, output.template_format):
        known = ", ".join(REPORT_KINDS)
        raise UsageError(
            f"unknown report `{request.kind}`: use one of {known}, or add"
            f" templates/{request.kind}.{output.template_format}.j2 to the repository"
        )
    if builtin is not None and fmt not in builtin.formats:
        raise UsageError(f"`{request.kind}` comes as {', '.join(builtin.formats)}, not {fmt}")
    if builtin is None and output.from_tables:
        tabled = ", ".join(kind.name for kind in REPORT_KINDS.values() if fmt in kind.formats)
        raise UsageError(
            f"`{request.kind}` is a report of your own, made from templates: {fmt} is made"
            f" from the tables of ciptool's reports ({tabled}), which it has not"
        )
    quarters = _comparisons(root, request, builtin)
    progress("loading and checking the repository")
    result, graph, inputs = checked(root, RunSettings(today=request.as_of), request.cache_dir)
    if graph is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    unread = unread_files(result.findings)
    if unread:
        raise UnreadFiles(unread)
    changes = None
    if request.since:
        from ciptool.app.since import changes_since

        progress(f"comparing with {request.since}")
        changes = changes_since(root, request.since, result, graph)
    trend = None
    if quarters is not None:
        from ciptool.app.trend import trend_over

        progress(f"reading the last {quarters} quarters from git history")
        trend = trend_over(root, quarters, result, graph, progress)
    state = git_state(root)
    title = builtin.title if builtin else request.kind.replace("-", " ").capitalize()
    meta = report_meta(
        request.kind,
        title,
        graph,
        result,
        generated_at=request.generated_at,
        commit=state.commit,
        dirty=state.dirty,
    )
    progress(f"rendering {request.kind} as {fmt}")
    if builtin is None:
        context = repository_report(graph, result, meta, changes)
        document = Document(root, request.kind, context)
    else:
        view = build_report(builtin, ReportSource(graph, result, meta, builtin, changes, trend))
        content = kind_content(builtin)
        tables = content.sheets(view) if output.from_tables else ()
        document = Document(root, request.kind, view, tables, content.shows_statuses)
    return Report(output.render(document), partial(inputs.hold, root))


def _comparisons(root: Path, request: ReportRequest, builtin: ReportKind | None) -> int | None:
    """Refuse, before any work, a ``--since`` or ``--trend`` that cannot be answered; the
    number of quarters ``--trend`` asks for, if any."""
    if request.since:
        from ciptool.app.since import check_since

        if builtin is not None and builtin.name != "audit-committee":
            raise UsageError(
                f"--since is for the audit-committee report (and reports of your own), not"
                f" `{request.kind}`"
            )
        check_since(root, request.since, request.as_of)
    if request.trend is not None:
        from ciptool.app.trend import check_history, trend_quarters

        quarters = trend_quarters(request.trend, request.kind)
        check_history(root)
        return quarters
    return None


def write_report(path: Path, report: Report) -> None:
    """Write the document atomically, creating its folder; never over a file the run read."""
    write_product(path, report.data, report.read)
