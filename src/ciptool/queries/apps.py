"""Apps: whether an attestation's document is there as recorded, for AP002 and the list of
approved apps, which marks only an attestation its document supports; when an approved app's
privacy policy is next due for review, for AP001 and the briefing."""

from __future__ import annotations

import datetime as dt

from ciptool.models.filefacts import EvidenceFileFacts, FileState
from ciptool.models.paths import document_key
from ciptool.models.registers import Attestation, PrivacyPolicy
from ciptool.models.repository import Repository
from ciptool.models.types import Duration

#: How often an approved app's privacy policy is reviewed.
POLICY_REVIEW = Duration(1, "y")


def policy_review_due(policy: PrivacyPolicy) -> dt.date:
    """The last day the privacy policy's review is current: a review after it is overdue."""
    return POLICY_REVIEW.after(policy.reviewed_on)


def document_facts(repository: Repository, attestation: Attestation) -> EvidenceFileFacts | None:
    """What the loader found at the attestation's document; None when the path leaves the
    repository or was not looked at."""
    key = document_key(attestation.document)
    return repository.app_documents.get(key) if key is not None else None


def attestation_holds(repository: Repository, attestation: Attestation) -> bool:
    """True when the attestation's document is a regular file inside the repository with the
    recorded SHA-256, if one is recorded."""
    found = document_facts(repository, attestation)
    return (
        found is not None
        and found.state is FileState.PRESENT
        and (attestation.sha256 is None or found.sha256 == attestation.sha256)
    )
