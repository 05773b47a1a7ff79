"""Evidence currency: how old evidence may be, which day a record speaks for, where each evidence
requirement of each control stands on a day, and the files records list.

Shared by the evidence checks, coverage, the reports and ``ciptool explain``: one definition of
each, so that they never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from ciptool.graph import Graph
from ciptool.models import Control, EvidenceRecord, Sourced
from ciptool.models.filefacts import EvidenceFileFacts, FileState
from ciptool.models.records import EvidenceFile
from ciptool.models.repository import SourcedEvidence
from ciptool.models.standards import ThirdPartyEvidenceRecord
from ciptool.models.types import Duration

#: An evidence record of either form: a control's, or a third party's for a minimum standard.
#: Both say the same of their dates and files, and are judged alike.
AnyEvidence = EvidenceRecord | ThirdPartyEvidenceRecord

#: How old the newest evidence may be, by the control's frequency, unless ``max_age`` says
#: otherwise. Each default leaves a margin for collecting evidence after the interval ends.
DEFAULT_MAX_AGE: dict[str, Duration | None] = {
    "continuous": Duration(40, "d"),
    "daily": Duration(7, "d"),
    "weekly": Duration(14, "d"),
    "monthly": Duration(40, "d"),
    "quarterly": Duration(100, "d"),
    "semiannual": Duration(200, "d"),
    "annual": Duration(13, "mo"),
    "event-driven": None,  # evidence follows events; there is no schedule to fall behind
}


def span(record: AnyEvidence) -> tuple[dt.date, dt.date]:
    """The first and last day the record speaks for: its period, or its one effective day."""
    if record.period is not None:
        return record.period.start, record.period.end
    assert record.effective_on is not None  # the model requires one of the two
    return record.effective_on, record.effective_on


def effective_date(record: AnyEvidence) -> dt.date:
    """The last day the evidence speaks for: the end of its period, or its effective date."""
    return span(record)[1]


def dates(record: AnyEvidence) -> list[tuple[str, dt.date, tuple[str, ...]]]:
    """The days a record names, each with what it is and its YAML path in the record:
    collected, and the end of its period or its effective day.
    """
    found: list[tuple[str, dt.date, tuple[str, ...]]] = [
        ("collected", record.collected_on, ("collected_on",))
    ]
    if record.period is not None:
        found.append(("its period ends", record.period.end, ("period", "end")))
    elif record.effective_on is not None:
        found.append(("effective", record.effective_on, ("effective_on",)))
    return found


def in_the_future(record: AnyEvidence, today: dt.date) -> bool:
    """True when the record is collected, effective or ends its period after ``today``:
    EV005 reports exactly these records.
    """
    return any(day > today for _, day, _ in dates(record))


def ahead_of_collection(record: AnyEvidence) -> list[tuple[str, dt.date, tuple[str, ...]]]:
    """The days of :func:`dates` the record speaks for after the day it was collected (its
    effective day, or the end of its period): EV008 reports exactly these.
    """
    return [found for found in dates(record)[1:] if found[1] > record.collected_on]


def counts_on(record: AnyEvidence, today: dt.date) -> bool:
    """True when the record may speak for anything on ``today``.

    The one definition: a record in the future (EV005) or dated after its own collection
    (EV008) counts for nothing, not for currency, coverage or SOC 2 occurrences.
    """
    return not in_the_future(record, today) and not ahead_of_collection(record)


def max_age(control: Control, requirement_index: int) -> Duration | None:
    """How old the newest evidence for the requirement may be."""
    requirement = control.evidence[requirement_index]
    return requirement.max_age or DEFAULT_MAX_AGE[control.frequency]


class EvidenceStatus(str, Enum):
    """Where one evidence requirement of one control stands on a day, by its newest record."""

    CURRENT = "current"
    STALE = "stale"
    MISSING = "missing"
    BROKEN = "broken"  # a listed file is missing or its digest differs
    #: dated after the day, or speaking for a day after its own collection (see :func:`counts_on`)
    FUTURE = "future"


@dataclass(frozen=True)
class RequirementEvidence:
    """The records of one evidence requirement of one control, newest last."""

    control: Sourced[Control]
    index: int
    records: tuple[Sourced[EvidenceRecord], ...]

    @property
    def newest(self) -> Sourced[EvidenceRecord] | None:
        """The record whose evidence speaks for the latest day."""
        return self.records[-1] if self.records else None

    def stale_on(self, today: dt.date) -> bool:
        """True when the newest evidence is older than allowed on ``today``."""
        return stale(self.newest, max_age(self.control.record, self.index), today)

    def status_on(self, graph: Graph, today: dt.date) -> EvidenceStatus:
        """Where the requirement stands on ``today``: only ``CURRENT`` counts for coverage."""
        return evidence_status(graph, self.newest, max_age(self.control.record, self.index), today)


def current_through(newest: SourcedEvidence | None, limit: Duration | None) -> dt.date | None:
    """The last day ``newest`` is young enough for ``limit``; None when there is no evidence,
    or when it never goes stale."""
    if newest is None or limit is None:
        return None
    return limit.after(effective_date(newest.record))


def stale(newest: SourcedEvidence | None, limit: Duration | None, today: dt.date) -> bool:
    """True when ``newest`` speaks for a day more than ``limit`` before ``today``."""
    through = current_through(newest, limit)
    return through is not None and through < today


def evidence_status(
    graph: Graph, newest: SourcedEvidence | None, limit: Duration | None, today: dt.date
) -> EvidenceStatus:
    """Where evidence stands on ``today``, judged by its newest record and the age it may
    have: the one judgement of a control's evidence requirement and a third party's minimum
    standard alike."""
    if newest is None:
        return EvidenceStatus.MISSING
    if not intact(graph, newest):
        return EvidenceStatus.BROKEN
    if not counts_on(newest.record, today):
        return EvidenceStatus.FUTURE
    if stale(newest, limit, today):
        return EvidenceStatus.STALE
    return EvidenceStatus.CURRENT


def requirement_evidence(graph: Graph) -> list[RequirementEvidence]:
    """Every evidence requirement of every control with its records, newest last."""
    return graph.derived("requirement_evidence", lambda: list(_requirement_evidence(graph)))


def _requirement_evidence(graph: Graph) -> Iterator[RequirementEvidence]:
    for control in graph.iter_controls():
        for index, requirement in enumerate(control.record.evidence):
            found = graph.evidence_by_requirement.get((control.record.id, requirement.id), [])
            ordered = sorted(found, key=lambda s: (effective_date(s.record), s.record.collected_on))
            yield RequirementEvidence(control, index, tuple(ordered))


def intact(graph: Graph, sourced: SourcedEvidence) -> bool:
    """True when every file the record lists is present with the recorded digest."""
    for entry in sourced.record.files:
        facts = graph.repository.facts_for(sourced.file, entry.path)
        if facts is None or facts.state is not FileState.PRESENT or facts.sha256 != entry.sha256:
            return False
    return True


class ListedFile(NamedTuple):
    """A file an evidence record (a control's or a third party's) lists, with what the loader
    found at its path."""

    record: SourcedEvidence
    position: int  # in the record's `files`
    entry: EvidenceFile
    facts: EvidenceFileFacts


def listed_files(graph: Graph) -> list[ListedFile]:
    """Every file every record lists that stays inside the repository, with its facts: the
    controls' records, then the third parties'."""
    return graph.derived("listed_files", lambda: list(_listed_files(graph)))


def _listed_files(graph: Graph) -> Iterator[ListedFile]:
    facts_for = graph.repository.facts_for
    for sourced in graph.repository.evidence_listing_files():
        for index, entry in enumerate(sourced.record.files):
            found = facts_for(sourced.file, entry.path)
            if found is not None:
                yield ListedFile(sourced, index, entry, found)


def evidence_names(record: AnyEvidence) -> tuple[str, str]:
    """What a record is evidence of: its control (or third party), and its requirement."""
    if isinstance(record, ThirdPartyEvidenceRecord):
        return record.third_party, record.requirement
    return record.control, record.requirement


def evidence_control(record: AnyEvidence) -> str:
    """The control a record is evidence for; empty for a third party's record."""
    return record.control if isinstance(record, EvidenceRecord) else ""
