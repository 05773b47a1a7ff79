"""Checks: one small class per check, with a stable code, registered here explicitly."""

from __future__ import annotations

from ciptool.checks.base import Check, Context
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
from ciptool.checks.loading import LOADER_RULES, LoaderRule
from ciptool.checks.policies import (
    PolicyNotApproved,
    PolicyReviewOverdue,
    PolicyWithoutOwner,
    PolicyWithoutReviewCycle,
)
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
    UnknownRequirement,
)

#: Every check, in code order. Codes never change; a retired code is never reused.
ALL_CHECKS: tuple[Check, ...] = (
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
)

#: Every rule with documentation: the loader's and the checks', in code order.
ALL_RULES: tuple[Check | LoaderRule, ...] = tuple(
    sorted((*LOADER_RULES, *ALL_CHECKS), key=lambda rule: rule.code)
)


def known_codes() -> frozenset[str]:
    """Every code ciptool can report."""
    return frozenset(rule.code for rule in ALL_RULES)


__all__ = ["ALL_CHECKS", "ALL_RULES", "Check", "Context", "LoaderRule", "known_codes"]
