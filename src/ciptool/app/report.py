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
from ciptool.render.documents import has_template, render_document
from ciptool.reports import REPORT_KINDS, build_report, report_meta
from ciptool.results import RunSettings


@dataclass(frozen=True)
class ReportRequest:
    """What the command line asked for."""

    kind: str
    fmt: str
    as_of: dt.date
    generated_at: dt.datetime
    since: str | None = None
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
    if builtin is None and not has_template(root, request.kind, request.fmt):
        known = ", ".join(REPORT_KINDS)
        raise UsageError(
            f"unknown report `{request.kind}`: use one of {known}, or add"
            f" templates/{request.kind}.{request.fmt}.j2 to the repository"
        )
    if builtin is not None and request.fmt not in builtin.formats:
        raise UsageError(
            f"`{request.kind}` comes as {', '.join(builtin.formats)}, not {request.fmt}"
        )
    if request.since:
        from ciptool.app.since import check_since

        check_since(request.since, request.as_of)
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
    progress(f"rendering {request.kind} as {request.fmt}")
    context = build_report(request.kind, graph, result, meta, changes, everything=builtin is None)
    read = partial(inputs.hold, root)
    if request.fmt in ("md", "html"):
        document = render_document(root, request.kind, request.fmt, context).encode("utf-8")
        return Report(document, read)
    if request.fmt == "csv":
        from ciptool.render.spreadsheets import render_csv

        return Report(render_csv(request.kind, context), read)
    if request.fmt == "xlsx":
        from ciptool.render.spreadsheets import render_xlsx

        return Report(render_xlsx(request.kind, context, request.generated_at), read)
    from ciptool.render.pdf import render_pdf

    return Report(render_pdf(request.kind, context, root), read)


def write_report(path: Path, report: Report) -> None:
    """Write the document atomically, creating its folder; never over a file the run read."""
    write_product(path, report.data, report.read)
