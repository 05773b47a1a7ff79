"""The briefing's sections on the program's components, drawn from the registers and evidence:
the security processes and the metrics that measure them, external testing, training and
awareness, third parties, and member data sharing."""

from __future__ import annotations

from dataclasses import dataclass

from ciptool.reports.view import ReportSource


@dataclass(frozen=True)
class ProgramBriefing:
    """What the program sections say."""


def build_program_briefing(source: ReportSource) -> ProgramBriefing:
    """The program sections of ``source``'s briefing."""
    return ProgramBriefing()
