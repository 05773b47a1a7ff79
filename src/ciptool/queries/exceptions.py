"""Exceptions (accepted risks): which are live on a day, and which findings none may cover."""

from __future__ import annotations

import datetime as dt

from ciptool.graph import Graph
from ciptool.models import RiskException, Sourced


def live_exceptions(graph: Graph, today: dt.date) -> list[Sourced[RiskException]]:
    """Exceptions approved on or before ``today`` that have not expired (expiry day included)."""
    return [
        sourced
        for sourced in graph.exceptions.values()
        if sourced.record.approved_on <= today <= sourced.record.expires_on
    ]


def requirement_exceptions(graph: Graph, today: dt.date) -> dict[str, list[str]]:
    """Requirement reference -> the ids of the live exceptions on the requirement itself."""
    found: dict[str, list[str]] = {}
    for sourced in live_exceptions(graph, today):
        target = sourced.record.applies_to.requirement
        reference = graph.canonical_reference(target) if target else None
        if reference:
            found.setdefault(reference, []).append(sourced.record.id)
    return found


#: Families an exception can never cover: a broken file or an exception's own problems.
NOT_EXCEPTABLE = ("LD", "SC", "EX")
