"""What the registers say of each other and of the controls, on a day: which risks, third
parties, metrics, findings and incidents name a control, the acceptances of a risk and whether
each is live, an action past due, a metric value beyond its threshold.

Shared by ``explain``, the register checks and the reports, so that each says the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ciptool.graph import Graph
from ciptool.models import (
    AssessmentFinding,
    Incident,
    Metric,
    Risk,
    RiskException,
    Sourced,
    ThirdParty,
)
from ciptool.models.registers import Action


@dataclass(frozen=True)
class Naming:
    """The register records that name one id, each kind in the repository's order."""

    risks: list[Sourced[Risk]]
    metrics: list[Sourced[Metric]]
    findings: list[Sourced[AssessmentFinding]]
    incidents: list[Sourced[Incident]]
    third_parties: list[Sourced[ThirdParty]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.risks or self.metrics or self.findings or self.incidents or self.third_parties
        )


def naming_control(graph: Graph, control: str) -> Naming:
    """The risks, metrics, assessment findings, incidents and third parties whose ``controls``
    name ``control`` (records with unique ids only). The index over every control is built once per
    graph (shared: read it, never change it), so asking for each of many controls costs one
    pass over the registers."""
    index = graph.derived(("register-naming", "controls"), lambda: _by_control(graph))
    return index.get(control) or Naming([], [], [], [])


def _by_control(graph: Graph) -> dict[str, Naming]:
    index: dict[str, Naming] = {}

    def naming(control: str) -> Naming:
        return index.setdefault(control, Naming([], [], [], []))

    # dict.fromkeys: a record listing a control twice is named once.
    for risk in graph.risks.values():
        for control in dict.fromkeys(risk.record.controls):
            naming(control).risks.append(risk)
    for metric in graph.metrics.values():
        for control in dict.fromkeys(metric.record.controls):
            naming(control).metrics.append(metric)
    for finding in graph.assessment_findings.values():
        for control in dict.fromkeys(finding.record.controls):
            naming(control).findings.append(finding)
    for incident in graph.incidents.values():
        for control in dict.fromkeys(incident.record.controls):
            naming(control).incidents.append(incident)
    for third_party in graph.third_parties.values():
        for control in dict.fromkeys(third_party.record.controls):
            naming(control).third_parties.append(third_party)
    return index


def naming_risk(graph: Graph, risk: str) -> Naming:
    """The assessment findings and incidents whose ``risks`` name ``risk``."""
    return Naming(
        [],
        [],
        [s for s in graph.assessment_findings.values() if risk in s.record.risks],
        [s for s in graph.incidents.values() if risk in s.record.risks],
    )


def is_live(exception: RiskException, today: dt.date) -> bool:
    """True when ``exception`` is approved on or before ``today`` and has not expired (its
    expiry day included), as :func:`ciptool.queries.exceptions.live_exceptions` says."""
    return exception.approved_on <= today <= exception.expires_on


@dataclass(frozen=True)
class Acceptance:
    """One id of a record's ``exceptions``: the exception it names, if any, whether it is
    live on the day, and why not in words ("expired on 2026-09-30"; empty when it is)."""

    ident: str
    exception: Sourced[RiskException] | None
    live: bool
    why_not: str


def acceptances(graph: Graph, exceptions: list[str], today: dt.date) -> list[Acceptance]:
    """Each of ``exceptions`` (a risk's or a finding's), as listed, with whether it is live:
    the one judgement of RK002, AF002, explain and the risk register."""
    found = []
    for ident in exceptions:
        sourced = graph.exceptions.get(ident)
        live = sourced is not None and is_live(sourced.record, today)
        if live:
            why = ""
        elif sourced is None and graph.repository.is_invalid("exceptions", ident):
            why = "is not valid (its own findings say why)"
        elif sourced is None:
            why = "does not exist"
        elif sourced.record.approved_on > today:
            why = f"is approved only from {sourced.record.approved_on}"
        else:
            why = f"expired on {sourced.record.expires_on}"
        found.append(Acceptance(ident, sourced, live, why))
    return found


def live_acceptances(graph: Graph, exceptions: list[str], today: dt.date) -> list[str]:
    """The ids of ``exceptions`` (a risk's or a finding's) that name a live exception."""
    return [a.ident for a in acceptances(graph, exceptions, today) if a.live]


def overdue(action: Action, today: dt.date) -> bool:
    """True when the action is not done and its due day is before ``today``."""
    return overdue_days(action, today) > 0


def overdue_days(action: Action, today: dt.date) -> int:
    """How many days ``action`` is past its due date and not done on ``today``; 0 if none."""
    if action.status == "done" or action.due_on >= today:
        return 0
    return (today - action.due_on).days


def past_due_days(finding: AssessmentFinding, today: dt.date) -> int:
    """How many days ``finding`` is open past its due date on ``today``; 0 if none."""
    if finding.status != "open" or finding.due_on >= today:
        return 0
    return (today - finding.due_on).days


def review_due(risk: Risk) -> dt.date:
    """When the risk's next review is due: ``reviewed_on`` plus ``review_every``."""
    return risk.review_every.after(risk.reviewed_on)


def beyond_threshold(metric: Metric, value: Decimal) -> bool | None:
    """True when ``value`` is beyond the metric's threshold (above it where lower is better,
    below it where higher is better); None when the metric has no threshold."""
    if metric.threshold is None:
        return None
    if metric.better == "lower":
        return value > metric.threshold
    return value < metric.threshold
