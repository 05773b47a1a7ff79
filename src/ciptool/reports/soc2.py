"""The SOC 2 package: the criteria in scope with their controls, evidence and status, the
exceptions, the evidence request list, occurrence testing over the audit period (evidence found
interval by interval), Type II testing as the workpapers record it (populations, samples and
results, deviations, and each criterion's testing status beside its coverage) and the evidence
that check EV009 found back-dated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.models.records import Control, Period
from ciptool.queries.intervals import SOC2
from ciptool.queries.testing import (
    TESTING_MEANINGS,
    CriterionTesting,
    Testing,
    testing,
)
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
    #: The Type II testing the workpapers record for the period; None without a period.
    testing: Testing | None
    #: Each criterion's testing status, by criterion id (empty without a period).
    criterion_testing: Mapping[str, CriterionTesting]
    #: What each testing status means.
    testing_statuses: tuple[tuple[str, str], ...]
    #: The evidence check EV009 found first committed long after its ``collected_on``.
    backdated: Sequence[BackDated]
    #: Always true (the package is refused otherwise); kept for templates that read it.
    in_scope: bool = True


@dataclass(frozen=True)
class BackDated:
    """A finding of check EV009: evidence first committed long after its ``collected_on``."""

    message: str
    file: str
    line: int | None
    subject: str


#: The check that finds back-dated evidence.
BACKDATING = "EV009"


def build(source: ReportSource) -> Soc2Package:
    """The SOC 2 package of ``source``."""
    graph, result = source.graph, source.result
    soc2 = graph.config.soc2 if graph.config else None
    period = soc2.period if soc2 else None
    criteria = by_group(requirement_rows(graph, result, SOC2, 0))
    tested = testing(graph, period, source.today) if period else None
    return Soc2Package(
        meta=source.meta,
        kind=source.kind,
        categories=sorted({"security", *(soc2.categories if soc2 else [])}),
        period=period,
        tally=framework_tally(result, graph, SOC2),
        criteria=criteria,
        controls={c.record.id: c.record for c in graph.iter_controls()},
        evidence=evidence_lines(graph, source.today),
        exceptions=risk_acceptances(graph, source.today),
        occurrences=occurrence_testing(graph, period, source.today),
        testing=tested,
        criterion_testing={
            row.id: tested.criterion(row.id, row.controls)
            for _group, _title, rows in criteria
            for row in rows
        }
        if tested
        else {},
        testing_statuses=TESTING_MEANINGS,
        backdated=[
            BackDated(
                finding.message,
                finding.location.file if finding.location else "",
                finding.location.line or None if finding.location else None,
                finding.subject,
            )
            for finding in result.findings
            if finding.code == BACKDATING
        ],
    )


def tables(package: Soc2Package) -> list[Table]:
    """The control matrix, the evidence request list, each criterion's testing status, the
    populations, the samples and their results, the deviation log and the back-dated
    evidence."""
    controls = {each.control: each for each in package.testing.controls} if package.testing else {}
    matrix: list[list[Any]] = []
    for _group, _title, rows in package.criteria:
        for row in rows:
            for control_id in row.controls or ("",):
                control = package.controls.get(control_id)
                tested = controls.get(control_id)
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
                        tested.text if tested else _not_tested(package, control_id),
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
    criteria: list[list[Any]] = [
        [
            row.id,
            row.title,
            row.status,
            package.criterion_testing[row.id].text,
        ]
        for _group, _title, rows in package.criteria
        for row in rows
        if row.id in package.criterion_testing
    ]
    testing = package.testing
    populations: list[list[Any]] = [
        [
            each.control,
            each.title,
            each.frequency,
            each.basis,
            each.population_size,
            each.sample_size,
            len(each.samples),
            each.tested,
            len(each.deviations),
            each.text,
        ]
        for each in (testing.controls if testing else ())
    ]
    samples: list[list[Any]] = [
        [
            sample.control,
            sample.item,
            sample.occurred_on,
            sample.result,
            sample.tester,
            sample.tested_on,
            sample.notes,
            sample.file,
        ]
        for sample in (testing.samples if testing else ())
    ]
    deviations: list[list[Any]] = [
        [
            sample.control,
            sample.item,
            sample.occurred_on,
            sample.notes,
            sample.management_response,
            sample.tester,
            sample.tested_on,
        ]
        for sample in (testing.deviations if testing else ())
    ]
    backdated: list[list[Any]] = [
        [finding.subject, finding.file, finding.line, finding.message]
        for finding in package.backdated
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
                "Testing",
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
        (
            "Criterion testing",
            ["Criterion", "Criterion (paraphrase)", "Status", "Testing"],
            criteria,
        ),
        (
            "Populations",
            [
                "Control",
                "Control title",
                "Frequency",
                "Basis",
                "Population",
                "Sample size",
                "Sampled",
                "Tested",
                "Deviations",
                "Testing",
            ],
            populations,
        ),
        (
            "Samples",
            [
                "Control",
                "Item",
                "Date",
                "Result",
                "Tester",
                "Tested on",
                "Notes",
                "Workpaper",
            ],
            samples,
        ),
        (
            "Deviations",
            [
                "Control",
                "Item",
                "Date",
                "What was found",
                "Management response",
                "Tester",
                "Tested on",
            ],
            deviations,
        ),
        (
            "Back-dated evidence",
            ["Subject", "File", "Line", "Finding"],
            backdated,
        ),
    ]


def _not_tested(package: Soc2Package, control_id: str) -> str:
    """The testing cell of a control the examination does not sample."""
    if not control_id:
        return ""
    if package.testing is None:
        return "no Type II period set"
    return "not sampled: no evidence requirement"


CONTENT = KindContent(build, tables, shows_statuses=True)
