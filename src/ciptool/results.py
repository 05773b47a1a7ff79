"""What ``ciptool check`` asks for and what it finds, as plain data.

Nothing here needs the models or the checks, so a run whose result is reused from the cache
(see :mod:`ciptool.incremental.kept`) can print it without loading them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ciptool.findings import Finding, Severity

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
