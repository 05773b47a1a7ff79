"""The risk register: scores against the appetite, acceptances, reviews, action plans, and why
a control a risk leans on has no current evidence.

Shared by the risk checks (RK001-RK005) and the risk-register report: one definition of each,
so that they never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ciptool.graph import Graph
from ciptool.models.registers import Action, Risk
from ciptool.queries.evidence import EvidenceStatus, effective_date, requirement_evidence
from ciptool.queries.exceptions import live_exceptions


def appetite(graph: Graph) -> int | None:
    """The highest residual score carried without an acceptance; None when ``ciptool.yaml``
    sets no ``risk:``."""
    config = graph.config
    return int(config.risk.appetite) if config is not None and config.risk is not None else None


@dataclass(frozen=True)
class Acceptance:
    """One exception a risk lists, and where it stands on the day."""

    ident: str
    #: True when the exception exists, was approved on or before the day and has not expired.
    live: bool
    #: Why it is not live, in words ("expired on 2026-09-30"); empty when it is.
    why_not: str


def acceptances(graph: Graph, risk: Risk, today: dt.date) -> tuple[Acceptance, ...]:
    """Each exception ``risk`` lists, in its order, live or not on ``today``."""
    live = {sourced.record.id for sourced in live_exceptions(graph, today)}
    found = []
    for ident in risk.exceptions:
        sourced = graph.exceptions.get(ident)
        if ident in live:
            why = ""
        elif sourced is None:
            why = "does not exist"
        elif sourced.record.expires_on < today:
            why = f"expired on {sourced.record.expires_on}"
        else:
            why = f"is approved only from {sourced.record.approved_on}"
        found.append(Acceptance(ident, ident in live, why))
    return tuple(found)


def review_due(risk: Risk) -> dt.date:
    """The day the risk's next review is due: ``reviewed_on`` plus ``review_every``."""
    return risk.review_every.after(risk.reviewed_on)


def overdue(action: Action, today: dt.date) -> bool:
    """True when the action is not done and its due day is before ``today``."""
    return action.status != "done" and action.due_on < today


def level(score: int) -> str:
    """The level of a score on the 5 x 5 grid: low (1-4), medium (5-9), high (10-16) or
    critical (20-25)."""
    if score >= 20:
        return "critical"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


#: The levels, highest first.
LEVELS = ("critical", "high", "medium", "low")


def evidence_problems(graph: Graph, today: dt.date) -> dict[str, tuple[str, ...]]:
    """Control id -> why its evidence is not current on ``today``, one reason per evidence
    requirement that is not; only the controls whose evidence is not current are keys.

    The same judgement as :func:`ciptool.queries.coverage.control_evidence_current`.
    """
    return graph.derived(("evidence_problems", today), lambda: _problems(graph, today))


def _problems(graph: Graph, today: dt.date) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {
        c.record.id: ["it defines no evidence requirement"]
        for c in graph.iter_controls()
        if not c.record.evidence
    }
    for item in requirement_evidence(graph):
        status = item.status_on(graph, today)
        if status is EvidenceStatus.CURRENT:
            continue
        requirement = item.control.record.evidence[item.index].id
        newest = item.newest
        if status is EvidenceStatus.MISSING or newest is None:
            why = f"{requirement} has no evidence"
        elif status is EvidenceStatus.STALE:
            why = f"{requirement} is stale (newest evidence for {effective_date(newest.record)})"
        elif status is EvidenceStatus.BROKEN:
            why = f"{requirement}: the newest evidence has a missing or changed file"
        else:
            why = f"{requirement}: the newest evidence is dated after {today} or its collection"
        found.setdefault(item.control.record.id, []).append(why)
    return {control: tuple(reasons) for control, reasons in found.items()}
