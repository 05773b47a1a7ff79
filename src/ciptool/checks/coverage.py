"""Coverage checks: every in-scope requirement is mapped, and every control maps one.

What coverage is (each status and how it is decided) is :mod:`ciptool.queries.coverage`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.models import Control, Sourced
from ciptool.queries.coverage import coverage
from ciptool.results import Status


class UncoveredRequirement(Check):
    """An in-scope framework requirement that no control maps: a coverage gap.

    Why: a framework in scope is a promise to address each of its requirements; one that no
    control maps is addressed by nothing, unless the Statement of Applicability excludes it
    with a justification (``applicability`` in ``ciptool.yaml``).

    Passes: some control lists ``DE.CM-01`` under ``nist-csf-2.0``, or ``applicability``
    excludes it with a justification.
    Fails: no control maps ``DE.CM-01`` and nothing excludes it.

    Fix: map the control that addresses it, add a control, or record a justified exclusion.
    """

    code = "CV001"
    slug = "uncovered-requirement"
    family = "coverage"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        config = ctx.graph.repository.config
        if config is None:
            return
        for row in coverage(ctx.graph, ctx.today, ctx.soc2_period):
            if row.status is not Status.GAP:
                continue
            catalog = ctx.graph.catalogs[row.framework]
            label = row.title
            yield self.finding(
                f"{catalog.display_name} {row.requirement} is in scope but no control maps it"
                f" ({_short(label)})",
                config.at("frameworks", config.record.frameworks.index(row.framework)),
                "Map a control that addresses it, or exclude it with a justification under"
                f" `applicability: {row.framework}:` in ciptool.yaml.",
                subject=f"{row.framework}:{row.requirement}",
                requirement=f"{row.framework}:{row.requirement}",
            )


class UnmappedControl(Check):
    """A control that maps to no requirement of any framework in scope.

    Why: a control that supports no in-scope requirement is either mis-mapped or outside the
    program's scope; either way it adds nothing to coverage or to the reports.

    Passes: a control with ``mappings: {nist-csf-2.0: [PR.AA-05]}`` and CSF 2.0 in scope.
    Fails: a control with no mappings, or mappings only to frameworks out of scope.

    Fix: map the control to the requirements it addresses.
    """

    code = "CV002"
    slug = "unmapped-control"
    family = "coverage"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        config = ctx.graph.config
        if config is None or not config.frameworks:
            return
        scope = set(config.frameworks)
        for control in ctx.graph.iter_controls():
            if any(_maps(control, framework) for framework in scope):
                continue
            yield self.finding(
                f"control {control.record.id} maps to no requirement of the frameworks in"
                f" scope ({', '.join(config.frameworks)})",
                control.at("mappings", key=True) if control.record.mappings else control.at("id"),
                "Map the control to the requirements it addresses.",
                subject=control.record.id,
                control=control.record.id,
            )


def _maps(control: Sourced[Control], framework: str) -> bool:
    return bool(control.record.mappings.get(framework))


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
