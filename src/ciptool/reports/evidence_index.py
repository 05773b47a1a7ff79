"""The evidence index: every evidence file with its digest, size, dates, source, control and
framework references."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.graph import Graph
from ciptool.models.paths import evidence_file_key
from ciptool.models.repository import SourcedEvidence
from ciptool.queries.evidence import evidence_control, evidence_names
from ciptool.reports.common import EvidenceLine, evidence_lines
from ciptool.reports.view import KindContent, ReportSource, ReportView, Table

#: What the index says of a record that does not say who collected it (its templates too).
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class EvidenceFileRow:
    """One evidence file as the index lists it."""

    path: str
    sha256: str
    size: int
    state: str
    #: The control, or the third party, the evidence is for.
    control: str
    #: The control's evidence requirement, or the third party's minimum standard.
    requirement: str
    collected_on: dt.date
    #: Who collected it, as the record says; empty when it does not say.
    collected_by: str
    effective: str
    source: str
    record: str
    references: str


def evidence_index(graph: Graph) -> list[EvidenceFileRow]:
    """Every file every record lists, sorted by path, with its control's framework references;
    a third party's evidence names the third party and the minimum standard instead."""
    rows = []
    repository = graph.repository
    facts = repository.evidence_files
    records: list[SourcedEvidence] = [*repository.evidence, *repository.third_party_evidence]
    for sourced in records:
        record = sourced.record
        owner, requirement = evidence_names(record)
        control = graph.controls.get(evidence_control(record))
        references = ""
        if control is not None:
            references = "; ".join(
                f"{framework}: {', '.join(target.id for target in targets)}"
                for framework, targets in control.record.mappings.items()
            )
        effective = (
            f"{record.period.start}..{record.period.end}"
            if record.period
            else str(record.effective_on)
        )
        for entry in record.files:
            key = evidence_file_key(sourced.file, entry.path)
            found = facts.get(key) if key else None
            state = "outside the repository" if found is None else found.state.value
            if found is not None and found.sha256 and found.sha256 != entry.sha256:
                state = "digest mismatch"
            rows.append(
                EvidenceFileRow(
                    path=key or entry.path,
                    sha256=entry.sha256,
                    size=found.size if found else 0,
                    state=state,
                    control=owner,
                    requirement=requirement,
                    collected_on=record.collected_on,
                    collected_by=record.collected_by,
                    effective=effective,
                    source=record.source,
                    record=sourced.file,
                    references=references,
                )
            )
    return sorted(rows, key=lambda row: (row.path, row.record))


@dataclass(frozen=True, kw_only=True)
class EvidenceIndex(ReportView):
    """What the evidence index says."""

    files: Sequence[EvidenceFileRow]
    evidence: Sequence[EvidenceLine]


def build(source: ReportSource) -> EvidenceIndex:
    """The evidence index of ``source``."""
    return EvidenceIndex(
        meta=source.meta,
        kind=source.kind,
        files=evidence_index(source.graph),
        evidence=evidence_lines(source.graph, source.today),
    )


def tables(index: EvidenceIndex) -> list[Table]:
    """The index as one table."""
    rows: list[list[Any]] = [
        [
            f.path,
            f.sha256,
            f.size,
            f.state,
            f.control,
            f.requirement,
            f.collected_on,
            f.collected_by or NOT_RECORDED,
            f.effective,
            f.source,
            f.record,
            f.references,
        ]
        for f in index.files
    ]
    header = [
        "File",
        "SHA-256",
        "Bytes",
        "State",
        "Control",
        "Evidence",
        "Collected",
        "Collected by",
        "Speaks for",
        "Source",
        "Record",
        "Framework references",
    ]
    return [("Evidence index", header, rows)]


CONTENT = KindContent(build, tables)
