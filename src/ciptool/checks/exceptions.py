"""Exception checks: accepted risks expire, and each must point at something real.

Which exceptions are live, and which findings none may cover, are
:mod:`ciptool.queries.exceptions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.graph import Graph
from ciptool.queries.exceptions import NOT_EXCEPTABLE
from ciptool.queries.readings import explain_unresolved, id_reader
from ciptool.queries.suggestions import Closest, suggest_framework


class ExpiredException(Check):
    """An exception (accepted risk) has expired.

    Why: a risk acceptance is granted for a time; once it expires the control gap it covered is
    simply open again, and nobody has decided to accept it. Expired acceptances are a classic
    audit finding.

    Passes: ``expires_on: 2027-03-31`` checked on 2026-11-15.
    Fails: the same exception checked on 2027-04-01.

    Fix: close the gap, or have the approver renew the exception with a new ``expires_on``.
    """

    code = "EX001"
    slug = "expired-exception"
    family = "exceptions"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.exceptions.values():
            exception = sourced.record
            if exception.expires_on < ctx.today:
                yield self.finding(
                    f"exception {exception.id} expired on {exception.expires_on}"
                    f" ({(ctx.today - exception.expires_on).days} days ago)",
                    sourced.at("expires_on"),
                    "Close the gap it covered, or renew it with a new `expires_on` and approval.",
                    subject=exception.id,
                )


class ExceptionExpiringSoon(Check):
    """An exception expires within ``check.expiry_warning_days`` (30 by default).

    Why: renewing a risk acceptance takes a decision by its approver; the warning leaves time
    to take it before the exception lapses and the check fails.

    Passes: ``expires_on`` more than 30 days after today.
    Fails: ``expires_on`` within the next 30 days.

    Fix: close the gap or start the renewal.
    """

    code = "EX002"
    slug = "exception-expiring-soon"
    family = "exceptions"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        horizon = ctx.today + dt.timedelta(days=ctx.expiry_warning_days)
        for sourced in ctx.graph.exceptions.values():
            exception = sourced.record
            if ctx.today <= exception.expires_on <= horizon:
                yield self.finding(
                    f"exception {exception.id} expires on {exception.expires_on},"
                    f" in {(exception.expires_on - ctx.today).days} days",
                    sourced.at("expires_on"),
                    "Close the gap it covers, or ask its approver to renew it.",
                    subject=exception.id,
                )


class DanglingException(Check):
    """An exception applies to nothing: an unknown control, requirement or check code, or a
    check whose findings are never excepted (LD, SC and EX: a broken file or an exception's
    own problem).

    Why: an exception that points at nothing hides nothing; usually an id was renamed and the
    real gap is now reported without the acceptance that was meant for it.

    Passes: ``applies_to: {control: IAM-03}`` with control IAM-03 defined.
    Fails: ``applies_to: {requirement: "iso27001-2022:A.8.99"}``.

    Fix: correct the id, or delete the exception if its subject no longer exists.
    """

    code = "EX003"
    slug = "exception-applies-to-nothing"
    family = "exceptions"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        controls = Closest(graph.controls)
        for sourced in graph.referring_exceptions():
            target = sourced.record.applies_to
            problem, suggestion = "", _FIX
            if target.control is not None:
                if target.control not in graph.controls and not graph.repository.is_invalid(
                    "controls", target.control
                ):
                    problem = f"control `{target.control}` does not exist"
                    suggestion = controls.hint(target.control, _FIX)
                key = "control"
            elif target.requirement is not None:
                problem, suggestion = _requirement_problem(graph, target.requirement)
                key = "requirement"
            else:
                if target.check not in ctx.known_codes:
                    problem = f"`{target.check}` is not a check code (see `ciptool rules list`)"
                elif str(target.check).startswith(NOT_EXCEPTABLE):
                    problem = (
                        f"{target.check} findings are never excepted: a file that cannot be read"
                        " or validated, or an exception's own problem, is fixed, not accepted"
                    )
                    suggestion = f"Fix what {target.check} reports, and delete the exception."
                key = "check"
            if problem:
                yield self.finding(
                    f"exception {sourced.record.id} applies to nothing: {problem}",
                    sourced.at("applies_to", key),
                    suggestion,
                    subject=sourced.record.id,
                )


class UnmatchedException(Check):
    """An exception on one check's finding matches no finding of that check today.

    Why: an exception of the kind ``{check: EV004, subject: ...}`` covers exactly the finding
    with that subject. When none has it, either the subject is misspelt, and the finding meant
    stays open beside an exception that looks valid, or the problem was fixed and the
    exception is stale: a risk acceptance for a risk that is gone still reads as accepted.

    Only an exception whose check ran is judged: with ``--select`` or ``--ignore`` leaving the
    check out, nobody knows what it would have found. A warning, not an error: when a problem
    is fixed, the run should not fail for it; a misspelt subject leaves the finding it meant
    failing on its own.

    Passes: ``{check: EV002, subject: IAM-03/recert-signoff}`` while IAM-03's recertification
    evidence is stale.
    Fails: ``{check: EV002, subject: iam-03/recert-signof}``, or the same exception once new
    evidence was recorded.

    Fix: correct the subject to one the check reports (the closest is suggested; `ciptool
    check -f json` lists every finding's `subject`), or remove the exception.
    """

    code = "EX004"
    slug = "exception-matches-no-finding"
    family = "exceptions"
    scope = Scope.REPOSITORY
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        """Nothing on its own: see :meth:`against`, which the engine calls with the findings."""
        return iter(())

    def against(
        self, ctx: Context, findings: Iterable[Finding], ran: Callable[[str], bool]
    ) -> Iterator[Finding]:
        """Findings for the exceptions on a check that ``ran`` whose subject none of
        ``findings`` has."""
        codes = ctx.known_codes
        targets = [
            (sourced, target.check, target.subject)
            for sourced in ctx.graph.exceptions.values()
            if (target := sourced.record.applies_to).check is not None
            and target.subject is not None
            and target.check in codes
            and ran(target.check)
        ]
        if not targets:
            return
        subjects: dict[str, dict[str, None]] = {}
        for finding in findings:
            subjects.setdefault(finding.code, {})[finding.subject] = None
        closest: dict[str, Closest] = {}
        for sourced, check, subject in targets:
            reported = subjects.get(check, {})
            if subject in reported:
                continue
            if check not in closest:
                closest[check] = Closest(known for known in reported if known)
            fix = "Correct the subject, or remove the exception."
            hint = closest[check].hint(subject, "")
            yield self.finding(
                f"exception {sourced.record.id} matches no finding of {check} today:"
                " the subject may be misspelt, or the problem is fixed",
                sourced.at("applies_to", "subject"),
                f"{hint} {fix}" if hint else fix,
                subject=sourced.record.id,
            )


#: What to do about an exception that applies to nothing, where no closer id can be named.
_FIX = "Correct the id, or delete the exception if its subject is gone."


def _requirement_problem(graph: Graph, reference: str) -> tuple[str, str]:
    """What is wrong with ``reference`` and what to write instead, as for a mapping; or
    ("", "") when it names a requirement."""
    framework, separator, requirement = reference.partition(":")
    if not separator:
        return f"`{reference}` should be FRAMEWORK:ID, e.g. iso27001-2022:A.8.2", _FIX
    catalog = graph.catalogs.get(framework)
    if catalog is None:
        known = sorted(graph.catalogs)
        return f"framework `{framework}` is not known", suggest_framework(framework, known)
    if catalog.resolve(requirement).item_id is None:
        reading = id_reader(graph).read(framework, requirement)
        problem, suggestion = explain_unresolved(reading, graph.catalogs)
        return problem, suggestion or _FIX
    return "", ""
