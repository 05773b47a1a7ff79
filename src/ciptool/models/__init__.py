"""Pydantic models of every record kind, and where each record came from. No I/O here."""

from ciptool.models.catalog import Catalog, Crosswalk, Item, Resolution
from ciptool.models.records import (
    Control,
    EvidenceRecord,
    MappingTarget,
    Policy,
    ProgramConfig,
    RiskException,
)
from ciptool.models.sourced import Sourced

__all__ = [
    "Catalog",
    "Control",
    "Crosswalk",
    "EvidenceRecord",
    "Item",
    "MappingTarget",
    "Policy",
    "ProgramConfig",
    "Resolution",
    "RiskException",
    "Sourced",
]
