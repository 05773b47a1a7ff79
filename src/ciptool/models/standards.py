"""The Third Party Management Program's minimum standards, and the evidence records that show a
third party meets them.

A third party in the program (:attr:`ThirdParty.in_program`) must show evidence for each
minimum standard below, as a control shows evidence for its requirements: a record in
``evidence/`` that names ``third_party:`` and ``requirement:`` instead of ``control:``, with its
files and their digests. The standards are defined here and nowhere else: the checks, the
report, ``ciptool evidence add`` and the documentation read them from :data:`MINIMUM_STANDARDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ConfigDict, Field, model_validator

from ciptool.models.records import ONE_DATE_SCHEMA, EvidenceFile, Period, Record, one_date
from ciptool.models.types import Duration, RecordId, YamlDate


@dataclass(frozen=True)
class MinimumStandard:
    """One minimum standard of the program: its id, what it asks, and how old its newest
    evidence may be (None: once is enough)."""

    id: str
    description: str
    max_age: Duration | None = None


#: The minimum standards, in the order the program lists them.
MINIMUM_STANDARDS: tuple[MinimumStandard, ...] = (
    MinimumStandard(
        "confidentiality-agreement",
        "A confidentiality agreement signed before any information is shared",
    ),
    MinimumStandard(
        "due-diligence",
        "Due diligence before contracting, with an on-site visit",
    ),
    MinimumStandard(
        "risk-assessment",
        "A risk assessment of the third party and of what it will do",
    ),
    MinimumStandard(
        "contract-review",
        "The contract negotiated and reviewed by Sourcing and Legal",
    ),
    MinimumStandard(
        "performance-metrics",
        "Performance metrics agreed and reported",
    ),
    MinimumStandard(
        "annual-review",
        "A review of the relationship at least once a year",
        Duration(1, "y"),
    ),
)

#: Each minimum standard by its id.
STANDARDS_BY_ID: dict[str, MinimumStandard] = {s.id: s for s in MINIMUM_STANDARDS}


class ThirdPartyEvidenceRecord(Record):
    """One collection of evidence that a third party meets one minimum standard of the Third
    Party Management Program. Its fields after ``requirement`` are those of a control's
    evidence record, and mean the same."""

    model_config = ConfigDict(json_schema_extra=ONE_DATE_SCHEMA)

    third_party: RecordId = Field(description="The id of the third party, e.g. TP-ACME-CLAIMS.")
    requirement: RecordId = Field(
        description="The minimum standard: " + ", ".join(s.id for s in MINIMUM_STANDARDS) + "."
    )
    collected_on: YamlDate
    period: Period | None = Field(None, description="The span the evidence covers.")
    effective_on: YamlDate | None = Field(None, description="The day the evidence speaks for.")
    collected_by: str = ""
    source: str = ""
    notes: str = ""
    files: list[EvidenceFile] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_date(self) -> ThirdPartyEvidenceRecord:
        one_date(self.period, self.effective_on)
        return self
