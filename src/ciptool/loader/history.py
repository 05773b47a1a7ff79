"""When each evidence record's ``collected_on`` line was committed, from git.

Read before the checks run, so that the back-dated evidence check (EV009) stays pure. Only
records collected on or after ``provenance.since`` are looked up, and git is asked as little as
it can be:

1. ``git status`` of ``evidence/``: a file git does not hold in HEAD (untracked, ignored,
   added or renamed in the index) has every line uncommitted; a changed file is blamed.
2. ``git log -m --name-only`` of ``evidence/``: the day of the latest commit that touched each
   file (merges counted against each parent). A file whose every commit is within the
   tolerance of its earliest judged ``collected_on`` cannot hold a late line, and is not
   blamed.
3. ``git blame --porcelain -L N,N ...`` of each remaining file, for the lines of its judged
   records' ``collected_on`` only: the commit that last wrote each line, and its committer
   date. A line not yet committed has no commit.

Every git run is disarmed (:mod:`ciptool.loader.git`); the blame runs no textconv (which
would start a program the repository names) and empties ``blame.ignoreRevsFile``, so that no
setting in the repository can hide a commit from it. Changes of whitespace alone are not
changes of a line (``-w``). In a shallow
clone, a line blamed on the clone's boundary commit may be older than it: it is not judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ciptool.loader.files import read_text
from ciptool.loader.git import git_output, in_work_tree
from ciptool.loader.yamlparse import PositionIndex
from ciptool.models.history import EvidenceHistory, HistoryState, LineCommit
from ciptool.models.records import ProvenanceSettings
from ciptool.models.repository import SourcedEvidence
from ciptool.models.sourced import YamlPath

#: The folder that holds the evidence records, as git is asked about it.
_EVIDENCE = "evidence"
#: The commit git blames a line on that is not committed yet.
_UNCOMMITTED = "0" * 40
#: Index states of a file HEAD does not hold: added, renamed or copied; untracked; ignored.
_NOT_IN_HEAD = ("A", "R", "C", "?", "!")
#: More lines than this in one file are blamed with the whole file.
_MOST_RANGES = 1000
#: Per git run: a blame of a large file on a long history can take a while.
_TIMEOUT = 60.0


def judged(
    settings: ProvenanceSettings, records: Sequence[SourcedEvidence]
) -> list[SourcedEvidence]:
    """The records held against the history: those collected on or after ``since``."""
    since = settings.since
    return [s for s in records if since is None or s.record.collected_on >= since]


def evidence_history(
    root: Path, settings: ProvenanceSettings, records: Sequence[SourcedEvidence]
) -> EvidenceHistory:
    """When the ``collected_on`` line of each of ``records`` that could be late was committed."""
    wanted = judged(settings, records)
    if not wanted:
        return EvidenceHistory(HistoryState.NOT_NEEDED)
    if not in_work_tree(root):
        return EvidenceHistory(HistoryState.NOT_IN_GIT, "the repository is not in a git work tree")
    prefix = git_output(root, "rev-parse", "--show-prefix")
    if prefix is None:
        # git is missing, sees no work tree here (a stray .git), or refuses the repository
        # (safe.directory): told apart from a work tree git reads but cannot read history of.
        return EvidenceHistory(
            HistoryState.NOT_IN_GIT,
            "git sees no work tree here (git missing, no repository, or one it refuses)",
        )
    by_file: dict[str, list[SourcedEvidence]] = {}
    for sourced in wanted:
        by_file.setdefault(sourced.file, []).append(sourced)
    return _Reader(root, prefix.rstrip("\n"), settings).read(by_file)


class _Reader:
    """One reading of the history of a repository's evidence records."""

    def __init__(self, root: Path, prefix: str, settings: ProvenanceSettings) -> None:
        self.root = root
        self.prefix = prefix
        self.settings = settings
        self.lines: dict[tuple[str, YamlPath], LineCommit] = {}
        self.problem = ""
        self.blamed = 0

    def read(self, by_file: dict[str, list[SourcedEvidence]]) -> EvidenceHistory:
        head = git_output(self.root, "rev-parse", "--verify", "--quiet", "HEAD")
        status = self._status()
        latest = self._latest() if head is not None and status is not None else {}
        if status is None or latest is None:
            return EvidenceHistory(HistoryState.UNREADABLE, self.problem)
        for rel, records in by_file.items():
            state = status.get(rel, "  ")
            if head is None or state[0] in _NOT_IN_HEAD:
                for sourced in records:
                    self.lines[(rel, _collected_on(sourced))] = LineCommit(None, None)
                continue
            earliest = min(sourced.record.collected_on for sourced in records)
            last = latest.get(rel)
            if (
                state == "  "
                and last is not None
                and last <= self.settings.tolerance.after(earliest)
            ):
                continue  # every commit of the file is within the tolerance: none is late
            self._blame(rel, records)
        state_now = HistoryState.UNREADABLE if self.problem else HistoryState.READ
        return EvidenceHistory(state_now, self.problem, self.lines, self.blamed)

    def _relative(self, path: str) -> str | None:
        """A path from the work tree's top as a path under the repository, None outside it."""
        if not path.startswith(self.prefix):
            return None
        return path[len(self.prefix) :]

    def _status(self) -> dict[str, str] | None:
        """Each evidence file git reports, with its two status letters."""
        listed = git_output(
            self.root,
            "--literal-pathspecs",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--ignored=matching",
            "--",
            _EVIDENCE,
            timeout=_TIMEOUT,
        )
        if listed is None:
            self.problem = "git status failed"
            return None
        found: dict[str, str] = {}
        items = iter(listed.split("\0"))
        for item in items:
            if len(item) < 4:
                continue
            letters, path = item[:2], item[3:]
            if letters[0] in "RC":
                next(items, None)  # the path it was renamed or copied from
            rel = self._relative(path)
            if rel is not None:
                found[rel] = letters
        return found

    def _latest(self) -> dict[str, dt.date] | None:
        """The committer day of the latest commit that touched each evidence file."""
        listed = git_output(
            self.root,
            "--literal-pathspecs",
            "log",
            "-m",
            "-z",
            "--no-show-signature",
            "--no-textconv",
            "--no-ext-diff",
            "--format=%x01%cI",
            "--name-only",
            "--relative",
            "--",
            _EVIDENCE,
            timeout=_TIMEOUT,
        )
        if listed is None:
            self.problem = "git log failed"
            return None
        latest: dict[str, dt.date] = {}
        day: dt.date | None = None
        for token in listed.split("\0"):
            name = token.lstrip("\n")
            if name.startswith("\x01"):
                day = _day(name[1:11])
            elif name and day is not None and (name not in latest or latest[name] < day):
                latest[name] = day
        return latest

    def _blame(self, rel: str, records: list[SourcedEvidence]) -> None:
        """The commits of the ``collected_on`` lines of ``records`` in ``rel``."""
        text, _problem = read_text(rel, self.root / rel)
        if text is None:
            return  # the loader reports a file it cannot read; its records were not loaded
        paths = [_collected_on(sourced) for sourced in records]
        index = PositionIndex(text, paths)
        line_of = {path: index.locate(path)[0] for path in paths}
        wanted = sorted(set(line_of.values()))
        # A file of many records is blamed whole: one range each would outgrow a command line.
        ranges = (
            []
            if len(wanted) > _MOST_RANGES
            else [arg for line in wanted for arg in ("-L", f"{line},{line}")]
        )
        blamed = git_output(
            self.root,
            "-c",
            "blame.ignoreRevsFile=",
            "--literal-pathspecs",
            "blame",
            "--porcelain",
            "--no-textconv",
            "-w",
            *ranges,
            "--",
            rel,
            timeout=_TIMEOUT,
        )
        self.blamed += 1
        if blamed is None:
            self.problem = f"git blame failed for {rel}"
            return
        commits = _porcelain(blamed)
        shallow: bool | None = None
        for path, line in line_of.items():
            found = commits.get(line)
            if found is None:
                continue
            commit, day, boundary = found
            if boundary:
                if shallow is None:
                    shallow = _shallow(self.root)
                if shallow:
                    continue  # the clone's boundary: the line may be older than its commit
            if commit == _UNCOMMITTED:
                self.lines[(rel, path)] = LineCommit(None, None)
            else:
                self.lines[(rel, path)] = LineCommit(commit, day)


def _collected_on(sourced: SourcedEvidence) -> YamlPath:
    return (*sourced.path, "collected_on")


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _porcelain(text: str) -> dict[int, tuple[str, dt.date | None, bool]]:
    """Final line -> (commit, committer day in the committer's zone, a boundary commit)."""
    times: dict[str, dict[str, str]] = {}
    lines: dict[int, str] = {}
    current: dict[str, str] | None = None
    for row in text.split("\n"):
        if row.startswith("\t") or not row:
            current = None
            continue
        if current is None:
            fields = row.split(" ")
            if len(fields) >= 3 and len(fields[0]) in (40, 64):
                commit = fields[0]
                current = times.setdefault(commit, {})
                if fields[2].isdigit():
                    lines[int(fields[2])] = commit
            continue
        key, _, value = row.partition(" ")
        current[key] = value
    found = {}
    for line, commit in lines.items():
        facts = times[commit]
        found[line] = (commit, _committer_day(facts), "boundary" in facts)
    return found


def _committer_day(facts: dict[str, str]) -> dt.date | None:
    """The committer's date of a commit, in the committer's own time zone."""
    try:
        seconds = int(facts["committer-time"])
        zone = facts.get("committer-tz", "+0000")
        sign = -1 if zone.startswith("-") else 1
        offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.timezone(offset))
    except (KeyError, ValueError, OverflowError, OSError):
        return None
    return moment.date()


def _shallow(root: Path) -> bool:
    answer = git_output(root, "rev-parse", "--is-shallow-repository")
    return answer is None or answer.strip() != "false"
