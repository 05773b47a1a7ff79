"""The risk register: scores against the appetite and their levels, and why a control a risk
leans on has no current evidence (acceptances, reviews and actions are
:mod:`ciptool.queries.registers`').

Shared by the risk checks (RK001-RK005) and the risk-register report: one definition of each,
so that they never disagree.
"""

from __future__ import annotations

import datetime as dt

from ciptool.graph import Graph
from ciptool.queries.evidence import EvidenceStatus, effective_date, requirement_evidence


def appetite(graph: Graph) -> int | None:
    """The highest residual score carried without an acceptance; None when ``ciptool.yaml``
    sets no ``risk:``."""
    config = graph.config
    return int(config.risk.appetite) if config is not None and config.risk is not None else None


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
