"""The shape of each kind of file, for JSON Schema: one top-level key and its records."""

from __future__ import annotations

from pydantic import Field

from ciptool.models.catalog import Catalog, Crosswalk
from ciptool.models.fieldwork import PbcRequest, Workpaper
from ciptool.models.records import (
    Control,
    EvidenceRecord,
    Policy,
    ProgramConfig,
    Record,
    RiskException,
)
from ciptool.models.registers import (
    App,
    AssessmentFinding,
    Incident,
    Metric,
    Risk,
    ThirdParty,
)
from ciptool.models.standards import ThirdPartyEvidenceRecord


class ControlsFile(Record):
    """A file in controls/: a list of controls."""

    controls: list[Control] = Field(default_factory=list)


class PoliciesFile(Record):
    """A file in policies/: a list of policies and standards."""

    policies: list[Policy] = Field(default_factory=list)


class EvidenceRecordsFile(Record):
    """A record file in evidence/: a list of evidence records, each for a control's evidence
    requirement or for a third party's minimum standard."""

    evidence: list[EvidenceRecord | ThirdPartyEvidenceRecord] = Field(default_factory=list)


class ExceptionsFile(Record):
    """A file in exceptions/: a list of accepted risks and waivers."""

    exceptions: list[RiskException] = Field(default_factory=list)


class RisksFile(Record):
    """A file in risks/: a list of risks with their action plans."""

    risks: list[Risk] = Field(default_factory=list)


class ThirdPartiesFile(Record):
    """A file in third-parties/: a list of third parties."""

    third_parties: list[ThirdParty] = Field(default_factory=list)


class AppsFile(Record):
    """A file in apps/: a list of member data-sharing apps."""

    apps: list[App] = Field(default_factory=list)


class MetricsFile(Record):
    """A file in metrics/: a list of metrics with their values."""

    metrics: list[Metric] = Field(default_factory=list)


class FindingsFile(Record):
    """A file in findings/: a list of assessment findings."""

    findings: list[AssessmentFinding] = Field(default_factory=list)


class IncidentsFile(Record):
    """A file in incidents/: a list of incidents."""

    incidents: list[Incident] = Field(default_factory=list)


class WorkpapersFile(Record):
    """A file in workpapers/: SOC 2 samples and the results of testing them."""

    workpapers: list[Workpaper] = Field(default_factory=list)


class RequestsFile(Record):
    """A file in requests/: the auditor's requests for evidence."""

    requests: list[PbcRequest] = Field(default_factory=list)


class CatalogFile(Record):
    """A framework catalog in frameworks/."""

    catalog: Catalog


class CrosswalkFile(Record):
    """A crosswalk between two frameworks in frameworks/."""

    crosswalk: Crosswalk


#: kind -> (model, the files it describes)
FILE_KINDS: dict[str, tuple[type[Record], str]] = {
    "config": (ProgramConfig, "ciptool.yaml"),
    "controls": (ControlsFile, "controls/**/*.yaml"),
    "policies": (PoliciesFile, "policies/**/*.yaml"),
    "evidence": (EvidenceRecordsFile, "evidence/**/*.yaml (not under files/)"),
    "exceptions": (ExceptionsFile, "exceptions/**/*.yaml"),
    "risks": (RisksFile, "risks/**/*.yaml"),
    "third-parties": (ThirdPartiesFile, "third-parties/**/*.yaml"),
    "apps": (AppsFile, "apps/**/*.yaml"),
    "metrics": (MetricsFile, "metrics/**/*.yaml"),
    "findings": (FindingsFile, "findings/**/*.yaml"),
    "incidents": (IncidentsFile, "incidents/**/*.yaml"),
    "workpapers": (WorkpapersFile, "workpapers/**/*.yaml"),
    "requests": (RequestsFile, "requests/**/*.yaml"),
    "catalog": (CatalogFile, "frameworks/*.yaml with a top-level catalog:"),
    "crosswalk": (CrosswalkFile, "frameworks/*.yaml with a top-level crosswalk:"),
}
