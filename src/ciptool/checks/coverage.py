"""Coverage: for every in-scope framework requirement, whether current evidence backs it.

A requirement is ``covered`` when a control mapping it has current, intact evidence for every
evidence requirement; ``declared`` when controls map it but their evidence is missing, stale
or broken; ``excepted`` when a live exception covers it (or covers the mapped controls that
lack evidence); ``not-applicable`` when the Statement of Applicability excludes it; ``gap``
when no control maps it. Crosswalks never make a requirement covered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Iterator, Sequence, Set
from dataclasses import replace

from ciptool.checks.base import Check, Context
from ciptool.checks.evidence import intact, requirement_evidence
from ciptool.checks.exceptions import live_exceptions
from ciptool.findings import Finding, Severity
from ciptool.graph import Graph
from ciptool.models import Catalog, Control, Item, Sourced
from ciptool.results import RequirementCoverage, Status

SOC2 = "soc2-2017"
#: SOC 2 category names in ciptool.yaml -> the criterion prefix of that category.
SOC2_CATEGORIES = {
    "security": "CC",
    "availability": "A",
    "confidentiality": "C",
    "processing-integrity": "PI",
    "privacy": "P",
}


def in_scope_requirements(graph: Graph) -> Iterator[tuple[Catalog, Item]]:
    """The requirements of every framework in scope, in catalog order.

    For SOC 2 only the criteria of the categories in scope count (security always).
    """
    config = graph.config
    if config is None:
        return
    for framework in config.frameworks:
        catalog = graph.catalogs.get(framework)
        if catalog is None:
            continue
        prefixes: set[str] | None = None
        if framework == SOC2:
            categories = {"security", *(config.soc2.categories if config.soc2 else [])}
            prefixes = {SOC2_CATEGORIES[c] for c in categories}
        for item in catalog.requirements:
            if prefixes is None or _top_ancestor(catalog, item.id) in prefixes:
                yield catalog, item


def _top_ancestor(catalog: Catalog, item_id: str) -> str:
    item = catalog.by_id[item_id]
    while item.parent is not None:
        item = catalog.by_id[item.parent]
    return item.id


def control_evidence_current(graph: Graph, today: dt.date) -> dict[str, bool]:
    """Control id -> True when every evidence requirement has current, intact evidence."""
    return graph.derived(("current", today), lambda: _control_evidence_current(graph, today))


def _control_evidence_current(graph: Graph, today: dt.date) -> dict[str, bool]:
    current: dict[str, bool] = {c.record.id: bool(c.record.evidence) for c in graph.iter_controls()}
    for item in requirement_evidence(graph):
        newest = item.newest
        ok = (
            newest is not None
            and not item.stale_on(today)
            and intact(graph, newest)
            and newest.record.collected_on <= today
        )
        if not ok:
            current[item.control.record.id] = False
    return current


def coverage(ctx: Context) -> list[RequirementCoverage]:
    """The status of every in-scope requirement, in framework and catalog order.

    Computed once per graph and day: the checks, the engine and the reports all read it.
    """
    return ctx.graph.derived(("coverage", ctx.today), lambda: _coverage(ctx.graph, ctx.today))


def _coverage(graph: Graph, today: dt.date) -> list[RequirementCoverage]:
    config = graph.config
    if config is None:
        return []
    current = {ident for ident, ok in control_evidence_current(graph, today).items() if ok}
    live = live_exceptions(graph, today)
    excepted = excepted_controls(graph, today)
    excepted_requirements = {
        graph.canonical_reference(e.record.applies_to.requirement)
        for e in live
        if e.record.applies_to.requirement
    }
    results = []
    for catalog, item in in_scope_requirements(graph):
        decision = config.applicability.get(catalog.id, {})
        excluded = next(
            (d for key, d in decision.items() if catalog.resolve(key).item_id == item.id), None
        )
        controls = [
            c.record.id for c in graph.controls_by_requirement.get((catalog.id, item.id), [])
        ]
        reference = f"{catalog.id}:{item.id}"
        if excluded is not None and not excluded.applicable:
            status, reason = Status.NOT_APPLICABLE, excluded.justification
        elif reference in excepted_requirements:
            status, reason = Status.EXCEPTED, REQUIREMENT_EXCEPTED
        else:
            status, reason = _by_controls(controls, current, excepted)
        hints = _suggested(graph, catalog.id, item.id) if status is Status.GAP else ()
        results.append(
            RequirementCoverage(
                catalog.id, item.id, item.title or item.text, status, tuple(controls), reason, hints
            )
        )
    return results


#: The reason given when a live exception covers the requirement itself.
REQUIREMENT_EXCEPTED = "a live exception covers the requirement"


def excepted_controls(graph: Graph, today: dt.date) -> set[str]:
    """The controls that live exceptions cover."""
    live = live_exceptions(graph, today)
    return {e.record.applies_to.control for e in live if e.record.applies_to.control}


def _by_controls(
    controls: Sequence[str], current: Container[str], excepted: Container[str]
) -> tuple[Status, str]:
    """A requirement's status from the controls that map it: those with ``current`` evidence
    and those live exceptions cover (``excepted``).
    """
    if any(c in current for c in controls):
        return Status.COVERED, ""
    if controls and all(c in excepted for c in controls if c not in current):
        return Status.EXCEPTED, "live exceptions cover the mapped controls"
    if controls:
        return Status.DECLARED, "no mapped control has current, intact evidence"
    return Status.GAP, "no control maps it"


def restated(
    rows: Iterable[RequirementCoverage],
    touched: Set[str],
    current: Container[str],
    excepted: Container[str],
) -> tuple[RequirementCoverage, ...]:
    """``rows`` again, with the status of each row a ``touched`` control maps decided afresh
    from the controls with ``current`` evidence and those live exceptions cover.

    For a check of what changed evidence can change: exclusions and exceptions for the
    requirement itself do not depend on evidence, so their rows stand.
    """

    def decided(row: RequirementCoverage) -> RequirementCoverage:
        status, reason = _by_controls(row.controls, current, excepted)
        return replace(row, status=status, reason=reason)

    return tuple(
        decided(row)
        if row.status is not Status.NOT_APPLICABLE
        and row.reason != REQUIREMENT_EXCEPTED
        and not touched.isdisjoint(row.controls)
        else row
        for row in rows
    )


def _suggested(graph: Graph, framework: str, item_id: str) -> tuple[str, ...]:
    """Controls mapping items that a crosswalk links to ``framework:item_id``, either way."""
    found: set[str] = set()
    for sourced in graph.repository.crosswalks:
        crosswalk = sourced.record
        for link in crosswalk.mappings:
            if crosswalk.source_framework == framework and link.from_ == item_id:
                other = (crosswalk.target_framework, link.to)
            elif crosswalk.target_framework == framework and link.to == item_id:
                other = (crosswalk.source_framework, link.from_)
            else:
                continue
            found.update(c.record.id for c in graph.controls_by_requirement.get(other, []))
    return tuple(sorted(found))


class UncoveredRequirement(Check):
    """An in-scope framework requirement that no control maps: a coverage gap.

    Why: a framework in scope is a promise to address each of its requirements; one that no
    control maps is addressed by nothing, unless the Statement of Applicability excludes it
    with a justification (``applicability`` in ``ciptool.yaml``).

    Passes: some control lists ``DE.CM-01`` under ``nist-csf-2.0``, or ``applicability``
    excludes it with a justification.
    Fails: no control maps ``DE.CM-01`` and nothing excludes it.

    Fix: map the control that addresses it, add a control, or record a justified exclusion.
    """

    code = "CV001"
    slug = "uncovered-requirement"
    family = "coverage"
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        config = ctx.graph.repository.config
        if config is None:
            return
        for row in coverage(ctx):
            if row.status is not Status.GAP:
                continue
            catalog = ctx.graph.catalogs[row.framework]
            label = row.title
            yield self.finding(
                f"{catalog.display_name} {row.requirement} is in scope but no control maps it"
                f" ({_short(label)})",
                config.at("frameworks", config.record.frameworks.index(row.framework)),
                "Map a control that addresses it, or exclude it with a justification under"
                f" `applicability: {row.framework}:` in ciptool.yaml.",
                subject=f"{row.framework}:{row.requirement}",
                requirement=f"{row.framework}:{row.requirement}",
            )


class UnmappedControl(Check):
    """A control that maps to no requirement of any framework in scope.

    Why: a control that supports no in-scope requirement is either mis-mapped or outside the
    program's scope; either way it adds nothing to coverage or to the reports.

    Passes: a control with ``mappings: {nist-csf-2.0: [PR.AA-05]}`` and CSF 2.0 in scope.
    Fails: a control with no mappings, or mappings only to frameworks out of scope.

    Fix: map the control to the requirements it addresses.
    """

    code = "CV002"
    slug = "unmapped-control"
    family = "coverage"
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        config = ctx.graph.config
        if config is None or not config.frameworks:
            return
        scope = set(config.frameworks)
        for control in ctx.graph.iter_controls():
            if any(_maps(control, framework) for framework in scope):
                continue
            yield self.finding(
                f"control {control.record.id} maps to no requirement of the frameworks in"
                f" scope ({', '.join(config.frameworks)})",
                control.at("mappings", key=True) if control.record.mappings else control.at("id"),
                "Map the control to the requirements it addresses.",
                subject=control.record.id,
                control=control.record.id,
            )


def _maps(control: Sourced[Control], framework: str) -> bool:
    return bool(control.record.mappings.get(framework))


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
