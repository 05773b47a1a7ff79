"""The briefing's sections on risk and resilience, drawn from the registers and evidence: the
risk profile, current trends in the threat environment, incident preparedness and response, and
business continuity."""

from __future__ import annotations

from dataclasses import dataclass

from ciptool.reports.view import ReportSource


@dataclass(frozen=True)
class RiskBriefing:
    """What the risk and resilience sections say."""


def build_risk_briefing(source: ReportSource) -> RiskBriefing:
    """The risk and resilience sections of ``source``'s briefing."""
    return RiskBriefing()
