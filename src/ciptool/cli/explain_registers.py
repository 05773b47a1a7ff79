"""Printing ``ciptool explain ID`` for a record of the registers: a risk, a third party, an app,
a metric, an assessment finding, an incident or a PBC request, as it stands on the day; and the
register records that name a control, under ``explain CONTROL``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.text import Text

from ciptool.app.explain import Standing, count, one_line, standard_detail
from ciptool.cli.explain_fieldwork import print_request
from ciptool.findings import format_yaml_path
from ciptool.models import (
    App,
    AssessmentFinding,
    Control,
    Incident,
    Metric,
    Risk,
    Sourced,
    ThirdParty,
)
from ciptool.models.registers import Action, RiskScore
from ciptool.models.repository import THIRD_PARTY_EVIDENCE
from ciptool.models.standards import STANDARDS_BY_ID, ThirdPartyEvidenceRecord
from ciptool.queries.evidence import EvidenceStatus, span
from ciptool.queries.registers import (
    Naming,
    acceptances,
    beyond_threshold,
    naming_risk,
    overdue_days,
    review_due,
)
from ciptool.queries.third_parties import evidence_by_third_party, standards_of

#: Prints a control's evidence and live exceptions as of the day, under an indent.
ControlStanding = Callable[[Sourced[Control], Standing, Console, str], None]


def print_record(
    kind: str,
    sourced: Sourced[Any],
    standing: Standing,
    console: Console,
    control_standing: ControlStanding,
) -> None:
    """Print the register record ``sourced`` of ``kind`` as it stands on the day."""
    record = sourced.record
    if kind == "request":
        title = record.request
    else:
        title = record.name if kind in {"third-party", "app"} else record.title
    console.print(Text(f"{record.id}: {one_line(title)}", style="bold"))
    console.print(Text(f"defined in {one_line(sourced.file)}", style="dim"))
    if getattr(record, "description", ""):
        console.print(Text(one_line(record.description)))
    if kind == "risk":
        _risk(record, standing, console, control_standing)
    elif kind == "third-party":
        _third_party(record, standing, console, control_standing)
    elif kind == "app":
        _app(record, standing, console)
    elif kind == "metric":
        _metric(record, standing, console, control_standing)
    elif kind == "finding":
        _finding(record, standing, console, control_standing)
    elif kind == "request":
        print_request(sourced, standing, console)
    else:
        _incident(record, standing, console, control_standing)


def print_naming(naming: Naming, console: Console) -> None:
    """The register records that name a control: risks, metrics, findings, incidents and third
    parties."""
    if not naming:
        return
    console.print(Text("named in the registers:", style="bold"))
    for sourced in naming.risks:
        risk = sourced.record
        console.print(
            Text(f"  risk {risk.id}  {one_line(risk.title)} (residual {_score(risk.residual)})")
        )
    for metric in naming.metrics:
        console.print(Text(f"  metric {metric.record.id}  {one_line(metric.record.title)}"))
    for found in naming.findings:
        finding = found.record
        console.print(Text(f"  finding {finding.id}  {one_line(finding.title)} ({finding.status})"))
    for incident in naming.incidents:
        console.print(Text(f"  incident {incident.record.id}  {one_line(incident.record.title)}"))
    for supplier in naming.third_parties:
        party = supplier.record
        program = "in the program" if party.in_program else "outside the program"
        name = one_line(party.name)
        console.print(Text(f"  third party {party.id}  {name} ({party.arrangement}, {program})"))


def _facts(console: Console, facts: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in facts) + 2
    for label, value in facts:
        console.print(Text(f"{label + ':':<{width}}{one_line(value)}"))


def _score(score: RiskScore) -> str:
    return f"likelihood {score.likelihood} x impact {score.impact} = {score.score}"


def _days(number: int) -> str:
    return count(number, "day")


def _risk(
    risk: Risk, standing: Standing, console: Console, control_standing: ControlStanding
) -> None:
    config = standing.graph.config
    appetite = config.risk.appetite if config is not None and config.risk else None
    residual = _score(risk.residual)
    if appetite is None:
        residual += " (no appetite set: `risk: {appetite: N}` in ciptool.yaml)"
    elif risk.residual.score > appetite:
        residual += f", above the appetite of {appetite}"
    else:
        residual += f", within the appetite of {appetite}"
    due = review_due(risk)
    review = f"reviewed {risk.reviewed_on}, every {risk.review_every}: next due {due}"
    if due < standing.today:
        review += f", overdue by {_days((standing.today - due).days)}"
    _facts(
        console,
        [
            ("owner", risk.owner),
            ("category", risk.category),
            ("inherent", _score(risk.inherent)),
            ("residual", residual),
            ("treatment", risk.treatment),
            ("review", review),
        ],
    )
    _controls(risk.controls, standing, console, control_standing)
    _acceptances(risk.exceptions, standing, console)
    _actions(risk.actions, standing, console, "action plan")
    named = naming_risk(standing.graph, risk.id)
    console.print(Text("named by findings and incidents:", style="bold"))
    for finding in named.findings:
        record = finding.record
        console.print(Text(f"  finding {record.id}  {one_line(record.title)} ({record.status})"))
    for incident in named.incidents:
        console.print(Text(f"  incident {incident.record.id}  {one_line(incident.record.title)}"))
    if not named:
        console.print("  (none)")


def _controls(
    controls: list[str], standing: Standing, console: Console, control_standing: ControlStanding
) -> None:
    """Each control a record names, with its evidence as explain gives it for a control."""
    console.print(Text(f"controls, with their evidence as of {standing.today}:", style="bold"))
    for ident in controls:
        sourced = standing.graph.controls.get(ident)
        if sourced is None:
            console.print(
                Text(f"  {ident}  (no such control: see `ciptool check`, RF012)", style="yellow")
            )
            continue
        console.print(Text(f"  {ident}  {one_line(sourced.record.title)}"))
        control_standing(sourced, standing, console, "    ")
    if not controls:
        console.print("  (none)")


def _acceptances(exceptions: list[str], standing: Standing, console: Console) -> None:
    """Each exception a record names: its reason, approver and expiry, and whether it is live."""
    console.print(Text(f"acceptances as of {standing.today}:", style="bold"))
    for acceptance in acceptances(standing.graph, exceptions, standing.today):
        if acceptance.exception is None:
            console.print(
                Text(
                    f"  {acceptance.ident}  (no such exception: see `ciptool check`, RF014)",
                    style="yellow",
                )
            )
            continue
        exception = acceptance.exception.record
        if acceptance.live:
            state = f"live until {exception.expires_on}"
        elif exception.approved_on > standing.today:
            state = f"not live: approved on {exception.approved_on}"
        else:
            state = f"not live: expired on {exception.expires_on}"
        line = Text(f"  {exception.id}  ")
        line.append(state, style="magenta" if acceptance.live else "yellow")
        line.append(
            one_line(
                f" (risk {exception.risk}, approved by {exception.approved_by} on"
                f" {exception.approved_on}): {exception.reason}"
            )
        )
        console.print(line)
    if not exceptions:
        console.print("  (none)")


def _actions(actions: list[Action], standing: Standing, console: Console, head: str) -> None:
    """Each action with its owner, due date and status, and how long past due it is."""
    console.print(Text(f"{head} as of {standing.today}:", style="bold"))
    for action in actions:
        if action.status == "done":
            state = f"done on {action.completed_on} (due {action.due_on})"
        else:
            state = f"{action.status}, due {action.due_on}"
        line = Text(f"  {action.id}  {state}")
        late = overdue_days(action, standing.today)
        if late:
            line.append(f", overdue by {_days(late)}", style="yellow")
        line.append(one_line(f": {action.description} ({action.owner})"))
        console.print(line)
    if not actions:
        console.print("  (none)")


def _third_party(
    party: ThirdParty, standing: Standing, console: Console, control_standing: ControlStanding
) -> None:
    program = "applies" if party.in_program else "does not apply"
    today = standing.today
    if party.contract is None:
        contract = "none recorded"
    else:
        span = f"{party.contract.start}..{party.contract.end}"
        ended = party.contract.end < today
        contract = f"{span}, " + (f"ended on {party.contract.end}" if ended else "in force")
    agreement = party.business_associate_agreement
    if agreement is not None:
        baa = f"signed on {agreement.signed_on}" + (
            f" ({agreement.document})" if agreement.document else ""
        )
    elif "phi" in party.data:
        baa = "none, though its data includes phi"
    else:
        baa = "none (needed only where the data includes phi)"
    report = party.soc2_report
    if report is None:
        soc2 = "none recorded"
    else:
        soc2 = f"received {report.received_on}, " + (
            f"expired on {report.expires_on}"
            if report.expires_on < today
            else f"serves until {report.expires_on}"
        )
        if report.period is not None:
            soc2 += f" (period {report.period.start}..{report.period.end})"
        if report.opinion:
            soc2 += f", {report.opinion} opinion"
    _facts(
        console,
        [
            ("arrangement", f"{party.arrangement}: the Third Party Management Program {program}"),
            ("services", party.services),
            ("data", ", ".join(party.data) or "none"),
            ("tier", party.tier),
            ("owner", party.owner),
            (f"contract as of {today}", contract),
            ("business associate agreement", baa),
            (f"SOC 2 report as of {today}", soc2),
        ],
    )
    if party.notes:
        console.print(Text(one_line(party.notes), style="dim"))
    _controls(party.controls, standing, console, control_standing)
    _standards(party, standing, console)


#: The style of a minimum standard's status, as explain shows a control's evidence.
_STATUS_STYLES = {EvidenceStatus.CURRENT: "green", EvidenceStatus.STALE: "yellow"}


def _standards(party: ThirdParty, standing: Standing, console: Console) -> None:
    """Each minimum standard of a third party in the program, with the status TP001, TP002 and
    the third-party register give it on the day and the evidence records behind it (newest
    first); records naming no minimum standard (TP006); for a third party outside the program,
    that none is asked, and the records that name it all the same."""
    graph, today = standing.graph, standing.today
    by_key = evidence_by_third_party(graph)
    if not party.in_program:
        console.print(
            Text("minimum standards: none asked, the program does not apply", style="bold")
        )
        recorded = [s for (ident, _), found in by_key.items() if ident == party.id for s in found]
        if recorded:
            console.print(Text("evidence recorded for it all the same:", style="bold"))
            for sourced in recorded:
                console.print(Text(f"  {one_line(sourced.record.requirement)}"))
                _evidence_record(sourced, console)
        return
    console.print(Text(f"minimum standards, with their evidence as of {today}:", style="bold"))
    for item in standards_of(graph, party.id):
        status = item.status_on(graph, today)
        line = Text(f"  {item.standard.id}: ")
        line.append(status.value, style=_STATUS_STYLES.get(status, "yellow"))
        line.append(f" - {standard_detail(item, status, today)}")
        subject = f"{party.id}/{item.standard.id}"
        if not item.records and graph.repository.is_invalid(THIRD_PARTY_EVIDENCE, subject):
            line.append(" (a record for it failed validation: see `ciptool check`)")
        console.print(line)
        for sourced in reversed(item.records):
            _evidence_record(sourced, console)
    for (ident, requirement), found in by_key.items():
        if ident != party.id or requirement in STANDARDS_BY_ID:
            continue
        console.print(
            Text(
                f"  {one_line(requirement)}: not a minimum standard (see `ciptool check`, TP006)",
                style="yellow",
            )
        )
        for sourced in found:
            _evidence_record(sourced, console)


def _evidence_record(sourced: Sourced[ThirdPartyEvidenceRecord], console: Console) -> None:
    """One evidence record of a third party: where it is (file and YAML path), its days and
    its files."""
    record = sourced.record
    first, last = span(record)
    speaks = f"period {first}..{last}" if record.period is not None else f"effective {last}"
    where = one_line(f"{sourced.file} {format_yaml_path(sourced.path)}")
    files = count(len(record.files), "file")
    console.print(Text(f"    {where}  collected {record.collected_on}, {speaks}, {files}"))


def _app(app: App, standing: Standing, console: Console) -> None:
    status = app.status + (f" on {app.decided_on}" if app.decided_on else "")
    attestation = app.carin_attestation
    attested = (
        f"attested on {attestation.attested_on} ({attestation.document})"
        if attestation is not None
        else "not attested"
    )
    policy = app.privacy_policy
    if policy is None:
        review = "none recorded"
    else:
        age = (standing.today - policy.reviewed_on).days
        review = f"{policy.url}, reviewed on {policy.reviewed_on} ({_days(age)} before" + (
            f" {standing.today})"
        )
    _facts(
        console,
        [
            ("developer", app.developer),
            ("status", status),
            ("CARIN code of conduct", attested),
            ("privacy policy", review),
        ],
    )
    if app.notes:
        console.print(Text(one_line(app.notes), style="dim"))


def _metric(
    metric: Metric, standing: Standing, console: Console, control_standing: ControlStanding
) -> None:
    unit = f" {metric.unit}"
    _facts(
        console,
        [
            ("kind", f"{metric.kind}, {metric.better} is better"),
            ("target", f"{metric.target}{unit}" if metric.target is not None else "none"),
            (
                "threshold",
                f"{metric.threshold}{unit}" if metric.threshold is not None else "none",
            ),
            ("owner", metric.owner),
            ("frequency", metric.frequency),
        ],
    )
    console.print(Text("values:", style="bold"))
    for value in sorted(metric.values, key=lambda v: v.period.start):
        beyond = beyond_threshold(metric, value.value)
        line = Text(f"  {value.period.text}  {value.value}{one_line(unit)}")
        if beyond:
            line.append("  beyond the threshold", style="yellow")
        if value.note:
            line.append(f"  {one_line(value.note)}", style="dim")
        console.print(line)
    if not metric.values:
        console.print("  (none)")
    latest = metric.latest()
    if latest is not None:
        beyond = beyond_threshold(metric, latest.value)
        where = (
            "no threshold set"
            if beyond is None
            else ("beyond" if beyond else "within") + f" the threshold of {metric.threshold}"
        )
        line = Text(f"latest: {latest.period.text} {latest.value}{one_line(unit)}, ", style="bold")
        line.append(where, style="yellow" if beyond else "")
        console.print(line)
    _controls(metric.controls, standing, console, control_standing)


def _finding(
    finding: AssessmentFinding,
    standing: Standing,
    console: Console,
    control_standing: ControlStanding,
) -> None:
    today = standing.today
    status: str = finding.status
    if finding.closed_on is not None:
        status += f" on {finding.closed_on}"
    elif finding.status == "open" and finding.due_on < today:
        status += f", overdue by {_days((today - finding.due_on).days)}"
    _facts(
        console,
        [
            ("source", finding.source),
            ("severity", finding.severity),
            ("owner", finding.owner),
            ("found", str(finding.found_on)),
            ("due", str(finding.due_on)),
            (f"status as of {today}", status),
        ],
    )
    _controls(finding.controls, standing, console, control_standing)
    _risks(finding.risks, standing, console)
    _acceptances(finding.exceptions, standing, console)


def _risks(risks: list[str], standing: Standing, console: Console) -> None:
    """Each risk a record names, with its residual score."""
    console.print(Text("risks:", style="bold"))
    for ident in risks:
        sourced = standing.graph.risks.get(ident)
        if sourced is None:
            console.print(
                Text(f"  {ident}  (no such risk: see `ciptool check`, RF013)", style="yellow")
            )
            continue
        risk = sourced.record
        console.print(Text(f"  {ident}  {one_line(risk.title)} (residual {_score(risk.residual)})"))
    if not risks:
        console.print("  (none)")


def _incident(
    incident: Incident,
    standing: Standing,
    console: Console,
    control_standing: ControlStanding,
) -> None:
    detected = incident.detected_on

    def after(day: dt.date | None) -> str:
        if day is None:
            return "not yet"
        return f"{day} ({_days((day - detected).days)} after detection)"

    notification = incident.notification
    if notification is None or not notification.required:
        notified = "not required"
    elif notification.notified_on is None:
        notified = "required, not yet made"
    else:
        notified = f"required, made on {after(notification.notified_on)}"
        if notification.to:
            notified += f" to {notification.to}"
    records = incident.records_affected
    _facts(
        console,
        [
            ("category", incident.category or "-"),
            ("severity", incident.severity),
            ("detected", str(detected)),
            ("contained", after(incident.contained_on)),
            ("closed", after(incident.closed_on)),
            ("records affected", f"{records:,}" if records is not None else "not recorded"),
            ("notification", notified),
            ("root cause", incident.root_cause or "not recorded"),
        ],
    )
    _actions(incident.actions, standing, console, "actions")
    _controls(incident.controls, standing, console, control_standing)
    _risks(incident.risks, standing, console)
