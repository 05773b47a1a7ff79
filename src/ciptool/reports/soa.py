"""The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d)): all 93 Annex A controls, then
the additional controls, each applicable or not with the reasons, how far it is implemented,
the implementing controls and their coverage status; its version, approval and digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.queries.soa import SoaRow, Statement
from ciptool.reports.frameworks import Tally, soa_tally, statement_of_applicability
from ciptool.reports.view import KindContent, ReportSource, ReportView, Table


@dataclass(frozen=True, kw_only=True)
class StatementOfApplicability(ReportView):
    """What the Statement of Applicability says."""

    #: The 93 Annex A controls, in the standard's order.
    rows: Sequence[SoaRow]
    #: The controls beyond Annex A, in the order ``soa.additional_controls`` lists them.
    additional: Sequence[SoaRow]
    #: The covered share of the applicable Annex A controls.
    tally: Tally
    #: The whole statement: its digest, version and approval.
    statement: Statement


def build(source: ReportSource) -> StatementOfApplicability:
    """The Statement of Applicability of ``source``."""
    statement = statement_of_applicability(source.graph, source.result)
    return StatementOfApplicability(
        meta=source.meta,
        kind=source.kind,
        rows=statement.rows,
        additional=statement.additional,
        tally=soa_tally(statement.rows),
        statement=statement,
    )


def _reasons(row: SoaRow) -> str:
    """The kinds of reason an inclusion gives, "none" when it gives none; empty when excluded."""
    if not row.applicable:
        return ""
    return ", ".join(row.reasons) or "none"


def _risks_from(row: SoaRow) -> str:
    if not row.risks:
        return ""
    return "risk register" if row.risks_derived else "statement"


def tables(soa: StatementOfApplicability) -> list[Table]:
    """The statement as one table, Annex A then the additional controls, and its approval."""
    rows: list[list[Any]] = [
        [
            row.id,
            row.title,
            f"Additional control ({row.theme})"
            if row.additional and row.theme
            else ("Additional control" if row.additional else row.theme),
            "yes" if row.applicable else "no",
            _reasons(row),
            ", ".join(row.risks),
            _risks_from(row),
            row.obligation,
            row.business_requirement,
            row.justification,
            ", ".join(row.controls),
            row.implementation.replace("-", " ") if row.applicable else "not applicable",
            row.implementation_from,
            row.target_date,
            row.status,
            row.note,
        ]
        for row in (*soa.rows, *soa.additional)
    ]
    header = [
        "Control",
        "Title",
        "Theme",
        "Applicable",
        "Reasons",
        "Risks",
        "Risks from",
        "Obligation",
        "Business requirement",
        "Justification",
        "Implemented by",
        "Implementation",
        "Implementation from",
        "Target date",
        "Status",
        "Note",
    ]
    statement = soa.statement
    approval = [
        [
            statement.version,
            statement.approved_by,
            statement.approved_on,
            statement.approved_digest,
            statement.digest,
            ("yes" if statement.changed_since_approval else "no")
            if statement.approved_digest
            else "",
        ]
    ]
    approval_header = [
        "Version",
        "Approved by",
        "Approved on",
        "Approved digest",
        "Digest",
        "Changed since approval",
    ]
    return [
        ("Statement of Applicability", header, rows),
        ("Approval", approval_header, approval),
    ]


CONTENT = KindContent(build, tables, shows_statuses=True)
