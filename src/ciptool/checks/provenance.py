"""Provenance checks: evidence held against the repository's git history.

The history is read by the loader (:mod:`ciptool.loader.history`) before the checks run and
handed in with the repository (:attr:`ciptool.models.repository.Repository.history`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Location, Severity
from ciptool.loader.places import CONFIG_FILE
from ciptool.models.history import HistoryState
from ciptool.models.repository import SourcedEvidence
from ciptool.queries.evidence import evidence_control, evidence_names


class BackdatedEvidence(Check):
    """An evidence record first committed long after the day it says it was collected.

    Why: a SOC 2 Type II report and an ISO/IEC 27001 audit rely on evidence made while the
    control operated. A record written months later with an earlier ``collected_on`` turns a
    missed quarter into "ok"; the repository's git history shows when the record was really
    written. The day of the commit that last wrote the record's ``collected_on`` line (its
    committer date, in the committer's time zone) may be at most ``provenance.tolerance``
    (``ciptool.yaml``, default 30d) after ``collected_on``. A line not committed yet counts as
    committed on the day of the check. Records collected before ``provenance.since`` are not
    judged (the day the program's records began to be kept in git: records imported then were
    committed long after they were collected). Outside a git work tree git can read, nothing
    is judged (``ciptool evidence verify --format json`` says so); when git reads the work tree
    but not its history, a note at ``ciptool.yaml`` says that not every record was judged.

    Passes: ``collected_on: 2026-03-31``, the line committed on 2026-04-02.
    Fails: ``collected_on: 2026-03-31``, the line first committed on 2026-08-20 (142 days).

    Fix: record the day the evidence was really collected. If it did exist on the earlier day,
    keep the proof of when (the system's own export date, a ticket) beside it and record an
    exception for the finding; a corrected ``collected_on`` counts from the correction.
    """

    code = "EV009"
    slug = "backdated-evidence"
    family = "evidence"
    scope = Scope.RECORD

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        history = graph.repository.history
        config = graph.config
        if history is None or config is None:
            return
        if history.state is HistoryState.UNREADABLE:
            yield Finding(
                self.code,
                Severity.NOTE,
                f"the git history could not be read ({history.reason}): back-dated evidence"
                " was not looked for in every record",
                Location(CONFIG_FILE),
                "Run ciptool where git can read the repository (git installed, the"
                " repository a safe.directory, not a shallow copy without its history).",
                subject="history",
            )
        settings = config.provenance
        repository = graph.repository
        records: list[SourcedEvidence] = [*repository.evidence, *repository.third_party_evidence]
        for sourced in records:
            record = sourced.record
            path = (*sourced.path, "collected_on")
            found = history.lines.get((sourced.file, path))
            if found is None or (
                settings.since is not None and record.collected_on < settings.since
            ):
                continue
            day = ctx.today if found.commit is None else found.day
            if day is None or day <= settings.tolerance.after(record.collected_on):
                continue
            owner, requirement = evidence_names(record)
            lag = (day - record.collected_on).days
            when = (
                f"is not committed yet (counted as committed on {day}, {lag} days later)"
                if found.commit is None
                else f"was committed on {day} ({lag} days later, in {found.commit[:12]})"
            )
            yield self.finding(
                f"evidence for {owner} / {requirement} collected on {record.collected_on}"
                f" {when}; the tolerance is {settings.tolerance.describe()}",
                sourced.at("collected_on"),
                "Record the day the evidence was really collected; if it existed then, keep"
                " the proof of when beside it and record an exception for this finding.",
                subject=f"{owner}/{requirement}/{record.collected_on}",
                control=evidence_control(record),
            )
