"""SOC 2 Type II workpapers: samples tested in time, deviations answered, and samples that still
match the populations they were drawn from.

The findings about a workpaper's population and items (WP003, WP004) depend on the workpapers of
its control and on every evidence record of the control: a check after changed evidence records
reads the workpapers of the controls those records name (:mod:`ciptool.incremental.recheck`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.graph import Graph
from ciptool.models import EvidenceRecord, Sourced
from ciptool.models.fieldwork import Workpaper
from ciptool.queries.populations import population, population_change

#: Days before the end of fieldwork from which an untested sample item is a finding.
FIELDWORK_WARNING_DAYS = 14


def _workpapers(graph: Graph) -> list[Sourced[Workpaper]]:
    return graph.repository.workpapers


class SampleNotTested(Check):
    """A sample item of the SOC 2 period is not tested yet, and the auditor's fieldwork ends
    within 14 days or has ended.

    Why: every sampled item must be tested, and a deviation answered, before the auditor's
    fieldwork ends (``soc2.fieldwork`` in ``ciptool.yaml``); an item found untested on the last
    day is a scope limitation in the report. Only the workpapers of the run's SOC 2 period
    (``soc2.period``, or ``--period``) are judged; without ``soc2.fieldwork`` nothing is.

    Passes: every sample item has a result of ``pass`` or ``deviation``, or fieldwork ends more
    than 14 days after the day of the check.
    Fails: ``result: not-tested`` on 2026-10-20 when fieldwork ends on 2026-10-31.

    Fix: test the item against the control's test procedure and record the result, the
    tester and the day; or agree a later end of fieldwork with the auditor.
    """

    code = "WP001"
    slug = "sample-not-tested"
    family = "workpapers"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        config = ctx.graph.repository.config
        fieldwork = config.record.soc2.fieldwork if config and config.record.soc2 else None
        if fieldwork is None or ctx.soc2_period is None:
            return
        left = (fieldwork.end - ctx.today).days
        if left > FIELDWORK_WARNING_DAYS:
            return
        if left > 0:
            when = f"fieldwork ends on {fieldwork.end}, in {left} day{'' if left == 1 else 's'}"
        elif left == 0:
            when = f"fieldwork ends today ({fieldwork.end})"
        else:
            when = f"fieldwork ended on {fieldwork.end}"
        for sourced in _workpapers(ctx.graph):
            workpaper = sourced.record
            if workpaper.period != ctx.soc2_period:
                continue
            for index, sample in enumerate(workpaper.samples):
                if sample.result == "not-tested":
                    yield self.finding(
                        f"{workpaper.control} sample item {sample.item} ({sample.occurred_on})"
                        f" is not tested; {when}",
                        sourced.at("samples", index, "result"),
                        "Test it and record `result`, `tester` and `tested_on`.",
                        subject=f"{workpaper.control}/{sample.item}",
                        control=workpaper.control,
                    )


class DeviationWithoutResponse(Check):
    """A sample item tested as a deviation has no management response.

    Why: a SOC 2 Type II report describes each deviation with management's response (what
    caused it and what is done about it); the auditor cannot finish the report without it.

    Passes: ``result: deviation`` with ``management_response: Reviewer was on leave; the
    change was reviewed afterwards and a second approver added.``
    Fails: ``result: deviation`` with an empty ``management_response``, or none.

    Fix: ask the control's owner for management's response and record it in the sample item.
    """

    code = "WP002"
    slug = "deviation-without-response"
    family = "workpapers"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in _workpapers(ctx.graph):
            workpaper = sourced.record
            for index, sample in enumerate(workpaper.samples):
                if sample.result == "deviation" and not sample.management_response.strip():
                    given = "management_response" in sample.model_fields_set
                    yield self.finding(
                        f"{workpaper.control} sample item {sample.item} ({sample.occurred_on})"
                        " is a deviation without a management response",
                        sourced.at("samples", index, "management_response" if given else "result"),
                        "Record management's response to the deviation in `management_response`.",
                        subject=f"{workpaper.control}/{sample.item}",
                        control=workpaper.control,
                    )


class PopulationChanged(Check):
    """A workpaper's population changed after its sample was drawn.

    Why: a sample stands for the population it was drawn from. When evidence records are
    added, removed or redated after sampling, the sample may no longer represent the period
    (an occurrence recorded late was never eligible to be sampled), and the auditor must
    know. The population is what ``ciptool audit sample`` derives for the control and the
    workpaper's period on the day of the check; its size and digest are compared with the
    ones the workpaper recorded.

    Passes: the evidence of the control is as it was when the sample was drawn.
    Fails: a change ticket listed in an evidence record after sampling: "population of
    CHG-01 changed after sampling: 42 occurrences when sampled, 43 now".

    Fix: tell the auditor, and agree whether to draw the added occurrences too; a new sample
    is drawn by moving the workpaper away and running ``ciptool audit sample`` again.
    """

    code = "WP003"
    slug = "population-changed"
    family = "workpapers"
    scope = Scope.CONTROL

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        for sourced in _workpapers(graph):
            workpaper = sourced.record
            control = graph.controls.get(workpaper.control)
            if control is None:
                continue  # WP004
            now = population(graph, control, workpaper.period, ctx.today)
            changed = population_change(workpaper, now)
            if changed:
                yield self.finding(
                    f"population of {workpaper.control} for {workpaper.period.start}.."
                    f"{workpaper.period.end} changed after sampling: {changed}",
                    sourced.at("population"),
                    "Tell the auditor; to draw again, move this workpaper away and run"
                    " `ciptool audit sample` again.",
                    subject=f"{workpaper.control}/{workpaper.period.start}..{workpaper.period.end}",
                    control=workpaper.control,
                )


class WorkpaperMismatch(Check):
    """A workpaper names a control that does not exist, repeats another workpaper of the same
    control and period, or lists a sample item that is not in the population.

    Why: a workpaper is read as the test of one control for one period. Two workpapers for the
    same control and period give two results for it, and a sample item the population does
    not hold (or holds with another date, or twice in a sample) is a result for nothing: every
    such case has two readings, and none is chosen silently.

    Passes: one workpaper per control and period, each item as ``ciptool audit sample`` drew it.
    Fails: ``control: CHG-09`` when no control CHG-09 exists; a second workpaper for CHG-01 and
    2026-01-01..2026-09-30; ``item: CHG-4999`` when no evidence record of the control lists it.

    Fix: correct the control id or the item, or remove the extra workpaper once its results
    are merged into the first.
    """

    code = "WP004"
    slug = "workpaper-mismatch"
    family = "workpapers"
    scope = Scope.CONTROL

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        first: dict[tuple[str, dt.date, dt.date], Sourced[Workpaper]] = {}
        for sourced in _workpapers(graph):
            workpaper = sourced.record
            ident = workpaper.control
            control = graph.controls.get(ident)
            if control is None:
                yield self.finding(
                    f"workpaper for an unknown control {ident}",
                    sourced.at("control"),
                    "Name a control of the repository.",
                    subject=ident,
                    control=ident,
                )
                continue
            key = (ident, workpaper.period.start, workpaper.period.end)
            earlier = first.setdefault(key, sourced)
            if earlier is not sourced:
                yield self.finding(
                    f"a second workpaper for {ident} and {workpaper.period.start}.."
                    f"{workpaper.period.end}: its results and those of {earlier.file} are two"
                    " readings of one test",
                    sourced.at("control"),
                    "Merge the results into one workpaper and remove the other.",
                    subject=f"{ident}/{workpaper.period.start}..{workpaper.period.end}",
                    related=(earlier.at("control"),),
                    control=ident,
                )
            yield from self._items(ctx, sourced, control.record.id)

    def _items(self, ctx: Context, sourced: Sourced[Workpaper], ident: str) -> Iterator[Finding]:
        workpaper = sourced.record
        control = ctx.graph.controls[ident]
        items = population(ctx.graph, control, workpaper.period, ctx.today).items
        present = {(item.id, item.occurred_on) for item in items}
        dated: dict[str, list[str]] = {}
        for item in items:
            dated.setdefault(item.id, []).append(item.occurred_on.isoformat())
        seen: dict[tuple[str, dt.date], int] = {}
        for index, sample in enumerate(workpaper.samples):
            key = (sample.item, sample.occurred_on)
            where = sourced.at("samples", index, "item")
            subject = f"{ident}/{sample.item}"
            if key in seen:
                yield self.finding(
                    f"{ident} sample item {sample.item} ({sample.occurred_on}) is listed twice"
                    " in the workpaper: two results for one item",
                    where,
                    "Keep one entry for the item, with its result.",
                    subject=subject,
                    related=(sourced.at("samples", seen[key], "item"),),
                    control=ident,
                )
                continue
            seen[key] = index
            if key in present:
                continue
            if sample.item in dated:
                why = f"the population dates it {', '.join(dated[sample.item])}"
            else:
                why = "no evidence record of the control lists it in the period"
            yield self.finding(
                f"{ident} sample item {sample.item} ({sample.occurred_on}) is not in the"
                f" population: {why}",
                where,
                "Correct the item's id or date to the population's, or ask why the evidence"
                " no longer lists it.",
                subject=subject,
                control=ident,
            )


class AmbiguousOccurrence(Check):
    """An occurrence id is listed twice for a control with different dates.

    Why: an occurrence (a change ticket, an access grant) happened once. The same id with two
    dates, in one evidence record or in two of the same control, has two readings: which day
    did it happen, and is it one occurrence or two? The population counts it twice, once per
    date, and a sample may take either.

    Passes: each id listed once, or listed again with the same date.
    Fails: ``{id: CHG-4812, occurred_on: 2026-02-03}`` and ``{id: CHG-4812, occurred_on:
    2026-02-04}`` in the evidence of CHG-01.

    Fix: correct the date of the wrong listing, or give distinct occurrences distinct ids.
    """

    code = "WP005"
    slug = "ambiguous-occurrence"
    family = "workpapers"
    scope = Scope.CONTROL
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        first: dict[tuple[str, str], tuple[Sourced[EvidenceRecord], int]] = {}
        for sourced in graph.repository.evidence:
            record = sourced.record
            if record.control not in graph.controls:
                continue
            for index, item in enumerate(record.items):
                key = (record.control, item.id)
                if key not in first:
                    first[key] = (sourced, index)
                    continue
                earlier, at = first[key]
                then = earlier.record.items[at].occurred_on
                if then == item.occurred_on:
                    continue
                yield self.finding(
                    f"occurrence {item.id} of {record.control} is listed with two dates:"
                    f" {then} in {earlier.file} and {item.occurred_on} here",
                    sourced.at("items", index, "occurred_on"),
                    "Correct the wrong date, or give distinct occurrences distinct ids.",
                    subject=f"{record.control}/{item.id}",
                    related=(earlier.at("items", at, "occurred_on"),),
                    control=record.control,
                )
