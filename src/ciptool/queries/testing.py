"""SOC 2 Type II testing as the workpapers record it: per control, its population, the items
sampled and what testing each found; per criterion, what the testing of its controls found.

A control's testing status for a period, from its workpapers for exactly that period:

- ``untested``: no workpaper, or every sampled item is still ``not-tested``;
- ``in progress``: some items tested, none a deviation, some still ``not-tested``;
- ``tested without deviation``: every sampled item tested, each a pass;
- ``tested with deviations``: at least one item is a deviation (the items are named), whether
  or not the rest are tested yet.

A SOC 2 criterion's testing status, from the controls mapped to it that a SOC 2 examination
tests (:func:`ciptool.queries.populations.sampled_controls`):

- ``tested with deviations``: a deviation in any of them (the controls and items are named);
- ``tested without deviation``: every one of them tested without deviation;
- ``in progress``: some items tested, no deviation, but not every control fully tested;
- ``untested``: none of them has a tested item, or the criterion has no such control.

Testing status is not coverage: a criterion's coverage (covered, declared, gap...) says whether
current evidence exists; its testing status says what the auditor's test of a sample found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ciptool.graph import Graph
from ciptool.models.records import Period
from ciptool.queries.populations import Population, populations

TestingStatus = Literal[
    "untested", "in progress", "tested without deviation", "tested with deviations"
]

UNTESTED: TestingStatus = "untested"
IN_PROGRESS: TestingStatus = "in progress"
NO_DEVIATION: TestingStatus = "tested without deviation"
DEVIATIONS: TestingStatus = "tested with deviations"

#: What each testing status means, for the package's legend.
TESTING_MEANINGS: tuple[tuple[str, str], ...] = (
    (UNTESTED, "no workpaper for the period, or no sampled item tested yet"),
    (IN_PROGRESS, "some sampled items tested, none a deviation, others not yet tested"),
    (NO_DEVIATION, "every sampled item tested, and each passed"),
    (DEVIATIONS, "at least one sampled item is a deviation"),
)


@dataclass(frozen=True)
class SampleResult:
    """One sampled item of a control and what testing it found."""

    control: str
    item: str
    occurred_on: dt.date
    #: ``not-tested``, ``pass`` or ``deviation``.
    result: str
    tester: str
    tested_on: dt.date | None
    notes: str
    management_response: str
    #: The workpaper file it is recorded in.
    file: str

    @property
    def tested(self) -> bool:
        """Whether it has a result."""
        return self.result != "not-tested"

    @property
    def text(self) -> str:
        """The item and its date: ``CHG-2026-0412 (2026-03-04)``."""
        return f"{self.item} ({self.occurred_on.isoformat()})"


@dataclass(frozen=True)
class ControlTesting:
    """A control's population in the period, its sample, and what testing found."""

    control: str
    title: str
    frequency: str
    #: ``occurrences`` (items its evidence records list) or ``records`` (the records).
    basis: str
    population_size: int
    #: What the sample-size table calls for.
    sample_size: int
    #: The items its workpapers for the period list, in date order.
    samples: tuple[SampleResult, ...]
    #: The workpaper files for the period.
    workpapers: tuple[str, ...]
    #: Whether the population differs from the one a workpaper recorded when it was drawn.
    population_changed: bool

    @property
    def tested(self) -> int:
        """How many sampled items have a result."""
        return sum(1 for sample in self.samples if sample.tested)

    @property
    def deviations(self) -> tuple[SampleResult, ...]:
        """The sampled items that are deviations."""
        return tuple(sample for sample in self.samples if sample.result == "deviation")

    @property
    def status(self) -> TestingStatus:
        """See the module's docstring."""
        if self.deviations:
            return DEVIATIONS
        if self.tested == 0:
            return UNTESTED
        if self.tested < len(self.samples):
            return IN_PROGRESS
        return NO_DEVIATION

    @property
    def text(self) -> str:
        """The status in words, with what it rests on."""
        if not self.workpapers:
            if not self.population_size:
                return f"{UNTESTED}: no occurrence in the period to sample"
            return f"{UNTESTED}: no workpaper for the period"
        sampled = len(self.samples)
        noun = "item" if sampled == 1 else "items"
        if self.status == DEVIATIONS:
            found = ", ".join(sample.text for sample in self.deviations)
            text = f"{DEVIATIONS}: {found}; {self.tested} of {sampled} {noun} tested"
        elif self.status == UNTESTED:
            text = f"{UNTESTED}: none of {sampled} sampled {noun} tested yet"
        else:
            text = f"{self.status}: {self.tested} of {sampled} {noun} tested"
        if self.population_changed:
            text += "; the population changed after sampling"
        return text


@dataclass(frozen=True)
class CriterionTesting:
    """A SOC 2 criterion's testing status, from the controls mapped to it."""

    criterion: str
    status: TestingStatus
    #: The mapped controls a SOC 2 examination tests, in id order.
    controls: tuple[ControlTesting, ...]

    @property
    def deviations(self) -> tuple[SampleResult, ...]:
        """Every deviation of its controls."""
        return tuple(sample for control in self.controls for sample in control.deviations)

    @property
    def text(self) -> str:
        """The status in words, naming the controls and items with deviations."""
        if self.status == DEVIATIONS:
            named = "; ".join(
                f"{control.control} {', '.join(sample.text for sample in control.deviations)}"
                for control in self.controls
                if control.deviations
            )
            return f"{DEVIATIONS}: {named}"
        count = len(self.controls)
        if not count:
            return f"{UNTESTED}: no mapped control with evidence to sample"
        if self.status == UNTESTED:
            its = "its control" if count == 1 else f"its {count} controls"
            return f"{UNTESTED}: no sampled item of {its} tested"
        if self.status == NO_DEVIATION:
            every = {1: "its one control", 2: "both its controls"}.get(
                count, f"all {count} of its controls"
            )
            return f"{NO_DEVIATION}: {every}"
        done = sum(1 for control in self.controls if control.status == NO_DEVIATION)
        return (
            f"{IN_PROGRESS}: {done} of {count} control{'' if count == 1 else 's'} tested"
            " without deviation"
        )


@dataclass(frozen=True)
class Testing:
    """The Type II testing of a period."""

    period: Period
    controls: tuple[ControlTesting, ...]

    @property
    def started(self) -> bool:
        """Whether any workpaper for the period exists."""
        return any(control.workpapers for control in self.controls)

    @property
    def summary(self) -> str:
        """How far testing has gone, in counts that add up."""
        controls = len(self.controls)
        sampled = sum(1 for control in self.controls if control.samples)
        items = len(self.samples)
        tested = sum(1 for sample in self.samples if sample.tested)
        deviations = len(self.deviations)
        return (
            f"{sampled} of {controls} control{'' if controls == 1 else 's'} sampled;"
            f" {tested} of {items} sampled item{'' if items == 1 else 's'} tested;"
            f" {deviations} deviation{'' if deviations == 1 else 's'}."
        )

    @property
    def samples(self) -> tuple[SampleResult, ...]:
        """Every sampled item, by control."""
        return tuple(sample for control in self.controls for sample in control.samples)

    @property
    def deviations(self) -> tuple[SampleResult, ...]:
        """Every deviation, by control."""
        return tuple(sample for control in self.controls for sample in control.deviations)

    def criterion(self, criterion: str, controls: Sequence[str]) -> CriterionTesting:
        """The testing of ``criterion``, whose mapped controls are ``controls``: untested when
        none of them is one a SOC 2 examination tests."""
        wanted = set(controls)
        members = tuple(control for control in self.controls if control.control in wanted)
        return CriterionTesting(criterion, _criterion_status(members), members)


def testing(graph: Graph, period: Period, today: dt.date) -> Testing:
    """The testing of ``period`` that the workpapers record, for the populations counting on
    ``today``."""
    return graph.derived(("soc2-testing", period, today), lambda: _testing(graph, period, today))


def _testing(graph: Graph, period: Period, today: dt.date) -> Testing:
    controls = tuple(_control(graph, each, period) for each in populations(graph, period, today))
    return Testing(period, controls)


def _control(graph: Graph, population: Population, period: Period) -> ControlTesting:
    record = population.control.record
    workpapers = [
        sourced
        for sourced in graph.repository.workpapers
        if sourced.record.control == record.id and sourced.record.period == period
    ]
    samples = sorted(
        (
            SampleResult(
                control=record.id,
                item=sample.item,
                occurred_on=sample.occurred_on,
                result=sample.result,
                tester=sample.tester,
                tested_on=sample.tested_on,
                notes=sample.notes,
                management_response=sample.management_response,
                file=sourced.file,
            )
            for sourced in workpapers
            for sample in sourced.record.samples
        ),
        key=lambda sample: (sample.occurred_on, sample.item, sample.file),
    )
    return ControlTesting(
        control=record.id,
        title=record.title,
        frequency=record.frequency,
        basis=population.basis,
        population_size=population.size,
        sample_size=population.sample_size,
        samples=tuple(samples),
        workpapers=tuple(sorted({sourced.file for sourced in workpapers})),
        population_changed=any(
            sourced.record.population.digest != population.digest for sourced in workpapers
        ),
    )


def _criterion_status(controls: Sequence[ControlTesting]) -> TestingStatus:
    statuses = {control.status for control in controls}
    if not statuses:
        return UNTESTED
    if DEVIATIONS in statuses:
        return DEVIATIONS
    if statuses == {NO_DEVIATION}:
        return NO_DEVIATION
    if statuses == {UNTESTED}:
        return UNTESTED
    return IN_PROGRESS
