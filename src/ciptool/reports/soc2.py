"""The SOC 2 readiness package: the criteria in scope with their controls, evidence and status,
the exceptions, the evidence request list and occurrence testing over the audit period."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.models.records import Control, Period
from ciptool.queries.intervals import SOC2
from ciptool.reports.briefing import Acceptance, risk_acceptances
from ciptool.reports.common import EvidenceLine, evidence_lines
from ciptool.reports.frameworks import (
    OccurrenceRow,
    RequirementRow,
    Tally,
    by_group,
    framework_tally,
    occurrence_testing,
    requirement_rows,
)
from ciptool.reports.view import KindContent, ReportSource, ReportView, Table


@dataclass(frozen=True, kw_only=True)
class Soc2Package(ReportView):
    """What the SOC 2 package says."""

    #: The trust services categories in scope, security always among them.
    categories: Sequence[str]
    #: The Type II audit period, when ciptool.yaml sets one.
    period: Period | None
    tally: Tally | None
    #: The criteria by group: (group id, group title, rows).
    criteria: Sequence[tuple[str, str, list[RequirementRow]]]
    #: Every control by id.
    controls: Mapping[str, Control]
    evidence: Sequence[EvidenceLine]
    exceptions: Sequence[Acceptance]
    occurrences: Sequence[OccurrenceRow]
    #: Always true (the package is refused otherwise); kept for templates that read it.
    in_scope: bool = True


def build(source: ReportSource) -> Soc2Package:
    """The SOC 2 package of ``source``."""
    graph, result = source.graph, source.result
    soc2 = graph.config.soc2 if graph.config else None
    period = soc2.period if soc2 else None
    return Soc2Package(
        meta=source.meta,
        kind=source.kind,
        categories=sorted({"security", *(soc2.categories if soc2 else [])}),
        period=period,
        tally=framework_tally(result, graph, SOC2),
        criteria=by_group(requirement_rows(graph, result, SOC2, 0)),
        controls={c.record.id: c.record for c in graph.iter_controls()},
        evidence=evidence_lines(graph, source.today),
        exceptions=risk_acceptances(graph, source.today),
        occurrences=occurrence_testing(graph, period, source.today),
    )


def tables(package: Soc2Package) -> list[Table]:
    """The control matrix and the evidence request list."""
    matrix: list[list[Any]] = []
    for _group, _title, rows in package.criteria:
        for row in rows:
            for control_id in row.controls or ("",):
                control = package.controls.get(control_id)
                matrix.append(
                    [
                        row.id,
                        row.title,
                        row.status,
                        control_id,
                        control.title if control else "",
                        control.owner if control else "",
                        control.frequency if control else "",
                        row.note,
                    ]
                )
    requests: list[list[Any]] = [
        [
            line.control,
            line.control_title,
            line.requirement,
            line.description,
            line.owner,
            line.frequency,
            line.last_collected,
            line.last_effective,
            line.max_age,
            line.status.value,
        ]
        for line in package.evidence
    ]
    return [
        (
            "Control matrix",
            [
                "Criterion",
                "Criterion (paraphrase)",
                "Status",
                "Control",
                "Control title",
                "Owner",
                "Frequency",
                "Note",
            ],
            matrix,
        ),
        (
            "Evidence requests",
            [
                "Control",
                "Control title",
                "Evidence",
                "Description",
                "Owner",
                "Frequency",
                "Last collected",
                "Speaks for",
                "May be",
                "Status",
            ],
            requests,
        ),
    ]


CONTENT = KindContent(build, tables, shows_statuses=True)
