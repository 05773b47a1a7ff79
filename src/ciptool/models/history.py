"""What the repository's git history says about its evidence records, as plain data.

The loader (:mod:`ciptool.loader.history`) reads it before the checks run; the back-dated
evidence check (EV009) reads it from the repository, so that the checks stay pure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from ciptool.models.sourced import YamlPath


class HistoryState(str, Enum):
    """Whether the history could be read."""

    #: Read: every record it judges has its line's commit day, or is known uncommitted.
    READ = "read"
    #: The repository is not in a git work tree git can read (no ``.git`` above it, git
    #: missing, or a repository git refuses): nothing can be said.
    NOT_IN_GIT = "not-in-git"
    #: git reads the work tree, but its status, log or blame failed.
    UNREADABLE = "unreadable"
    #: No evidence record was collected on or after ``provenance.since``: git was not asked.
    NOT_NEEDED = "not-needed"


@dataclass(frozen=True)
class LineCommit:
    """When one record's ``collected_on`` line was committed.

    ``commit`` and ``day`` are None for a line not yet committed (new, changed, or in a file
    git does not hold), which counts as committed on the run's day.
    """

    commit: str | None
    #: The committer's date of that commit, in the committer's own time zone.
    day: dt.date | None


@dataclass(frozen=True)
class EvidenceHistory:
    """The commit of each judged record's ``collected_on`` line, by (file, YAML path).

    Only records whose line could have been committed late are looked up: a record in a file
    whose every commit is within the tolerance of its earliest judged ``collected_on`` has no
    entry, and neither has one collected before ``provenance.since``.
    """

    state: HistoryState
    #: Why the history was not read, in words; empty when it was.
    reason: str = ""
    lines: dict[tuple[str, YamlPath], LineCommit] = field(default_factory=dict)
    #: How many record files git blamed, for the curious.
    blamed: int = 0
