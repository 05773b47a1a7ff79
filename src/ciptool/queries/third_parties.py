"""Where each third party in the Third Party Management Program stands on each minimum
standard, by its evidence records.

Shared by the third-party checks and ``ciptool report third-parties``, so that they never
disagree. A standard's evidence is judged as a control's is (:mod:`ciptool.queries.evidence`):
the newest record, by the day it speaks for, decides; it is current when its files are intact,
it counts on the day, and it is no older than the standard's ``max_age`` allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from ciptool.graph import Graph
from ciptool.models import Sourced, ThirdParty, ThirdPartyEvidenceRecord
from ciptool.models.standards import MINIMUM_STANDARDS, MinimumStandard
from ciptool.queries.evidence import (
    EvidenceStatus,
    current_through,
    effective_date,
    evidence_status,
    stale,
)


@dataclass(frozen=True)
class StandardEvidence:
    """The records of one minimum standard of one third party, newest last."""

    third_party: Sourced[ThirdParty]
    standard: MinimumStandard
    records: tuple[Sourced[ThirdPartyEvidenceRecord], ...]

    @property
    def newest(self) -> Sourced[ThirdPartyEvidenceRecord] | None:
        """The record whose evidence speaks for the latest day."""
        return self.records[-1] if self.records else None

    def current_through(self) -> dt.date | None:
        """The last day the newest evidence is young enough for the standard; None when there
        is no evidence, or when once is enough."""
        return current_through(self.newest, self.standard.max_age)

    def stale_on(self, today: dt.date) -> bool:
        """True when the newest evidence is older than the standard allows on ``today``."""
        return stale(self.newest, self.standard.max_age, today)

    def status_on(self, graph: Graph, today: dt.date) -> EvidenceStatus:
        """Where the standard stands on ``today``, as a control's evidence requirement would."""
        return evidence_status(graph, self.newest, self.standard.max_age, today)


def standard_evidence(graph: Graph) -> list[StandardEvidence]:
    """Every minimum standard of every third party in the program, with its records."""
    return graph.derived("standard_evidence", lambda: list(_standard_evidence(graph)))


def standards_of(graph: Graph, third_party: str) -> list[StandardEvidence]:
    """The minimum standards of ``third_party`` with their records, in the program's order;
    none for a third party outside the program (or with an id two third parties share)."""
    return [item for item in standard_evidence(graph) if item.third_party.record.id == third_party]


def evidence_by_third_party(
    graph: Graph,
) -> dict[tuple[str, str], list[Sourced[ThirdPartyEvidenceRecord]]]:
    """(third party id, standard id) -> its records, in repository order."""

    def index() -> dict[tuple[str, str], list[Sourced[ThirdPartyEvidenceRecord]]]:
        found: dict[tuple[str, str], list[Sourced[ThirdPartyEvidenceRecord]]] = {}
        for sourced in graph.repository.third_party_evidence:
            key = (sourced.record.third_party, sourced.record.requirement)
            found.setdefault(key, []).append(sourced)
        return found

    return graph.derived("third_party_evidence_index", index)


def _standard_evidence(graph: Graph) -> Iterator[StandardEvidence]:
    by_key = evidence_by_third_party(graph)
    for third_party in graph.third_parties.values():
        if not third_party.record.in_program:
            continue
        for standard in MINIMUM_STANDARDS:
            found = by_key.get((third_party.record.id, standard.id), [])
            ordered = sorted(found, key=lambda s: (effective_date(s.record), s.record.collected_on))
            yield StandardEvidence(third_party, standard, tuple(ordered))
