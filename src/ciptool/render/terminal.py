"""Findings for people at a terminal: grouped by file, one line each, summary on stderr."""

from __future__ import annotations

import io
from itertools import groupby

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ciptool.findings import Finding, Severity
from ciptool.results import RunResult, Status, summary

_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_HEADERS = {Status.COVERED_WITH_DEVIATIONS: "deviations", Status.NOT_APPLICABLE: "n/a"}


def render_findings(result: RunResult, out: Console) -> None:
    """Print the findings, grouped by file, each with its position, code and advice."""
    for file, group in groupby(result.findings, key=_file_of):
        out.print(Text(file or "(repository)", style="bold underline"))
        for finding in group:
            out.print(_line(finding))
        out.print()


def render_coverage(result: RunResult, err: Console) -> None:
    """A table per framework in scope: how many requirements stand where, and the share of
    applicable requirements covered (excepted and not-applicable ones are never added in).
    """
    table = summary(list(result.coverage))
    if not table:
        return
    grid = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
        title=f"Coverage as of {result.today}",
        caption="deviations: covered, with intervals of the SOC 2 period missed;"
        " covered %: covered of the applicable requirements",
    )
    grid.add_column("framework")
    for status in Status:
        grid.add_column(_HEADERS.get(status, status.value), justify="right")
    grid.add_column("covered %", justify="right")
    for framework, counts in table.items():
        applicable = sum(counts.values()) - counts[Status.NOT_APPLICABLE.value]
        covered = counts[Status.COVERED.value]
        share = f"{covered / applicable:.0%}" if applicable else "-"
        grid.add_row(framework, *(str(counts[s.value]) for s in Status), share)
    err.print(grid)


def render_summary(result: RunResult, err: Console) -> None:
    """One line: what was read, what was found, and whether the run fails."""
    counts = result.counts
    parts = [
        _plural(counts.get("error", 0), "error"),
        _plural(counts.get("warning", 0), "warning"),
        _plural(counts.get("note", 0), "note"),
    ]
    excepted = sum(1 for f in result.findings if f.excepted)
    if excepted:
        parts.append(f"{excepted} excepted")
    baselined = sum(1 for f in result.findings if f.in_baseline)
    if baselined:
        parts.append(f"{baselined} in the baseline")
    text = Text(f"ciptool check: {_plural(result.files_read, 'file')} read; " + ", ".join(parts))
    if not result.config_usable:
        text.append(" - ciptool.yaml is not usable; fix it first", style="bold red")
    elif result.failing():
        text.append(f" - failed (fail on {result.fail_on})", style="bold red")
    else:
        text.append(" - passed", style="bold green")
    err.print(text)


def render_text(result: RunResult) -> str:
    """Findings, coverage table and summary as plain text, for ``-o FILE``."""
    buffer = io.StringIO()
    console = Console(file=buffer, color_system=None, soft_wrap=True, highlight=False, width=100)
    render_findings(result, console)
    render_coverage(result, console)
    render_summary(result, console)
    return buffer.getvalue()


def _file_of(finding: Finding) -> str:
    return finding.location.file if finding.location else ""


def _line(finding: Finding) -> Text:
    location = finding.location
    position = f"{location.line}:{location.column}" if location and location.line else "-"
    text = Text("  ")
    text.append(f"{position:<8}", style="dim")
    text.append(f"{finding.severity.value:<8}", style=_STYLES[finding.severity])
    text.append(f"{finding.code:<6} ", style="bold")
    text.append(finding.message)
    indent = " " * 25
    if finding.excepted:
        note = f"excepted by {finding.excepted_by} until {finding.excepted_until}"
        text.append(f"\n{indent}{note}", style="magenta")
    if finding.in_baseline:
        text.append(f"\n{indent}in the baseline", style="dim")
    if finding.suggestion:
        text.append(f"\n{indent}")
        text.append(finding.suggestion, style="green")
    for related in finding.related:
        text.append(f"\n{indent}see also {related}", style="dim")
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
