"""The auditor's requests for evidence (the PBC list): which evidence records a request's
references name, and where the list stands on a day.

A request names the evidence that answers it as ``CONTROL/requirement/YYYY-MM-DD``: the
control, its evidence requirement, and the day the record speaks for (the end of its period,
or its effective day). A reference names exactly one record when it is right; one that names
none, or two records of the same requirement speaking for the same day, is reported (PB004).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ciptool.graph import Graph
from ciptool.models import EvidenceRecord, Sourced
from ciptool.models.fieldwork import EVIDENCE_REFERENCE, PbcRequest, RequestStatus
from ciptool.queries.evidence import effective_date

#: The statuses, in the order a request moves through them.
STATUSES: tuple[RequestStatus, ...] = ("requested", "provided", "accepted", "rejected")


def reference(record: EvidenceRecord) -> str:
    """How a request names ``record``: ``CONTROL/requirement/YYYY-MM-DD``."""
    return f"{record.control}/{record.requirement}/{effective_date(record).isoformat()}"


def referenced(graph: Graph, text: str) -> list[Sourced[EvidenceRecord]]:
    """The evidence records a reference names, in file order: one when it is right."""
    match = EVIDENCE_REFERENCE.fullmatch(text)
    if match is None:
        return []
    control, requirement, day = match.groups()
    return [
        sourced
        for sourced in graph.evidence_by_requirement.get((control, requirement), [])
        if effective_date(sourced.record).isoformat() == day
    ]


@dataclass(frozen=True)
class Tally:
    """How many requests stand in each status, and how many of them are overdue."""

    #: (status, count) for every status, in :data:`STATUSES` order, zeros included.
    by_status: tuple[tuple[str, int], ...]
    overdue: int

    @property
    def total(self) -> int:
        """Every request: the sum of the counts by status."""
        return sum(count for _, count in self.by_status)


def tally(requests: Sequence[PbcRequest], today: dt.date) -> Tally:
    """The requests counted by status, and those overdue on ``today``."""
    counts = dict.fromkeys(STATUSES, 0)
    for request in requests:
        counts[request.status] += 1
    overdue = sum(1 for request in requests if request.days_overdue(today))
    return Tally(tuple(counts.items()), overdue)
