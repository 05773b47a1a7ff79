"""The Audit Committee briefing: a one-page summary, posture, gaps, risk acceptances, evidence
health and the program sections (:mod:`.briefing` works out what it says)."""

from __future__ import annotations

from dataclasses import dataclass

from ciptool.queries.intervals import SOC2
from ciptool.reports.briefing import Briefing, build_briefing
from ciptool.reports.briefing_program import ProgramBriefing, build_program_briefing
from ciptool.reports.briefing_risk import RiskBriefing, build_risk_briefing
from ciptool.reports.common import evidence_lines
from ciptool.reports.frameworks import ISO, Tally, framework_tally
from ciptool.reports.trends import Trend
from ciptool.reports.view import KindContent, ReportSource, ReportView


@dataclass(frozen=True, kw_only=True)
class AuditCommitteeBriefing(ReportView):
    """What the briefing says."""

    briefing: Briefing
    #: ISO/IEC 27001:2022 and SOC 2 as a whole, each None when not in scope.
    iso: Tally | None
    soc2: Tally | None
    #: The risk profile, threat environment, incident and business continuity sections.
    risk: RiskBriefing
    #: The program components, third parties and member data sharing sections.
    program: ProgramBriefing
    #: Posture, risk and metric lines over the last quarters (``--trend``), if asked.
    trend: Trend | None


def build(source: ReportSource) -> AuditCommitteeBriefing:
    """The Audit Committee briefing of ``source``."""
    graph, result = source.graph, source.result
    lines = evidence_lines(graph, source.today)
    return AuditCommitteeBriefing(
        meta=source.meta,
        kind=source.kind,
        briefing=build_briefing(graph, result, lines, source.changes),
        iso=framework_tally(result, graph, ISO),
        soc2=framework_tally(result, graph, SOC2),
        risk=build_risk_briefing(source),
        program=build_program_briefing(source),
        trend=source.trend,
    )


CONTENT = KindContent(build)
