"""Report view-models: what each document says, computed from the graph and the check result.

Nothing here formats anything; ``render.documents`` lays these out with templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ciptool.errors import UsageError
from ciptool.graph import Graph
from ciptool.models.paths import evidence_file_key
from ciptool.queries.intervals import SOC2
from ciptool.reports.briefing import Changes, build_briefing, risk_acceptances
from ciptool.reports.common import ReportMeta, evidence_lines, report_meta
from ciptool.reports.frameworks import (
    CSF,
    ISO,
    STATUS_MEANINGS,
    by_group,
    framework_tally,
    group_tallies,
    occurrence_testing,
    requirement_rows,
    soa_tally,
    statement_of_applicability,
)
from ciptool.results import RunResult


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: its title and the formats it comes in."""

    name: str
    title: str
    formats: tuple[str, ...]
    description: str


REPORT_KINDS: dict[str, ReportKind] = {
    kind.name: kind
    for kind in (
        ReportKind(
            "soc2",
            "SOC 2 readiness package",
            ("md", "html", "csv", "xlsx", "pdf"),
            "criteria in scope with their controls and evidence, readiness, exceptions, the"
            " evidence request list and occurrence testing",
        ),
        ReportKind(
            "soa",
            "Statement of Applicability (ISO/IEC 27001:2022)",
            ("md", "html", "csv", "xlsx"),
            "all 93 Annex A controls: applicability and justification, implementing controls,"
            " status",
        ),
        ReportKind(
            "csf-profile",
            "NIST CSF 2.0 current profile",
            ("md", "html"),
            "coverage by function and category, and the gaps",
        ),
        ReportKind(
            "audit-committee",
            "Audit Committee briefing: cyber security and privacy",
            ("md", "html", "pdf"),
            "the board briefing: a one-page summary, posture, gaps, risk acceptances, evidence"
            " health and the program sections",
        ),
        ReportKind(
            "evidence-index",
            "Evidence index",
            ("md", "html", "csv", "xlsx"),
            "every evidence file with its digest, dates, control and framework references",
        ),
    )
}


@dataclass(frozen=True)
class EvidenceFileRow:
    """One evidence file as the index lists it."""

    path: str
    sha256: str
    size: int
    state: str
    control: str
    requirement: str
    collected_on: dt.date
    effective: str
    source: str
    record: str
    references: str


def evidence_index(graph: Graph) -> list[EvidenceFileRow]:
    """Every file every record lists, sorted by path, with its control's framework references."""
    rows = []
    facts = graph.repository.evidence_files
    for sourced in graph.repository.evidence:
        record = sourced.record
        control = graph.controls.get(record.control)
        references = ""
        if control is not None:
            references = "; ".join(
                f"{framework}: {', '.join(target.id for target in targets)}"
                for framework, targets in control.record.mappings.items()
            )
        effective = (
            f"{record.period.start}..{record.period.end}"
            if record.period
            else str(record.effective_on)
        )
        for entry in record.files:
            key = evidence_file_key(sourced.file, entry.path)
            found = facts.get(key) if key else None
            state = "outside the repository" if found is None else found.state.value
            if found is not None and found.sha256 and found.sha256 != entry.sha256:
                state = "digest mismatch"
            rows.append(
                EvidenceFileRow(
                    path=key or entry.path,
                    sha256=entry.sha256,
                    size=found.size if found else 0,
                    state=state,
                    control=record.control,
                    requirement=record.requirement,
                    collected_on=record.collected_on,
                    effective=effective,
                    source=record.source,
                    record=sourced.file,
                    references=references,
                )
            )
    return sorted(rows, key=lambda row: (row.path, row.record))


#: The framework a report kind is about: it is made only when that framework is in scope, so
#: no document gives statuses for a framework the program does not use.
KIND_FRAMEWORK: dict[str, str] = {"soc2": SOC2, "soa": ISO, "csf-profile": CSF}


def build_report(
    kind: str,
    graph: Graph,
    result: RunResult,
    meta: ReportMeta,
    changes: Changes | None = None,
    *,
    everything: bool = False,
) -> dict[str, Any]:
    """The template context for a report of ``kind``: ``meta`` plus the kind's content.

    With ``everything`` (a repository's own report) the context holds every kind's content,
    each under its kind's name, plus ``graph`` and ``result``.
    """
    config = graph.config
    in_scope = list(config.frameworks) if config else []
    if everything:
        context: dict[str, Any] = {"meta": meta, "graph": graph, "result": result}
        for name in REPORT_KINDS:
            if name not in KIND_FRAMEWORK or KIND_FRAMEWORK[name] in in_scope:
                context[name.replace("-", "_")] = build_report(name, graph, result, meta, changes)
        return context
    framework = KIND_FRAMEWORK.get(kind)
    if framework is not None and framework not in in_scope:
        catalog = graph.catalogs.get(framework)
        name = catalog.display_name if catalog else framework
        raise UsageError(
            f"report {kind} is about {name} ({framework}), which is not in scope: frameworks:"
            f" in ciptool.yaml lists {', '.join(in_scope) or 'no framework'}; add {framework}"
            " there to report on it"
        )
    lines = evidence_lines(graph, result.today)
    context = {"meta": meta, "kind": REPORT_KINDS[kind], "statuses": STATUS_MEANINGS}
    if kind == "soc2":
        soc2 = config.soc2 if config else None
        period = soc2.period if soc2 else None
        rows = requirement_rows(graph, result, SOC2, 0)
        context |= {
            "categories": sorted({"security", *(soc2.categories if soc2 else [])}),
            "period": period,
            "tally": framework_tally(result, graph, SOC2),
            "criteria": by_group(rows),
            "controls": {c.record.id: c.record for c in graph.iter_controls()},
            "evidence": lines,
            "exceptions": risk_acceptances(graph, result.today),
            "occurrences": occurrence_testing(graph, period, result.today),
            "in_scope": True,  # refused above otherwise; kept for earlier templates
        }
    elif kind == "soa":
        soa = statement_of_applicability(graph, result)
        context |= {"rows": soa, "tally": soa_tally(soa)}
    elif kind == "csf-profile":
        rows = requirement_rows(graph, result, CSF, 1)
        context |= {
            "functions": group_tallies(result, graph, CSF, 0),
            "categories": group_tallies(result, graph, CSF, 1),
            "groups": by_group(rows),
            "tally": framework_tally(result, graph, CSF),
            "in_scope": True,  # refused above otherwise; kept for earlier templates
        }
    elif kind == "audit-committee":
        context |= {
            "briefing": build_briefing(graph, result, lines, changes),
            "iso": framework_tally(result, graph, ISO),
            "soc2": framework_tally(result, graph, SOC2),
        }
    elif kind == "evidence-index":
        context |= {"files": evidence_index(graph), "evidence": lines}
    return context


__all__ = [
    "KIND_FRAMEWORK",
    "REPORT_KINDS",
    "Changes",
    "ReportKind",
    "ReportMeta",
    "build_report",
    "evidence_index",
    "report_meta",
]
