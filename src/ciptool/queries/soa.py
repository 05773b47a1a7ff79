"""The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d)): every Annex A control, then the
additional controls of ``soa.additional_controls``, each applicable or not, why, how far it is
implemented, and the program's controls that implement it. Shared by ``ciptool report soa``
and the SA checks, so that both read the same statement and the same digest.

Why a control is included: a risk treatment (the risks in ``risks``; when none are given, the
risks of the register whose ``controls`` name an implementing control, marked as derived), a
legal, regulatory or contractual obligation (``obligation``) or a business requirement
(``business_requirement``); a free ``justification`` may add to them but is not one of them.

How far it is implemented: ``status`` when the decision gives one; otherwise judged from its
coverage (:mod:`ciptool.queries.coverage`): ``covered`` is implemented; ``covered with
deviations`` and ``excepted`` are partially implemented; ``declared`` and ``gap`` are planned.

The digest is SHA-256 over what the statement decides, row by row in order: the id,
applicability, reasons (risk links, given or derived, obligation, business requirement,
justification), the implementation status as stated, the target date and the implementing
controls. A judged status is not part of it: it moves with the evidence, day by day, which the
evidence checks report; so the digest depends on the program's definitions only, never on the
day the statement is made as of, its titles or its notes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from ciptool.graph import Graph
from ciptool.models import Catalog, Sourced
from ciptool.models.records import Applicability, Inclusion, ProgramConfig
from ciptool.queries.coverage import (
    REQUIREMENT_EXCEPTED,
    control_evidence_current,
    excepted_controls,
    status_by_controls,
)
from ciptool.queries.exceptions import requirement_exceptions
from ciptool.queries.registers import naming_control
from ciptool.results import RequirementCoverage, Status

ISO = "iso27001-2022"

IMPLEMENTED = "implemented"
PARTIALLY_IMPLEMENTED = "partially-implemented"
PLANNED = "planned"

#: How a coverage status reads as an implementation status, when the decision gives none.
JUDGED: dict[Status, str] = {
    Status.COVERED: IMPLEMENTED,
    Status.COVERED_WITH_DEVIATIONS: PARTIALLY_IMPLEMENTED,
    Status.EXCEPTED: PARTIALLY_IMPLEMENTED,
    Status.DECLARED: PLANNED,
    Status.GAP: PLANNED,
}

#: The kinds of reason for an inclusion, in the order the statement names them.
RISK_TREATMENT = "risk treatment"
OBLIGATION = "obligation"
BUSINESS_REQUIREMENT = "business requirement"


@dataclass(frozen=True)
class SoaRow:
    """One control of the Statement of Applicability: an Annex A control or an additional one."""

    id: str
    title: str
    #: The Annex A theme ("A.5 Organizational controls"); for an additional control, where it
    #: comes from.
    theme: str
    applicable: bool
    #: Free words: for an exclusion, why it is excluded; for an inclusion, anything beside its
    #: reasons.
    justification: str
    controls: tuple[str, ...]
    #: The coverage status (covered, excepted, ...), as every framework view shows it.
    status: str
    #: Why the coverage status is what it is (the exception, the missed intervals).
    note: str = ""
    risks: tuple[str, ...] = ()
    #: True when ``risks`` come from the risk register, not from the statement.
    risks_derived: bool = False
    obligation: str = ""
    business_requirement: str = ""
    #: implemented, partially-implemented or planned; empty for an exclusion.
    implementation: str = ""
    #: True when ``implementation`` is judged from the coverage status, not given.
    implementation_judged: bool = False
    target_date: dt.date | None = None
    additional: bool = False

    @property
    def reasons(self) -> tuple[str, ...]:
        """The kinds of reason the row gives for its inclusion, in order."""
        found = []
        if self.risks:
            found.append(RISK_TREATMENT)
        if self.obligation:
            found.append(OBLIGATION)
        if self.business_requirement:
            found.append(BUSINESS_REQUIREMENT)
        return tuple(found)

    @property
    def unjustified(self) -> bool:
        """True for an inclusion without a risk treatment, an obligation or a business
        requirement."""
        return self.applicable and not self.reasons

    @property
    def risk_text(self) -> str:
        """The linked risks and where the links come from, in words; empty when none."""
        if not self.risks:
            return ""
        origin = "from the risk register" if self.risks_derived else "linked in the statement"
        return f"{', '.join(self.risks)} ({origin})"

    @property
    def reason_text(self) -> str:
        """Every reason and the justification in one text, as a document shows them."""
        if not self.applicable:
            return self.justification
        parts = []
        if self.risks:
            parts.append(f"Risk treatment: {self.risk_text}.")
        if self.obligation:
            parts.append(f"Obligation: {_sentence(self.obligation)}")
        if self.business_requirement:
            parts.append(f"Business requirement: {_sentence(self.business_requirement)}")
        if not parts:
            parts.append("No reason given.")
        if self.justification:
            parts.append(_sentence(self.justification))
        return " ".join(parts)

    @property
    def implementation_from(self) -> str:
        """Where the implementation status comes from: "statement" when the decision gives it,
        "coverage" when it is judged; empty for an exclusion."""
        if not self.applicable:
            return ""
        return "coverage" if self.implementation_judged else "statement"

    @property
    def implementation_text(self) -> str:
        """The implementation status in words, with the target date of one not in place."""
        if not self.applicable:
            return "not applicable"
        words = self.implementation.replace("-", " ")
        if self.implementation == IMPLEMENTED:
            return words
        target = f"target {self.target_date}" if self.target_date else "no target date"
        return f"{words} ({target})"


def _sentence(text: str) -> str:
    """``text`` with surrounding space removed and ending with a full stop."""
    stripped = " ".join(text.split())
    return stripped if stripped.endswith((".", "!", "?")) else f"{stripped}."


@dataclass(frozen=True)
class Decision:
    """An Annex A decision as written: its key under ``applicability.iso27001-2022``."""

    key: str
    record: Applicability


def decisions(graph: Graph) -> dict[str, Decision]:
    """Annex A item id -> the decision written for it (not inherited), for the keys that name
    an item; of two keys naming one item, the first wins (as coverage reads them)."""
    config = graph.config
    catalog = graph.catalogs.get(ISO)
    if config is None or catalog is None:
        return {}
    found: dict[str, Decision] = {}
    for key, decision in config.applicability.get(ISO, {}).items():
        item_id = catalog.resolve(key).item_id
        if item_id is not None:
            found.setdefault(item_id, Decision(key, decision))
    return found


def deciding(graph: Graph, catalog: Catalog, item_id: str) -> Decision | None:
    """The decision for ``item_id``: its own, else the nearest theme's above it."""
    written = decisions(graph)
    item = catalog.by_id.get(item_id)
    while item is not None:
        if item.id in written:
            return written[item.id]
        item = catalog.by_id[item.parent] if item.parent is not None else None
    return None


def derived_risks(graph: Graph, controls: Iterable[str]) -> tuple[str, ...]:
    """The risks of the register whose ``controls`` name one of ``controls``, sorted."""
    return tuple(
        sorted(
            {
                risk.record.id
                for control in controls
                for risk in naming_control(graph, control).risks
            }
        )
    )


def _implementation(
    inclusion: Inclusion | None, status: Status
) -> tuple[str, bool, dt.date | None]:
    """(implementation status, judged, target date) of an inclusion with coverage ``status``."""
    target = inclusion.target_date if inclusion is not None else None
    if inclusion is not None and inclusion.status is not None:
        return inclusion.status, False, target
    return JUDGED.get(status, PLANNED), True, target


def _group(catalog: Catalog, item_id: str) -> str:
    """The theme of an Annex A control: "A.5 Organizational controls"; empty for a top item."""
    current = catalog.by_id[item_id]
    top = None
    while current.parent is not None:
        current = catalog.by_id[current.parent]
        top = current
    return f"{top.id} {top.title}" if top is not None else ""


def annex_a(graph: Graph, coverage: Iterable[RequirementCoverage], today: dt.date) -> list[SoaRow]:
    """All 93 Annex A controls: applicability with reasons, implementation, controls, status.

    ``coverage`` is the run's coverage; a control it does not hold (the framework out of scope)
    is judged from its controls alone: declared when mapped, else a gap.
    """
    catalog = graph.catalogs[ISO]
    exceptions = requirement_exceptions(graph, today)
    by_id = {row.requirement: row for row in coverage if row.framework == ISO}
    rows = []
    for item in catalog.requirements:
        decision = deciding(graph, catalog, item.id)
        record = decision.record if decision is not None else None
        row = by_id.get(item.id)
        controls = tuple(c.record.id for c in graph.controls_by_requirement.get((ISO, item.id), []))
        applicable = record is None or record.applicable
        note = ""
        if row is not None:
            status = row.status
            if status not in (Status.COVERED, Status.GAP, Status.NOT_APPLICABLE):
                note = row.reason
                reference = f"{ISO}:{item.id}"
                if row.reason == REQUIREMENT_EXCEPTED and reference in exceptions:
                    note = f"{row.reason} ({', '.join(sorted(exceptions[reference]))})"
        elif not applicable:
            status = Status.NOT_APPLICABLE
        else:
            status = Status.DECLARED if controls else Status.GAP
        rows.append(
            _row(
                graph,
                ident=item.id,
                title=item.title,
                theme=_group(catalog, item.id),
                applicable=applicable,
                inclusion=record,
                controls=controls,
                status=status,
                note=note,
            )
        )
    return rows


def additional(graph: Graph, today: dt.date) -> list[SoaRow]:
    """The controls of ``soa.additional_controls``, judged by their implementing controls as a
    requirement is (coverage's rule, without SOC 2 intervals)."""
    config = graph.config
    if config is None:
        return []
    current = {ident for ident, ok in control_evidence_current(graph, today).items() if ok}
    excepted = excepted_controls(graph, today)
    rows = []
    for entry in config.soa.additional_controls:
        controls = tuple(entry.controls)
        status, note = status_by_controls(controls, current, excepted, {}, role="implementing")
        rows.append(
            _row(
                graph,
                ident=entry.id,
                title=entry.title,
                theme=entry.source,
                applicable=True,
                inclusion=entry,
                controls=controls,
                status=status,
                note=note,
                additional=True,
            )
        )
    return rows


def _row(
    graph: Graph,
    *,
    ident: str,
    title: str,
    theme: str,
    applicable: bool,
    inclusion: Inclusion | None,
    controls: tuple[str, ...],
    status: Status,
    note: str,
    additional: bool = False,
) -> SoaRow:
    if not applicable:
        return SoaRow(
            ident,
            title,
            theme,
            False,
            inclusion.justification if inclusion is not None else "",
            controls,
            status.value,
            note,
            additional=additional,
        )
    given = tuple(inclusion.risks) if inclusion is not None else ()
    risks = given or derived_risks(graph, controls)
    implementation, judged, target = _implementation(inclusion, status)
    return SoaRow(
        ident,
        title,
        theme,
        True,
        inclusion.justification.strip() if inclusion is not None else "",
        controls,
        status.value,
        note,
        risks=risks,
        risks_derived=bool(risks) and not given,
        obligation=inclusion.obligation.strip() if inclusion is not None else "",
        business_requirement=(
            inclusion.business_requirement.strip() if inclusion is not None else ""
        ),
        implementation=implementation,
        implementation_judged=judged,
        target_date=target,
        additional=additional,
    )


def digest(rows: Iterable[SoaRow]) -> str:
    """SHA-256 over what the statement decides of each row, in order (see the module's text)."""
    content = [
        {
            "id": row.id,
            "additional": row.additional,
            "applicable": row.applicable,
            "justification": row.justification,
            "risks": list(row.risks),
            "risks_derived": row.risks_derived,
            "obligation": row.obligation,
            "business_requirement": row.business_requirement,
            # A judged status moves with the evidence: only a stated one is decided.
            "implementation": None if row.implementation_judged else row.implementation,
            "target_date": row.target_date.isoformat() if row.target_date else None,
            "controls": list(row.controls),
        }
        for row in rows
    ]
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Statement:
    """The whole statement: the Annex A rows, the additional ones, its digest and approval."""

    rows: tuple[SoaRow, ...]
    additional: tuple[SoaRow, ...]
    digest: str
    version: str
    approved_by: str
    approved_on: dt.date | None
    #: The digest approved, from ``soa.digest``; empty when none is recorded.
    approved_digest: str

    @property
    def changed_since_approval(self) -> bool:
        """True when an approved digest is recorded and the statement no longer has it."""
        return bool(self.approved_digest) and self.approved_digest != self.digest

    @property
    def unjustified(self) -> tuple[SoaRow, ...]:
        """The inclusions without a reason, Annex A first."""
        return tuple(row for row in (*self.rows, *self.additional) if row.unjustified)


def statement(graph: Graph, coverage: Iterable[RequirementCoverage], today: dt.date) -> Statement:
    """The Statement of Applicability of ``graph`` on ``today`` with the run's ``coverage``."""
    rows = tuple(annex_a(graph, coverage, today))
    extra = tuple(additional(graph, today))
    config: ProgramConfig | None = graph.config
    settings = config.soa if config is not None else None
    return Statement(
        rows,
        extra,
        digest((*rows, *extra)),
        (settings.version or "") if settings else "",
        (settings.approved_by or "") if settings else "",
        settings.approved_on if settings else None,
        (settings.digest or "") if settings else "",
    )


def config_source(graph: Graph) -> Sourced[ProgramConfig] | None:
    """``ciptool.yaml`` as loaded, for locating findings in it."""
    return graph.repository.config
