"""Pydantic models of every record kind, and where each record came from. No I/O here.

The names below load on first use, so that :mod:`ciptool.models.dates` (the dates ciptool
accepts, which the command line checks ``--as-of`` against) is importable without pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ciptool.models.catalog import Catalog, Crosswalk, Item, Resolution
    from ciptool.models.records import (
        Control,
        EvidenceRecord,
        MappingTarget,
        Policy,
        ProgramConfig,
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
    from ciptool.models.sourced import Sourced
    from ciptool.models.standards import ThirdPartyEvidenceRecord

#: Each name and the module that defines it.
_HOMES = {
    "App": "registers",
    "AssessmentFinding": "registers",
    "Catalog": "catalog",
    "Control": "records",
    "Crosswalk": "catalog",
    "EvidenceRecord": "records",
    "Incident": "registers",
    "Item": "catalog",
    "MappingTarget": "records",
    "Metric": "registers",
    "Policy": "records",
    "ProgramConfig": "records",
    "Resolution": "catalog",
    "Risk": "registers",
    "RiskException": "records",
    "Sourced": "sourced",
    "ThirdParty": "registers",
    "ThirdPartyEvidenceRecord": "standards",
}

__all__ = [
    "App",
    "AssessmentFinding",
    "Catalog",
    "Control",
    "Crosswalk",
    "EvidenceRecord",
    "Incident",
    "Item",
    "MappingTarget",
    "Metric",
    "Policy",
    "ProgramConfig",
    "Resolution",
    "Risk",
    "RiskException",
    "Sourced",
    "ThirdParty",
    "ThirdPartyEvidenceRecord",
]


if not TYPE_CHECKING:  # mypy reads the names above, and flags any other

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"ciptool.models.{home}"), name)
