"""Checks: one small class per check, with a stable code, registered here explicitly."""

from __future__ import annotations

from ciptool.checks.base import Check, Context
from ciptool.checks.evidence import (
    DigestMismatch,
    EvidenceFileProblem,
    FutureEvidence,
    MissingEvidence,
    Soc2OccurrenceMissing,
    StaleEvidence,
    UnlistedEvidenceFile,
)
from ciptool.checks.references import (
    MappedToHeading,
    NormalisedRequirementId,
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
    MissingEvidence(),
    StaleEvidence(),
    EvidenceFileProblem(),
    DigestMismatch(),
    FutureEvidence(),
    UnlistedEvidenceFile(),
    Soc2OccurrenceMissing(),
)

__all__ = ["ALL_CHECKS", "Check", "Context"]
