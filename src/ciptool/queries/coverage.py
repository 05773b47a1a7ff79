"""Coverage: for every in-scope framework requirement, whether current evidence backs it.

One definition of each status, used by the check, JSON, the terminal and every report:

- ``covered``: some mapped control has, for every evidence requirement, evidence that is
  intact, not in the future (collected, effective and ending its period on or before the day),
  not dated ahead (effective and ending its period on or before the day it was collected) and
  current for the control's frequency; and no mapped control is under a live exception or,
  for a SOC 2 criterion, missed an interval of the Type II period.
- ``covered-with-deviations``: as ``covered``, but a mapped control has no evidence for an
  ended interval of the SOC 2 period (EV007). SOC 2 criteria only: the period is SOC 2's.
- ``excepted``: a live exception covers the requirement itself; or a mapped control is under a
  live exception (whatever its evidence), or every mapped control is.
- ``declared``: controls map it, but none has current evidence (and not every one is excepted).
- ``not-applicable``: the Statement of Applicability (``applicability`` in ``ciptool.yaml``)
  excludes it, or the category or function above it; the nearest decision wins.
- ``gap``: no control maps it.

Crosswalks never make a requirement covered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import replace

from ciptool.graph import Graph
from ciptool.models import Catalog, Item
from ciptool.models.records import Applicability, Period
from ciptool.queries.evidence import EvidenceStatus, requirement_evidence
from ciptool.queries.exceptions import live_exceptions
from ciptool.queries.intervals import SOC2, deviations
from ciptool.results import RequirementCoverage, Status

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


def applicability(graph: Graph, catalog: Catalog, item_id: str) -> Applicability | None:
    """The Statement of Applicability decision for a requirement: its own, else that of the
    nearest category or function above it that has one; None when nothing decides.
    """
    decisions = graph.derived(("applicability", catalog.id), lambda: _decisions(graph, catalog))
    item: Item | None = catalog.by_id[item_id]
    while item is not None:
        if item.id in decisions:
            return decisions[item.id]
        item = catalog.by_id[item.parent] if item.parent is not None else None
    return None


def _decisions(graph: Graph, catalog: Catalog) -> dict[str, Applicability]:
    """Catalog item id -> decision, for the keys under ``applicability`` that name an item
    (those that name nothing are RF002 findings). Of two keys naming one item, the first wins.
    """
    config = graph.config
    found: dict[str, Applicability] = {}
    for key, decision in (config.applicability.get(catalog.id, {}) if config else {}).items():
        item_id = catalog.resolve(key).item_id
        if item_id is not None:
            found.setdefault(item_id, decision)
    return found


def control_evidence_current(graph: Graph, today: dt.date) -> dict[str, bool]:
    """Control id -> True when every evidence requirement has current, intact evidence."""
    return graph.derived(("current", today), lambda: _control_evidence_current(graph, today))


def _control_evidence_current(graph: Graph, today: dt.date) -> dict[str, bool]:
    current: dict[str, bool] = {c.record.id: bool(c.record.evidence) for c in graph.iter_controls()}
    for item in requirement_evidence(graph):
        if item.status_on(graph, today) is not EvidenceStatus.CURRENT:
            current[item.control.record.id] = False
    return current


def coverage(graph: Graph, today: dt.date, period: Period | None) -> list[RequirementCoverage]:
    """The status of every in-scope requirement on ``today``, with the SOC 2 Type II
    ``period``, in framework and catalog order.

    Computed once per graph, day and SOC 2 period: the checks, the engine and the reports all
    read it.
    """
    key = ("coverage", today, (period.start, period.end) if period else None)
    return graph.derived(key, lambda: _coverage(graph, today, period))


def deviating_controls(graph: Graph, period: Period | None, today: dt.date) -> dict[str, str]:
    """Control id -> what it missed of the SOC 2 period, for the controls that did."""
    if period is None:
        return {}
    return {
        control: f"{control} has no evidence for {', '.join(runs)} of the SOC 2 period"
        for control, runs in deviations(graph, period, today).items()
    }


def _coverage(graph: Graph, today: dt.date, period: Period | None) -> list[RequirementCoverage]:
    config = graph.config
    if config is None:
        return []
    current = {ident for ident, ok in control_evidence_current(graph, today).items() if ok}
    live = live_exceptions(graph, today)
    excepted = excepted_controls(graph, today)
    deviating = deviating_controls(graph, period, today)
    excepted_requirements = {
        graph.canonical_reference(e.record.applies_to.requirement)
        for e in live
        if e.record.applies_to.requirement
    }
    results = []
    for catalog, item in in_scope_requirements(graph):
        decision = applicability(graph, catalog, item.id)
        controls = [
            c.record.id for c in graph.controls_by_requirement.get((catalog.id, item.id), [])
        ]
        reference = f"{catalog.id}:{item.id}"
        if decision is not None and not decision.applicable:
            status, reason = Status.NOT_APPLICABLE, decision.justification
        elif reference in excepted_requirements:
            status, reason = Status.EXCEPTED, REQUIREMENT_EXCEPTED
        else:
            status, reason = status_by_controls(
                controls, current, excepted, deviating if catalog.id == SOC2 else {}
            )
        hints = _suggested(graph, catalog.id, item.id) if status is Status.GAP else ()
        results.append(
            RequirementCoverage(
                catalog.id,
                item.id,
                item.title or item.text,
                status,
                tuple(controls),
                reason,
                hints,
                item.parent or "",
            )
        )
    return results


#: The reason given when a live exception covers the requirement itself.
REQUIREMENT_EXCEPTED = "a live exception covers the requirement"


def excepted_controls(graph: Graph, today: dt.date) -> dict[str, tuple[str, ...]]:
    """The controls that live exceptions cover, each with those exceptions' ids."""
    found: dict[str, tuple[str, ...]] = {}
    for sourced in live_exceptions(graph, today):
        control = sourced.record.applies_to.control
        if control:
            found[control] = (*found.get(control, ()), sourced.record.id)
    return found


def status_by_controls(
    controls: Sequence[str],
    current: Set[str],
    excepted: Mapping[str, Sequence[str]],
    deviating: Mapping[str, str],
    *,
    role: str = "mapped",
) -> tuple[Status, str]:
    """A requirement's status from the controls that map it: those with ``current`` evidence,
    those live exceptions cover (``excepted``, with the exceptions' ids) and those that missed
    intervals of the SOC 2 period (``deviating``, with what they missed); and why, in words
    that call the controls ``role`` (the Statement of Applicability's additional controls are
    "implementing").
    """
    if not controls:
        return Status.GAP, "no control maps it" if role == "mapped" else f"no {role} control"
    under = [
        f"{c} is under a live exception ({', '.join(excepted[c])})"
        for c in controls
        if c in excepted
    ]
    if not any(c in current for c in controls):
        if all(c in excepted for c in controls):
            return Status.EXCEPTED, "; ".join(under) + f"; no {role} control has current evidence"
        return Status.DECLARED, f"no {role} control has current, intact evidence"
    if under:
        return Status.EXCEPTED, "; ".join(under)
    missed = [deviating[c] for c in controls if c in deviating]
    if missed:
        return Status.COVERED_WITH_DEVIATIONS, "; ".join(missed)
    return Status.COVERED, ""


def restated(
    rows: Iterable[RequirementCoverage],
    touched: Set[str],
    current: Set[str],
    excepted: Mapping[str, Sequence[str]],
    deviating: Mapping[str, str],
) -> tuple[RequirementCoverage, ...]:
    """``rows`` again, with the status of each row a ``touched`` control maps decided afresh
    from the controls with ``current`` evidence, those live exceptions cover and those that
    missed intervals of the SOC 2 period.

    For a check of what changed evidence can change: exclusions and exceptions for the
    requirement itself do not depend on evidence, so their rows stand.
    """

    def decided(row: RequirementCoverage) -> RequirementCoverage:
        missed = deviating if row.framework == SOC2 else {}
        status, reason = status_by_controls(row.controls, current, excepted, missed)
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
