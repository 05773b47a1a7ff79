"""The PBC list: every auditor's request for evidence, where it stands, and which are overdue.

Its spreadsheet is the one the auditor edits and ``ciptool audit requests --update-from``
reads back: the columns Status, Provided on, Provider and Auditor comments round-trip; every
other column is the repository's and is ignored when read back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.graph import Graph
from ciptool.queries.requests import Tally, referenced, tally
from ciptool.reports.view import KindContent, ReportSource, ReportView, Table

#: The sheet's name; ``ciptool audit requests --update-from`` looks for its header.
SHEET = "PBC requests"
#: The columns read back from an edited workbook.
ROUND_TRIP = ("Status", "Provided on", "Provider", "Auditor comments")
HEADER = [
    "Id",
    "Request",
    "Control",
    "Evidence requirement",
    "References",
    "Owner",
    "Requested on",
    "Due on",
    "Status",
    "Provided on",
    "Provider",
    "Evidence",
    "Auditor comments",
    "Days overdue",
    "File",
]


@dataclass(frozen=True)
class RequestRow:
    """One request as the list shows it."""

    id: str
    request: str
    control: str
    requirement: str
    references: tuple[str, ...]
    owner: str
    requested_on: dt.date
    due_on: dt.date
    status: str
    provided_on: dt.date | None
    provider: str
    evidence: tuple[str, ...]
    #: Each evidence reference as shown: with what is wrong when it matches no record, or two.
    evidence_shown: tuple[str, ...]
    #: The same in a document, shortened to the day when it names the request's own control and
    #: evidence requirement.
    evidence_brief: tuple[str, ...]
    auditor_comments: str
    #: Days past its due date on the report's day while outstanding (requested or rejected).
    days_overdue: int
    file: str


def request_rows(graph: Graph, today: dt.date) -> list[RequestRow]:
    """Every request, by id."""
    rows = []
    for ident in sorted(graph.requests):
        sourced = graph.requests[ident]
        request = sourced.record
        unmatched = [_unmatched(len(referenced(graph, text))) for text in request.evidence]
        rows.append(
            RequestRow(
                id=request.id,
                request=request.request,
                control=request.control or "",
                requirement=request.requirement or "",
                references=tuple(request.references),
                owner=request.owner,
                requested_on=request.requested_on,
                due_on=request.due_on,
                status=request.status,
                provided_on=request.provided_on,
                provider=request.provider,
                evidence=tuple(request.evidence),
                evidence_shown=tuple(
                    text + wrong for text, wrong in zip(request.evidence, unmatched, strict=True)
                ),
                evidence_brief=tuple(
                    _brief(text, request.control, request.requirement) + wrong
                    for text, wrong in zip(request.evidence, unmatched, strict=True)
                ),
                auditor_comments=request.auditor_comments,
                days_overdue=request.days_overdue(today),
                file=sourced.file,
            )
        )
    return rows


def _brief(text: str, control: str | None, requirement: str | None) -> str:
    """An evidence reference without the control and requirement its request already names."""
    prefix = f"{control}/{requirement}/"
    return text.removeprefix(prefix) if control and requirement else text


def _unmatched(count: int) -> str:
    """What is wrong with an evidence reference that matches ``count`` records, in words."""
    if count == 1:
        return ""
    return " (no record)" if count == 0 else f" (ambiguous: {count} records)"


@dataclass(frozen=True)
class Unresolved:
    """An evidence reference of a request that does not name exactly one record."""

    request: str
    reference: str
    records: int


@dataclass(frozen=True, kw_only=True)
class PbcList(ReportView):
    """What the PBC list says."""

    requests: Sequence[RequestRow]
    tally: Tally
    #: The outstanding requests past their due date, most overdue first.
    overdue: Sequence[RequestRow]
    #: The evidence references that match no record, or more than one, by request.
    unresolved: Sequence[Unresolved]
    #: The spreadsheet columns ``ciptool audit requests --update-from`` reads back.
    round_trip: tuple[str, ...]


def build(source: ReportSource) -> PbcList:
    """The PBC list of ``source``."""
    graph = source.graph
    rows = request_rows(graph, source.today)
    overdue = sorted(
        (row for row in rows if row.days_overdue), key=lambda row: (-row.days_overdue, row.id)
    )
    return PbcList(
        meta=source.meta,
        kind=source.kind,
        requests=rows,
        tally=tally([sourced.record for sourced in graph.requests.values()], source.today),
        overdue=overdue,
        unresolved=[
            Unresolved(row.id, text, len(referenced(graph, text)))
            for row in rows
            for text, shown in zip(row.evidence, row.evidence_shown, strict=True)
            if text != shown
        ],
        round_trip=ROUND_TRIP,
    )


def tables(view: PbcList) -> list[Table]:
    """The list as one sheet, the one the auditor edits."""
    rows: list[list[Any]] = [
        [
            row.id,
            row.request,
            row.control,
            row.requirement,
            ", ".join(row.references),
            row.owner,
            row.requested_on,
            row.due_on,
            row.status,
            row.provided_on,
            row.provider,
            ", ".join(row.evidence_shown),
            row.auditor_comments,
            row.days_overdue,
            row.file,
        ]
        for row in view.requests
    ]
    return [(SHEET, list(HEADER), rows)]


CONTENT = KindContent(build, tables)
