"""Statement of Applicability checks (ISO/IEC 27001:2022 6.1.3 d)): every inclusion has a
reason, every control not yet in place a target date, every risk and control it names exists,
and the statement is the one approved.

What the statement says (its rows, reasons, implementation status and digest) is
:mod:`ciptool.queries.soa`, which the report reads too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Location, Severity
from ciptool.graph import Graph
from ciptool.models import Sourced
from ciptool.models.records import Inclusion, ProgramConfig
from ciptool.queries.soa import (
    ISO,
    PARTIALLY_IMPLEMENTED,
    PLANNED,
    SoaRow,
    Statement,
    deciding,
    statement,
)
from ciptool.queries.suggestions import Closest


def _in_scope(graph: Graph) -> Sourced[ProgramConfig] | None:
    """``ciptool.yaml`` when ISO/IEC 27001:2022 is in scope and its catalog is known."""
    config = graph.repository.config
    if config is None or ISO not in config.record.frameworks or ISO not in graph.catalogs:
        return None
    return config


def _inclusions(
    config: Sourced[ProgramConfig],
) -> Iterator[tuple[str, Inclusion, tuple[str | int, ...]]]:
    """(label, inclusion, path in ciptool.yaml) of every Annex A decision and additional
    control the statement holds, in file order."""
    for key, decision in config.record.applicability.get(ISO, {}).items():
        yield key, decision, ("applicability", ISO, key)
    for index, extra in enumerate(config.record.soa.additional_controls):
        yield extra.id, extra, ("soa", "additional_controls", index)


def _decided(graph: Graph, today: dt.date) -> Statement:
    """The statement's decisions, made once per graph and day for SA001 and SA004: its reasons
    and digest depend on no evidence, so no coverage is computed for them."""
    return graph.derived(("soa-decided", today), lambda: statement(graph, (), today))


def _row_location(graph: Graph, config: Sourced[ProgramConfig], row: SoaRow) -> Location:
    """Where a row's reasons belong: its decision's key (its own or its theme's), the entry
    of an additional control, or ``applicability: iso27001-2022:`` for a control nothing
    decides."""
    if row.additional:
        index = next(
            i for i, c in enumerate(config.record.soa.additional_controls) if c.id == row.id
        )
        return config.at("soa", "additional_controls", index, "id")
    decision = deciding(graph, graph.catalogs[ISO], row.id)
    if decision is not None:
        return config.at("applicability", ISO, decision.key, key=True)
    return config.at("applicability", ISO, row.id, key=True)


class InclusionWithoutReason(Check):
    """An Annex A control the Statement of Applicability includes, or an additional control,
    without a reason for its inclusion.

    Why: ISO/IEC 27001:2022 6.1.3 d) asks the statement to justify each inclusion. A reason
    is a risk treatment (risks linked to the control: given in ``risks``, else the risks of
    the register whose ``controls`` name an implementing control), a legal, regulatory or
    contractual obligation (``obligation``) or a business requirement
    (``business_requirement``). A free ``justification`` alone does not say which. An Annex A
    control that no control implements and nothing in ``applicability`` decides is a coverage
    gap, which CV001 reports; it is reported here once it is implemented or decided.

    Passes: ``A.5.31: {obligation: HIPAA Security Rule, 45 CFR 164.316}``
    Fails: an included Annex A control whose implementing controls treat no risk of the
    register, with no ``obligation`` or ``business_requirement``.

    Fix: link the risk its treatment needs (``risks``, or the control under the risk's
    ``controls``), or name the obligation or business requirement, under
    ``applicability: iso27001-2022: ID:`` in ciptool.yaml.
    """

    code = "SA001"
    slug = "inclusion-without-reason"
    family = "soa"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        config = _in_scope(graph)
        if config is None:
            return
        catalog = graph.catalogs[ISO]
        for row in _decided(graph, ctx.today).unjustified:
            if not row.additional and not row.controls and not deciding(graph, catalog, row.id):
                continue  # a coverage gap (CV001) until it is implemented or decided
            noun = "additional control" if row.additional else "Annex A control"
            words = " (only a free justification)" if row.justification else ""
            yield self.finding(
                f"the Statement of Applicability includes {noun} {row.id} ({row.title}) without"
                f" a reason{words}: no risk treatment, obligation or business requirement",
                _row_location(graph, config, row),
                "Link the risks whose treatment needs it (`risks`), or name the `obligation` or"
                " `business_requirement` that does.",
                subject=f"{ISO}:{row.id}" if not row.additional else f"soa:{row.id}",
                requirement=f"{ISO}:{row.id}" if not row.additional else "",
            )


class PlannedWithoutTargetDate(Check):
    """A control the Statement of Applicability states as planned or partially implemented,
    without the date it will be in place.

    Why: a control not yet in place is a commitment of the risk treatment plan (6.1.3 e));
    without a target date nobody can hold the program to it.

    Passes: ``A.8.11: {status: partially-implemented, target_date: 2027-09-30, ...}``
    Fails: ``A.8.11: {status: planned, ...}`` with no ``target_date``

    Fix: add ``target_date``, or state the status it has.
    """

    code = "SA002"
    slug = "planned-without-target-date"
    family = "soa"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        config = _in_scope(ctx.graph)
        if config is None:
            return
        for label, inclusion, path in _inclusions(config):
            if inclusion.status not in (PLANNED, PARTIALLY_IMPLEMENTED):
                continue
            if inclusion.target_date is not None:
                continue
            if not getattr(inclusion, "applicable", True):
                continue
            words = inclusion.status.replace("-", " ")
            yield self.finding(
                f"the Statement of Applicability states {label} as {words} without a `target_date`",
                config.at(*path, "status"),
                "Add the date by which it will be in place as `target_date`.",
                subject=f"soa:{label}",
            )


class UnknownSoaRisk(Check):
    """The Statement of Applicability links a control to a risk the risk register does not
    have.

    Why: a control included for the treatment of a risk that does not exist is included for
    nothing; the link usually means a risk id was renamed or mistyped.

    Passes: ``A.5.15: {risks: [RSK-004]}``, with RSK-004 in ``risks/``
    Fails: ``A.5.15: {risks: [RSK-04]}``

    Fix: correct the risk id, or add the risk to ``risks/``.
    """

    code = "SA003"
    slug = "unknown-soa-risk"
    family = "soa"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        config = graph.repository.config
        if config is None:
            return
        known = Closest(graph.risks)
        for label, inclusion, path in _inclusions(config):
            for index, risk in enumerate(inclusion.risks):
                if risk in graph.risks or graph.repository.is_invalid("risks", risk):
                    continue
                yield self.finding(
                    f"the Statement of Applicability links {label} to the unknown risk `{risk}`",
                    config.at(*path, "risks", index),
                    known.hint(risk, "Correct the risk id, or add the risk to `risks/`."),
                    subject=f"soa:{label}/{risk}",
                )


class StatementChangedAfterApproval(Check):
    """The Statement of Applicability no longer has the digest recorded when it was approved.

    Why: the statement an auditor is given must be the one management approved. Its digest
    (``ciptool report soa`` prints it) covers each control's applicability, reasons (the risk
    links derived from the register included), stated implementation status, target date and
    implementing controls; when any of them changes (a decision, a risk's controls, a control's
    mappings), the approved version no longer describes the program. A status judged from
    evidence is not part of it: evidence that lapses is reported by the evidence checks.

    Passes: ``soa: {version: "3", approved_by: CISO, approved_on: 2026-10-20, digest: D}``
    where D is the digest the report prints.
    Fails: the same after a change to what the statement says.

    Fix: review the changes in ``ciptool report soa``, have the statement approved again,
    and record the new version, approver, date and digest under ``soa`` in ciptool.yaml.
    """

    code = "SA004"
    slug = "statement-changed-after-approval"
    family = "soa"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        config = _in_scope(graph)
        if config is None or not config.record.soa.digest:
            return
        found = _decided(graph, ctx.today)
        if not found.changed_since_approval:
            return
        settings = config.record.soa
        version = f"version {settings.version}" if settings.version else "the version"
        when = f" on {settings.approved_on}" if settings.approved_on else ""
        yield self.finding(
            f"the Statement of Applicability changed after {version} was approved{when}: its"
            f" digest is now {found.digest}",
            config.at("soa", "digest"),
            "Review what changed in `ciptool report soa`, have the statement approved again,"
            " and record the new version, approved_by, approved_on and digest under `soa`.",
            subject="soa",
        )


class IncompleteSoaApproval(Check):
    """The Statement of Applicability's approval is partly recorded: some of ``version``,
    ``approved_by``, ``approved_on`` and ``digest`` are given under ``soa``, not all.

    Why: an approval says which version was approved, by whom, when, and what it said (the
    digest); without one of them it cannot be shown to an auditor or held against the
    statement as it is now.

    Passes: ``soa: {version: "3", approved_by: CISO, approved_on: 2026-10-20, digest: D}``
    Fails: ``soa: {version: "3", approved_by: CISO}``

    Fix: add what is missing; the digest is the one ``ciptool report soa`` prints for the
    approved statement.
    """

    code = "SA005"
    slug = "incomplete-soa-approval"
    family = "soa"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    FIELDS = ("version", "approved_by", "approved_on", "digest")

    def run(self, ctx: Context) -> Iterator[Finding]:
        config = ctx.graph.repository.config
        if config is None:
            return
        settings = config.record.soa
        given = [name for name in self.FIELDS if getattr(settings, name) is not None]
        missing = [name for name in self.FIELDS if name not in given]
        if not given or not missing:
            return
        yield self.finding(
            "the Statement of Applicability's approval is incomplete: `soa` gives"
            f" {', '.join(f'`{n}`' for n in given)} but not {', '.join(f'`{n}`' for n in missing)}",
            config.at("soa", given[0], key=True),
            "Record the approved version, who approved it, when, and the digest the report"
            " printed for it.",
            subject="soa",
        )


class UnknownSoaControl(Check):
    """An additional control of the Statement of Applicability names an implementing control
    that does not exist, or has no implementing control.

    Why: an additional control is in the statement because the program implements it; one
    implemented by nothing, or by a control id that names nothing, cannot be shown in place.

    Passes: ``additional_controls: [{id: LMH-1, ..., controls: [GOV-01]}]`` with GOV-01 in
    ``controls/``
    Fails: ``controls: [GOV-1]``

    Fix: correct the control id, or add the control that implements it.
    """

    code = "SA006"
    slug = "unknown-soa-control"
    family = "soa"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        config = graph.repository.config
        if config is None:
            return
        known = Closest(graph.controls)
        for index, extra in enumerate(config.record.soa.additional_controls):
            path = ("soa", "additional_controls", index)
            if not extra.controls:
                yield self.finding(
                    f"additional control {extra.id} of the Statement of Applicability names no"
                    " implementing control",
                    config.at(*path, "id"),
                    "List the program's controls that implement it under `controls`.",
                    subject=f"soa:{extra.id}",
                )
            for position, control in enumerate(extra.controls):
                if control in graph.controls or graph.repository.is_invalid("controls", control):
                    continue
                yield self.finding(
                    f"additional control {extra.id} of the Statement of Applicability names the"
                    f" unknown control `{control}`",
                    config.at(*path, "controls", position),
                    known.hint(control, "Correct the control id, or remove it from `controls`."),
                    subject=f"soa:{extra.id}/{control}",
                )


class RepeatedSoaControlId(Check):
    """An additional control of the Statement of Applicability whose id another additional
    control, or an Annex A control, already has.

    Why: the statement lists each control once, by its id; two rows with one id make the
    statement ambiguous to a reader and to its digest.

    Passes: ``additional_controls: [{id: LMH-1, ...}, {id: LMH-2, ...}]``
    Fails: ``additional_controls: [{id: LMH-1, ...}, {id: LMH-1, ...}]``, or ``{id: A.5.1}``

    Fix: give the additional control an id of its own.
    """

    code = "SA007"
    slug = "repeated-soa-control-id"
    family = "soa"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        config = graph.repository.config
        if config is None:
            return
        catalog = graph.catalogs.get(ISO)
        seen: dict[str, int] = {}
        for index, extra in enumerate(config.record.soa.additional_controls):
            location = config.at("soa", "additional_controls", index, "id")
            annex = catalog.resolve(extra.id).item_id if catalog is not None else None
            if annex is not None:
                yield self.finding(
                    f"additional control {extra.id} of the Statement of Applicability has the"
                    f" id of Annex A control {annex}",
                    location,
                    "Give it an id of its own; an Annex A control is decided under"
                    " `applicability: iso27001-2022:`.",
                    subject=f"soa:{extra.id}",
                )
            elif extra.id in seen:
                yield self.finding(
                    f"additional control {extra.id} of the Statement of Applicability is listed"
                    f" twice (entries {seen[extra.id] + 1} and {index + 1})",
                    location,
                    "Give each additional control an id of its own.",
                    subject=f"soa:{extra.id}",
                )
            seen.setdefault(extra.id, index)
