"""Assessment-finding checks: findings of tests, audits and assessments that are past their due
date, or accepted without a live exception."""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.queries.registers import acceptances, past_due_days


class FindingPastDue(Check):
    """An open assessment finding is past its due date.

    Why: a finding of a penetration test, a red-team exercise or an audit has a remediation
    date the owner agreed to; an open finding past it is an exposure the program said would be
    closed, and the next audit will ask about it first.

    Passes: ``status: open``, ``due_on: 2026-12-31``, checked on 2026-11-15.
    Fails: ``status: open``, ``due_on: 2026-08-14``, checked on 2026-11-15.

    Fix: remediate it (``status: remediated`` with ``closed_on``), agree a new due date with
    its owner, or accept it with an exception (``status: accepted``).
    """

    code = "AF001"
    slug = "finding-past-due"
    family = "findings"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.assessment_findings.values():
            found = sourced.record
            late = past_due_days(found, ctx.today)
            if not late:
                continue
            yield self.finding(
                f"finding {found.id} ({found.severity}, {found.source}) was due on"
                f" {found.due_on} and is still open, {late} day{'' if late == 1 else 's'}"
                f" later on {ctx.today}",
                sourced.at("due_on"),
                "Remediate it and record `status: remediated` with `closed_on`, agree a new"
                " `due_on` with its owner, or accept it with an exception.",
                subject=found.id,
            )


class AcceptedFindingWithoutException(Check):
    """A finding marked ``accepted`` has no live exception among its ``exceptions``.

    Why: accepting a finding is a risk decision someone with the authority to take it must
    record; that record is an exception, approved and with an expiry. A finding accepted
    without one, or only with exceptions that have expired, are not approved yet or do not
    exist, is a risk nobody accepted. An exception is live when it exists, was approved on or
    before the day of the check and has not expired (its expiry day included).

    Passes: ``status: accepted``, ``exceptions: [EXC-2026-004]``, live on the day.
    Fails: ``status: accepted`` with no ``exceptions``, or one that expired.

    Fix: record the acceptance as an exception in ``exceptions/`` and name it in the finding's
    ``exceptions``, renew the expired one, or remediate the finding.
    """

    code = "AF002"
    slug = "accepted-finding-without-exception"
    family = "findings"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        for sourced in graph.assessment_findings.values():
            found = sourced.record
            if found.status != "accepted":
                continue
            accepted = acceptances(graph, found.exceptions, ctx.today)
            if any(acceptance.live for acceptance in accepted):
                continue
            if not found.exceptions:
                yield self.finding(
                    f"finding {found.id} is accepted but names no exception",
                    sourced.at("status"),
                    "Record the acceptance as an exception in exceptions/ and name it in"
                    " `exceptions`, or remediate the finding.",
                    subject=found.id,
                )
                continue
            reasons = [f"{acceptance.ident} {acceptance.why_not}" for acceptance in accepted]
            yield self.finding(
                f"finding {found.id} is accepted, but none of its exceptions is live on"
                f" {ctx.today}: {'; '.join(reasons)}",
                sourced.at("exceptions"),
                "Renew the exception or record a new one and name it here, or remediate the"
                " finding.",
                subject=found.id,
            )
