"""What the loader read: the valid records with their sources, the catalogs, what was found at
each evidence file's path, and the load's findings. The loader makes a :class:`Repository`;
:class:`ciptool.graph.Graph` indexes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ciptool.findings import Finding
from ciptool.models.catalog import Catalog, Crosswalk
from ciptool.models.fieldwork import PbcRequest, Workpaper
from ciptool.models.filefacts import EvidenceFileFacts
from ciptool.models.history import EvidenceHistory
from ciptool.models.paths import document_key, evidence_file_key
from ciptool.models.records import Control, EvidenceRecord, Policy, ProgramConfig, RiskException
from ciptool.models.registers import App, AssessmentFinding, Incident, Metric, Risk, ThirdParty
from ciptool.models.sourced import Sourced
from ciptool.models.standards import ThirdPartyEvidenceRecord

#: The kind under which third-party evidence records that failed validation are kept
#: (:attr:`Repository.partial`, :attr:`Repository.invalid_ids`).
THIRD_PARTY_EVIDENCE = "third_party_evidence"

#: An evidence record of either form, with its source: a control's, or a third party's for a
#: minimum standard.
SourcedEvidence = Sourced[EvidenceRecord] | Sourced[ThirdPartyEvidenceRecord]


@dataclass(frozen=True)
class CatalogSource:
    """A catalog and where it came from: ``bundled`` or a repository file."""

    catalog: Catalog
    origin: str


@dataclass
class Repository:
    """Everything the loader read: valid records with their sources, and load findings."""

    root: Path
    config: Sourced[ProgramConfig] | None
    controls: list[Sourced[Control]] = field(default_factory=list)
    policies: list[Sourced[Policy]] = field(default_factory=list)
    evidence: list[Sourced[EvidenceRecord]] = field(default_factory=list)
    #: The records in ``evidence/`` that name a ``third_party`` instead of a control.
    third_party_evidence: list[Sourced[ThirdPartyEvidenceRecord]] = field(default_factory=list)
    exceptions: list[Sourced[RiskException]] = field(default_factory=list)
    risks: list[Sourced[Risk]] = field(default_factory=list)
    third_parties: list[Sourced[ThirdParty]] = field(default_factory=list)
    apps: list[Sourced[App]] = field(default_factory=list)
    metrics: list[Sourced[Metric]] = field(default_factory=list)
    assessment_findings: list[Sourced[AssessmentFinding]] = field(default_factory=list)
    incidents: list[Sourced[Incident]] = field(default_factory=list)
    #: The SOC 2 workpapers in ``workpapers/``: one control's sample for one period each.
    workpapers: list[Sourced[Workpaper]] = field(default_factory=list)
    #: The auditor's requests for evidence in ``requests/`` (the PBC list).
    requests: list[Sourced[PbcRequest]] = field(default_factory=list)
    catalogs: dict[str, CatalogSource] = field(default_factory=dict)
    crosswalks: list[Sourced[Crosswalk]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files_read: int = 0
    #: SHA-256 of every file read (YAML text as read; evidence files as found), by path.
    input_digests: dict[str, str] = field(default_factory=dict)
    #: Evidence files the records list, by repository path; the files under ``evidence/``
    #: that are not records (artifacts), and those of them no record lists.
    evidence_files: dict[str, EvidenceFileFacts] = field(default_factory=dict)
    artifacts: list[str] = field(default_factory=list)
    #: The attestation documents of approved apps, by repository path: read as evidence
    #: files are, so that a changed document is noticed as a changed evidence file is.
    app_documents: dict[str, EvidenceFileFacts] = field(default_factory=dict)
    #: The text of the briefing's narrative (``briefing.narrative`` in ``ciptool.yaml``), when
    #: it names a file that could be read; looked at and hashed as evidence files are.
    narrative: str | None = None
    unlisted_evidence: list[str] = field(default_factory=list)
    #: Ids of records that exist but failed validation, by kind ("controls", "policies", ...):
    #: references to them are not reported again as unknown.
    invalid_ids: dict[str, set[str]] = field(default_factory=dict)
    #: Records that failed validation, by kind, built from the fields that passed (the others
    #: absent or default): read only by the reference checks, so that one run reports a
    #: broken record's unknown policy or requirement too, and by the integrity checks, which
    #: verify the files of an evidence record whose `files` entries are valid.
    partial: dict[str, list[Sourced[Any]]] = field(default_factory=dict)
    #: When the evidence records' ``collected_on`` lines were committed (git history), for the
    #: back-dated evidence check; None when the settings could not be read.
    history: EvidenceHistory | None = None

    def inputs_digest(self) -> str:
        """One SHA-256 over every input file's path and digest: what a report was made from."""
        lines = [f"{path}\t{digest}\n" for path, digest in sorted(self.input_digests.items())]
        return hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()

    def evidence_listing_files(self) -> list[SourcedEvidence]:
        """The evidence records whose files are verified: the valid ones, then those that
        failed validation but whose ``files`` entries are all valid (a misspelt key elsewhere
        must not keep a changed file from being reported); the controls', then the third
        parties'."""
        found: list[SourcedEvidence] = [*self.evidence]
        partial = self.partial
        found += [s for s in partial.get("evidence", ()) if "files" in s.record.model_fields_set]
        found += self.third_party_evidence
        found += [
            s for s in partial.get(THIRD_PARTY_EVIDENCE, ()) if "files" in s.record.model_fields_set
        ]
        return found

    def attestation_documents(self) -> list[str]:
        """The repository path of every approved app's attestation document, once each, in
        the order of the apps; paths that leave the repository are left out."""
        keys = (
            document_key(sourced.record.carin_attestation.document)
            for sourced in self.apps
            if sourced.record.status == "approved" and sourced.record.carin_attestation
        )
        return list(dict.fromkeys(key for key in keys if key is not None))

    def narrative_document(self) -> str | None:
        """The repository path of the briefing's narrative file, when ``ciptool.yaml`` names
        one inside the repository."""
        settings = self.config.record.briefing if self.config else None
        if settings is None or settings.narrative is None:
            return None
        return document_key(settings.narrative)

    def facts_for(self, record_file: str, written: str) -> EvidenceFileFacts | None:
        """What was found at a path a record lists; None when the path leaves the repository."""
        key = evidence_file_key(record_file, written)
        return self.evidence_files.get(key) if key else None

    def is_invalid(self, kind: str, ident: str) -> bool:
        """True when a record of ``kind`` with this id exists but failed validation."""
        return ident in self.invalid_ids.get(kind, ())
