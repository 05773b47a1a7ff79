"""Checks: one small class per check, with a stable code and its scope, registered here
explicitly.

The engine and the check after a change read :data:`ALL_CHECKS` when they run, not when they
are imported: a check is registered by its entry here and nowhere else."""

from __future__ import annotations

from ciptool.checks.apps import AttestationDocumentProblem, PrivacyPolicyReviewOverdue
from ciptool.checks.assessments import AcceptedFindingWithoutException, FindingPastDue
from ciptool.checks.base import Check, Context, Scope
from ciptool.checks.briefing import ControlNotBriefed
from ciptool.checks.coverage import UncoveredRequirement, UnmappedControl
from ciptool.checks.evidence import (
    DigestMismatch,
    EvidenceAheadOfCollection,
    EvidenceFileProblem,
    FutureEvidence,
    MissingEvidence,
    Soc2OccurrenceMissing,
    StaleEvidence,
    UnlistedEvidenceFile,
)
from ciptool.checks.exceptions import (
    DanglingException,
    ExceptionExpiringSoon,
    ExpiredException,
    UnmatchedException,
)
from ciptool.checks.ids import DuplicateId
from ciptool.checks.incidents import ClosedWithoutRootCause, NotificationNotRecorded
from ciptool.checks.loading import LOADER_RULES, LoaderRule
from ciptool.checks.metrics import MetricBeyondThreshold, MetricValueMissing
from ciptool.checks.policies import (
    PolicyNotApproved,
    PolicyReviewOverdue,
    PolicyWithoutOwner,
    PolicyWithoutReviewCycle,
)
from ciptool.checks.provenance import BackdatedEvidence
from ciptool.checks.references import (
    AmbiguousRequirementId,
    DuplicateMapping,
    MappedToHeading,
    NormalisedRequirementId,
    OtherVersionRequirementId,
    PathOutsideRepository,
    UnknownControl,
    UnknownEvidenceRequirement,
    UnknownFramework,
    UnknownPolicy,
    UnknownRegisterControl,
    UnknownRegisterException,
    UnknownRegisterRisk,
    UnknownRequirement,
)
from ciptool.checks.requests import (
    RejectionWithoutComment,
    RequestOverdue,
    UnknownRequestReference,
    UnmatchedEvidenceReference,
)
from ciptool.checks.risks import (
    OverdueRiskAction,
    RiskAboveAppetite,
    RiskControlEvidenceNotCurrent,
    RiskReviewOverdue,
    RiskWithoutControls,
)
from ciptool.checks.soa import (
    InclusionWithoutReason,
    IncompleteSoaApproval,
    PlannedWithoutTargetDate,
    RepeatedSoaControlId,
    StatementChangedAfterApproval,
    UnknownSoaControl,
    UnknownSoaRisk,
)
from ciptool.checks.third_parties import (
    ContractEnded,
    MissingStandardEvidence,
    PhiWithoutBaa,
    StaleStandardEvidence,
    SupplierReportExpired,
    UnknownThirdPartyOrStandard,
)
from ciptool.checks.workpapers import (
    AmbiguousOccurrence,
    DeviationWithoutResponse,
    PopulationChanged,
    SampleNotTested,
    WorkpaperMismatch,
)

#: Every check, in the order they run. Codes never change; a retired code is never reused.
ALL_CHECKS: tuple[Check, ...] = (
    DuplicateId(),
    UnknownFramework(),
    UnknownRequirement(),
    NormalisedRequirementId(),
    UnknownPolicy(),
    MappedToHeading(),
    UnknownControl(),
    UnknownEvidenceRequirement(),
    PathOutsideRepository(),
    DuplicateMapping(),
    AmbiguousRequirementId(),
    OtherVersionRequirementId(),
    MissingEvidence(),
    StaleEvidence(),
    EvidenceFileProblem(),
    DigestMismatch(),
    FutureEvidence(),
    UnlistedEvidenceFile(),
    Soc2OccurrenceMissing(),
    EvidenceAheadOfCollection(),
    BackdatedEvidence(),
    PolicyReviewOverdue(),
    PolicyNotApproved(),
    PolicyWithoutOwner(),
    PolicyWithoutReviewCycle(),
    ExpiredException(),
    ExceptionExpiringSoon(),
    DanglingException(),
    UnmatchedException(),
    UncoveredRequirement(),
    UnmappedControl(),
    # The risk register.
    OverdueRiskAction(),
    RiskAboveAppetite(),
    RiskWithoutControls(),
    RiskReviewOverdue(),
    RiskControlEvidenceNotCurrent(),
    # The registers' references to controls, risks and exceptions.
    UnknownRegisterControl(),
    UnknownRegisterRisk(),
    UnknownRegisterException(),
    # The registers: member data-sharing apps, metrics, assessment findings and incidents.
    PrivacyPolicyReviewOverdue(),
    AttestationDocumentProblem(),
    MetricBeyondThreshold(),
    MetricValueMissing(),
    FindingPastDue(),
    AcceptedFindingWithoutException(),
    NotificationNotRecorded(),
    ClosedWithoutRootCause(),
    # The Third Party Management Program.
    MissingStandardEvidence(),
    StaleStandardEvidence(),
    PhiWithoutBaa(),
    ContractEnded(),
    SupplierReportExpired(),
    UnknownThirdPartyOrStandard(),
    # The Audit Committee briefing.
    ControlNotBriefed(),
    # SOC 2 Type II workpapers: samples and their test results.
    SampleNotTested(),
    DeviationWithoutResponse(),
    PopulationChanged(),
    WorkpaperMismatch(),
    AmbiguousOccurrence(),
    # The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d)).
    InclusionWithoutReason(),
    PlannedWithoutTargetDate(),
    UnknownSoaRisk(),
    StatementChangedAfterApproval(),
    IncompleteSoaApproval(),
    UnknownSoaControl(),
    RepeatedSoaControlId(),
    # The auditor's requests for evidence (the PBC list).
    RequestOverdue(),
    UnknownRequestReference(),
    RejectionWithoutComment(),
    UnmatchedEvidenceReference(),
)

#: Every rule with documentation: the loader's and the checks', in code order.
ALL_RULES: tuple[Check | LoaderRule, ...] = tuple(
    sorted((*LOADER_RULES, *ALL_CHECKS), key=lambda rule: rule.code)
)


def known_codes() -> frozenset[str]:
    """Every code ciptool can report: the loader's and those of the checks registered now."""
    rules: tuple[Check | LoaderRule, ...] = (*LOADER_RULES, *ALL_CHECKS)
    return frozenset(rule.code for rule in rules)


__all__ = ["ALL_CHECKS", "ALL_RULES", "Check", "Context", "LoaderRule", "Scope", "known_codes"]
