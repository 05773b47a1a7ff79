"""The shape of each kind of file, for JSON Schema: one top-level key and its records."""

from __future__ import annotations

from pydantic import Field

from ciptool.models.catalog import Catalog, Crosswalk
from ciptool.models.records import (
    Control,
    EvidenceRecord,
    Policy,
    ProgramConfig,
    Record,
    RiskException,
)


class ControlsFile(Record):
    """A file in controls/: a list of controls."""

    controls: list[Control] = Field(default_factory=list)


class PoliciesFile(Record):
    """A file in policies/: a list of policies and standards."""

    policies: list[Policy] = Field(default_factory=list)


class EvidenceRecordsFile(Record):
    """A record file in evidence/: a list of evidence records."""

    evidence: list[EvidenceRecord] = Field(default_factory=list)


class ExceptionsFile(Record):
    """A file in exceptions/: a list of accepted risks and waivers."""

    exceptions: list[RiskException] = Field(default_factory=list)


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
    "catalog": (CatalogFile, "frameworks/*.yaml with a top-level catalog:"),
    "crosswalk": (CrosswalkFile, "frameworks/*.yaml with a top-level crosswalk:"),
}
