"""What every report shares: its provenance, and the status of each piece of evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ciptool import __version__
from ciptool.graph import Graph
from ciptool.queries.evidence import (
    EvidenceStatus,
    effective_date,
    max_age,
    requirement_evidence,
)
from ciptool.results import RunResult


def counted(number: int, noun: str, plural: str = "") -> str:
    """``1 risk``, ``3 risks``; ``plural`` where adding an s is wrong (``2 policies``)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


@dataclass(frozen=True)
class ReportMeta:
    """Where a report came from, printed on every document so an auditor can reproduce it."""

    kind: str
    title: str
    program: str
    as_of: dt.date
    generated_at: dt.datetime
    commit: str | None
    dirty: bool | None
    tool_version: str
    inputs_digest: str
    #: The marking board documents carry on every page (``briefing.classification``).
    classification: str = "Confidential"

    @property
    def commit_text(self) -> str:
        """The commit, saying whether the tree had uncommitted changes when that is known."""
        if self.commit is None:
            return "not a git repository"
        if self.dirty is None:
            return self.commit + " (uncommitted changes unknown)"
        return self.commit + (" (with uncommitted changes)" if self.dirty else "")

    @property
    def generated_text(self) -> str:
        """The generation time in UTC, to the second."""
        return self.generated_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def report_meta(
    kind: str,
    title: str,
    graph: Graph,
    result: RunResult,
    *,
    generated_at: dt.datetime,
    commit: str | None,
    dirty: bool | None,
) -> ReportMeta:
    """The provenance of a report of ``kind`` made from ``graph`` and ``result``."""
    return ReportMeta(
        kind=kind,
        title=title,
        program=result.program,
        as_of=result.today,
        generated_at=generated_at,
        commit=commit,
        dirty=dirty,
        tool_version=__version__,
        inputs_digest=graph.repository.inputs_digest(),
        classification=(graph.config.briefing.classification if graph.config else "Confidential"),
    )


@dataclass(frozen=True)
class EvidenceLine:
    """One evidence requirement of one control, as an auditor's request list shows it."""

    control: str
    control_title: str
    owner: str
    frequency: str
    requirement: str
    description: str
    records: int
    last_collected: dt.date | None
    last_effective: dt.date | None
    max_age: str
    status: EvidenceStatus


def evidence_lines(graph: Graph, today: dt.date) -> list[EvidenceLine]:
    """Every evidence requirement of every control, with its newest record and status."""
    lines = []
    for item in requirement_evidence(graph):
        control = item.control.record
        requirement = control.evidence[item.index]
        newest = item.newest
        status = item.status_on(graph, today)
        limit = max_age(control, item.index)
        lines.append(
            EvidenceLine(
                control=control.id,
                control_title=control.title,
                owner=control.owner,
                frequency=control.frequency,
                requirement=requirement.id,
                description=requirement.description,
                records=len(item.records),
                last_collected=max((r.record.collected_on for r in item.records), default=None),
                last_effective=effective_date(newest.record) if newest else None,
                max_age=limit.describe() if limit else "no limit",
                status=status,
            )
        )
    return lines


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage, or an en dash when there is nothing."""
    return f"{round(100 * part / whole)}%" if whole else "-"
