"""Risk register checks: action plans on time, residual risk within the appetite or accepted,
risks treated by controls, reviews on time, and the controls a risk leans on backed by current
evidence.

What they share with the risk-register report is :mod:`ciptool.queries.risks`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.queries.registers import acceptances, overdue, review_due
from ciptool.queries.risks import appetite, evidence_problems


class OverdueRiskAction(Check):
    """An action of a risk's plan is past its due date and not done.

    Why: the action plan is what management reports to the Board as the way a risk comes down;
    an action that slipped without a new date makes the plan, and the residual score that
    counts on it, read better than it is.

    Passes: ``{id: RSK-007-A1, due_on: 2027-03-31, status: in-progress}`` checked on
    2026-11-15, or an action ``status: done`` with ``completed_on``.
    Fails: the same action checked on 2027-04-01.

    Fix: finish the action (``status: done`` with ``completed_on``), or agree a new
    ``due_on`` with its owner and say why in the risk's review.
    """

    code = "RK001"
    slug = "risk-action-overdue"
    family = "risks"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.risks.values():
            risk = sourced.record
            for index, action in enumerate(risk.actions):
                if overdue(action, ctx.today):
                    days = (ctx.today - action.due_on).days
                    yield self.finding(
                        f"action {action.id} of risk {risk.id} was due on {action.due_on}"
                        f" ({days} days ago) and is {action.status}",
                        sourced.at("actions", index, "due_on"),
                        "Finish it (status: done with completed_on), or agree a new due_on"
                        " with its owner.",
                        subject=action.id,
                    )


class RiskAboveAppetite(Check):
    """A risk's residual score (likelihood x impact) is above the risk appetite in
    ``ciptool.yaml`` (``risk: {appetite: 8}``), and no live exception among the risk's
    ``exceptions`` accepts it.

    Why: the appetite is the Board's statement of how much risk the program carries without a
    decision; a risk above it is carried either by a named, approved, unexpired acceptance or
    by nobody's decision. An exception counts when it exists, was approved on or before the day
    and has not expired; an expired one is named in the message.

    Without ``risk:`` in ``ciptool.yaml`` there is no appetite to judge against, and this check
    reports nothing.

    Passes: ``residual: {likelihood: 2, impact: 4}`` (8) with an appetite of 8; or
    ``residual: {likelihood: 3, impact: 4}`` (12) with ``exceptions: [EXC-2026-002]``, live.
    Fails: a residual score of 12 with no exceptions, or with only an expired one.

    Fix: bring the residual score down (more treatment), or have the accountable executive
    accept the risk with an exception and list it under the risk's ``exceptions``.
    """

    code = "RK002"
    slug = "risk-above-appetite"
    family = "risks"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        limit = appetite(ctx.graph)
        if limit is None:
            return
        for sourced in ctx.graph.risks.values():
            risk = sourced.record
            residual = risk.residual
            if residual.score <= limit:
                continue
            found = acceptances(ctx.graph, risk.exceptions, ctx.today)
            if any(acceptance.live for acceptance in found):
                continue
            why = "; ".join(f"{a.ident} {a.why_not}" for a in found)
            yield self.finding(
                f"risk {risk.id} has a residual score of {residual.score} (likelihood"
                f" {residual.likelihood} x impact {residual.impact}), above the appetite of"
                f" {limit}, and no live acceptance" + (f" ({why})" if why else ""),
                sourced.at("residual"),
                "Reduce the residual risk, or accept it with an approved exception listed"
                " under the risk's `exceptions`.",
                subject=risk.id,
            )


class RiskWithoutControls(Check):
    """A risk names no controls, and its treatment is not ``avoid``.

    Why: a risk that is mitigated, transferred or accepted still rests on controls (the ones
    that bring it to its residual level, or that watch the transfer or the acceptance); with
    none named, nothing links the register to the evidence that shows the treatment works.
    An avoided risk is one the program stopped taking: it needs no control.

    Passes: ``controls: [BCM-02, OPS-03]``, or ``treatment: avoid`` with no controls.
    Fails: ``treatment: mitigate`` with no ``controls``.

    Fix: list the controls that treat the risk.
    """

    code = "RK003"
    slug = "risk-without-controls"
    family = "risks"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.risks.values():
            risk = sourced.record
            if not risk.controls and risk.treatment != "avoid":
                written = "controls" in risk.model_fields_set
                yield self.finding(
                    f"risk {risk.id} ({risk.treatment}) names no controls",
                    sourced.at("controls") if written else sourced.at("id"),
                    "List the controls that treat it under `controls`.",
                    subject=risk.id,
                )


class RiskReviewOverdue(Check):
    """A risk's review is overdue: ``reviewed_on`` plus ``review_every`` is before today.

    Why: likelihood and impact change with threats, systems and suppliers; a risk not reviewed
    on its cycle is reported to the Board at a level nobody has confirmed.

    Passes: ``reviewed_on: 2026-10-20`` with ``review_every: 6mo`` checked on 2026-11-15
    (due 2027-04-20).
    Fails: ``reviewed_on: 2026-03-01`` with ``review_every: 6mo`` checked on 2026-11-15 (due
    2026-09-01).

    Fix: review the risk with its owner and record the day in ``reviewed_on``.
    """

    code = "RK004"
    slug = "risk-review-overdue"
    family = "risks"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.risks.values():
            risk = sourced.record
            due = review_due(risk)
            if due < ctx.today:
                yield self.finding(
                    f"risk {risk.id} was last reviewed on {risk.reviewed_on}; with a review"
                    f" every {risk.review_every.describe()} it was due on {due}"
                    f" ({(ctx.today - due).days} days ago)",
                    sourced.at("reviewed_on"),
                    "Review the risk with its owner and record the day in `reviewed_on`.",
                    subject=risk.id,
                )


class RiskControlEvidenceNotCurrent(Check):
    """A risk leans on a control whose evidence is not current: one warning for each risk and
    each such control it names, located at the control in the risk's ``controls``.

    Why: a risk's residual score assumes its controls work; when a control's evidence is
    missing, stale, broken or dated ahead, the risks that lean on it are carried at a level
    nothing shows. This is the other side of the evidence checks (EV001-EV008): it says which
    risks a failing control carries. Evidence is current as for coverage: every evidence
    requirement of the control has intact evidence, not in the future and within its maximum
    age. A control under a live exception has its findings here excepted too.

    Passes: ``controls: [IAM-01]`` while IAM-01 has current evidence for every requirement.
    Fails: the same risk once IAM-01's newest evidence is older than its maximum age.

    Fix: collect current evidence for the control (``ciptool evidence add``); if the control
    no longer treats the risk, take it out of the risk's ``controls`` and review the residual
    score.
    """

    code = "RK005"
    slug = "risk-control-evidence-not-current"
    family = "risks"
    scope = Scope.CONTROL
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        problems = evidence_problems(graph, ctx.today)
        for sourced in graph.risks.values():
            risk = sourced.record
            for index, control in enumerate(risk.controls):
                # An unknown control is reported by the reference checks.
                if control not in graph.controls or control not in problems:
                    continue
                yield self.finding(
                    f"risk {risk.id} leans on control {control}, whose evidence is not"
                    f" current: {'; '.join(problems[control])}",
                    sourced.at("controls", index),
                    f"Collect current evidence for {control}, or take it out of the risk's"
                    " `controls` and review the residual score.",
                    subject=f"{risk.id}/{control}",
                    control=control,
                )
