"""Briefing checks: every control is briefed to the Audit Committee in one section."""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.queries.briefing_sections import process_places, section_of


class ControlNotBriefed(Check):
    """A control is in no section of the Audit Committee briefing: no section holds its
    ``process``, or it has none.

    Why: the briefing shows every control once, in the section of the program it belongs to
    (threat environment, incident response, business continuity, governance, program
    components, third parties, member data sharing); a control no section claims is left out
    of the committee's view of the program. The seven critical security processes and
    ``governance`` have a section by default; ``briefing.sections`` in ``ciptool.yaml`` places
    any other process.

    Passes: a control with ``process: incident-response``, or with ``process: privacy`` and
    ``briefing: {sections: {incident-response: [privacy]}}``.
    Fails: a control with ``process: privacy`` that no section names, or without ``process``.

    Fix: name the process under the section that should brief it in ``briefing.sections``
    (``ciptool.yaml``), or give the control the ``process`` it belongs to.
    """

    code = "BR001"
    slug = "control-not-briefed"
    family = "briefing"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        places = process_places(ctx.graph.config)
        for sourced in ctx.graph.iter_controls():
            control = sourced.record
            process = control.process
            if section_of(process, places) is not None:
                continue
            if process:
                yield self.finding(
                    f"control {control.id} is in no section of the Audit Committee briefing:"
                    f" no section holds its process `{process}`",
                    sourced.at("process"),
                    f"Name the process under a section in `briefing.sections` in ciptool.yaml,"
                    f" e.g. `governance: [{process}]`.",
                    subject=control.id,
                    control=control.id,
                )
            else:
                yield self.finding(
                    f"control {control.id} is in no section of the Audit Committee briefing:"
                    " it has no `process`",
                    sourced.at(),
                    "Give the control the `process` it belongs to, one that a section holds"
                    " (the seven security processes and governance, or one named in"
                    " `briefing.sections` in ciptool.yaml).",
                    subject=control.id,
                    control=control.id,
                )
