"""The only place that reads repository files: discovery, YAML, validation, catalogs.

The names below load on first use, from :mod:`ciptool.loader.repository`: that module needs
the models, and :mod:`ciptool.loader.ahead` must be importable without them, to begin reading
a repository while they load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ciptool.loader.repository import (
        FAST_PARSER,
        CatalogSource,
        FrameworkSet,
        Part,
        find_repository,
        load_frameworks,
        load_repository,
        locate_findings,
        same_data,
    )

__all__ = [
    "FAST_PARSER",
    "CatalogSource",
    "FrameworkSet",
    "Part",
    "find_repository",
    "load_frameworks",
    "load_repository",
    "locate_findings",
    "same_data",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("ciptool.loader.repository"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
