"""Report kinds: what each document says, computed from the graph and the check result.

This module is the registry of the kinds and imports nothing of ciptool's, so that the command
line can name them without loading any (``--help`` stays fast). Each kind is one module beside
it, named in its registry line: a typed, frozen view-model built by one function, and, for a
kind that comes as spreadsheets, its tables (:mod:`.view` says what such a module provides).
Nothing here formats anything; ``render/`` lays the view-models out.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: its title, the formats it comes in, and the module that builds it."""

    name: str
    title: str
    formats: tuple[str, ...]
    description: str
    # The two fields below are left out of the kind's text, which a template may print.
    #: The module that builds the kind's view-model (see :mod:`ciptool.reports.view`).
    module: str = field(repr=False)
    #: The framework the report is about: it is made only when that framework is in scope, so
    #: no document gives statuses for a framework the program does not use.
    about: str | None = field(default=None, repr=False)


#: Every report kind, in the order the command line names them; a test proves each is served
#: in each of its formats.
REPORT_KINDS: dict[str, ReportKind] = {
    kind.name: kind
    for kind in (
        ReportKind(
            "soc2",
            "SOC 2 readiness package",
            ("md", "html", "csv", "xlsx", "pdf"),
            "criteria in scope with their controls and evidence, readiness, exceptions, the"
            " evidence request list and occurrence testing",
            "ciptool.reports.soc2",
            about="soc2-2017",
        ),
        ReportKind(
            "soa",
            "Statement of Applicability (ISO/IEC 27001:2022)",
            ("md", "html", "csv", "xlsx", "pdf"),
            "all 93 Annex A controls: applicability and justification, implementing controls,"
            " status",
            "ciptool.reports.soa",
            about="iso27001-2022",
        ),
        ReportKind(
            "csf-profile",
            "NIST CSF 2.0 current profile",
            ("md", "html", "pdf"),
            "coverage by function and category, and the gaps",
            "ciptool.reports.csf_profile",
            about="nist-csf-2.0",
        ),
        ReportKind(
            "audit-committee",
            "Audit Committee briefing: cyber security and privacy",
            ("md", "html", "pdf"),
            "the board briefing: a one-page summary, posture, gaps, risk acceptances, evidence"
            " health and the program sections",
            "ciptool.reports.audit_committee",
        ),
        ReportKind(
            "evidence-index",
            "Evidence index",
            ("md", "html", "csv", "xlsx", "pdf"),
            "every evidence file with its digest, dates, control and framework references",
            "ciptool.reports.evidence_index",
        ),
        ReportKind(
            "risk-register",
            "Risk register",
            ("md", "html", "csv", "xlsx", "pdf"),
            "every risk with its levels before and after controls, treatment, controls and"
            " their evidence, acceptances, review and action plan; a 5 x 5 heat map",
            "ciptool.reports.risk_register",
        ),
        ReportKind(
            "approved-apps",
            "Apps approved to read members' claims data",
            ("md", "html", "csv", "xlsx", "pdf"),
            "the approved member data-sharing apps for a member-facing page: developer, approval"
            " date, privacy policy, and a mark for those attested to the CARIN Alliance Code of"
            " Conduct, with what the mark and the approval mean",
            "ciptool.reports.approved_apps",
        ),
        ReportKind(
            "third-parties",
            "Third-party register",
            ("md", "html", "csv", "xlsx", "pdf"),
            "the third parties in the Third Party Management Program and outside it, their"
            " data, contracts, business associate agreements and SOC 2 reports, and each"
            " minimum standard's status",
            "ciptool.reports.third_parties",
        ),
        ReportKind(
            "pbc",
            "PBC list: the auditor's requests for evidence",
            ("md", "html", "csv", "xlsx", "pdf"),
            "every request with its owner, due date, status, the evidence that answers it and"
            " the auditor's comments; counts by status and the overdue requests; the XLSX is the"
            " one `ciptool audit requests --update-from` reads back",
            "ciptool.reports.pbc",
        ),
    )
}
