"""The third-party register: the third parties in the Third Party Management Program and out of
it (with the arrangement that decides), what each handles, its contract, business associate
agreement, SOC 2 report and controls, and where each in the program stands on each minimum standard.

Where a standard stands is :mod:`ciptool.queries.third_parties`, which the checks ask too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.graph import Graph
from ciptool.models import Sourced, ThirdParty
from ciptool.models.standards import MINIMUM_STANDARDS
from ciptool.queries.evidence import EvidenceStatus, effective_date
from ciptool.queries.third_parties import StandardEvidence, standard_evidence
from ciptool.reports.view import KindContent, ReportSource, ReportView, Table

#: The order of tiers in the register: the most critical first.
_TIERS = ("critical", "high", "medium", "low")

#: What each status of a minimum standard means, for the documents' legends.
STANDARD_STATUSES: tuple[tuple[str, str], ...] = (
    (
        "current",
        "the newest evidence is intact, dated no later than the report's day, and no"
        " older than the standard allows (the annual review: one year); the day it speaks for is"
        " given",
    ),
    ("stale", "the newest evidence is older than the standard allows"),
    ("missing", "no evidence recorded"),
    ("broken", "a file the newest evidence lists is missing or changed since it was recorded"),
    (
        "future",
        "the newest evidence is dated after the report's day, or speaks for a day after"
        " it was collected",
    ),
)


@dataclass(frozen=True)
class StandardCell:
    """Where one third party stands on one minimum standard."""

    standard: str
    status: str
    #: The day the newest evidence speaks for, when there is any.
    day: dt.date | None

    @property
    def text(self) -> str:
        """The status, with the day for current or stale evidence: ``current (2026-09-22)``."""
        if self.day is None or self.status not in {"current", "stale"}:
            return self.status
        return f"{self.status} ({self.day})"


@dataclass(frozen=True)
class ThirdPartyRow:
    """One third party as the register lists it."""

    id: str
    name: str
    arrangement: str
    in_program: bool
    services: str
    tier: str
    data: str
    owner: str
    contract_end: dt.date | None
    contract_ended: bool
    #: ``signed YYYY-MM-DD``, ``none (phi without one)`` or ``not needed``.
    baa: str
    baa_missing: bool
    soc2_expires: dt.date | None
    soc2_expired: bool
    #: The controls it names, comma-separated; empty when it names none.
    controls: str
    #: The minimum standards in their order; empty for a third party outside the program.
    standards: tuple[StandardCell, ...]


@dataclass(frozen=True)
class StandardLine:
    """A minimum standard, as the legend gives it."""

    id: str
    description: str
    max_age: str


@dataclass(frozen=True)
class ThirdPartyTally:
    """The register's counts."""

    total: int
    in_program: int
    out_of_program: int
    #: Standards of third parties in the program: how many in all, and in each status.
    standards: int
    current: int
    stale: int
    missing: int
    other: int
    #: Third parties in the program with every standard current.
    all_current: int
    baa_missing: int
    contracts_ended: int
    soc2_expired: int


@dataclass(frozen=True, kw_only=True)
class ThirdPartiesReport(ReportView):
    """What the third-party register says."""

    standards: Sequence[StandardLine]
    standard_statuses: tuple[tuple[str, str], ...]
    in_program: Sequence[ThirdPartyRow]
    out_of_program: Sequence[ThirdPartyRow]
    tally: ThirdPartyTally


def _cell(graph: Graph, item: StandardEvidence, today: dt.date) -> StandardCell:
    newest = item.newest
    day = effective_date(newest.record) if newest is not None else None
    return StandardCell(item.standard.id, item.status_on(graph, today).value, day)


def _row(
    sourced: Sourced[ThirdParty], cells: tuple[StandardCell, ...], today: dt.date
) -> ThirdPartyRow:
    record = sourced.record
    agreement = record.business_associate_agreement
    phi = "phi" in record.data
    if agreement is not None:
        baa = f"signed {agreement.signed_on}"
    else:
        baa = "none (phi without one)" if phi else "not needed"
    contract, report = record.contract, record.soc2_report
    return ThirdPartyRow(
        id=record.id,
        name=record.name,
        arrangement=record.arrangement,
        in_program=record.in_program,
        services=record.services,
        tier=record.tier,
        data=", ".join(record.data),
        owner=record.owner,
        contract_end=contract.end if contract else None,
        contract_ended=contract is not None and contract.end < today,
        baa=baa,
        baa_missing=phi and agreement is None,
        soc2_expires=report.expires_on if report else None,
        soc2_expired=report is not None and report.expires_on < today,
        controls=", ".join(record.controls),
        standards=cells,
    )


def third_party_rows(graph: Graph, today: dt.date) -> list[ThirdPartyRow]:
    """Every third party with a unique id, the most critical first, then by id."""
    cells: dict[str, list[StandardCell]] = {}
    for item in standard_evidence(graph):
        cells.setdefault(item.third_party.record.id, []).append(_cell(graph, item, today))
    rows = [
        _row(sourced, tuple(cells.get(ident, ())), today)
        for ident, sourced in graph.third_parties.items()
    ]
    return sorted(rows, key=lambda row: (_TIERS.index(row.tier), row.id))


def _tally(rows: list[ThirdPartyRow]) -> ThirdPartyTally:
    statuses = [cell.status for row in rows for cell in row.standards]
    in_program = [row for row in rows if row.in_program]
    current = EvidenceStatus.CURRENT.value
    return ThirdPartyTally(
        total=len(rows),
        in_program=len(in_program),
        out_of_program=len(rows) - len(in_program),
        standards=len(statuses),
        current=statuses.count(current),
        stale=statuses.count(EvidenceStatus.STALE.value),
        missing=statuses.count(EvidenceStatus.MISSING.value),
        other=sum(status not in {current, "stale", "missing"} for status in statuses),
        all_current=sum(all(c.status == current for c in row.standards) for row in in_program),
        baa_missing=sum(row.baa_missing for row in rows),
        contracts_ended=sum(row.contract_ended for row in rows),
        soc2_expired=sum(row.soc2_expired for row in rows),
    )


def build(source: ReportSource) -> ThirdPartiesReport:
    """The third-party register of ``source``."""
    rows = third_party_rows(source.graph, source.today)
    return ThirdPartiesReport(
        meta=source.meta,
        kind=source.kind,
        standards=[
            StandardLine(
                s.id, s.description, f"{s.max_age.describe()} old" if s.max_age else "any age"
            )
            for s in MINIMUM_STANDARDS
        ],
        standard_statuses=STANDARD_STATUSES,
        in_program=[row for row in rows if row.in_program],
        out_of_program=[row for row in rows if not row.in_program],
        tally=_tally(rows),
    )


def tables(report: ThirdPartiesReport) -> list[Table]:
    """The register as one table, and its counts as another."""
    header = [
        "ID",
        "Name",
        "In the program",
        "Arrangement",
        "Tier",
        "Data",
        "Owner",
        "Contract end",
        "Contract ended",
        "Business associate agreement",
        "SOC 2 report expires",
        "SOC 2 report expired",
        *(f"Standard: {s.id}" for s in report.standards),
        "Controls",
    ]
    rows: list[list[Any]] = [
        [
            row.id,
            row.name,
            "yes" if row.in_program else "no",
            row.arrangement,
            row.tier,
            row.data,
            row.owner,
            row.contract_end,
            "yes" if row.contract_ended else "no",
            row.baa,
            row.soc2_expires,
            "yes" if row.soc2_expired else "no",
            *(
                [cell.text for cell in row.standards]
                if row.in_program
                else ["not in the program"] * len(report.standards)
            ),
            row.controls,
        ]
        for row in (*report.in_program, *report.out_of_program)
    ]
    t = report.tally
    counts: list[list[Any]] = [
        ["Third parties", t.total],
        ["In the Third Party Management Program", t.in_program],
        ["Outside it", t.out_of_program],
        ["In the program with every minimum standard current", t.all_current],
        ["Minimum standards of third parties in the program", t.standards],
        ["Current", t.current],
        ["Stale", t.stale],
        ["Missing", t.missing],
        ["Broken or dated ahead", t.other],
        ["Handling phi without a business associate agreement", t.baa_missing],
        ["Contracts past their end", t.contracts_ended],
        ["SOC 2 reports past their expiry", t.soc2_expired],
    ]
    return [("Third parties", header, rows), ("Summary", ["Count", "Number"], counts)]


CONTENT = KindContent(build, tables)
