"""The Statement of Applicability (ISO/IEC 27001:2022): all 93 Annex A controls, applicable or
not with the justification, the implementing controls and their status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.reports.frameworks import SoaRow, Tally, soa_tally, statement_of_applicability
from ciptool.reports.view import KindContent, ReportSource, ReportView, Table


@dataclass(frozen=True, kw_only=True)
class StatementOfApplicability(ReportView):
    """What the Statement of Applicability says."""

    rows: Sequence[SoaRow]
    #: The covered share of the applicable controls.
    tally: Tally


def build(source: ReportSource) -> StatementOfApplicability:
    """The Statement of Applicability of ``source``."""
    rows = statement_of_applicability(source.graph, source.result)
    return StatementOfApplicability(
        meta=source.meta, kind=source.kind, rows=rows, tally=soa_tally(rows)
    )


def tables(soa: StatementOfApplicability) -> list[Table]:
    """The statement as one table."""
    rows: list[list[Any]] = [
        [
            row.id,
            row.title,
            row.theme,
            "yes" if row.applicable else "no",
            row.justification,
            ", ".join(row.controls),
            row.status,
            row.note,
        ]
        for row in soa.rows
    ]
    header = [
        "Control",
        "Title",
        "Theme",
        "Applicable",
        "Justification",
        "Implemented by",
        "Status",
        "Note",
    ]
    return [("Statement of Applicability", header, rows)]


CONTENT = KindContent(build, tables, shows_statuses=True)
