"""SOC 2 Type II populations and samples: what occurred in a period, how many of it an auditor
tests, and which, chosen reproducibly from a seed.

A control's population for a period is what its evidence shows occurred in the period:

- the occurrences its evidence records list (``items``: change tickets, access grants, alerts),
  each once, when any record of the control lists one; this is how event-driven and
  continuous controls are tested;
- otherwise its evidence records themselves, one occurrence each, dated by the day the record
  speaks for (its period's end, or its ``effective_on``).

Only records that count on the run's day (see :func:`ciptool.queries.evidence.counts_on`) make
the population, and only occurrences dated within the period.

The sample size follows the control's frequency (:data:`SAMPLE_SIZES`); an event-driven or
continuous control's follows the population's size (:data:`POPULATION_SIZES`). A sample is never
larger than its population. Which items are chosen depends only on the seed, the control and
each item: every item is ranked by the SHA-256 of ``seed``, the control's id, the item's id and
its date, and the lowest ranks are taken. The same seed and population give the same sample on
every machine; an item added to the population changes the sample only if it ranks among them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from ciptool.graph import Graph
from ciptool.models import Control, EvidenceRecord, Sourced
from ciptool.models.fieldwork import Workpaper
from ciptool.models.records import Period
from ciptool.queries.evidence import counts_on, effective_date
from ciptool.queries.intervals import SOC2

#: Sample size by control frequency, for controls that recur on a schedule.
SAMPLE_SIZES: dict[str, int] = {
    "annual": 1,
    "semiannual": 1,
    "quarterly": 2,
    "monthly": 2,
    "weekly": 5,
    "daily": 20,
}
#: Sample size of an event-driven or continuous control, by population size: (the largest
#: population of the band, the sample size), in order; larger populations take
#: :data:`LARGEST_SAMPLE` ("several a day").
POPULATION_SIZES: tuple[tuple[int, int], ...] = (
    (1, 1),  # about once a year
    (4, 2),  # about quarterly
    (12, 2),  # about monthly
    (52, 5),  # about weekly
    (365, 20),  # about daily
)
LARGEST_SAMPLE = 25
#: The frequencies sized by their population.
BY_POPULATION = ("event-driven", "continuous")

Basis = Literal["occurrences", "records"]


@dataclass(frozen=True)
class PopulationItem:
    """One occurrence of a control in a period."""

    #: The occurrence's id (an item's own id, or ``requirement/YYYY-MM-DD`` for a record, with
    #: ``#2``, ``#3`` for further records of the same requirement and day, in file order).
    id: str
    occurred_on: dt.date
    #: The evidence record that shows it.
    record: Sourced[EvidenceRecord]


@dataclass(frozen=True)
class Population:
    """A control's occurrences in a period, and the sample size they call for."""

    control: Sourced[Control]
    period: Period
    basis: Basis
    #: In date order, then by id.
    items: tuple[PopulationItem, ...]

    @property
    def size(self) -> int:
        """How many occurrences there are."""
        return len(self.items)

    @property
    def digest(self) -> str:
        """SHA-256 over every item's id and date, in order: what a workpaper records, so that a
        population that changed after sampling is noticed."""
        lines = "".join(f"{item.id}\t{item.occurred_on.isoformat()}\n" for item in self.items)
        return hashlib.sha256(lines.encode("utf-8", "surrogateescape")).hexdigest()

    @property
    def sample_size(self) -> int:
        """How many items an auditor tests: see :func:`sample_size`."""
        return sample_size(self.control.record.frequency, self.size)


def sample_size(frequency: str, population_size: int) -> int:
    """How many of ``population_size`` occurrences of a control of ``frequency`` are tested."""
    if frequency in BY_POPULATION:
        wanted = next(
            (size for largest, size in POPULATION_SIZES if population_size <= largest),
            LARGEST_SAMPLE,
        )
    else:
        wanted = SAMPLE_SIZES[frequency]
    return min(wanted, population_size)


def sampled_controls(graph: Graph) -> Iterator[Sourced[Control]]:
    """The controls a SOC 2 examination tests, in id order: those mapped to a SOC 2 criterion
    that have an evidence requirement."""
    for control_id in sorted(graph.controls):
        sourced = graph.controls[control_id]
        if sourced.record.mappings.get(SOC2) and sourced.record.evidence:
            yield sourced


def population(
    graph: Graph, control: Sourced[Control], period: Period, today: dt.date
) -> Population:
    """The occurrences of ``control`` in ``period`` that its evidence counting on ``today``
    shows (computed once per graph)."""
    key = ("soc2-population", control.record.id, control.file, period, today)
    return graph.derived(key, lambda: _population(graph, control, period, today))


def _population(
    graph: Graph, control: Sourced[Control], period: Period, today: dt.date
) -> Population:
    records = [
        sourced
        for requirement in control.record.evidence
        for sourced in graph.evidence_by_requirement.get((control.record.id, requirement.id), [])
        if counts_on(sourced.record, today)
    ]
    records.sort(key=lambda sourced: (sourced.file, sourced.path))
    if any(sourced.record.items for sourced in records):
        return Population(control, period, "occurrences", _occurrences(records, period))
    return Population(control, period, "records", _records(records, period))


def populations(graph: Graph, period: Period, today: dt.date) -> list[Population]:
    """The population of every control a SOC 2 examination tests, in control id order."""
    key = ("soc2-populations", period, today)
    return graph.derived(
        key,
        lambda: [population(graph, control, period, today) for control in sampled_controls(graph)],
    )


def _occurrences(
    records: Sequence[Sourced[EvidenceRecord]], period: Period
) -> tuple[PopulationItem, ...]:
    """Each listed occurrence in the period once: the same id and date listed again is the
    same occurrence."""
    seen: dict[tuple[str, dt.date], PopulationItem] = {}
    for sourced in records:
        for item in sourced.record.items:
            if period.start <= item.occurred_on <= period.end:
                seen.setdefault(
                    (item.id, item.occurred_on),
                    PopulationItem(item.id, item.occurred_on, sourced),
                )
    return tuple(sorted(seen.values(), key=lambda item: (item.occurred_on, item.id)))


def _records(
    records: Sequence[Sourced[EvidenceRecord]], period: Period
) -> tuple[PopulationItem, ...]:
    """Each record speaking for a day in the period, as one occurrence."""
    items: list[PopulationItem] = []
    used: dict[str, int] = {}
    for sourced in records:
        day = effective_date(sourced.record)
        if not period.start <= day <= period.end:
            continue
        base = f"{sourced.record.requirement}/{day.isoformat()}"
        used[base] = used.get(base, 0) + 1
        ident = base if used[base] == 1 else f"{base}#{used[base]}"
        items.append(PopulationItem(ident, day, sourced))
    return tuple(sorted(items, key=lambda item: (item.occurred_on, item.id)))


def rank(seed: int, control_id: str, item: PopulationItem) -> str:
    """The item's place in the draw for ``seed``: the lowest ranks are sampled."""
    text = f"{seed}\n{control_id}\n{item.id}\n{item.occurred_on.isoformat()}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def select(population: Population, seed: int) -> tuple[PopulationItem, ...]:
    """The sample of ``population`` for ``seed``, in date order."""
    control_id = population.control.record.id
    ranked = sorted(population.items, key=lambda item: rank(seed, control_id, item))
    chosen = ranked[: population.sample_size]
    return tuple(sorted(chosen, key=lambda item: (item.occurred_on, item.id)))


def population_change(workpaper: Workpaper, population: Population) -> str:
    """How ``population`` differs from the one ``workpaper`` was drawn from, in words; empty
    when it is the same. Sizes are compared, and the sampled items no longer in the
    population (or now dated otherwise) are named: the workpaper records only the digest of
    the others."""
    stamp = workpaper.population
    if stamp.digest == population.digest and stamp.size == population.size:
        return ""
    if stamp.size == population.size:
        parts = [f"the same size ({stamp.size}) but other occurrences or dates"]
    else:
        parts = [f"{stamp.size} occurrences when sampled, {population.size} now"]
    dated = {item.id: item.occurred_on for item in population.items}
    present = {(item.id, item.occurred_on) for item in population.items}
    gone = [
        sample.item
        for sample in workpaper.samples
        if (sample.item, sample.occurred_on) not in present and sample.item not in dated
    ]
    moved = [
        f"{sample.item} (dated {sample.occurred_on} in the workpaper, {dated[sample.item]} now)"
        for sample in workpaper.samples
        if (sample.item, sample.occurred_on) not in present and sample.item in dated
    ]
    if gone:
        parts.append(f"sampled items no longer in it: {', '.join(gone)}")
    if moved:
        parts.append(f"sampled items dated otherwise: {', '.join(moved)}")
    return "; ".join(parts)
