"""Giving findings their line and column, by reading each file with findings once more."""

from __future__ import annotations

from pathlib import Path

from ciptool.collector import gc_paused
from ciptool.findings import Finding, Location
from ciptool.loader.files import read_text
from ciptool.loader.yamlparse import PositionIndex


def locate_findings(root: Path, findings: list[Finding]) -> list[Finding]:
    """The same findings, with line and column filled in from their YAML paths.

    Positions are found only for files that have findings, so a clean repository pays
    nothing for them; each such file is composed once however many findings it has.
    """
    with gc_paused():
        return _locate(root, findings)


def _locate(root: Path, findings: list[Finding]) -> list[Finding]:
    indexes: dict[str, PositionIndex | None] = {}
    located: list[Finding] = []
    for finding in findings:
        location = finding.location
        related = tuple(_place(root, loc, indexes) for loc in finding.related)
        if location is not None:
            location = _place(root, location, indexes)
        if location is finding.location and related == finding.related:
            located.append(finding)
        else:
            located.append(finding.placed(location, related))
    return located


def _place(root: Path, location: Location, indexes: dict[str, PositionIndex | None]) -> Location:
    if not location.needs_position:
        return location
    if location.file not in indexes:
        text, _problem = read_text(location.file, root / location.file)
        indexes[location.file] = PositionIndex(text) if text is not None else None
    index = indexes[location.file]
    if index is None:
        return location.at(1, 1)
    line, column = index.locate(location.path, key=location.on_key)
    return location.at(line, column)
