"""Evidence checks: every required piece of evidence exists, is current, intact and honest.

What makes evidence current, and the SOC 2 intervals it speaks for, are
:mod:`ciptool.queries.evidence` and :mod:`ciptool.queries.intervals`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Location, Severity
from ciptool.models import Control, Sourced
from ciptool.models.filefacts import FileState
from ciptool.models.repository import SourcedEvidence
from ciptool.queries.evidence import (
    ahead_of_collection,
    dates,
    effective_date,
    evidence_control,
    evidence_names,
    listed_files,
    max_age,
    requirement_evidence,
)
from ciptool.queries.intervals import deviations

_FILE_PROBLEMS = {
    FileState.MISSING: "is missing",
    FileState.NOT_A_FILE: "is not a regular file (a folder, a FIFO or a device)",
    FileState.OUTSIDE: "is a link that leads outside the repository",
    FileState.UNREADABLE: "cannot be read",
}


def _subject(control: Sourced[Control], index: int) -> str:
    return f"{control.record.id}/{control.record.evidence[index].id}"


class MissingEvidence(Check):
    """A control's evidence requirement has no evidence record at all.

    Why: a control without evidence cannot be shown to operate; every framework requirement it
    maps to is only declared, not covered, and an auditor will raise it as an exception.

    Passes: control IAM-03 requires ``recert-signoff`` and ``evidence/`` has a record for it.
    Fails: no record names ``control: IAM-03, requirement: recert-signoff``.

    Fix: collect the evidence and record it with ``ciptool evidence add``.
    """

    code = "EV001"
    slug = "missing-evidence"
    family = "evidence"
    scope = Scope.CONTROL

    def run(self, ctx: Context) -> Iterator[Finding]:
        repository = ctx.graph.repository
        for item in requirement_evidence(ctx.graph):
            if item.records or repository.is_invalid(
                "evidence", _subject(item.control, item.index)
            ):
                continue  # an invalid record's own findings say what to fix
            control = item.control
            requirement = control.record.evidence[item.index]
            yield self.finding(
                f"no evidence recorded for {control.record.id} / {requirement.id}"
                f" ({requirement.description})",
                control.at("evidence", item.index, "id"),
                f"Collect it and run `ciptool evidence add FILE --control {control.record.id}"
                f" --requirement {requirement.id}`.",
                subject=_subject(control, item.index),
                control=control.record.id,
            )


class StaleEvidence(Check):
    """The newest evidence for a requirement is older than the control's frequency allows.

    Why: evidence shows a control operated on the day it speaks for; a quarterly control whose
    newest evidence is five months old has a quarter nobody can vouch for. By default evidence
    may be 7 days old for daily controls, 14 weekly, 40 monthly or continuous, 100 quarterly,
    200 semiannual and 13 months annual; event-driven controls never go stale. ``max_age`` on
    the evidence requirement overrides the default.

    Passes: quarterly evidence effective 2026-09-30, checked on 2026-11-15 (46 days).
    Fails: the same evidence checked on 2027-01-15 (107 days, more than 100).

    Fix: collect current evidence, or set ``max_age`` if the control's rhythm differs.
    """

    code = "EV002"
    slug = "stale-evidence"
    family = "evidence"
    scope = Scope.CONTROL
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for item in requirement_evidence(ctx.graph):
            newest = item.newest
            if newest is None or not item.stale_on(ctx.today):
                continue
            control = item.control
            limit = max_age(control.record, item.index)
            effective = effective_date(newest.record)
            age = (ctx.today - effective).days
            yield self.finding(
                f"newest evidence for {_subject(control, item.index)} speaks for {effective},"
                f" {age} days before {ctx.today}; {control.record.frequency} evidence may be"
                f" {limit.describe() if limit else 'any age'} old",
                control.at("evidence", item.index, "id"),
                "Collect current evidence and record it, or set `max_age` on the requirement.",
                subject=_subject(control, item.index),
                related=(newest.at(),),
                control=control.record.id,
            )


class EvidenceFileProblem(Check):
    """A file an evidence record lists is not there (missing, a folder, unreadable).

    Why: the record claims evidence that nobody can inspect; to an auditor it is no evidence.

    Passes: ``files: [{path: files/iam-03-q3.csv, ...}]`` and the file exists beside the record.
    Fails: the file was renamed or never committed.

    Fix: commit the file at the listed path, or correct the path.
    """

    code = "EV003"
    slug = "evidence-file-missing"
    family = "evidence"
    scope = Scope.RECORD

    def run(self, ctx: Context) -> Iterator[Finding]:
        for listed in listed_files(ctx.graph):
            if listed.facts.state is FileState.PRESENT:
                continue
            yield self.finding(
                f"evidence file `{listed.entry.path}` {_FILE_PROBLEMS[listed.facts.state]}",
                listed.record.at("files", listed.position, "path"),
                "Commit the file at this path (relative to the record's folder), or correct it.",
                subject=listed.facts.path,
                control=evidence_control(listed.record.record),
            )


class DigestMismatch(Check):
    """An evidence file's SHA-256 differs from the digest its record holds.

    Why: the digest is what lets an auditor trust that the file is the one collected; a
    mismatch means the file was changed after it was recorded, by accident or on purpose.

    Passes: ``sha256`` equals ``sha256sum files/x.csv``.
    Fails: one byte of the file changed since the record was written.

    Fix: restore the recorded file from version control; if the new content is right, record
    it as new evidence with ``ciptool evidence add`` rather than editing the digest.
    """

    code = "EV004"
    slug = "digest-mismatch"
    family = "evidence"
    scope = Scope.RECORD

    def run(self, ctx: Context) -> Iterator[Finding]:
        for listed in listed_files(ctx.graph):
            found, entry = listed.facts, listed.entry
            if found.state is not FileState.PRESENT or found.sha256 == entry.sha256:
                continue
            yield self.finding(
                f"`{entry.path}` has sha256 {found.sha256}, but the record says"
                f" {entry.sha256}: the file changed after it was recorded",
                listed.record.at("files", listed.position, "sha256"),
                "Restore the recorded file; if the new content is right, record it as new"
                " evidence with `ciptool evidence add`.",
                subject=found.path,
                control=evidence_control(listed.record.record),
            )


class FutureEvidence(Check):
    """Evidence dated after the day of the check: collected, effective or covering the future.

    Why: evidence can only speak for what has happened; a future date is a typing mistake or
    evidence recorded before the control operated, and either way it proves nothing yet.

    Passes: ``collected_on: 2026-10-04``, ``period: {start: 2026-07-01, end: 2026-09-30}``.
    Fails: ``period: {start: 2026-10-01, end: 2026-12-31}`` checked on 2026-11-15.

    Fix: correct the date, or record the evidence once its period has ended.
    """

    code = "EV005"
    slug = "evidence-in-the-future"
    family = "evidence"
    scope = Scope.RECORD

    def run(self, ctx: Context) -> Iterator[Finding]:
        repository = ctx.graph.repository
        both: list[SourcedEvidence] = [*repository.evidence, *repository.third_party_evidence]
        for sourced in both:
            record = sourced.record
            owner, requirement = evidence_names(record)
            for label, date, where in dates(record):
                if date > ctx.today:
                    yield self.finding(
                        f"evidence for {owner} / {requirement}: {label} {date}, after {ctx.today}",
                        sourced.at(*where),
                        "Correct the date, or record the evidence once it has happened.",
                        subject=f"{owner}/{requirement}/{label}",
                        control=evidence_control(record),
                    )


class EvidenceAheadOfCollection(Check):
    """Evidence that speaks for a day after it was collected: effective, or ending its period,
    after `collected_on`.

    Why: evidence shows what had happened by the day it was collected; a record that speaks
    for a later day is a typing mistake or evidence recorded ahead of the control operating,
    and it proves nothing for that day. Such a record counts for nothing: while it is a
    requirement's newest record, the requirement's evidence is not current, and it speaks for
    no interval of the SOC 2 period.

    Passes: ``collected_on: 2026-10-03``, ``period: {start: 2026-07-01, end: 2026-09-30}``.
    Fails: ``collected_on: 2026-09-01`` with the same period, or ``effective_on: 2026-09-02``.

    Fix: correct the date that is wrong; evidence collected before its period ended is
    recorded again once the period has ended, as new evidence.
    """

    code = "EV008"
    slug = "evidence-dated-after-collection"
    family = "evidence"
    scope = Scope.RECORD

    def run(self, ctx: Context) -> Iterator[Finding]:
        repository = ctx.graph.repository
        both: list[SourcedEvidence] = [*repository.evidence, *repository.third_party_evidence]
        for sourced in both:
            record = sourced.record
            owner, requirement = evidence_names(record)
            for label, date, where in ahead_of_collection(record):
                yield self.finding(
                    f"evidence for {owner} / {requirement}: {label} {date},"
                    f" after it was collected on {record.collected_on}",
                    sourced.at(*where),
                    "Correct the date: evidence speaks for a day no later than the day it was"
                    " collected.",
                    subject=f"{owner}/{requirement}/{label}",
                    control=evidence_control(record),
                )


class UnlistedEvidenceFile(Check):
    """A file under ``evidence/`` that no evidence record lists.

    Why: evidence nobody refers to is either forgotten (its record was never written) or left
    over; either way it proves nothing and may confuse an auditor.

    Hidden files and README files (documentation) are not evidence and are passed over.

    Passes: every file under ``evidence/**/files/`` appears in some record's ``files``.
    Fails: ``evidence/2026/files/old-export.csv`` appears in none.

    Fix: record it with ``ciptool evidence add``, or delete it.
    """

    code = "EV006"
    slug = "unlisted-evidence-file"
    family = "evidence"
    scope = Scope.EVIDENCE_FILE
    severity = Severity.NOTE

    def run(self, ctx: Context) -> Iterator[Finding]:
        for path in ctx.graph.repository.unlisted_evidence:
            yield self.finding(
                "no evidence record lists this file",
                Location(path),
                "Record it with `ciptool evidence add`, or delete it.",
                subject=path,
            )


class Soc2OccurrenceMissing(Check):
    """A recurring control has no evidence for an interval of the SOC 2 Type II period.

    Why: a Type II report tests that each control operated throughout the audit period; a
    quarterly control must show an occurrence in every quarter, judged by the day or period
    the evidence speaks for, not by when it was collected. Intervals still running on the day
    of the check are not judged yet. Controls that map to SOC 2 criteria are tested, over
    ``soc2.period`` in ``ciptool.yaml`` or ``--period``.

    Passes: a quarterly control with evidence for Q1, Q2, Q3 and Q4 of a 2026 period.
    Fails: the same control with nothing effective in Q2: "no evidence for 2026-Q2".

    It is a warning by default: an interval that has passed cannot be made up for, so as an
    error it would keep every change red for the rest of the period; it belongs in the audit
    conversation and the reports. Make it an error in ``check.severity`` to gate on it.

    Fix: record the evidence for the interval if it exists; if the control did not operate,
    that is a deviation to discuss with the auditor (and to record as an exception).
    """

    code = "EV007"
    slug = "soc2-occurrence-missing"
    family = "evidence"
    scope = Scope.CONTROL
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        period = ctx.soc2_period
        if period is None:
            return
        graph = ctx.graph
        for control, runs in deviations(graph, period, ctx.today).items():
            sourced = graph.controls[control]
            for named in runs:
                yield self.finding(
                    f"{control} ({sourced.record.frequency}) has no evidence for {named}"
                    f" in the SOC 2 period {period.start}..{period.end}",
                    sourced.at("frequency"),
                    "Record the evidence that speaks for this interval.",
                    subject=f"{control}/{named}",
                    control=control,
                )
