"""A check's result as plain data (tuples of text, numbers and None), to be kept between runs.

A kept result is a file another could have made, so what it holds is checked, field by field,
before it is used: anything :func:`result_to_plain` does not write is refused.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ciptool.findings import Finding, Location, Severity
from ciptool.results import RequirementCoverage, RunResult, Status


def result_to_plain(result: RunResult) -> tuple[Any, ...]:
    """The result as tuples of strings, numbers and None (the root is left out)."""
    return (
        result.program,
        tuple(_finding_plain(f) for f in result.findings),
        result.files_read,
        result.config_usable,
        result.today.isoformat(),
        result.fail_on,
        tuple(result.counts.items()),
        tuple(_coverage_plain(row) for row in result.coverage),
        result.baselined,
    )


def result_from_plain(root: Path, plain: tuple[Any, ...]) -> RunResult:
    """The result :func:`result_to_plain` gave, for ``root``; TypeError or ValueError when
    ``plain`` holds anything :func:`result_to_plain` does not write."""
    _expect(plain, _RESULT_TYPES)
    program, findings, files_read, usable, today, fail_on, counts, rows, baselined = plain
    for pair in counts:
        _expect(pair, ((str,), (int,)))
    for row in rows:
        _expect(row, _ROW_TYPES)
        if not all(type(part) is str for part in (*row[4], *row[6])):
            raise TypeError("control ids as text")
    return RunResult(
        root,
        program,
        tuple(_finding_from_plain(f) for f in findings),
        files_read,
        usable,
        dt.date.fromisoformat(today),
        fail_on,
        dict(counts),
        tuple(
            RequirementCoverage(framework, ident, title, Status(status), *rest)
            for framework, ident, title, status, *rest in rows
        ),
        baselined,
    )


def _coverage_plain(row: RequirementCoverage) -> tuple[Any, ...]:
    return (
        row.framework,
        row.requirement,
        row.title,
        row.status.value,
        row.controls,
        row.reason,
        row.suggested,
        row.group,
    )


def _location_plain(location: Location) -> tuple[Any, ...]:
    return (
        location.file,
        location.line,
        location.column,
        location.yaml_path,
        location.path,
        location.on_key,
    )


def _location_from_plain(plain: tuple[Any, ...]) -> Location:
    _expect(plain, _LOCATION_TYPES)
    if not all(type(part) in (str, int) for part in plain[4]):
        raise TypeError("a YAML path of text and numbers")
    return Location(*plain)


#: What :func:`_location_plain` and :func:`_finding_plain` write, field by field: a kept
#: result is a file another could have made, so what it holds is checked before it is used.
_LOCATION_TYPES: tuple[tuple[type, ...], ...] = ((str,), (int,), (int,), (str,), (tuple,), (bool,))
_FINDING_TYPES: tuple[tuple[type, ...], ...] = (
    (str,), (str,), (str,), (tuple, type(None)), (str,), (str,), (tuple,),
    (str,), (str,), (str,), (str, type(None)), (bool,),
)  # fmt: skip


_RESULT_TYPES: tuple[tuple[type, ...], ...] = (
    (str,), (tuple,), (int,), (bool,), (str,), (str,), (tuple,), (tuple,), (bool, type(None)),
)  # fmt: skip
_ROW_TYPES: tuple[tuple[type, ...], ...] = (
    (str,), (str,), (str,), (str,), (tuple,), (str,), (tuple,), (str,),
)  # fmt: skip


def _expect(plain: Any, types: tuple[tuple[type, ...], ...]) -> None:
    """Raise TypeError unless ``plain`` is a tuple whose fields have exactly ``types``."""
    if type(plain) is not tuple or len(plain) != len(types):
        raise TypeError(f"a tuple of {len(types)} fields")
    for value, allowed in zip(plain, types, strict=True):
        if type(value) not in allowed:
            raise TypeError(f"{type(value).__name__} where {allowed} belongs")


_SEVERITIES = {severity.value: severity for severity in Severity}


def _finding_plain(finding: Finding) -> tuple[Any, ...]:
    location = finding.location
    until = finding.excepted_until
    return (
        finding.code,
        finding.severity.value,
        finding.message,
        _location_plain(location) if location is not None else None,
        finding.suggestion,
        finding.subject,
        tuple(_location_plain(loc) for loc in finding.related),
        finding.control,
        finding.requirement,
        finding.excepted_by,
        until.isoformat() if until is not None else None,
        finding.in_baseline,
    )


def _finding_from_plain(plain: tuple[Any, ...]) -> Finding:
    _expect(plain, _FINDING_TYPES)
    code, severity, message, location, suggestion, subject, related, *rest = plain
    control, requirement, excepted_by, until, in_baseline = rest
    return Finding(
        code,
        _SEVERITIES.get(severity) or Severity(severity),
        message,
        _location_from_plain(location) if location is not None else None,
        suggestion,
        subject,
        tuple([_location_from_plain(loc) for loc in related]) if related else (),
        control,
        requirement,
        excepted_by,
        dt.date.fromisoformat(until) if until is not None else None,
        in_baseline,
    )
