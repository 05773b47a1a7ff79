"""Policy checks: every policy has an owner, an approval and a review cycle that is kept."""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity


class PolicyReviewOverdue(Check):
    """A policy's review is overdue: ``last_reviewed`` plus ``review_every`` is before today.

    Why: ISO/IEC 27001 A.5.1 and SOC 2 CC5.3 expect policies to be reviewed at planned
    intervals; an overdue review means the controls may implement rules nobody has confirmed.
    Without ``last_reviewed`` the approval date counts as the last review.

    Passes: ``review_every: 12mo``, ``last_reviewed: 2026-03-02``, checked on 2026-11-15.
    Fails: the same policy checked on 2027-03-03.

    Fix: review the policy, then update ``last_reviewed`` (and the approval if it changed).
    """

    code = "PL001"
    slug = "policy-review-overdue"
    family = "policies"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.policies.values():
            policy = sourced.record
            reviewed = policy.last_reviewed or policy.approved_on
            if policy.review_every is None or reviewed is None:
                continue
            due = policy.review_every.after(reviewed)
            if due >= ctx.today:
                continue
            yield self.finding(
                f"policy {policy.id} was due for review on {due} ({policy.review_every.describe()}"
                f" after {reviewed}); it is {(ctx.today - due).days} days overdue",
                sourced.at("last_reviewed" if policy.last_reviewed else "approved_on"),
                "Review the policy and record the date in `last_reviewed`.",
                subject=policy.id,
            )


class PolicyNotApproved(Check):
    """A policy has no recorded approval: ``approved_by`` or ``approved_on`` is missing.

    Why: a policy only binds once management approves it (ISO/IEC 27001 5.2 and A.5.1, SOC 2
    CC5.3); without the approval an auditor treats it as a draft.

    Passes: ``approved_by: Cyber and Privacy Council``, ``approved_on: 2026-03-02``.
    Fails: either key missing.

    Fix: record who approved the policy and when.
    """

    code = "PL002"
    slug = "policy-not-approved"
    family = "policies"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.policies.values():
            policy = sourced.record
            missing = [
                key
                for key, value in (
                    ("approved_by", policy.approved_by),
                    ("approved_on", policy.approved_on),
                )
                if not value
            ]
            if missing:
                yield self.finding(
                    f"policy {policy.id} has no {' and no '.join(f'`{k}`' for k in missing)}",
                    sourced.at(),
                    "Record who approved the policy (`approved_by`) and when (`approved_on`).",
                    subject=policy.id,
                )


class PolicyWithoutOwner(Check):
    """A policy names no owner.

    Why: someone must be accountable for keeping a policy current and answering for it; SOC 2
    CC1.3 and ISO/IEC 27001 5.3 expect assigned responsibilities.

    Passes: ``owner: Chief Information Security Officer``.
    Fails: no ``owner``.

    Fix: name the accountable role in ``owner``.
    """

    code = "PL003"
    slug = "policy-without-owner"
    family = "policies"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.policies.values():
            if not sourced.record.owner.strip():
                yield self.finding(
                    f"policy {sourced.record.id} names no owner",
                    sourced.at(),
                    "Add `owner:` with the accountable role.",
                    subject=sourced.record.id,
                )


class PolicyWithoutReviewCycle(Check):
    """A policy has no ``review_every``, so nothing says when it must be reviewed again.

    Why: reviews at planned intervals are what keeps a policy current; without a cycle an
    overdue review can never be noticed.

    Passes: ``review_every: 12mo``.
    Fails: no ``review_every``.

    Fix: add ``review_every``, usually ``12mo``.
    """

    code = "PL004"
    slug = "policy-without-review-cycle"
    family = "policies"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.policies.values():
            if sourced.record.review_every is None:
                yield self.finding(
                    f"policy {sourced.record.id} has no review cycle",
                    sourced.at(),
                    "Add `review_every: 12mo` (or the cycle your program sets).",
                    subject=sourced.record.id,
                )
