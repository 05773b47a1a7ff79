"""One module per output format; each is a pure function of plain data.

This package's own module holds only the names of the formats, so that the command line can
offer them without importing any renderer; ``render.outputs`` maps each to its renderer.
"""

from __future__ import annotations

from enum import Enum


class CheckFormat(str, Enum):
    """Output formats of ``ciptool check``."""

    terminal = "terminal"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
