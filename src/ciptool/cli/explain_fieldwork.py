"""Printing the audit fieldwork of ``ciptool explain ID``: a control's test procedure, its
SOC 2 Type II testing and the PBC requests that name it; an Annex A control's entry in the
Statement of Applicability; and a PBC request itself.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.text import Text

from ciptool.app.explain import Standing, count, one_line, population_basis
from ciptool.findings import format_yaml_path
from ciptool.models import Control, Sourced
from ciptool.models.fieldwork import PbcRequest
from ciptool.queries.soa import IMPLEMENTED, SoaRow, Statement
from ciptool.queries.testing import DEVIATIONS, NO_DEVIATION, SampleResult

_TESTING_STYLES: dict[str, str] = {DEVIATIONS: "yellow", NO_DEVIATION: "green"}
_REQUEST_STYLES = {"accepted": "green", "rejected": "yellow"}


def print_control_fieldwork(
    sourced: Sourced[Control], standing: Standing, console: Console
) -> None:
    """A control's test procedure, its testing in the SOC 2 period, and the PBC requests that
    name it."""
    control = sourced.record
    _test_procedure(control, console)
    _soc2_testing(control, standing, console)
    _requests_naming(control.id, standing, console)


def _test_procedure(control: Control, console: Console) -> None:
    if not control.test_procedure:
        console.print(Text("test procedure: none recorded", style="bold"))
        return
    console.print(Text("test procedure:", style="bold"))
    for number, step in enumerate(control.test_procedure, start=1):
        console.print(Text(f"  {number}. {one_line(step)}"))


def _soc2_testing(control: Control, standing: Standing, console: Console) -> None:
    """What testing the SOC 2 period's sample of the control found, as the SOC 2 package says
    it; nothing without a SOC 2 period."""
    period = standing.period
    if period is None:
        return
    head = Text(f"SOC 2 testing of {period.start}..{period.end}: ", style="bold")
    tested = standing.testing.get(control.id)
    if tested is None:
        head.append(f"not sampled: {standing.not_sampled(control)}", style="dim")
        console.print(head)
        return
    head.append(one_line(tested.text), style=testing_style(tested.status))
    console.print(head)
    console.print(Text(f"  population as of {standing.today}: {population_basis(tested)}"))
    if tested.workpapers:
        label = "workpaper" if len(tested.workpapers) == 1 else "workpapers"
        console.print(Text(f"  {label}: {one_line(', '.join(tested.workpapers))}"))
    if not tested.samples:
        return
    deviations = len(tested.deviations)
    passed = tested.tested - deviations
    waiting = [sample for sample in tested.samples if not sample.tested]
    console.print(
        Text(
            f"  sample: {count(len(tested.samples), 'item')}, {tested.tested} tested"
            f" ({passed} passed, {count(deviations, 'deviation')}), {len(waiting)} not tested"
        )
    )
    for sample in tested.deviations:
        _deviation(sample, console)
    if waiting:
        items = ", ".join(sample.text for sample in waiting)
        console.print(Text(f"  not tested yet: {one_line(items)}"))


def testing_style(status: str) -> str:
    """The style of a testing status: a deviation stands out, a clean test is green."""
    return _TESTING_STYLES.get(status, "")


def _deviation(sample: SampleResult, console: Console) -> None:
    """A deviation, who found it and when, what was found, and management's response."""
    line = Text("  deviation ", style="yellow")
    found = f"{sample.text}, tested on {sample.tested_on or 'no date'}"
    found += f" by {sample.tester}" if sample.tester else " (no tester recorded)"
    line.append(one_line(found + (f": {sample.notes.strip()}" if sample.notes.strip() else "")))
    console.print(line)
    response = sample.management_response.strip() or "none recorded"
    console.print(Text(f"    management response: {one_line(response)}"))


def _requests_naming(control: str, standing: Standing, console: Console) -> None:
    """The PBC requests that name ``control``, with where each stands on the day; nothing
    when the repository has no request."""
    if not standing.graph.requests:
        return
    console.print(Text(f"PBC requests naming {control}, as of {standing.today}:", style="bold"))
    found = standing.requests_on(control)
    for sourced in found:
        request = sourced.record
        line = Text(f"  {request.id}  ")
        line.append_text(request_state(request, standing.today))
        line.append(f": {one_line(request.request)}")
        console.print(line)
    if not found:
        console.print("  (none)")


def request_state(request: PbcRequest, today: dt.date, *, due: bool = True) -> Text:
    """Where a request stands on ``today``: its status, when it was provided, with ``due``
    when it is due while outstanding (requested, or rejected), and how long it is overdue."""
    state = Text(request.status, style=_REQUEST_STYLES.get(request.status, ""))
    if request.provided_on is not None:
        provided = f" on {request.provided_on}" if request.status == "provided" else ""
        state.append(provided or f" (provided on {request.provided_on})")
    if due and request.outstanding:
        state.append(f", due {request.due_on}")
    late = request.days_overdue(today)
    if late:
        state.append(f", overdue by {count(late, 'day')}", style="yellow")
    return state


def print_request(sourced: Sourced[PbcRequest], standing: Standing, console: Console) -> None:
    """A PBC request as it stands on the day: what it asks for and serves, who owes it, its
    dates and status, the evidence that answers it (and whether each reference matches a
    record), and the auditor's comments."""
    request = sourced.record
    graph, today = standing.graph, standing.today
    if request.control is None:
        control = "-"
    else:
        named = graph.controls.get(request.control)
        title = (
            one_line(named.record.title)
            if named is not None
            else "(no such control: see `ciptool check`, PB002)"
        )
        control = f"{request.control} {title}"
    facts = [
        ("references", ", ".join(request.references) or "none"),
        ("control", control),
        ("evidence requirement", request.requirement or "-"),
        ("period", f"{request.period.start}..{request.period.end}" if request.period else "-"),
        ("owner", request.owner),
        ("provider", request.provider or "-"),
        ("requested", str(request.requested_on)),
        ("due", str(request.due_on)),
    ]
    head = f"status as of {today}:"
    width = max(len(head) - 1, *(len(label) for label, _ in facts)) + 2
    for label, value in facts:
        console.print(Text(f"{label + ':':<{width}}{one_line(value)}"))
    status = Text(f"{head:<{width}}")
    status.append_text(request_state(request, today, due=False))
    console.print(status)
    console.print(Text("evidence, with the records each reference matches:", style="bold"))
    for reference in request.evidence:
        records = standing.answering(reference)
        line = Text(f"  {one_line(reference)}  ")
        if len(records) == 1:
            (record,) = records
            where = f"{record.file} {format_yaml_path(record.path)}"
            line.append(one_line(f"matches {where}"))
        elif not records:
            line.append("matches no record", style="yellow")
        else:
            where = "; ".join(f"{r.file} {format_yaml_path(r.path)}" for r in records)
            line.append(
                one_line(f"ambiguous: matches {count(len(records), 'record')}: {where}"),
                style="yellow",
            )
        console.print(line)
    if not request.evidence:
        console.print("  (none)")
    comments = request.auditor_comments.strip()
    console.print(Text(f"auditor comments: {one_line(comments) if comments else 'none'}"))


def print_soa_entry(row: SoaRow, statement: Statement, console: Console) -> None:
    """An Annex A control's entry in the Statement of Applicability: applicable or not, the
    reasons, how far it is implemented and by which controls."""
    head = Text("Statement of Applicability", style="bold")
    approval = _approval(statement)
    if approval:
        head.append(one_line(approval), style="bold")
    if statement.changed_since_approval:
        head.append(" (changed since its approval: SA004)", style="yellow")
    head.append(":", style="bold")
    console.print(head)
    if not row.applicable:
        justification = one_line(row.justification) or "no justification given"
        console.print(Text(f"  not applicable: {justification}", style="yellow"))
        return
    console.print(Text("  applicable"))
    reasons = [
        ("risk treatment", row.risk_text),
        ("obligation", row.obligation),
        ("business requirement", row.business_requirement),
    ]
    for label, value in reasons:
        if value:
            console.print(Text(f"  {label}: {one_line(value)}"))
    if not row.reasons:
        console.print(
            Text(
                "  no reason given: no risk treatment, obligation or business requirement (SA001)",
                style="yellow",
            )
        )
    if row.justification:
        console.print(Text(f"  justification: {one_line(row.justification)}"))
    line = Text("  implementation: ")
    line.append(
        row.implementation_text,
        style="green" if row.implementation == IMPLEMENTED else "yellow",
    )
    if row.implementation_judged:
        line.append(f", judged from its status ({row.status})", style="dim")
    else:
        line.append(", as the statement gives it", style="dim")
    console.print(line)
    controls = ", ".join(row.controls) or "none"
    console.print(Text(f"  implemented by: {controls}"))


def _approval(statement: Statement) -> str:
    """The statement's version and approval, as far as they are recorded; empty when none is."""
    parts = []
    if statement.version:
        parts.append(f" {statement.version}")
    if statement.approved_by or statement.approved_on:
        by = f" by {statement.approved_by}" if statement.approved_by else ""
        on = f" on {statement.approved_on}" if statement.approved_on else ""
        parts.append(f", approved{by}{on}")
    else:
        parts.append(", no approval recorded")
    return "".join(parts)
