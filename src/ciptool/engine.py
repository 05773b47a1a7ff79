"""Runs the checks over a loaded repository and applies the run's settings to the findings.

A function of the loaded repository and the run's settings: what was read, and how (afresh,
or partly from a cache), is the caller's business.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace

from ciptool import checks
from ciptool.checks import Check, Context
from ciptool.checks.exceptions import UnmatchedException
from ciptool.findings import Finding, Severity, sorted_findings
from ciptool.graph import Graph
from ciptool.loader import locate_findings
from ciptool.loader.collector import gc_paused
from ciptool.models.records import RiskException
from ciptool.models.repository import Repository
from ciptool.queries.coverage import coverage
from ciptool.queries.exceptions import NOT_EXCEPTABLE, live_exceptions
from ciptool.results import RunResult, RunSettings, selected


def check_loaded(repository: Repository, settings: RunSettings) -> tuple[RunResult, Graph | None]:
    """Run every selected check on a loaded repository; the result, with its graph (None when
    ciptool.yaml could not be used, and nothing else was read)."""
    # The whole run builds long-lived objects; the cyclic collector would only rescan them.
    with gc_paused():
        if repository.config is None:
            return unusable(repository, settings), None
        graph = Graph(repository)
        return check_graph(graph, settings), graph


def unusable(repository: Repository, settings: RunSettings) -> RunResult:
    """The result for a repository whose ciptool.yaml could not be used: what is wrong with it."""
    findings = tuple(sorted_findings(repository.findings))
    return RunResult(
        repository.root,
        "",
        findings,
        repository.files_read,
        False,
        settings.today,
        counts=tally(findings),
    )


def check_graph(graph: Graph, settings: RunSettings) -> RunResult:
    """Run every selected check on ``graph``, and settle the findings as the run asks:
    selected, at their configured severity, marked where an exception or the baseline covers
    them."""
    repository = graph.repository
    config = repository.config
    assert config is not None  # a graph is made only of a repository with usable settings
    ctx = context(graph, settings)
    found = list(repository.findings)
    found.extend(run_checks(checks.ALL_CHECKS, ctx, settings))
    found.extend(unmatched_exceptions(ctx, found, settings))
    ordered = tuple(sorted_findings(settle(graph, found, settings)))
    return RunResult(
        repository.root,
        config.record.program,
        ordered,
        repository.files_read,
        True,
        settings.today,
        settings.fail_on or config.record.check.fail_on,
        tally(ordered),
        tuple(coverage(graph, ctx.today, ctx.soc2_period)),
        True if settings.baseline is not None else None,
    )


def context(graph: Graph, settings: RunSettings) -> Context:
    """What the checks read: ``graph``, with the run's day and settings over ciptool.yaml's."""
    config = graph.config
    assert config is not None  # checks run only on a repository with usable settings
    soc2 = config.soc2
    return Context(
        graph=graph,
        today=settings.today,
        known_codes=checks.known_codes(),
        soc2_period=settings.soc2_period or (soc2.period if soc2 else None),
        expiry_warning_days=config.check.expiry_warning_days,
    )


def run_checks(checks: Iterable[Check], ctx: Context, settings: RunSettings) -> Iterator[Finding]:
    """The findings of those of ``checks`` that the run selects."""
    for check in checks:
        if selected(check.code, settings.select, settings.ignore):
            yield from check.run(ctx)


#: The check that judges exceptions against the other checks' findings.
UNMATCHED = next(check for check in checks.ALL_CHECKS if isinstance(check, UnmatchedException))


def unmatched_exceptions(
    ctx: Context, found: list[Finding], settings: RunSettings
) -> list[Finding]:
    """EX004, when selected: the exceptions on one finding of a check that ran, whose subject
    none of ``found`` (every other finding of the run) has."""
    if not selected(UNMATCHED.code, settings.select, settings.ignore):
        return []

    def ran(code: str) -> bool:
        return selected(code, settings.select, settings.ignore)

    return list(UNMATCHED.against(ctx, found, ran))


def settle(graph: Graph, found: list[Finding], settings: RunSettings) -> list[Finding]:
    """The findings as reported: selected, located, at their configured severity, marked
    where a live exception covers them or the baseline knows them.
    """
    config = graph.config
    assert config is not None
    found = [f for f in found if selected(f.code, settings.select, settings.ignore)]
    overrides = config.check.severity
    located = [
        replace(f, severity=Severity(overrides[f.code])) if f.code in overrides else f
        for f in locate_findings(graph.repository.root, found)
    ]
    marked = apply_exceptions(graph, located, settings.today)
    if settings.baseline is not None:
        known = settings.baseline
        marked = [replace(f, in_baseline=True) if f.fingerprint in known else f for f in marked]
    return marked


def apply_exceptions(graph: Graph, findings: list[Finding], today: dt.date) -> list[Finding]:
    """Mark the findings that a live exception covers; they stay reported, with its id.

    When several cover a finding, the first in the repository's order marks it.
    """
    live = live_exceptions(graph, today)
    if not live:
        return findings
    covering = _Covering(graph, [sourced.record for sourced in live])
    marked = []
    for finding in findings:
        cover = None if finding.code.startswith(NOT_EXCEPTABLE) else covering.first(finding)
        if cover is None:
            marked.append(finding)
        else:
            marked.append(replace(finding, excepted_by=cover.id, excepted_until=cover.expires_on))
    return marked


class _Covering:
    """The live exceptions indexed by what they apply to, so a finding looks up, not through.

    An exception names a control, a requirement, or a check with or without a subject.
    """

    def __init__(self, graph: Graph, live: list[RiskException]) -> None:
        self.live = live
        self.by_control: dict[str, int] = {}
        self.by_requirement: dict[str, int] = {}
        self.by_check: dict[tuple[str, str | None], int] = {}
        for position, exception in enumerate(live):
            target = exception.applies_to
            if target.control is not None:
                self.by_control.setdefault(target.control, position)
            elif target.requirement is not None:
                resolved = graph.canonical_reference(target.requirement)
                if resolved is not None:
                    self.by_requirement.setdefault(resolved, position)
            elif target.check is not None:
                self.by_check.setdefault((target.check, target.subject), position)

    def first(self, finding: Finding) -> RiskException | None:
        """The first live exception that covers ``finding``, if any."""
        found = [
            self.by_control.get(finding.control),
            self.by_requirement.get(finding.requirement),
            self.by_check.get((finding.code, None)),
            self.by_check.get((finding.code, finding.subject)),
        ]
        positions = [position for position in found if position is not None]
        return self.live[min(positions)] if positions else None


def tally(findings: tuple[Finding, ...]) -> dict[str, int]:
    counted = Counter(f.severity.value for f in findings)
    return {severity.value: counted.get(severity.value, 0) for severity in Severity}
