"""Incident checks: notifications the program owed and did not record, and incidents closed
without a root cause."""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity


class NotificationNotRecorded(Check):
    """An incident that requires notification has no ``notified_on``.

    Why: a breach of members' health information must be notified (to the members, and to
    regulators such as HHS OCR) within a deadline the law sets; an incident whose notification
    is required and not recorded is either late or undocumented, and either is a finding a
    regulator will make.

    Passes: ``notification: {required: true, notified_on: 2026-03-20}``.
    Fails: ``notification: {required: true}``.

    Fix: notify as required and record the day in ``notification.notified_on``; if no
    notification is required after all, say ``required: false``.
    """

    code = "IN001"
    slug = "notification-not-recorded"
    family = "incidents"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.incidents.values():
            incident = sourced.record
            notice = incident.notification
            if notice is None or not notice.required or notice.notified_on is not None:
                continue
            days = (ctx.today - incident.detected_on).days
            yield self.finding(
                f"incident {incident.id} ({incident.severity}) requires notification but no"
                f" `notified_on` is recorded; it was detected on {incident.detected_on},"
                f" {days} day{'' if days == 1 else 's'} before {ctx.today}",
                sourced.at("notification", "required"),
                "Notify as required and record the day in `notification.notified_on`.",
                subject=incident.id,
            )


class ClosedWithoutRootCause(Check):
    """A closed incident has no root cause.

    Why: an incident is closed when it is understood; without a root cause nobody can say
    what stops it from happening again, and the actions taken cannot be judged against it.

    Passes: ``closed_on: 2026-04-15`` with ``root_cause: Address file merged from a stale
    extract``.
    Fails: ``closed_on: 2026-04-15`` with no ``root_cause``, or an empty one.

    Fix: record the root cause the investigation found, or reopen the incident (remove
    ``closed_on``) until it is known.
    """

    code = "IN002"
    slug = "closed-without-root-cause"
    family = "incidents"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.incidents.values():
            incident = sourced.record
            if incident.closed_on is None or incident.root_cause.strip():
                continue
            yield self.finding(
                f"incident {incident.id} was closed on {incident.closed_on} with no root cause"
                " recorded",
                sourced.at("closed_on"),
                "Record the root cause in `root_cause`, or remove `closed_on` until it is known.",
                subject=incident.id,
            )
