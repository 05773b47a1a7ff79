"""Id checks: each record's id is its own, and each evidence requirement's within its control."""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding


class DuplicateId(Check):
    """Two records of the same kind share an id (both places are named).

    Why: ids are how records refer to each other; a duplicate makes every reference ambiguous.

    Passes: unique ids across the whole repository.
    Fails: ``IAM-03`` defined in two files.

    Fix: give one of them a new id, or remove one.
    """

    code = "SC004"
    slug = "duplicate-id"
    family = "schema"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        for duplicate in graph.duplicates:
            kind = duplicate.kind
            yield self.finding(
                f"{kind} id `{duplicate.ident}` is already used by another {kind}",
                duplicate.record.at("id"),
                f"Give this {kind} a new id, or remove one of the two.",
                subject=duplicate.ident,
                related=(duplicate.first.at("id"),),
            )
        for repeated in graph.repeated_evidence_ids:
            control = repeated.control
            ident = control.record.evidence[repeated.position].id
            yield self.finding(
                f"evidence requirement id `{ident}` is used twice in control {control.record.id}",
                control.at("evidence", repeated.position, "id"),
                "Give each evidence requirement of a control its own id.",
                subject=f"{control.record.id}/{ident}",
                related=(control.at("evidence", repeated.first, "id"),),
            )
