"""Giving findings their line and column, by reading each file with findings once more."""

from __future__ import annotations

from pathlib import Path

from ciptool.findings import Finding, Location
from ciptool.loader.collector import gc_paused
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
    # Every path to be located in a file is known first: the file is then read for those.
    wanted: dict[str, list[tuple[str | int, ...]]] = {}
    for finding in findings:
        for location in (finding.location, *finding.related):
            if location is not None and location.needs_position:
                wanted.setdefault(location.file, []).append(location.path)
    indexes = {file: _index(root, file, paths) for file, paths in wanted.items()}
    located: list[Finding] = []
    for finding in findings:
        location = finding.location
        related = tuple(_place(loc, indexes) for loc in finding.related)
        if location is not None:
            location = _place(location, indexes)
        if location is finding.location and related == finding.related:
            located.append(finding)
        else:
            located.append(finding.placed(location, related))
    return located


def _index(root: Path, file: str, paths: list[tuple[str | int, ...]]) -> PositionIndex | None:
    text, _problem = read_text(file, root / file)
    return PositionIndex(text, paths) if text is not None else None


def _place(location: Location, indexes: dict[str, PositionIndex | None]) -> Location:
    if not location.needs_position:
        return location
    index = indexes[location.file]
    if index is None:
        return location.at(1, 1)
    line, column = index.locate(location.path, key=location.on_key)
    return location.at(line, column)
