"""The commands. Each parses options, calls one core function, renders, and exits."""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ciptool.cli import (
    CacheDirOption,
    NoCacheOption,
    RepoOption,
    app,
    echo,
    evidence_app,
    frameworks_app,
    reports_errors,
    rules_app,
    stop_on_unread,
)
from ciptool.errors import RepositoryNotFound, UsageError
from ciptool.render import CheckFormat, ReportFormat
from ciptool.reports import REPORT_KINDS

if TYPE_CHECKING:
    from ciptool.fileio.atomic import ReadByTheRun
    from ciptool.models.records import Period
    from ciptool.render.run_scope import RunScope
    from ciptool.results import RunResult


class FailOn(str, Enum):
    """The lowest severity that fails the run."""

    error = "error"
    warning = "warning"
    never = "never"


class ListFormat(str, Enum):
    """Output formats of listing commands."""

    terminal = "terminal"
    json = "json"


#: ``--as-of`` of the commands that judge as check does (check, explain).
JudgedAsOf = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--as-of", metavar="DATE", help="Judge as of this date, YYYY-MM-DD (default: today)."
    ),
]
#: ``--period`` of the commands whose statuses depend on the SOC 2 period (check, explain).
Soc2Period = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        metavar="START..END", help="SOC 2 audit period (default: soc2.period in ciptool.yaml)."
    ),
]


def _repository(repo: Path | None) -> Path:
    from ciptool.loader.places import CONFIG_FILE, find_repository

    if repo is None:
        return find_repository(Path.cwd())
    if not (repo / CONFIG_FILE).is_file():
        raise RepositoryNotFound(f"{repo} has no {CONFIG_FILE}; run `ciptool init {repo}` first")
    return repo.resolve()


def _cache_dir(root: Path, cache_dir: Path | None, no_cache: bool) -> Path | None:
    """Where this run keeps its cache; None for none (see :mod:`ciptool.app.cachefolder`)."""
    from ciptool.app.cachefolder import cache_folder

    folder, note = cache_folder(root, cache_dir, no_cache)
    if note is not None:
        echo(f"ciptool: {note}", err=True)
    return folder


@app.command(short_help="Validate the repository and report findings.")
@reports_errors
def check(
    repo: RepoOption = None,
    output_format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CheckFormat.terminal,
    fail_on: Annotated[
        Optional[FailOn],  # noqa: UP045
        typer.Option(
            help="Fail at this severity or above (default: check.fail_on in ciptool.yaml)."
        ),
    ] = None,
    as_of: JudgedAsOf = None,
    select: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(metavar="CODES", help="Only these codes or families, e.g. EV,RF002."),
    ] = None,
    ignore: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(metavar="CODES", help="Leave out these codes or families, e.g. CV."),
    ] = None,
    period: Soc2Period = None,
    baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            metavar="FILE",
            help="Fail only on findings that are not in this baseline.",
            dir_okay=False,
        ),
    ] = None,
    write_baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            metavar="FILE", help="Record every current finding in a baseline file.", dir_okay=False
        ),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to FILE (atomically) instead of standard output.",
            dir_okay=False,
        ),
    ] = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Load the repository, validate every record and reference, and report findings.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 bad usage or an
    unusable ciptool.yaml; 3 an internal error.
    """

    from ciptool.app.baseline import read_baseline
    from ciptool.app.check import check as run_check
    from ciptool.loader.places import work_tree_prefix
    from ciptool.render.outputs import CHECK_OUTPUTS, render_check
    from ciptool.render.run_scope import RunScope, exit_code
    from ciptool.results import RunSettings

    settings = RunSettings(
        today=parse_date(as_of, "--as-of") if as_of else dt.date.today(),
        fail_on=fail_on.value if fail_on else None,
        select=_codes(select, "--select"),
        ignore=_codes(ignore, "--ignore"),
        soc2_period=parse_period(period) if period else None,
        baseline=read_baseline(baseline) if baseline else None,
    )
    root = _repository(repo)
    result, inputs = run_check(root, settings, _cache_dir(root, cache_dir, no_cache))
    scope = RunScope(settings.select, settings.ignore, work_tree_prefix(root))
    to_terminal = CHECK_OUTPUTS[output_format].for_terminal
    if output is None and write_baseline is None and not to_terminal:
        _write_out(render_check(output_format, result, scope))  # a console is not needed
    else:
        targets = (output, write_baseline)
        _show_check(result, output_format, scope, targets, partial(inputs.hold, root))
    raise typer.Exit(exit_code(result))


def _show_check(
    result: RunResult,
    output_format: CheckFormat,
    scope: RunScope,
    targets: tuple[Path | None, Path | None],
    read: ReadByTheRun,
) -> None:
    """Print, or write to files, what ``check`` found, with a summary on standard error.

    ``targets`` are the output and the baseline to write, if any; neither is written when
    either is a file the run ``read``.
    """
    from ciptool.app.baseline import write_baseline as write_baseline_file
    from ciptool.fileio.atomic import refuse_an_input, write_product
    from ciptool.render.outputs import CHECK_OUTPUTS, render_check
    from ciptool.render.terminal import (
        render_coverage,
        render_findings,
        render_summary,
        terminal_console,
    )

    output, write_baseline = targets
    for target in targets:
        if target is not None:
            refuse_an_input(target, read)
    err = terminal_console(stderr=True)
    if write_baseline is not None:
        count = write_baseline_file(write_baseline, result.findings, read)
        err.print(f"wrote {write_baseline} ({count} findings)")
    if output is not None:
        write_product(output, render_check(output_format, result, scope), read)
        render_summary(result, err, scope)
        err.print(f"wrote {output}")
    elif CHECK_OUTPUTS[output_format].for_terminal:
        render_findings(result, terminal_console())
        render_coverage(result, err)
        render_summary(result, err, scope)
    else:
        _write_out(render_check(output_format, result, scope))


def _write_out(text: str) -> None:
    """Write ``text`` to standard output a megabyte at a time: written whole, it is encoded
    whole first (300,000 findings as JSON: 150 MB more).
    """
    for start in range(0, len(text), 1 << 20):
        sys.stdout.write(text[start : start + (1 << 20)])


@frameworks_app.command("list", short_help="List framework catalogs with counts.")
@reports_errors
def frameworks_list(
    repo: RepoOption = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ListFormat.terminal,
) -> None:
    """List every framework catalog with its counts: bundled ones, and the repository's own."""
    from ciptool.app.frameworks import catalogs_for
    from ciptool.cli.frameworks import print_catalog_list

    catalogs = catalogs_for(_optional_repository(repo))
    print_catalog_list(catalogs, as_json=output_format is ListFormat.json)
    stop_on_unread(
        "frameworks list", catalogs.findings, "a catalog that could not be read is not listed"
    )


@frameworks_app.command("show", short_help="Show a framework or one requirement.")
@reports_errors
def frameworks_show(
    framework: Annotated[str, typer.Argument(help="A framework id, e.g. nist-csf-2.0.")],
    requirement: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(help="A requirement id, e.g. GV.OC-01; omit to list them all."),
    ] = None,
    repo: RepoOption = None,
) -> None:
    """Show a framework's requirements, or one requirement in full."""
    from ciptool.app.frameworks import show_framework
    from ciptool.cli.frameworks import print_shown

    shown = show_framework(_optional_repository(repo), framework, requirement)
    print_shown(shown)
    unread = shown.frameworks.findings
    stop_on_unread("frameworks show", unread, "a catalog that could not be read is not shown")


@app.command(short_help="Explain a control or a framework requirement.")
@reports_errors
def explain(
    identifier: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A control id (IAM-03), a register record's id (RSK-007), a PBC request's id"
            " (PBC-2026-001), or a requirement: iso27001-2022:A.5.10, or just A.5.10 (looked up"
            " in the frameworks in scope first).",
        ),
    ],
    as_of: JudgedAsOf = None,
    period: Soc2Period = None,
    kind: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="KIND",
            help="For an id that records of two kinds have: control, risk, third-party, app,"
            " metric, finding, incident or request.",
        ),
    ] = None,
    repo: RepoOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Explain a control (what it maps to, its evidence, its exceptions, its test procedure,
    its SOC 2 testing, the PBC requests and register records that name it), a requirement (its
    status, why, its SOC 2 testing or Statement of Applicability entry, and the controls that
    map it), a record of the registers (a risk, third party, app, metric, assessment finding or
    incident), or a PBC request (what it asks for, where it stands, the evidence that answers
    it), as of a day.

    A requirement is read as `ciptool check` reads it, in every form check accepts, and has the
    status check gives it for the same --as-of and --period.
    """
    from ciptool.app.explain import explain_identifier
    from ciptool.cli.explain import print_explanation

    today = parse_date(as_of, "--as-of") if as_of else dt.date.today()
    soc2_period = parse_period(period) if period else None
    root = _repository(repo)
    explanation = explain_identifier(
        identifier, root, _cache_dir(root, cache_dir, no_cache), today, soc2_period, kind=kind
    )
    print_explanation(explanation)
    stop_on_unread(
        "explain", explanation.findings, "this answer leaves out whatever could not be read"
    )


@app.command(short_help="Print JSON Schema of a kind of file.")
@reports_errors
def schema(
    kind: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(
            help="config, controls, policies, evidence, exceptions, risks, third-parties, apps,"
            " metrics, findings, incidents, catalog or crosswalk."
        ),
    ] = None,
    output_dir: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--write", metavar="DIR", help="Write every kind's schema into DIR.", file_okay=False
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of a kind of file, so editors check and complete YAML as you type."""
    from ciptool.app.schema import kinds, schema_text, write_schemas
    from ciptool.cli.schemas import print_kinds, print_written

    if output_dir is not None:
        cache = partial(_cache_dir, cache_dir=None, no_cache=False)
        print_written(write_schemas(output_dir, cache))
    elif kind is None:
        print_kinds(kinds())
    else:
        sys.stdout.write(schema_text(kind))


@app.command(short_help="Create a new compliance repository.")
@reports_errors
def init(
    path: Annotated[
        Path, typer.Argument(help="Folder for the new repository (created if needed).")
    ],
    program: Annotated[
        str, typer.Option(help="The program's name.")
    ] = "Information Protection Program",
) -> None:
    """Create a new compliance repository that passes `ciptool check`. Never overwrites a file."""
    from ciptool.app.init import scaffold_repository

    written = scaffold_repository(path, program)
    for file in written:
        echo(f"created {file}")
    echo(f"next: cd {path} && ciptool check")


@app.command(short_help=f"Render a report: {', '.join(REPORT_KINDS)}.")
@reports_errors
def report(
    kind: Annotated[
        str,
        typer.Argument(help=f"{', '.join(REPORT_KINDS)}, or a report of your own from templates/."),
    ],
    report_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Document format.")
    ] = ReportFormat.md,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Where to write it (default: KIND-ASOF.FORMAT here; - for standard output).",
        ),
    ] = None,
    as_of: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--as-of", metavar="DATE", help="Report as of this date (default: today)."),
    ] = None,
    since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="REV|DATE",
            help="Show what changed since a git revision or a date, judged as of that date or the"
            " revision's, never after --as-of (audit-committee).",
        ),
    ] = None,
    trend: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="Nq",
            help="Show posture, risk and metrics over the last N quarters (2q to 8q), read from"
            " git history: the end of each earlier quarter and --as-of itself"
            " (audit-committee).",
        ),
    ] = None,
    generated_at: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="TIME",
            help="The generation time to print, ISO 8601 (default: SOURCE_DATE_EPOCH, else now).",
        ),
    ] = None,
    repo: RepoOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Render a report for auditors or the Audit Committee from the repository and its checks.

    With --as-of and a fixed generation time (--generated-at or SOURCE_DATE_EPOCH) the output is
    byte-for-byte reproducible.
    """
    from ciptool.app.report import ReportRequest, UnreadFiles, make_report, write_report

    root = _repository(repo)
    today = parse_date(as_of, "--as-of") if as_of else dt.date.today()
    request = ReportRequest(
        kind=kind,
        fmt=report_format,
        as_of=today,
        generated_at=_generation_time(generated_at),
        since=since,
        trend=trend,
        cache_dir=_cache_dir(root, cache_dir, no_cache),
    )
    try:
        report = make_report(root, request, lambda step: echo(f"ciptool report: {step}", err=True))
    except UnreadFiles as exc:
        stop_on_unread(
            "report",
            exc.findings,
            "a report would leave out whatever could not be read, so none was written",
        )
        raise
    if output == "-":
        from ciptool.render.report_formats import REPORT_OUTPUTS

        if REPORT_OUTPUTS[report_format].binary:
            raise UsageError(f"{report_format.value} is binary: write it to a file with -o PATH")
        sys.stdout.write(report.data.decode("utf-8"))
        return
    target = Path(output) if output else Path(f"{kind}-{today}.{report_format.value}")
    write_report(target, report)
    echo(f"wrote {target}", err=True)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _generation_time(text: str | None) -> dt.datetime:
    import os

    from ciptool.models.dates import LATEST

    if text:
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--generated-at takes an ISO 8601 time, not `{text}`") from None
        if not _EPOCH.date() <= moment.date() <= LATEST:
            raise UsageError(
                f"--generated-at: the time must lie between {_EPOCH.date()} and {LATEST},"
                f" not `{text}`"
            )
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH should be whole seconds, not `{epoch}`") from None
        if seconds < 0:
            raise UsageError(f"SOURCE_DATE_EPOCH `{epoch}` is before {_EPOCH.date()}")
        last = dt.datetime.combine(LATEST, dt.time(23, 59, 59), tzinfo=dt.timezone.utc)
        if seconds > (last - _EPOCH).total_seconds():
            raise UsageError(f"SOURCE_DATE_EPOCH `{epoch}` is after {LATEST}")
        return _EPOCH + dt.timedelta(seconds=seconds)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


@evidence_app.command("add", short_help="Record evidence files with their digests.")
@reports_errors
def evidence_add(
    files: Annotated[list[Path], typer.Argument(help="The evidence files.", exists=False)],
    requirement: Annotated[
        str,
        typer.Option(
            help="The control's evidence requirement, e.g. recert-signoff; with --third-party,"
            " the minimum standard, e.g. annual-review."
        ),
    ],
    control: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="The control the evidence is for, e.g. IAM-03."),
    ] = None,
    third_party: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--third-party",
            metavar="ID",
            help="The third party the evidence is for, instead of a control, e.g. TP-ACME-CLAIMS.",
        ),
    ] = None,
    effective_on: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="DATE", help="The day the evidence speaks for (default: collected-on)."
        ),
    ] = None,
    period: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(metavar="START..END", help="The span the evidence covers, instead of a day."),
    ] = None,
    collected_on: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(metavar="DATE", help="When it was collected (default: today)."),
    ] = None,
    source: Annotated[str, typer.Option(help="Where it came from, e.g. an export's system.")] = "",
    collected_by: Annotated[str, typer.Option(help="Who collected it.")] = "",
    repo: RepoOption = None,
) -> None:
    """Write a new evidence record listing FILES with their SHA-256 digests.

    The evidence is for a control's evidence requirement (--control), or for a minimum
    standard of the Third Party Management Program that a third party meets (--third-party).
    Files inside the repository are referenced where they are; others are copied into the
    files/ folder beside the record. Nothing is ever overwritten. Exit 2, writing nothing, for
    an unknown control, third party, requirement or standard (with the closest id), a date
    after today or after --collected-on, or files a record already lists for the same control
    or third party and days. A run that fails part way leaves nothing it made behind.
    """
    from ciptool.app.evidence import NewEvidence, add_evidence

    if (control is None) == (third_party is None):
        raise UsageError("give --control or --third-party, one of the two")
    if effective_on and period:
        raise UsageError("give --effective-on or --period, not both")
    today = dt.date.today()
    root = _repository(repo)
    recorded = add_evidence(
        root,
        NewEvidence(
            files=tuple(files),
            control=control or "",
            requirement=requirement,
            third_party=third_party or "",
            collected_on=parse_date(collected_on, "--collected-on") if collected_on else today,
            effective_on=parse_date(effective_on, "--effective-on") if effective_on else None,
            period=parse_period(period) if period else None,
            source=source,
            collected_by=collected_by,
            today=today,
        ),
    )
    for copied in recorded.copied:
        echo(f"copied {copied.relative_to(root)}")
    echo(f"wrote {recorded.record.relative_to(root)}")


@evidence_app.command("verify", short_help="Check every evidence file against its digest.")
@reports_errors
def evidence_verify(
    repo: RepoOption = None,
    against: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--against",
            metavar="FILE",
            help="A manifest delivered before (`ciptool evidence manifest`): report every"
            " record and file added, removed or changed since.",
            dir_okay=False,
        ),
    ] = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ListFormat.terminal,
) -> None:
    """Check that every file an evidence record lists is present with its recorded SHA-256.

    Integrity only, offline, for an auditor: exit 0 when every digest matches, 1 otherwise.
    With --against, the repository is also compared with a manifest delivered before; a file
    whose content and recorded digest were both rewritten is a changed file. Exit 1 when
    anything differs, 2 for a file that is not a manifest. --format json prints the result
    as a documented JSON document (docs/provenance.md).
    """
    from ciptool.app.evidence import verify_evidence
    from ciptool.app.manifest import (
        compare_with_manifest,
        diff_lines,
        read_manifest,
        verify_document,
    )
    from ciptool.render.terminal import render_findings, terminal_console

    root = _repository(repo)
    delivered = read_manifest(against) if against is not None else None
    result = verify_evidence(root)
    diff = compare_with_manifest(root, delivered, result) if delivered is not None else None
    if output_format is ListFormat.json:
        import json

        document = verify_document(root, result, diff)
        _write_out(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        render_findings(result.run, terminal_console())
        for line in diff_lines(diff) if diff is not None else []:
            echo(line)
    if not result.config_usable:
        raise typer.Exit(2)
    summary = (
        f"ciptool evidence verify: {result.files} files in {result.records} records;"
        f" {result.intact} intact, {len(result.run.findings)} problems"
    )
    if diff is not None:
        summary += f"; against {against}: " + ("identical" if diff.identical else diff.counts())
    echo(summary, err=True)
    differs = diff is not None and not diff.identical
    raise typer.Exit(1 if result.run.findings or differs else 0)


@evidence_app.command("manifest", short_help="Write the manifest of every evidence record.")
@reports_errors
def evidence_manifest(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write the manifest (JSON; - for standard output); never over a file"
            " the repository holds as an input.",
            dir_okay=False,
        ),
    ],
    repo: RepoOption = None,
) -> None:
    """Write the manifest an auditor keeps: every evidence record (what it is evidence of,
    its dates, who collected it, its file and line), every file with its SHA-256 as found on
    disk and as recorded, and the git commit with whether the tree differed from it.

    The same repository gives the same bytes. `ciptool evidence verify --against FILE`
    later reports every difference from it.
    """
    from ciptool.app.manifest import write_manifest

    root = _repository(repo)
    to_stdout = str(output) == "-"
    written, data = write_manifest(root, None if to_stdout else output)
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    if written.commit is None:
        at = "not in git"
    else:
        dirty = {True: ", with uncommitted changes", False: "", None: ", changes unknown"}
        at = f"commit {written.commit}{dirty[written.dirty]}"
    where = "the manifest" if to_stdout else str(output)
    echo(f"wrote {where}: {written.records} records, {written.files} files; {at}", err=True)


@rules_app.command("list", short_help="Every code with its severity and summary.")
@reports_errors
def rules_list(
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ListFormat.terminal,
) -> None:
    """List every code ciptool reports, with its default severity and a one-line summary."""
    from ciptool.checks import ALL_RULES

    if output_format is ListFormat.json:
        import json

        rows = [
            {
                "code": rule.code,
                "slug": rule.slug,
                "family": rule.family,
                "severity": rule.severity.value,
                "summary": rule.summary(),
            }
            for rule in ALL_RULES
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    for rule in ALL_RULES:
        echo(f"{rule.code}  {rule.severity.value:<8} {rule.slug:<32} {rule.summary()}")


@rules_app.command("explain", short_help="The documentation of one code.")
@reports_errors
def rules_explain(
    code: Annotated[str, typer.Argument(help="A code such as EV004, or its slug.")],
) -> None:
    """Print what a check looks for, why, a passing and a failing example, and how to fix it."""
    from ciptool.checks import ALL_RULES

    wanted = code.strip()
    for rule in ALL_RULES:
        if wanted.upper() == rule.code or wanted.lower() == rule.slug:
            echo(f"{rule.code} {rule.slug} ({rule.family}, {rule.severity.value} by default)")
            echo("")
            echo(rule.documentation())
            return
    raise UsageError(f"no rule `{code}`; `ciptool rules list` shows them all")


def parse_date(text: str, option: str) -> dt.date:
    """A date given on the command line, or a usage error that says how to write it."""
    from ciptool.models.dates import DATE_RANGE, EARLIEST, LATEST

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} takes a date written YYYY-MM-DD, not `{text}`") from None
    if not EARLIEST <= day <= LATEST:
        raise UsageError(f"{option}: {DATE_RANGE}, not `{text}`")
    return day


def parse_period(text: str) -> Period:
    """``START..END`` as a period, or a usage error."""
    from ciptool.models.records import Period

    start, separator, end = text.partition("..")
    if not separator:
        raise UsageError(f"--period takes START..END, e.g. 2026-01-01..2026-12-31, not `{text}`")
    first, last = parse_date(start, "--period"), parse_date(end, "--period")
    if last < first:
        raise UsageError(f"--period ends ({last}) before it starts ({first})")
    return Period(start=first, end=last)


def _codes(text: str | None, option: str) -> tuple[str, ...]:
    """The codes and families ``option`` names, or a usage error naming one that is neither."""
    codes = tuple(code.strip().upper() for code in (text or "").split(",") if code.strip())
    if not codes:
        return codes
    import difflib

    from ciptool.checks import known_codes

    known = known_codes()
    families = {code.rstrip("0123456789") for code in known}
    for code in codes:
        if code not in known and code not in families:
            close = sorted(difflib.get_close_matches(code, sorted(known | families), n=6))
            hint = f"; did you mean {', '.join(close)}?" if close else ";"
            raise UsageError(
                f"{option}: no code or family `{code}`{hint} `ciptool rules list` shows them"
                f" all; a family is a code's letters ({', '.join(sorted(families))})"
            )
    return codes


def _optional_repository(repo: Path | None) -> Path | None:
    try:
        return _repository(repo)
    except RepositoryNotFound:
        if repo is not None:
            raise
        return None
