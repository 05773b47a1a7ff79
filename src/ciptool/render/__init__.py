"""One module per output format; each is a pure function of plain data.

This package's own module holds only the names of the formats, so that the command line can
offer them without importing any renderer; ``render.outputs`` maps each format of ``ciptool
check`` to its renderer, and ``render.report_formats`` each format of ``ciptool report``.
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


class ReportFormat(str, Enum):
    """Formats of ``ciptool report``."""

    md = "md"
    html = "html"
    csv = "csv"
    xlsx = "xlsx"
    pdf = "pdf"
