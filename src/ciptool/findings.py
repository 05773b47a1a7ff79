"""Findings: what a check or the loader says about the repository, with where it says it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

#: Most problems ciptool reports in one file; past them the rest of the file is not checked
#: (LD015). A few bytes of YAML can each be a problem (`[],` is three), so without a bound a
#: 16 MiB file would make millions of findings, minutes of work and gigabytes of memory.
MAX_FILE_PROBLEMS = 10_000


class Severity(str, Enum):
    """How much a finding matters; ordered from most to least severe."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """0 for errors, 1 for warnings, 2 for notes: lower sorts first."""
        return _SEVERITY_RANK[self]

    def at_least(self, threshold: Severity) -> bool:
        """True when this severity is as severe as ``threshold`` or more."""
        return self.rank <= threshold.rank


_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in a repository file: 1-based line and column, and the YAML path there."""

    file: str
    line: int = 0
    column: int = 0
    yaml_path: str = ""
    # Where to find the line and column when they are not known yet: the structured YAML
    # path, and whether the finding is about the key rather than the value there.
    path: tuple[str | int, ...] = field(default=(), compare=False, repr=False)
    on_key: bool = field(default=False, compare=False, repr=False)

    @property
    def needs_position(self) -> bool:
        """True when the line and column are still to be found from the YAML path."""
        return self.line == 0 and bool(self.path)

    def at(self, line: int, column: int) -> Location:
        """This location at ``line`` and ``column``: ``dataclasses.replace``, without its cost
        per call (a file may have 300,000 findings to place).
        """
        return Location(self.file, line, column, self.yaml_path, self.path, self.on_key)

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, with a stable code, a severity, a message that says what to do, and a place."""

    code: str
    severity: Severity
    message: str
    location: Location | None = None
    suggestion: str = ""
    subject: str = ""
    related: tuple[Location, ...] = field(default=())
    #: What the finding is about, for exceptions to match: a control id, a requirement
    #: written FRAMEWORK:ID.
    control: str = ""
    requirement: str = ""
    #: Set when a live exception covers the finding: it is reported, but does not fail the run.
    excepted_by: str = ""
    excepted_until: dt.date | None = None
    #: Set when the run's baseline already holds the finding: reported, but not failing.
    in_baseline: bool = False

    @property
    def excepted(self) -> bool:
        """True when a live exception covers this finding."""
        return bool(self.excepted_by)

    def placed(self, location: Location | None, related: tuple[Location, ...]) -> Finding:
        """This finding at ``location``, with ``related``: ``dataclasses.replace``, without its
        cost per call.
        """
        return Finding(
            self.code,
            self.severity,
            self.message,
            location,
            self.suggestion,
            self.subject,
            related,
            self.control,
            self.requirement,
            self.excepted_by,
            self.excepted_until,
            self.in_baseline,
        )

    @property
    def files(self) -> set[str]:
        """The files the finding is located in, its related locations' included."""
        return {loc.file for loc in (self.location, *self.related) if loc is not None}

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, position, then code, so output reads top to bottom."""
        loc = self.location
        if loc is None:
            return ("", 0, 0, self.code, self.message)
        return (loc.file, loc.line, loc.column, self.code, self.message)

    @property
    def fingerprint(self) -> str:
        """A digest that identifies the finding across edits and days.

        It leaves out line numbers and list indexes (records move), and uses the subject
        rather than the message when there is one (messages count days).
        """
        loc = self.location
        path = loc.yaml_path if loc else ""
        parts = [
            self.code,
            loc.file if loc else "",
            _INDEX.sub("[]", path) if "[" in path else path,
            self.subject or self.message,
        ]
        # A file name that is not UTF-8 is held with surrogate escapes: its own bytes count.
        return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[
            :32
        ]


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in reading order: by file, line, column, code."""
    return sorted(findings, key=lambda f: f.sort_key)


def format_yaml_path(parts: tuple[str | int, ...]) -> str:
    """Render a path such as ``("controls", 3, "mappings", "nist-csf-2.0", 1)``.

    The result is ``controls[3].mappings.nist-csf-2.0[1]``.
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = part
    return out


def unread_files(findings: Iterable[Finding]) -> list[Finding]:
    """The loading errors among ``findings`` (LD codes at error severity): each left a file of
    the repository unread in whole or in part, so that an answer made without it may be wrong.
    """
    return [f for f in findings if f.code.startswith("LD") and f.severity is Severity.ERROR]
