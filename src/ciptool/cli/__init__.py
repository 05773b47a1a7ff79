"""The command line: the only place that imports typer.

Each command parses its options, calls one core function, picks a renderer and returns an exit
code. Heavy modules are imported inside the commands so that ``--version`` and ``--help`` stay
fast.
"""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Optional, ParamSpec, TypeVar

import typer

from ciptool import __version__
from ciptool.errors import CiptoolError
from ciptool.fileio.atomic import CannotWrite
from ciptool.findings import Finding, unread_files
from ciptool.render.printable import printable

app = typer.Typer(
    name="ciptool",
    help="Compliance as code: check controls, evidence and framework coverage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
frameworks_app = typer.Typer(
    help="List and show the framework catalogs (bundled and the repository's own).",
    no_args_is_help=True,
)
app.add_typer(frameworks_app, name="frameworks", short_help="List and show framework catalogs.")
evidence_app = typer.Typer(
    help="Record evidence with its digests, and verify evidence integrity.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence", short_help="Record and verify evidence.")
audit_app = typer.Typer(
    help="Audit fieldwork: draw SOC 2 Type II samples into workpapers, and keep the auditor's"
    " requests for evidence.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit", short_help="SOC 2 samples and the auditor's requests.")
rules_app = typer.Typer(
    help="List the checks and rules with their codes, and explain one.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules", short_help="List and explain the checks' codes.")

RepoOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time on Python 3.10
    typer.Option(
        "--repo",
        help="The compliance repository (default: the nearest folder above with ciptool.yaml).",
        file_okay=False,
        show_default=False,
    ),
]

CacheDirOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--cache-dir",
        metavar="DIR",
        envvar="CIPTOOL_CACHE_DIR",
        help="Keep the cache of parsed files and digests here (default: .ciptool-cache in the"
        " repository).",
        file_okay=False,
        show_default=False,
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        envvar="CIPTOOL_NO_CACHE",
        help="Read and hash every file afresh, and leave the cache alone.",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ciptool {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Compliance as code for an information-protection program."""


P = ParamSpec("P")
R = TypeVar("R")


def echo(message: str, *, err: bool = False) -> None:
    """Print a line whose parts may come from a repository (a path, an id), controls shown."""
    typer.echo(printable(message, lines=True), err=err)


def stop_on_unread(command: str, findings: Iterable[Finding], consequence: str) -> None:
    """When a file of the repository was left unread (:func:`~ciptool.findings.unread_files`),
    name each such error where it is (on standard error), say what follows for ``command``,
    and exit 1; otherwise do nothing."""
    unread = unread_files(findings)
    if not unread:
        return
    for finding in unread:
        place = printable(str(finding.location or ""))  # a file name cannot start a line
        echo(
            f"{place}: {finding.severity.value} {finding.code} {printable(finding.message)}",
            err=True,
        )
    files = len({finding.location.file if finding.location else "" for finding in unread})
    echo(
        f"ciptool {command}: {files} file{'' if files == 1 else 's'} of the repository could"
        f" not be read (run `ciptool check` for details); {consequence}",
        err=True,
    )
    raise typer.Exit(1)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors ciptool explains (bad usage, no repository) into a message and exit 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (CiptoolError, CannotWrite) as exc:
            sys.stderr.write(f"ciptool: {printable(str(exc), lines=True)}\n")
            raise typer.Exit(2) from None

    return wrapper


def main() -> None:
    """Console entry point: exit 0/1 as the command decides, 2 for bad usage, 3 for a bug."""
    if hasattr(signal, "SIGPIPE"):  # not on Windows
        # As git and grep do: once the reader of the output stops reading (`ciptool check |
        # head -1`), ciptool ends by SIGPIPE, quietly, with the status a shell shows as 141.
        # Python ignores the signal, and click and rich turn the error into exit 1, which
        # would read as "findings". ciptool writes to no socket, and to no pipe but its own
        # output and its workers' (whose other ends it holds).
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        app()  # usage errors print their message and exit 2 here
    except Exception:  # the one handler for bugs: a short report, never local variables
        import traceback

        sys.stderr.write(
            "ciptool: internal error - this is a bug in ciptool, please report it with"
            " the lines below\n"
        )
        sys.stderr.write(traceback.format_exc(limit=-8))
        sys.exit(3)


from ciptool.cli import audit, commands  # noqa: E402,F401 - registers the commands on the app
