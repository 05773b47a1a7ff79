"""The only place that reads repository files: discovery, YAML, validation, catalogs.

The loader reads through a file source (:mod:`ciptool.loader.source`): the plain one here, or
one the incremental room supplies. The names below load on first use, most from
:mod:`ciptool.loader.repository`: that module needs the models, and a source must be able to
begin reading a repository without them, while they load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ciptool.loader.places import find_repository
    from ciptool.loader.positions import locate_findings
    from ciptool.loader.repository import (
        FrameworkSet,
        Part,
        load_frameworks,
        load_repository,
    )
    from ciptool.loader.yamlparse import FAST_PARSER
    from ciptool.models.repository import CatalogSource

__all__ = [
    "FAST_PARSER",
    "CatalogSource",
    "FrameworkSet",
    "Part",
    "find_repository",
    "load_frameworks",
    "load_repository",
    "locate_findings",
]


#: The names that are not defined in :mod:`ciptool.loader.repository`, and their modules.
_ELSEWHERE = {
    "FAST_PARSER": "ciptool.loader.yamlparse",
    "CatalogSource": "ciptool.models.repository",
    "find_repository": "ciptool.loader.places",
    "locate_findings": "ciptool.loader.positions",
}


if not TYPE_CHECKING:  # mypy reads the names above, and flags any other

    def __getattr__(name: str) -> Any:
        if name in __all__:
            module = _ELSEWHERE.get(name, "ciptool.loader.repository")
            return getattr(importlib.import_module(module), name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
