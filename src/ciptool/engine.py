"""Runs the checks over a loaded repository and applies the run's settings to the findings."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ciptool import checks
from ciptool.checks import Check, Context
from ciptool.checks.exceptions import UnmatchedException
from ciptool.findings import Finding, Severity, sorted_findings
from ciptool.graph import Graph
from ciptool.incremental.ahead import ReadAhead
from ciptool.incremental.signatures import Inputs
from ciptool.loader import load_repository, locate_findings
from ciptool.loader.collector import gc_paused
from ciptool.models.records import RiskException
from ciptool.queries.coverage import coverage
from ciptool.queries.exceptions import NOT_EXCEPTABLE, live_exceptions
from ciptool.results import RunResult, RunSettings, selected

#: Given what a load read, the result of checking it when that is already known, else None.
Known = Callable[[Inputs], RunResult | None]


def check_repository(
    root: Path,
    settings: RunSettings,
    inputs: Inputs | None = None,
    known: Known | None = None,
    ahead: ReadAhead | None = None,
) -> tuple[RunResult, Graph | None]:
    """Load ``root``, run every selected check, and return the result with its graph.

    The folders and files read are recorded in ``inputs``. With ``known``, the checks do not
    run when it knows the result for what this load read: that result is returned with the
    graph just loaded. ``ahead`` is the load begun already (see :mod:`ciptool.incremental.ahead`).
    """
    # The whole run builds long-lived objects; the cyclic collector would only rescan them.
    with gc_paused():
        return _check(root, settings, inputs if inputs is not None else Inputs(), known, ahead)


def _check(
    root: Path,
    settings: RunSettings,
    inputs: Inputs,
    known: Known | None,
    ahead: ReadAhead | None,
) -> tuple[RunResult, Graph | None]:
    repository = load_repository(root, settings.cache_dir, inputs, ahead)
    config = repository.config
    if config is None:
        findings = tuple(sorted_findings(repository.findings))
        result = RunResult(
            root,
            "",
            findings,
            repository.files_read,
            False,
            settings.today,
            counts=tally(findings),
        )
        return result, None
    graph = Graph(repository)
    if known is not None and (made := known(inputs)) is not None:
        return made, graph
    ctx = context(graph, settings)
    found = list(repository.findings)
    found.extend(run_checks(checks.ALL_CHECKS, ctx, settings))
    found.extend(unmatched_exceptions(ctx, found, settings))
    ordered = tuple(sorted_findings(settle(graph, found, settings)))
    result = RunResult(
        root,
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
    return result, graph


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
