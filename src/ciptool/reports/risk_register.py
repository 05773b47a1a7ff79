"""The risk register: every risk with its owner, levels before and after controls, treatment,
the controls it leans on and their evidence, its acceptances, its review and its action plan;
a summary for the Board, and a 5 x 5 heat map of where the risks sit.

What a risk's figures mean (score, level, appetite, a live acceptance, an overdue action) is
:mod:`ciptool.queries.risks`, which the RK checks read too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.graph import Graph
from ciptool.models.registers import Risk, RiskScore
from ciptool.queries.registers import acceptances, overdue_days, review_due
from ciptool.queries.risks import LEVELS, appetite, evidence_problems, level
from ciptool.reports.view import KindContent, ReportSource, ReportView, Table


@dataclass(frozen=True)
class Position:
    """Where a risk sits on the 5 x 5 grid."""

    likelihood: int
    impact: int
    score: int
    level: str

    @property
    def text(self) -> str:
        """``4 x 5 = 20 (critical)``."""
        return f"{self.likelihood} x {self.impact} = {self.score} ({self.level})"


@dataclass(frozen=True)
class ControlLine:
    """A control a risk leans on, and whether its evidence is current."""

    control: str
    title: str
    #: ``current``, ``not current`` or ``unknown`` (no such control).
    status: str
    #: Why it is not current, or what is unknown; empty when current.
    reason: str


@dataclass(frozen=True)
class AcceptanceLine:
    """An exception a risk lists: what it accepts, who approved it, until when, and whether it
    is live on the report's day."""

    exception: str
    reason: str
    approved_by: str
    expires_on: dt.date | None
    live: bool
    #: Why it is not live ("expired on 2026-09-30", "does not exist"); empty when it is.
    why_not: str

    @property
    def status(self) -> str:
        """``live``, or why not."""
        return "live" if self.live else f"not live: {self.why_not}"


@dataclass(frozen=True)
class ActionLine:
    """One step of a risk's action plan."""

    id: str
    description: str
    owner: str
    due_on: dt.date
    status: str
    completed_on: dt.date | None
    #: Days past its due date and not done on the as-of day; 0 when it is not overdue.
    overdue_days: int

    @property
    def overdue(self) -> bool:
        """Whether the step is past its due date and not done."""
        return self.overdue_days > 0

    @property
    def status_text(self) -> str:
        """``done on 2026-05-20``, ``in progress, overdue by 12 days``, ``planned``."""
        if self.status == "done":
            return f"done on {self.completed_on}" if self.completed_on else "done"
        words = self.status.replace("-", " ")
        if self.overdue_days:
            plural = "" if self.overdue_days == 1 else "s"
            return f"{words}, overdue by {self.overdue_days} day{plural}"
        return words


@dataclass(frozen=True)
class RiskLine:
    """One risk of the register."""

    id: str
    title: str
    owner: str
    category: str
    inherent: Position
    residual: Position
    treatment: str
    #: True when the residual score is above the appetite (False when no appetite is set).
    above_appetite: bool
    #: True when a live exception among the risk's own accepts it.
    accepted: bool
    controls: tuple[ControlLine, ...]
    acceptances: tuple[AcceptanceLine, ...]
    reviewed_on: dt.date
    review_every: str
    review_due: dt.date
    review_overdue: bool
    actions: tuple[ActionLine, ...]

    @property
    def appetite_text(self) -> str:
        """Where the risk stands against the appetite, in words."""
        if not self.above_appetite:
            return "within"
        return "above, accepted" if self.accepted else "above, not accepted"


@dataclass(frozen=True)
class HeatCell:
    """One cell of the 5 x 5 grid and the risks in it, before and after controls."""

    likelihood: int
    impact: int
    score: int
    level: str
    above_appetite: bool
    inherent: tuple[str, ...]
    residual: tuple[str, ...]


@dataclass(frozen=True)
class RegisterSummary:
    """The register in figures."""

    risks: int
    #: (level, count of risks whose residual score is at that level), highest level first.
    by_residual_level: tuple[tuple[str, int], ...]
    appetite: int | None
    above_appetite: int
    above_appetite_not_accepted: int
    reviews_overdue: int
    actions: int
    actions_open: int
    actions_overdue: int


@dataclass(frozen=True, kw_only=True)
class RiskRegister(ReportView):
    """What the risk register says."""

    summary: RegisterSummary
    #: Every risk, highest residual score first (then highest inherent score, then id).
    risks: Sequence[RiskLine]
    #: The 25 cells, as the grid is read: impact 5 down to 1, likelihood 1 to 5 in each row.
    heat_map: Sequence[HeatCell]


def _position(score: RiskScore) -> Position:
    return Position(score.likelihood, score.impact, score.score, level(score.score))


def _controls(graph: Graph, risk: Risk, today: dt.date) -> tuple[ControlLine, ...]:
    problems = evidence_problems(graph, today)
    lines = []
    for ident in risk.controls:
        sourced = graph.controls.get(ident)
        if sourced is None:
            lines.append(ControlLine(ident, "", "unknown", "no control has this id"))
        elif ident in problems:
            reason = "; ".join(problems[ident])
            lines.append(ControlLine(ident, sourced.record.title, "not current", reason))
        else:
            lines.append(ControlLine(ident, sourced.record.title, "current", ""))
    return tuple(lines)


def _acceptances(graph: Graph, risk: Risk, today: dt.date) -> tuple[AcceptanceLine, ...]:
    lines = []
    for found in acceptances(graph, risk.exceptions, today):
        record = found.exception.record if found.exception is not None else None
        lines.append(
            AcceptanceLine(
                exception=found.ident,
                reason=record.reason if record else "",
                approved_by=record.approved_by if record else "",
                expires_on=record.expires_on if record else None,
                live=found.live,
                why_not=found.why_not,
            )
        )
    return tuple(lines)


def risk_lines(graph: Graph, today: dt.date) -> list[RiskLine]:
    """Every risk of the register on ``today``, highest residual score first."""
    limit = appetite(graph)
    lines = []
    for sourced in graph.risks.values():
        risk = sourced.record
        accepted = _acceptances(graph, risk, today)
        due = review_due(risk)
        lines.append(
            RiskLine(
                id=risk.id,
                title=risk.title,
                owner=risk.owner,
                category=risk.category,
                inherent=_position(risk.inherent),
                residual=_position(risk.residual),
                treatment=risk.treatment,
                above_appetite=limit is not None and risk.residual.score > limit,
                accepted=any(line.live for line in accepted),
                controls=_controls(graph, risk, today),
                acceptances=accepted,
                reviewed_on=risk.reviewed_on,
                review_every=risk.review_every.describe(),
                review_due=due,
                review_overdue=due < today,
                actions=tuple(
                    ActionLine(
                        id=action.id,
                        description=action.description,
                        owner=action.owner,
                        due_on=action.due_on,
                        status=action.status,
                        completed_on=action.completed_on,
                        overdue_days=overdue_days(action, today),
                    )
                    for action in risk.actions
                ),
            )
        )
    return sorted(lines, key=lambda r: (-r.residual.score, -r.inherent.score, r.id))


def heat_map(lines: Sequence[RiskLine], limit: int | None) -> list[HeatCell]:
    """The 25 cells of the grid with the risks in each, impact 5 first."""
    cells = []
    for impact in range(5, 0, -1):
        for likelihood in range(1, 6):
            score = likelihood * impact

            def here(position: Position, li: int = likelihood, im: int = impact) -> bool:
                return position.likelihood == li and position.impact == im

            cells.append(
                HeatCell(
                    likelihood=likelihood,
                    impact=impact,
                    score=score,
                    level=level(score),
                    above_appetite=limit is not None and score > limit,
                    inherent=tuple(r.id for r in lines if here(r.inherent)),
                    residual=tuple(r.id for r in lines if here(r.residual)),
                )
            )
    return cells


def build(source: ReportSource) -> RiskRegister:
    """The risk register of ``source``."""
    graph = source.graph
    limit = appetite(graph)
    lines = risk_lines(graph, source.today)
    actions = [action for line in lines for action in line.actions]
    above = [line for line in lines if line.above_appetite]
    summary = RegisterSummary(
        risks=len(lines),
        by_residual_level=tuple(
            (name, sum(line.residual.level == name for line in lines)) for name in LEVELS
        ),
        appetite=limit,
        above_appetite=len(above),
        above_appetite_not_accepted=sum(not line.accepted for line in above),
        reviews_overdue=sum(line.review_overdue for line in lines),
        actions=len(actions),
        actions_open=sum(action.status != "done" for action in actions),
        actions_overdue=sum(action.overdue for action in actions),
    )
    return RiskRegister(
        meta=source.meta,
        kind=source.kind,
        summary=summary,
        risks=lines,
        heat_map=heat_map(lines, limit),
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def tables(register: RiskRegister) -> list[Table]:
    """The register as four tables: risks, their controls, their acceptances, their actions."""
    risks: list[list[Any]] = [
        [
            r.id,
            r.title,
            r.owner,
            r.category,
            r.inherent.likelihood,
            r.inherent.impact,
            r.inherent.score,
            r.inherent.level,
            r.residual.likelihood,
            r.residual.impact,
            r.residual.score,
            r.residual.level,
            r.treatment,
            r.appetite_text if register.summary.appetite is not None else "no appetite set",
            r.reviewed_on,
            r.review_every,
            r.review_due,
            _yes(r.review_overdue),
        ]
        for r in register.risks
    ]
    controls: list[list[Any]] = [
        [r.id, c.control, c.title, c.status, c.reason] for r in register.risks for c in r.controls
    ]
    accepted: list[list[Any]] = [
        [r.id, a.exception, a.reason, a.approved_by, a.expires_on, a.status]
        for r in register.risks
        for a in r.acceptances
    ]
    actions: list[list[Any]] = [
        [r.id, a.id, a.description, a.owner, a.due_on, a.status, a.completed_on, _yes(a.overdue)]
        for r in register.risks
        for a in r.actions
    ]
    return [
        (
            "Risks",
            [
                "Risk",
                "Title",
                "Risk owner",
                "Category",
                "Inherent likelihood",
                "Inherent impact",
                "Inherent score",
                "Inherent level",
                "Residual likelihood",
                "Residual impact",
                "Residual score",
                "Residual level",
                "Treatment",
                "Appetite",
                "Reviewed",
                "Review every",
                "Review due",
                "Review overdue",
            ],
            risks,
        ),
        ("Controls", ["Risk", "Control", "Control title", "Evidence", "Why"], controls),
        (
            "Acceptances",
            ["Risk", "Exception", "Reason", "Approved by", "Expires", "Acceptance"],
            accepted,
        ),
        (
            "Actions",
            [
                "Risk",
                "Action",
                "Description",
                "Action owner",
                "Due",
                "Status",
                "Completed",
                "Overdue",
            ],
            actions,
        ),
    ]


CONTENT = KindContent(build, tables)
