"""The repository's record kinds as strict models: the file format is the product's contract.

Field names are snake_case and never renamed; new optional fields may be added. Every model
rejects unknown keys, so a misspelt key is a located finding rather than a silent default.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from ciptool.models.types import (
    YAML_TEXT_TYPES,
    Duration,
    Percent,
    RecordId,
    ScoreProduct,
    WarningDays,
    YamlBool,
    YamlDate,
)

__all__ = ["Record", "RecordId", "Text"]

Frequency = Literal[
    "continuous",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "semiannual",
    "annual",
    "event-driven",
]
ControlType = Literal["preventive", "detective", "corrective"]
Automation = Literal["manual", "automated", "hybrid"]
Relationship = Literal["equal", "subset_of", "superset_of", "intersects_with", "related"]
SeverityName = Literal["error", "warning", "note"]
FailOn = Literal["error", "warning", "never"]
RiskLevel = Literal["low", "medium", "high", "critical"]
Soc2Category = Literal[
    "security", "availability", "confidentiality", "processing-integrity", "privacy"
]

Text = Annotated[str, Field(min_length=1)]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Record(BaseModel):
    """Base of every record: strict, frozen, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Period(Record):
    """A span of dates, both ends included."""

    start: YamlDate
    end: YamlDate

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self


def _mapping_target(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


class MappingTarget(Record):
    """One framework requirement a control maps to, and how closely."""

    id: Text = Field(description="The requirement id as the framework writes it, e.g. PR.AA-05.")
    relationship: Relationship = Field(
        "equal",
        description="How the control relates to the requirement (NIST IR 8477 terms).",
    )
    rationale: str = Field("", description="Why the link is partial, when it is.")


MappingEntry = Annotated[
    MappingTarget,
    BeforeValidator(_mapping_target),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "A requirement id, e.g. A.5.18."},
                {
                    "type": ["number", "boolean"],
                    "description": "Read as the text written: 5.15 is the text 5.15, which"
                    " ciptool reads as A.5.15 with a note.",
                },
                {
                    "type": "object",
                    "properties": {
                        "id": {"type": YAML_TEXT_TYPES, "minLength": 1},
                        "relationship": {
                            "enum": [
                                "equal",
                                "subset_of",
                                "superset_of",
                                "intersects_with",
                                "related",
                            ]
                        },
                        "rationale": {"type": "string"},
                    },
                    "required": ["id"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class EvidenceRequirement(Record):
    """A piece of evidence a control must produce."""

    id: RecordId = Field(description="Unique within the control, e.g. recert-signoff.")
    description: Text
    max_age: Duration | None = Field(
        None, description="How old the newest record may be; by default set by the frequency."
    )


class Control(Record):
    """A control of the program: who owns it, how often it runs, what it maps to and proves."""

    id: RecordId = Field(description="Unique across the repository, e.g. IAM-03.")
    title: Text
    description: str = ""
    owner: Text = Field(description="The role accountable for the control.")
    process: RecordId | None = Field(
        None, description="The program process, e.g. incident-response."
    )
    policy: RecordId | None = Field(
        None, description="The id of the policy the control implements."
    )
    type: ControlType | None = None
    automation: Automation | None = None
    frequency: Frequency
    scope: list[Text] = Field(
        default_factory=list, description="Business units or systems in scope."
    )
    mappings: dict[str, list[MappingEntry]] = Field(
        default_factory=dict,
        description="Framework id -> requirement ids, e.g. nist-csf-2.0: [PR.AA-05].",
    )
    evidence: list[EvidenceRequirement] = Field(default_factory=list)
    test_procedure: list[Text] = Field(
        default_factory=list,
        description="How a tester tests one occurrence of the control, one step per entry, in"
        " order; the steps are numbered from 1.",
    )


class Policy(Record):
    """A policy or standard that controls implement."""

    id: RecordId
    title: Text
    description: str = ""
    owner: str = ""
    approved_by: str = ""
    approved_on: YamlDate | None = None
    review_every: Duration | None = Field(None, description="Review cycle, e.g. 12mo.")
    last_reviewed: YamlDate | None = None
    document: str = Field("", description="A URL or a repository path to the policy text.")


class EvidenceFile(Record):
    """A file of evidence and its SHA-256 digest; the path is relative to the record's folder."""

    path: Text
    sha256: Annotated[str, Field(pattern=_SHA256.pattern)] = Field(
        description="Lower-case hex SHA-256 of the file's bytes."
    )

    @field_validator("path")
    @classmethod
    def _nameable(cls, path: str) -> str:
        if "\0" in path:  # no file system can name it; opening it would raise
            raise ValueError("a file path cannot hold a NUL character (\\0)")
        return path


def _present(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema: ``name`` is given and not null (ciptool reads null as absent)."""
    return {"required": [name], "properties": {name: schema}}


_NOT_NULL: dict[str, Any] = {"not": {"type": "null"}}
#: JSON Schema of an evidence record: exactly one of ``period`` and ``effective_on``.
ONE_DATE_SCHEMA: dict[str, Any] = {
    "oneOf": [_present("period", {"type": "object"}), _present("effective_on", _NOT_NULL)]
}


class Occurrence(Record):
    """One occurrence of an event-driven or continuous control that an evidence record lists:
    a change ticket, an access grant, an alert handled."""

    id: Text = Field(description="The occurrence's id in the system it came from, e.g. CHG-4812.")
    occurred_on: YamlDate
    description: str = ""


class EvidenceRecord(Record):
    """One collection of evidence for one evidence requirement of one control."""

    model_config = ConfigDict(json_schema_extra=ONE_DATE_SCHEMA)

    control: RecordId
    requirement: RecordId = Field(description="The id of the control's evidence requirement.")
    collected_on: YamlDate
    period: Period | None = Field(None, description="The span the evidence covers.")
    effective_on: YamlDate | None = Field(None, description="The day the evidence speaks for.")
    collected_by: str = ""
    source: str = ""
    notes: str = ""
    files: list[EvidenceFile] = Field(default_factory=list)
    items: list[Occurrence] = Field(
        default_factory=list,
        description="The occurrences the evidence lists (tickets, grants, alerts): the"
        " population a SOC 2 auditor samples for an event-driven or continuous control.",
    )

    @model_validator(mode="after")
    def _one_date(self) -> EvidenceRecord:
        one_date(self.period, self.effective_on)
        return self


def one_date(period: Period | None, effective_on: object) -> None:
    """Raise ValueError unless an evidence record says when it applies in exactly one way."""
    if period is not None and effective_on is not None:
        raise ValueError("give either `period` or `effective_on`, not both")
    if period is None and effective_on is None:
        raise ValueError(
            "say when the evidence applies: `effective_on: YYYY-MM-DD`"
            " or `period: {start: ..., end: ...}`"
        )


class AppliesTo(Record):
    """What an exception waives: a control, a framework requirement, or one check's finding."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [_present(name, _NOT_NULL) for name in ("control", "requirement", "check")],
            "dependentSchemas": {
                "subject": {
                    "anyOf": [
                        {"properties": {"subject": {"type": "null"}}},
                        _present("check", _NOT_NULL),
                    ]
                }
            },
        }
    )

    control: RecordId | None = None
    requirement: str | None = Field(
        None, description="framework:requirement, e.g. iso27001-2022:A.8.2"
    )
    check: str | None = Field(None, description="A check code; use with subject.")
    subject: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> AppliesTo:
        forms = [self.control is not None, self.requirement is not None, self.check is not None]
        if sum(forms) != 1:
            raise ValueError(
                "name exactly one of `control`, `requirement`, or `check` (with `subject`)"
            )
        if self.subject is not None and self.check is None:
            raise ValueError("`subject` goes with `check`")
        return self


class RiskException(Record):
    """An accepted risk or waiver, with its approver and expiry."""

    id: RecordId
    applies_to: AppliesTo
    reason: Text
    risk: RiskLevel
    approved_by: Text
    approved_on: YamlDate
    expires_on: YamlDate
    compensating_controls: list[RecordId] = Field(default_factory=list)


ImplementationStatus = Literal["implemented", "partially-implemented", "planned"]


class Inclusion(Record):
    """Why a control is in the Statement of Applicability, and how far it is implemented
    (ISO/IEC 27001:2022 6.1.3 d)): fields shared by Annex A decisions and additional controls."""

    justification: str = Field(
        "", description="Why, in words: for an exclusion, why the control is not needed."
    )
    risks: list[RecordId] = Field(
        default_factory=list,
        description="The risks of the register whose treatment needs the control; by default"
        " the risks the implementing controls treat.",
    )
    obligation: str = Field(
        "", description="The legal, regulatory or contractual obligation that needs it."
    )
    business_requirement: str = Field("", description="The business requirement that needs it.")
    status: ImplementationStatus | None = Field(
        None, description="How far it is implemented; by default judged from its evidence."
    )
    target_date: YamlDate | None = Field(
        None, description="When a planned or partially implemented control will be in place."
    )


class Applicability(Inclusion):
    """A Statement of Applicability decision for one framework requirement."""

    model_config = ConfigDict(
        json_schema_extra={
            "if": _present("applicable", {"const": False}),
            "then": _present("justification", {"pattern": "[^\\s]"}),
        }
    )

    applicable: YamlBool = True

    @model_validator(mode="after")
    def _justified(self) -> Applicability:
        if not self.applicable and not self.justification.strip():
            raise ValueError("an exclusion needs a `justification`")
        return self


class AdditionalControl(Inclusion):
    """A control the Statement of Applicability includes beyond Annex A (6.1.3 c))."""

    id: Text = Field(description="The control's id in the statement, e.g. LMH-1.")
    title: Text
    source: str = Field("", description="Where it comes from, e.g. NIST CSF 2.0 GV.SC-07.")
    controls: list[RecordId] = Field(
        default_factory=list, description="The program's controls that implement it."
    )


class SoaSettings(Record):
    """The Statement of Applicability's version and approval, and its additional controls."""

    version: Text | None = None
    approved_by: Text | None = None
    approved_on: YamlDate | None = None
    digest: Annotated[str, Field(pattern=_SHA256.pattern)] | None = Field(
        None,
        description="The content digest of the statement as approved, as the report prints"
        " it; a finding when the statement no longer has it.",
    )
    additional_controls: list[AdditionalControl] = Field(default_factory=list)


def _security_only() -> list[Soc2Category]:
    return ["security"]


class Soc2Settings(Record):
    """SOC 2 scope: categories (security is always in scope), the Type II audit period and
    the auditor's fieldwork."""

    categories: list[Soc2Category] = Field(default_factory=_security_only)
    period: Period | None = None
    fieldwork: Period | None = Field(
        None, description="When the auditor tests the period's samples and requests."
    )


class ProvenanceSettings(Record):
    """How evidence is held against the repository's git history."""

    tolerance: Duration = Field(
        Duration(30, "d"),
        description="How long after its `collected_on` an evidence record may first be"
        " committed before it is reported as back-dated, e.g. 30d.",
    )
    since: YamlDate | None = Field(
        None,
        description="Evidence collected before this day is not held against the history (the"
        " day the program's records began to be kept in git).",
    )


class CheckSettings(Record):
    """How ``ciptool check`` judges the repository."""

    fail_on: FailOn = "error"
    severity: dict[str, SeverityName] = Field(
        default_factory=dict, description="Check code -> error | warning | note."
    )
    expiry_warning_days: WarningDays = Field(
        30, description="Warn this many days before an exception expires (0 to 3650)."
    )


class RiskSettings(Record):
    """How the risk register is judged."""

    appetite: ScoreProduct = Field(
        description="The highest residual score (likelihood x impact) accepted without an"
        " exception: 1 to 25."
    )


#: The sections of the Audit Committee briefing that hold controls, in the briefing's order.
BriefingSection = Literal[
    "threat-environment",
    "incident-response",
    "business-continuity",
    "governance",
    "program-components",
    "third-parties",
    "member-data-sharing",
]


#: The NIST CSF 2.0 functions, the keys of the briefing's target profile.
CSF_FUNCTIONS = ("GV", "ID", "PR", "DE", "RS", "RC")


def _problem(message: str, loc: tuple[str | int, ...], value: str) -> InitErrorDetails:
    """A validation problem at ``loc`` inside the record, saying ``message``."""
    return InitErrorDetails(
        type=PydanticCustomError("ciptool_briefing", message),
        loc=loc,
        input=value,
    )


class BriefingSettings(Record):
    """How the Audit Committee briefing is laid out and marked."""

    classification: Text = Field(
        "Confidential", description="The marking printed on every page of board documents."
    )
    sections: dict[BriefingSection, list[Text]] = Field(
        default_factory=dict,
        description="Briefing section -> the control processes it holds, in addition to the"
        " defaults (the seven security processes and governance); a process named here moves"
        " from its default section.",
    )
    target_profile: dict[Text, Percent] = Field(
        default_factory=dict,
        description="NIST CSF 2.0 function (GV, ID, PR, DE, RS, RC) -> the share of its"
        " applicable subcategories the program aims to cover, 0 to 100.",
        json_schema_extra={"propertyNames": {"enum": list(CSF_FUNCTIONS)}},
    )
    narrative: Text | None = Field(
        None,
        description="A Markdown file in the repository, written by the CISO, on current trends"
        " in the threat environment; a path relative to the repository root.",
    )

    @model_validator(mode="after")
    def _placed_once_and_known_functions(self) -> BriefingSettings:
        """Each process in one section only, and target profile keys that are CSF 2.0
        functions: each problem located at the entry that breaks the rule."""
        problems: list[InitErrorDetails] = []
        placed: dict[str, str] = {}
        for section, processes in self.sections.items():
            for index, process in enumerate(processes):
                first = placed.setdefault(process, section)
                if first == section and processes.index(process) == index:
                    continue
                where = "twice in" if first == section else f"in {first} and in"
                problems.append(
                    _problem(
                        f"process `{process}` is named {where} {section}; a process is briefed"
                        " in one section: keep one of them",
                        ("sections", section, index),
                        process,
                    )
                )
        for function in self.target_profile:
            if function not in CSF_FUNCTIONS:
                problems.append(
                    _problem(
                        f"`{function}` is not a NIST CSF 2.0 function; the target profile's keys"
                        f" are {', '.join(CSF_FUNCTIONS)}",
                        ("target_profile", function),
                        function,
                    )
                )
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self


class ProgramConfig(Record):
    """``ciptool.yaml``: the program's name, frameworks in scope and settings."""

    program: Text
    frameworks: list[str] = Field(default_factory=list, description="Framework ids in scope.")
    soc2: Soc2Settings | None = None
    applicability: dict[str, dict[str, Applicability]] = Field(default_factory=dict)
    check: CheckSettings = Field(default_factory=CheckSettings)
    risk: RiskSettings | None = None
    briefing: BriefingSettings = Field(default_factory=BriefingSettings)
    soa: SoaSettings = Field(default_factory=SoaSettings)
    provenance: ProvenanceSettings = Field(default_factory=ProvenanceSettings)
