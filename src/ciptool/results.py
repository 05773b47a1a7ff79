"""What ``ciptool check`` asks for and what it finds, as plain data.

Nothing here needs the models or the checks, so a run whose result is reused from the cache
(see :mod:`ciptool.app.check`) can print it without loading them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ciptool.findings import Finding, Location, Severity

if TYPE_CHECKING:
    from ciptool.models.records import Period


class Status(str, Enum):
    """Where a requirement stands: defined once, in :mod:`ciptool.queries.coverage`."""

    COVERED = "covered"
    COVERED_WITH_DEVIATIONS = "covered-with-deviations"
    DECLARED = "declared"
    EXCEPTED = "excepted"
    NOT_APPLICABLE = "not-applicable"
    GAP = "gap"


@dataclass(frozen=True)
class RequirementCoverage:
    """One in-scope requirement: its status, the controls mapping it, and why."""

    framework: str
    #: The requirement's id in its catalog, and its title (its text when it has no title).
    requirement: str
    title: str
    status: Status
    controls: tuple[str, ...]
    reason: str = ""
    #: Controls that map a requirement a crosswalk links to this one: hints, never coverage.
    suggested: tuple[str, ...] = ()
    #: The id of the category (clause, series) the requirement is in; empty at the top.
    group: str = ""


def summary(rows: list[RequirementCoverage]) -> dict[str, dict[str, int]]:
    """Framework -> status -> count, every status present, frameworks in scope order."""
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = table.setdefault(row.framework, {status.value: 0 for status in Status})
        counts[row.status.value] += 1
    return table


def selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Whether ``code`` runs: matched by a code or family prefix in select, and none in ignore."""
    if select and not any(code.startswith(prefix) for prefix in select):
        return False
    return not any(code.startswith(prefix) for prefix in ignore)


@dataclass(frozen=True)
class RunSettings:
    """What the command line asked for; ``None`` means "as ciptool.yaml says"."""

    today: dt.date
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    soc2_period: Period | None = None
    baseline: frozenset[str] | None = None
    #: Where parsed files and digests of earlier runs are kept; None reads everything afresh.
    cache_dir: Path | None = None

    def key(self) -> tuple[Any, ...]:
        """Everything in these settings that can change a run's findings, as plain data.

        The threshold for failing is not part of it: it changes only what fails.
        """
        period = self.soc2_period
        return (
            self.today.isoformat(),
            self.select,
            self.ignore,
            (period.start.isoformat(), period.end.isoformat()) if period else None,
            tuple(sorted(self.baseline)) if self.baseline is not None else None,
        )


@dataclass(frozen=True)
class RunResult:
    """The outcome of ``ciptool check``: findings in reading order and what they add up to."""

    root: Path
    program: str
    findings: tuple[Finding, ...]
    files_read: int
    config_usable: bool
    today: dt.date
    fail_on: str = "error"
    counts: dict[str, int] = field(default_factory=dict)
    coverage: tuple[RequirementCoverage, ...] = ()
    #: True when the run compared against a baseline, None when it had none.
    baselined: bool | None = None

    def failing(self) -> list[Finding]:
        """Findings at or above the run's ``fail_on`` threshold that no exception covers."""
        if self.fail_on == "never":
            return []
        threshold = Severity(self.fail_on)
        return [
            f
            for f in self.findings
            if f.severity.at_least(threshold) and not f.excepted and not f.in_baseline
        ]

    def to_plain(self) -> tuple[Any, ...]:
        """The result as tuples of strings, numbers and None (the root is left out)."""
        return (
            self.program,
            tuple(_finding_plain(f) for f in self.findings),
            self.files_read,
            self.config_usable,
            self.today.isoformat(),
            self.fail_on,
            tuple(self.counts.items()),
            tuple(_coverage_plain(row) for row in self.coverage),
            self.baselined,
        )

    @classmethod
    def from_plain(cls, root: Path, plain: tuple[Any, ...]) -> RunResult:
        """The result :meth:`to_plain` gave, for ``root``; TypeError or ValueError when
        ``plain`` holds anything :meth:`to_plain` does not write."""
        _expect(plain, _RESULT_TYPES)
        program, findings, files_read, usable, today, fail_on, counts, rows, baselined = plain
        for pair in counts:
            _expect(pair, ((str,), (int,)))
        for row in rows:
            _expect(row, _ROW_TYPES)
            if not all(type(part) is str for part in (*row[4], *row[6])):
                raise TypeError("control ids as text")
        return cls(
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
