"""Checks of the auditor's requests for evidence (the PBC list): overdue requests, requests that
name what does not exist, evidence references that do not name one record, and rejections that
do not say why."""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.models.fieldwork import EVIDENCE_REFERENCE
from ciptool.queries.evidence import effective_date
from ciptool.queries.requests import referenced

# The findings of PB001-PB003 name no control: an exception for a control's evidence does not
# excuse an overdue or wrong request for it. PB004's are about a control's evidence records,
# and name the control, as the control's other evidence findings do.


class RequestOverdue(Check):
    """A request for evidence is past its due date and not provided or accepted.

    Why: the auditor plans fieldwork around the dates the program agreed to; a request still
    outstanding after its due date (never provided, or provided and rejected) delays the
    examination, and one never answered becomes a scope limitation in the report.

    Passes: ``status: requested``, ``due_on: 2026-11-20``, checked on 2026-11-15; or
    ``status: accepted``, ``provided_on: 2026-10-20``.
    Fails: ``status: requested`` (or ``rejected``), ``due_on: 2026-10-30``, checked on
    2026-11-15.

    Fix: provide the evidence and record ``status: provided`` with ``provided_on`` and
    ``provider``, or agree a new ``due_on`` with the auditor.
    """

    code = "PB001"
    slug = "request-overdue"
    family = "requests"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.requests.values():
            request = sourced.record
            late = request.days_overdue(ctx.today)
            if not late:
                continue
            state = (
                " and has not been provided"
                if request.status == "requested"
                else f"; what was provided on {request.provided_on} was rejected"
            )
            yield self.finding(
                f"request {request.id} ({request.owner}) was due on {request.due_on}{state}:"
                f" {late} day{'' if late == 1 else 's'} overdue on {ctx.today}",
                sourced.at("due_on"),
                "Provide the evidence and record `status: provided` with `provided_on` and"
                " `provider`, or agree a new `due_on` with the auditor.",
                subject=request.id,
            )


class UnknownRequestReference(Check):
    """A request names a control or an evidence requirement that does not exist, or an
    evidence reference that is not one of a known control's evidence requirements.

    Why: the request list is what the auditor ties evidence to; a request for a control or
    requirement that is not there asks for nothing, and an evidence reference
    (``CONTROL/requirement/YYYY-MM-DD``) to a control or requirement that is not there names
    no evidence. Whether a reference's day matches exactly one record depends on the evidence
    records, and is PB004's.

    Passes: ``control: IAM-01``, ``requirement: quarterly-access-review``, ``evidence:
    [IAM-01/quarterly-access-review/2026-09-30]``.
    Fails: ``control: IAM-99``; or ``evidence: [IAM-01/access-review/2026-09-30]`` when IAM-01
    has no evidence requirement ``access-review``.

    Fix: correct the id.
    """

    code = "PB002"
    slug = "unknown-request-reference"
    family = "requests"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        for sourced in graph.requests.values():
            request = sourced.record
            if request.requirement and request.control is None:
                yield self.finding(
                    f"request {request.id} names evidence requirement {request.requirement}"
                    " but no control",
                    sourced.at("requirement"),
                    "Name the control the evidence requirement belongs to in `control`.",
                    subject=request.id,
                )
            elif request.control:
                problem = self._unknown(ctx, request.control, request.requirement)
                if problem:
                    yield self.finding(
                        f"request {request.id} names {problem}",
                        sourced.at("requirement" if "requirement" in problem else "control"),
                        "Correct the id.",
                        subject=request.id,
                    )
            for index, text in enumerate(request.evidence):
                control, requirement, _day = text.split("/")
                problem = self._unknown(ctx, control, requirement)
                if problem:
                    yield self.finding(
                        f"request {request.id}: evidence {text} names {problem}",
                        sourced.at("evidence", index),
                        "Correct the reference: CONTROL/requirement/YYYY-MM-DD, the day the"
                        " record speaks for (its period's end, or its effective day).",
                        subject=request.id,
                    )

    @staticmethod
    def _unknown(ctx: Context, ident: str, requirement: str | None) -> str:
        """What is unknown of a control and its requirement, in words; empty when nothing
        is (or the control failed validation, whose own errors are reported)."""
        graph = ctx.graph
        control = graph.controls.get(ident)
        if control is None:
            if graph.repository.is_invalid("controls", ident):
                return ""
            return f"control {ident}, which does not exist"
        known = [each.id for each in control.record.evidence]
        if requirement and requirement not in known:
            return (
                f"evidence requirement {requirement}, which control {ident} does not have"
                f" (it has: {', '.join(known) or 'none'})"
            )
        return ""


class RejectionWithoutComment(Check):
    """A request the auditor rejected does not say why.

    Why: the owner must provide the evidence again, and cannot without knowing what was wrong
    with it; a rejection without a reason is also no record of what the auditor found.

    Passes: ``status: rejected`` with ``auditor_comments: Q2 export lacks approver names``.
    Fails: ``status: rejected`` with no ``auditor_comments``.

    Fix: record the auditor's reason in ``auditor_comments``.
    """

    code = "PB003"
    slug = "rejection-without-comment"
    family = "requests"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.requests.values():
            request = sourced.record
            if request.status != "rejected" or request.auditor_comments.strip():
                continue
            yield self.finding(
                f"request {request.id} was rejected, and `auditor_comments` does not say why",
                sourced.at("status"),
                "Record the auditor's reason in `auditor_comments`.",
                subject=request.id,
            )


class UnmatchedEvidenceReference(Check):
    """An evidence reference of a request matches no evidence record, or two or more.

    Why: a request's ``evidence`` tells the auditor which records answer it. A reference
    (``CONTROL/requirement/YYYY-MM-DD``) names the record of the control's evidence requirement
    that speaks for the day (the end of its period, or its effective day). One that matches no
    record points at nothing: the record was removed or redated, or the day is wrong. One that
    matches two records has two readings, and which of them answers the request is not said.
    References whose control or requirement does not exist are PB002's. The finding is about
    the control's evidence: an exception for the control covers it.

    Passes: ``evidence: [IAM-01/quarterly-access-review/2026-09-30]`` and one record of
    IAM-01's ``quarterly-access-review`` whose period ends on 2026-09-30.
    Fails: the same reference when no record of the requirement speaks for 2026-09-30, or when
    two do.

    Fix: correct the day to the record's, or remove the reference; for two records, remove the
    one recorded twice, or correct its period.
    """

    code = "PB004"
    slug = "unmatched-evidence-reference"
    family = "requests"
    scope = Scope.CONTROL

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        for sourced in graph.requests.values():
            request = sourced.record
            for index, text in enumerate(request.evidence):
                match = EVIDENCE_REFERENCE.fullmatch(text)
                if match is None:
                    continue
                ident, requirement, _day = match.groups()
                control = graph.controls.get(ident)
                if control is None or all(e.id != requirement for e in control.record.evidence):
                    continue  # PB002
                records = referenced(graph, text)
                if len(records) == 1:
                    continue
                if records:
                    files = ", ".join(dict.fromkeys(record.file for record in records))
                    problem = (
                        f"matches {len(records)} evidence records ({files}): which of them"
                        " answers the request is not said"
                    )
                    fix = "Remove the record kept twice, or correct its period."
                else:
                    days = sorted(
                        {
                            effective_date(record.record).isoformat()
                            for record in graph.evidence_by_requirement.get(
                                (ident, requirement), []
                            )
                        }
                    )
                    held = f"its records speak for {', '.join(days)}" if days else "it has none"
                    problem = f"matches no evidence record ({held})"
                    fix = "Correct the day to the record's, or remove the reference."
                yield self.finding(
                    f"request {request.id}: evidence {text} {problem}",
                    sourced.at("evidence", index),
                    fix,
                    subject=f"{request.id}/{text}",
                    related=tuple(record.at() for record in records),
                    control=ident,
                )
