"""Which section of the Audit Committee briefing holds each control: by its ``process``.

The briefing follows the program, not file names: each process belongs to one section, by
default for the seven critical security processes and governance, and as ``briefing.sections``
in ``ciptool.yaml`` places any other (or moves a default one). A control whose process no section
claims is in none, which a check reports.
"""

from __future__ import annotations

from collections.abc import Mapping

from ciptool.models.records import BriefingSection, ProgramConfig

#: The sections that hold controls, in the briefing's order, with their headings.
SECTION_TITLES: dict[BriefingSection, str] = {
    "threat-environment": "Current trends in the threat environment",
    "incident-response": "Incident preparedness and response",
    "business-continuity": "Business continuity",
    "governance": "Program governance",
    "program-components": "Program components",
    "third-parties": "Third parties",
    "member-data-sharing": "Member data sharing",
}

#: Where each of the seven critical security processes, and governance, belongs by default.
DEFAULT_PLACES: dict[str, BriefingSection] = {
    "cyber-risk-assessment": "program-components",
    "application-infrastructure-security": "program-components",
    "identity-and-access-management": "program-components",
    "security-awareness-training": "program-components",
    "third-party-security-oversight": "third-parties",
    "security-operations-monitoring": "threat-environment",
    "incident-response": "incident-response",
    "governance": "governance",
}


def process_places(config: ProgramConfig | None) -> dict[str, BriefingSection]:
    """Every process with a section: the defaults, then ``briefing.sections`` over them."""
    places = dict(DEFAULT_PLACES)
    if config is not None:
        for section, processes in config.briefing.sections.items():
            for process in processes:
                places[process] = section
    return places


def section_of(
    process: str | None, places: Mapping[str, BriefingSection]
) -> BriefingSection | None:
    """The section that holds a control of ``process``; None when no section claims it."""
    return places.get(process) if process else None
