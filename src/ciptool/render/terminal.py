"""Findings for people at a terminal: grouped by file, one line each, summary on stderr."""

from __future__ import annotations

import io
from itertools import groupby
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderHook, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ciptool.findings import Finding, Severity
from ciptool.render.printable import printable
from ciptool.results import RunResult, Status, summary

if TYPE_CHECKING:
    from ciptool.render.run_scope import RunScope


class _Printable:
    """A renderable shown with its text through ``printable`` (styles are untouched)."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control or segment.text == "\n":
                yield segment
            else:
                yield Segment(printable(segment.text, lines=True), segment.style)


class _PrintableHook(RenderHook):
    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        return [_Printable(renderable) for renderable in renderables]


def terminal_console(**options: Any) -> Console:
    """A console that shows control characters in everything it prints as escapes."""
    console = Console(soft_wrap=True, highlight=False, **options)
    console.push_render_hook(_PrintableHook())
    return console


_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


#: Coverage gaps are shown per framework and category, with this many ids of each.
GAP_IDS_SHOWN = 3
_GAP = "CV001"
_HEADERS = {Status.COVERED_WITH_DEVIATIONS: "deviations", Status.NOT_APPLICABLE: "n/a"}


def render_findings(result: RunResult, out: Console) -> None:
    """Print the findings, grouped by file, each with its position, code and advice.

    Coverage gaps (CV001) are grouped by framework and category, one line per category with
    a count and the first ids, so that one new gap does not hide among hundreds: a gap that
    a live exception or the baseline holds is grouped apart from the open ones, and a group
    of one is shown as the finding itself. Every gap is still a finding of its own in JSON,
    SARIF and JUnit.
    """
    groups = _gap_groups(result)
    with _Lines(out) as lines:
        for file, findings in groupby(result.findings, key=_file_of):
            lines.add([(printable(file) or "(repository)", "bold underline")])
            shown: set[str] = set()
            for finding in findings:
                if finding.code != _GAP or finding.requirement is None:
                    lines.extend(_line(finding))
                    continue
                framework = _framework_of(finding)
                if framework in shown:
                    continue
                shown.add(framework)
                for (category, held), group in groups[framework].items():
                    one = len(group) == 1
                    lines.extend(
                        _line(group[0]) if one else _gap_line(framework, category, held, group)
                    )
                if any(len(group) > 1 for group in groups[framework].values()):
                    lines.add([(_EACH_GAP, "dim")])
            lines.add([])


#: A line of terminal output: pieces of text, each with its style ("" for none).
Line = list[tuple[str, str]]


class _Lines:
    """Lines written to a console a thousand at a time, each byte as ``console.print`` of the
    same ``Text`` writes it.

    Printing a ``Text`` costs rich about 0.1 ms; 300,000 findings took 25 s. Here each style
    is rendered once, by the console itself (so colour system, ``NO_COLOR`` and the like are
    its own), and lines are joined as text. The console's own printing is kept where it does
    more than write text: recording, Jupyter, the legacy Windows console.
    """

    _BATCH = 1000

    def __init__(self, console: Console) -> None:
        self.console = console
        self.direct = not (console.record or console.is_jupyter or console.legacy_windows)
        self.styles: dict[str, tuple[str, str]] = {"": ("", "")}
        self.pending: list[Line] = []

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.flush()

    def add(self, line: Line) -> None:
        """Write ``line`` (after the lines before it)."""
        self.pending.append(line)
        if len(self.pending) >= self._BATCH:
            self.flush()

    def extend(self, lines: list[Line]) -> None:
        """Write each of ``lines``."""
        for line in lines:
            self.add(line)

    def flush(self) -> None:
        """Write the lines held back."""
        lines, self.pending = self.pending, []
        if not lines or self.console.quiet:
            return
        if not self.direct:
            for line in lines:
                self.console.print(Text.assemble(*line))
            return
        texts = "".join(text for line in lines for text, _ in line)
        shown = printable(texts, lines=True) == texts  # the console's hook escapes the same
        out = []
        for line in lines:
            for text, style in line:
                if text:
                    before, after = self._codes(style)
                    out.append(before + (text if shown else printable(text, lines=True)) + after)
            out.append("\n")
        self.console.file.write("".join(out))
        self.console.file.flush()

    def _codes(self, style: str) -> tuple[str, str]:
        """What the console writes before and after a piece of text in ``style``."""
        codes = self.styles.get(style)
        if codes is None:
            with self.console.capture() as capture:
                self.console.print(Text("X", style=style), end="")
            before, _, after = capture.get().partition("X")
            codes = self.styles[style] = (before, after)
        return codes


def _framework_of(finding: Finding) -> str:
    return (finding.requirement or "").partition(":")[0]


def _held(finding: Finding) -> str:
    """What holds a finding back from failing the run: an exception, the baseline, nothing."""
    if finding.excepted:
        return "excepted"
    return "in the baseline" if finding.in_baseline else ""


def _gap_groups(result: RunResult) -> dict[str, dict[tuple[str, str], list[Finding]]]:
    """Framework -> (category, what holds them) -> its CV001 findings, in catalog order."""
    rows = {f"{row.framework}:{row.requirement}": row for row in result.coverage}
    order = {key: index for index, key in enumerate(rows)}
    gaps = [f for f in result.findings if f.code == _GAP and f.requirement is not None]
    gaps.sort(key=lambda f: order.get(f.requirement or "", len(order)))
    groups: dict[str, dict[tuple[str, str], list[Finding]]] = {}
    for finding in gaps:
        row = rows.get(finding.requirement or "")
        by_category = groups.setdefault(_framework_of(finding), {})
        key = (row.group if row else "", _held(finding))
        by_category.setdefault(key, []).append(finding)
    return groups


def _gap_line(framework: str, category: str, held: str, group: list[Finding]) -> list[Line]:
    """One line for the coverage gaps of one category: the count and the first ids."""
    ids = [(f.requirement or "").partition(":")[2] for f in group]
    shown = ", ".join(ids[:GAP_IDS_SHOWN]) + (", ..." if len(ids) > GAP_IDS_SHOWN else "")
    where = f"{framework} {category}" if category else framework
    text = f"{where}: {len(group)} gaps, in scope but mapped by no control ({shown})"
    lines = [[*_head(group[0]), (text, "")]]
    if held:
        lines.append([(f"{_INDENT}all {held}", "magenta" if held == "excepted" else "dim")])
    return lines


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
    # Title and caption as lines of their own: rich versions centre and pad a table's title
    # differently, and the output must not change with the version installed.
    err.print(Text(f"Coverage as of {result.today}"))
    err.print(grid)
    err.print(
        Text(
            "deviations: covered, with intervals of the SOC 2 period missed;"
            " covered %: covered of the applicable requirements"
        )
    )


def render_summary(result: RunResult, err: Console, scope: RunScope | None = None) -> None:
    """One line: what was read, what was found, whether the run fails, and how many rules
    ran when ``--select``/``--ignore`` (in ``scope``) left some out.
    """
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
        err.print(text)
        return
    failed = bool(result.failing())
    notes = [f"fail on {result.fail_on}"] if failed else []
    left_out = scope.rules_not_run(result) if scope is not None else []
    if scope is not None and left_out:
        from ciptool.checks import ALL_RULES  # only now: a kept result prints without it

        ran = len(ALL_RULES) - len(left_out)
        notes.append(f"only {ran} of {_plural(len(ALL_RULES), 'rule')} ran: {scope.asked()}")
    text.append(
        " - failed" if failed else " - passed", style="bold red" if failed else "bold green"
    )
    if notes:
        text.append(f" ({'; '.join(notes)})", style="bold red" if failed else "yellow")
    err.print(text)


def render_text(result: RunResult, scope: RunScope | None = None) -> str:
    """Findings, coverage table and summary as plain text, for ``-o FILE``."""
    buffer = io.StringIO()
    console = terminal_console(file=buffer, color_system=None, width=100)
    render_findings(result, console)
    render_coverage(result, console)
    render_summary(result, console, scope)
    return buffer.getvalue()


def _file_of(finding: Finding) -> str:
    return finding.location.file if finding.location else ""


_INDENT = " " * 25
_EACH_GAP = f"{_INDENT}each gap is listed one by one by --format json, sarif or junit"


def _head(finding: Finding) -> Line:
    """The start of a finding's line: position, severity and code."""
    location = finding.location
    position = f"{location.line}:{location.column}" if location and location.line else "-"
    return [
        ("  ", ""),
        (f"{position:<8}", "dim"),
        (f"{finding.severity.value:<8}", _STYLES[finding.severity]),
        (f"{finding.code:<6} ", "bold"),
    ]


def _line(finding: Finding) -> list[Line]:
    """A finding's lines: its head and message, then what holds it back, advice, places."""
    lines = [[*_head(finding), (printable(finding.message), "")]]
    if finding.excepted:
        note = f"excepted by {finding.excepted_by} until {finding.excepted_until}"
        lines.append([(f"{_INDENT}{note}", "magenta")])
    if finding.in_baseline:
        lines.append([(f"{_INDENT}in the baseline", "dim")])
    if finding.suggestion:
        lines.append([(_INDENT, ""), (printable(finding.suggestion), "green")])
    lines.extend(
        [(f"{_INDENT}see also {printable(str(related))}", "dim")] for related in finding.related
    )
    return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
