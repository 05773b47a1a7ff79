"""``ciptool audit requests``: generate the auditor's requests for evidence, or update them from
the auditor's workbook."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ciptool.cli import RepoOption, audit_app, echo, reports_errors
from ciptool.errors import UsageError


class OwnerFrom(str, Enum):
    """Whose name a generated request carries as its owner."""

    control = "control"
    policy = "policy"


@audit_app.command("requests", short_help="Generate the PBC requests, or update them from XLSX.")
@reports_errors
def audit_requests(  # noqa: PLR0917 - typer passes the options by name
    period: Annotated[
        Optional[str],  # noqa: UP045 - typer reads the annotation at run time on Python 3.10
        typer.Option(
            metavar="START..END", help="The SOC 2 period (default: soc2.period in ciptool.yaml)."
        ),
    ] = None,
    requested_on: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(metavar="DATE", help="The day of the request (default: today)."),
    ] = None,
    due_in: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(metavar="DURATION", help="Due this long after --requested-on (default: 14d)."),
    ] = None,
    due_on: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(metavar="DATE", help="Due on this day, instead of --due-in."),
    ] = None,
    owner_from: Annotated[
        OwnerFrom,
        typer.Option(
            help="The owner of each request: the control's owner, or its policy's owner (the"
            " control's when the policy names none)."
        ),
    ] = OwnerFrom.control,
    update_from: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--update-from",
            metavar="FILE.xlsx",
            help="Update status, provided_on, provider and auditor_comments from the auditor's"
            " edited `ciptool report pbc -f xlsx` workbook, instead of generating.",
            dir_okay=False,
        ),
    ] = None,
    repo: RepoOption = None,
) -> None:
    """Generate one request per evidence requirement of every control a SOC 2 examination
    tests for the period, as a new file in requests/, or update the requests from a workbook.

    Generating never overwrites a file and never repeats a request that exists for the same
    control, evidence requirement and period; new requests take the next ids of the period's
    year (PBC-2026-001...). Updating (--update-from) reads the columns Status, Provided on,
    Provider and Auditor comments, rewrites only the request files they change, keeping
    comments, order and every other field, and prints each change. All or nothing: a row with
    an unknown or repeated id, a status that is not requested, provided, accepted or rejected,
    or a result that would not validate is reported with its sheet row (exit 2), and no file is
    written.
    """
    from ciptool.cli.commands import _repository, parse_date, parse_period

    root = _repository(repo)
    if update_from is not None:
        given = [
            name
            for name, value in (
                ("--period", period),
                ("--requested-on", requested_on),
                ("--due-in", due_in),
                ("--due-on", due_on),
            )
            if value is not None
        ]
        if given or owner_from is not OwnerFrom.control:
            raise UsageError(
                f"--update-from updates requests; {', '.join(given) or '--owner-from'} is for"
                " generating them"
            )
        _update(root, update_from)
        return
    if due_in and due_on:
        raise UsageError("give --due-in or --due-on, not both")
    from ciptool.app.pbc import Generation, generate_requests

    asked = Generation(
        requested_on=parse_date(requested_on, "--requested-on")
        if requested_on
        else dt.date.today(),
        period=parse_period(period) if period else None,
        due_on=parse_date(due_on, "--due-on") if due_on else None,
        due_in=_duration(due_in) if due_in else None,
        owner_from=owner_from.value,
    )
    generated = generate_requests(root, asked)
    span = f"{generated.period.start}..{generated.period.end}"
    kept = len(generated.kept)
    if generated.path is None:
        echo(f"every request for {span} exists already ({kept} kept); nothing was written")
        return
    written = generated.written
    echo(
        f"wrote {generated.path.relative_to(root).as_posix()}: {len(written)} request"
        f"{'' if len(written) == 1 else 's'} for {span}, {_ids(written)},"
        f" due {written[0].due_on}" + (f"; {kept} already requested, kept" if kept else "")
    )
    if generated.owner_fallbacks:
        echo(
            f"{len(generated.owner_fallbacks)} take the control's owner: their policy names no"
            f" owner ({', '.join(generated.owner_fallbacks)})"
        )


def _update(root: Path, workbook: Path) -> None:
    from ciptool.app.pbc import update_from_workbook

    updated = update_from_workbook(root, workbook)
    for change in updated.changes:
        echo(
            f"{change.request} ({change.file}): {change.field}"
            f" {_shown(change.old)} -> {_shown(change.new)}"
        )
    requests = len({change.request for change in updated.changes})
    files = len(updated.files)
    echo(
        f"{updated.rows} row{'' if updated.rows == 1 else 's'} read;"
        f" {requests} request{'' if requests == 1 else 's'} changed in {files}"
        f" file{'' if files == 1 else 's'}",
        err=True,
    )


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    text = str(value)
    return repr(text) if "\n" in text or len(text) > 60 else text


def _duration(text: str) -> Any:
    from ciptool.models.types import Duration

    try:
        return Duration.parse(text)
    except ValueError:
        raise UsageError(
            f"--due-in takes a duration such as 14d, 3w or 1mo, not `{text}`"
        ) from None


def _ids(written: Any) -> str:
    first, last = written[0].id, written[-1].id
    return first if first == last else f"{first} to {last}"
