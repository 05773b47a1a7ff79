"""The program's registers as strict models: risks with their action plans, third parties,
member data-sharing apps, metrics, assessment findings and incidents.

As for every record kind, the field names are the file format's contract: snake_case, never
renamed; new optional fields may be added; unknown keys are refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from ciptool.models.records import Period, Record, Text
from ciptool.models.types import (
    Count,
    Duration,
    RecordId,
    ReportingPeriod,
    Score,
    YamlBool,
    YamlDate,
    YamlNumber,
)

Severity = Literal["critical", "high", "medium", "low"]
Treatment = Literal["mitigate", "accept", "transfer", "avoid"]
ActionStatus = Literal["planned", "in-progress", "done"]
Arrangement = Literal[
    "delegated-provider",
    "specialty-provider",
    "third-party-administrator",
    "outsourced-process",
    "direct-provider",
    "legal",
    "financial-audit",
    "broker",
    "board-retained",
    "no-stakeholder-impact",
]
#: The arrangements the Third Party Management Program applies to; the others it does not.
PROGRAM_ARRANGEMENTS: frozenset[str] = frozenset(
    {"delegated-provider", "specialty-provider", "third-party-administrator", "outsourced-process"}
)
DataClass = Literal["phi", "pii", "pci", "financial", "confidential", "internal", "public"]
AppStatus = Literal["requested", "approved", "denied", "revoked"]
MetricKind = Literal["kpi", "kri"]
Better = Literal["lower", "higher"]
MetricFrequency = Literal["monthly", "quarterly", "semiannual", "annual"]
FindingSource = Literal[
    "penetration-test",
    "red-team",
    "soc2-audit",
    "internal-audit",
    "regulator",
    "self-assessment",
]
FindingStatus = Literal["open", "remediated", "accepted"]


class RiskScore(Record):
    """Where a risk sits on the 5 x 5 grid: likelihood and impact, 1 to 5 each."""

    likelihood: Score
    impact: Score

    @property
    def score(self) -> int:
        """Likelihood times impact: 1 to 25."""
        return self.likelihood * self.impact


class Action(Record):
    """One step of an action plan: who does what by when, and whether it is done."""

    id: RecordId = Field(description="Unique across the repository, e.g. RSK-007-A1.")
    description: Text
    owner: Text = Field(description="The role accountable for the action.")
    due_on: YamlDate
    status: ActionStatus
    completed_on: YamlDate | None = Field(None, description="When it was done; needed by done.")

    @model_validator(mode="after")
    def _completion(self) -> Action:
        if self.status == "done" and self.completed_on is None:
            raise ValueError("a done action needs `completed_on: YYYY-MM-DD`")
        if self.status != "done" and self.completed_on is not None:
            raise ValueError(
                f"`completed_on` goes with `status: done`; this action is {self.status}"
            )
        return self


class Risk(Record):
    """A risk of the register: its levels before and after controls, its treatment and plan."""

    id: RecordId = Field(description="Unique across the repository, e.g. RSK-007.")
    title: Text
    description: str = ""
    owner: Text = Field(description="The role accountable for the risk.")
    category: Text = Field(description="Free text, e.g. cyber, privacy, third-party.")
    inherent: RiskScore = Field(description="Likelihood and impact before controls.")
    residual: RiskScore = Field(description="Likelihood and impact with the controls in place.")
    treatment: Treatment
    controls: list[RecordId] = Field(
        default_factory=list, description="The controls that treat the risk."
    )
    exceptions: list[RecordId] = Field(
        default_factory=list, description="The exceptions that accept part of the risk."
    )
    reviewed_on: YamlDate
    review_every: Duration = Field(description="Review cycle, e.g. 6mo.")
    actions: list[Action] = Field(default_factory=list, description="The action plan.")


class BusinessAssociateAgreement(Record):
    """A HIPAA business associate agreement with a supplier that handles PHI."""

    signed_on: YamlDate
    document: str = Field("", description="A URL or a repository path to the agreement.")


class SupplierReport(Record):
    """The supplier's own SOC 2 report, as received: its period, and when it stops serving."""

    received_on: YamlDate
    expires_on: YamlDate = Field(
        description="When the report is too old to rely on (often 12 months after its period)."
    )
    period: Period | None = None
    opinion: str = Field("", description="e.g. unqualified, qualified.")


class ThirdParty(Record):
    """A supplier or other third party: what it does with which data, and the arrangement that
    decides whether the Third Party Management Program applies."""

    id: RecordId = Field(description="Unique across the repository, e.g. TP-ACME-CLAIMS.")
    name: Text
    arrangement: Arrangement = Field(
        description="The first four kinds are in the Third Party Management Program."
    )
    services: Text
    data: list[DataClass] = Field(default_factory=list, description="The data it handles.")
    tier: Severity
    owner: Text = Field(description="The role accountable for the relationship.")
    contract: Period | None = Field(None, description="The contract's start and end.")
    business_associate_agreement: BusinessAssociateAgreement | None = Field(
        None, description="Required where the data includes phi."
    )
    soc2_report: SupplierReport | None = None
    controls: list[RecordId] = Field(
        default_factory=list,
        description="The controls that govern the relationship or rely on the supplier, e.g."
        " the supplier-assurance controls.",
    )
    notes: str = ""

    @property
    def in_program(self) -> bool:
        """True when the Third Party Management Program applies to its arrangement."""
        return self.arrangement in PROGRAM_ARRANGEMENTS


class Attestation(Record):
    """The developer's attestation to the CARIN Alliance code of conduct, and its document."""

    attested_on: YamlDate
    document: Text = Field(
        description="The attestation's path from the repository's top folder, e.g."
        " apps/attestations/app-0042.pdf."
    )
    sha256: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{64}$",
        description="Lower-case hex SHA-256 of the document's bytes.",
    )


class PrivacyPolicy(Record):
    """The app's privacy policy and when it was last reviewed."""

    url: Text
    reviewed_on: YamlDate


class App(Record):
    """An app a member may authorise to read their claims data, and the decision on it."""

    id: RecordId = Field(description="Unique across the repository, e.g. APP-0042.")
    name: Text
    developer: Text
    status: AppStatus
    decided_on: YamlDate | None = Field(None, description="When it was approved or denied.")
    carin_attestation: Attestation | None = Field(
        None, description="Absent when the developer has not attested."
    )
    privacy_policy: PrivacyPolicy | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _decided(self) -> App:
        if self.status != "requested" and self.decided_on is None:
            raise ValueError(f"a decision ({self.status}) needs `decided_on: YYYY-MM-DD`")
        return self


class MetricValue(Record):
    """A metric's value for one period."""

    period: ReportingPeriod
    value: YamlNumber
    note: str = ""


class Metric(Record):
    """A key performance or risk indicator, its target and breach level, and its values."""

    id: RecordId = Field(description="Unique across the repository, e.g. KRI-PHISH.")
    title: Text
    description: str = ""
    kind: MetricKind
    unit: Text = Field(description="e.g. percent, hours, score.")
    better: Better = Field(description="Whether lower or higher values are better.")
    target: YamlNumber | None = None
    threshold: YamlNumber | None = Field(None, description="The breach level.")
    owner: Text
    frequency: MetricFrequency
    reporting_lag: Duration | None = Field(
        None,
        description="How long after a period ends its value may still be missing (e.g. 30d);"
        " without it, a value is due as soon as its period has ended.",
    )
    controls: list[RecordId] = Field(default_factory=list)
    values: list[MetricValue] = Field(default_factory=list)

    @model_validator(mode="after")
    def _periods(self) -> Metric:
        seen: set[str] = set()
        for value in self.values:
            if value.period.frequency != self.frequency:
                raise ValueError(
                    f"the period {value.period} is not {self.frequency}: write each period"
                    " as the frequency measures it (2026-Q3 quarterly, 2026-07 monthly,"
                    " 2026-H2 semiannual, 2026 annual)"
                )
            if value.period.text in seen:
                raise ValueError(f"the period {value.period} has two values")
            seen.add(value.period.text)
        return self

    def latest(self) -> MetricValue | None:
        """The value of the latest period given."""
        return max(self.values, key=lambda value: value.period.start, default=None)


class AssessmentFinding(Record):
    """A finding of a penetration test, a red-team exercise, an audit or an assessment."""

    id: RecordId = Field(description="Unique across the repository, e.g. PT-2026-03.")
    source: FindingSource
    title: Text
    description: str = ""
    severity: Severity
    found_on: YamlDate
    owner: Text
    due_on: YamlDate
    status: FindingStatus = Field(description="accepted needs an exception.")
    closed_on: YamlDate | None = Field(None, description="When it was remediated.")
    controls: list[RecordId] = Field(default_factory=list)
    risks: list[RecordId] = Field(default_factory=list)
    exceptions: list[RecordId] = Field(
        default_factory=list, description="The exceptions that accept it."
    )

    @model_validator(mode="after")
    def _closed(self) -> AssessmentFinding:
        if self.status == "remediated" and self.closed_on is None:
            raise ValueError("a remediated finding needs `closed_on: YYYY-MM-DD`")
        return self


class Notification(Record):
    """Whether the incident had to be notified (members, regulators), and when it was."""

    required: YamlBool
    notified_on: YamlDate | None = None
    to: str = Field("", description="Who was notified, e.g. members, HHS OCR.")


class Incident(Record):
    """A security or privacy incident: when it was found, contained and closed, and why."""

    id: RecordId = Field(description="Unique across the repository, e.g. INC-2026-011.")
    title: Text
    description: str = ""
    category: str = Field("", description="e.g. phishing, misdirected mail, malware.")
    severity: Severity
    detected_on: YamlDate
    contained_on: YamlDate | None = None
    closed_on: YamlDate | None = None
    records_affected: Count | None = None
    notification: Notification | None = None
    root_cause: str = ""
    actions: list[Action] = Field(default_factory=list)
    controls: list[RecordId] = Field(default_factory=list)
    risks: list[RecordId] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Incident:
        for name in ("contained_on", "closed_on"):
            day: dt.date | None = getattr(self, name)
            if day is not None and day < self.detected_on:
                raise ValueError(f"`{name}` ({day}) is before `detected_on` ({self.detected_on})")
        return self
