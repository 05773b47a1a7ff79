"""Third-party checks: the Third Party Management Program's minimum standards, business
associate agreements, contracts and suppliers' SOC 2 reports.

Where each third party stands on each minimum standard is
:mod:`ciptool.queries.third_parties`; the standards are
:data:`ciptool.models.standards.MINIMUM_STANDARDS`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.models.repository import THIRD_PARTY_EVIDENCE
from ciptool.models.standards import MINIMUM_STANDARDS, STANDARDS_BY_ID
from ciptool.queries.evidence import effective_date
from ciptool.queries.suggestions import Closest
from ciptool.queries.third_parties import standard_evidence

_STANDARD_IDS = ", ".join(standard.id for standard in MINIMUM_STANDARDS)


class MissingStandardEvidence(Check):
    """A third party in the Third Party Management Program has no evidence for a minimum
    standard.

    Why: the program applies to delegated and specialty providers, third-party administrators
    and outsourced processes, and asks the same of each: a confidentiality agreement, due
    diligence with an on-site visit before contracting, a risk assessment, a contract reviewed
    by Sourcing and Legal, performance metrics, and an annual review. A standard with no
    evidence is one nobody can show was met.

    Passes: TP-ACME-CLAIMS (``arrangement: delegated-provider``) has a record in ``evidence/``
    for each standard, e.g. ``third_party: TP-ACME-CLAIMS, requirement: due-diligence``.
    Fails: no record names ``third_party: TP-ACME-CLAIMS, requirement: risk-assessment``.

    Fix: collect the evidence and record it with ``ciptool evidence add FILE --third-party ID
    --requirement STANDARD``.
    """

    code = "TP001"
    slug = "third-party-standard-missing"
    family = "third-parties"
    scope = Scope.THIRD_PARTY

    def run(self, ctx: Context) -> Iterator[Finding]:
        repository = ctx.graph.repository
        for item in standard_evidence(ctx.graph):
            third_party, standard = item.third_party.record, item.standard
            subject = f"{third_party.id}/{standard.id}"
            if item.records or repository.is_invalid(THIRD_PARTY_EVIDENCE, subject):
                continue  # an invalid record's own findings say what to fix
            yield self.finding(
                f"{third_party.id} ({third_party.arrangement}, in the Third Party Management"
                f" Program) has no evidence for the minimum standard `{standard.id}`"
                f" ({standard.description})",
                item.third_party.at("arrangement"),
                f"Collect it and run `ciptool evidence add FILE --third-party {third_party.id}"
                f" --requirement {standard.id}`.",
                subject=subject,
            )


class StaleStandardEvidence(Check):
    """A third party's newest evidence for a minimum standard is older than the standard
    allows: the annual review more than a year old.

    Why: the program reviews each relationship at least once a year; a review older than that
    says nothing about the supplier as it is now.

    Passes: an annual review effective 2026-03-31, checked on 2026-11-15.
    Fails: the same review checked on 2027-04-15 (more than a year later).

    Fix: review the relationship and record the review with ``ciptool evidence add``.
    """

    code = "TP002"
    slug = "third-party-standard-stale"
    family = "third-parties"
    scope = Scope.THIRD_PARTY

    def run(self, ctx: Context) -> Iterator[Finding]:
        for item in standard_evidence(ctx.graph):
            newest = item.newest
            limit = item.standard.max_age
            if newest is None or limit is None or not item.stale_on(ctx.today):
                continue
            third_party, standard = item.third_party.record, item.standard
            effective = effective_date(newest.record)
            yield self.finding(
                f"the newest evidence for {third_party.id} / {standard.id} speaks for"
                f" {effective}, {(ctx.today - effective).days} days before {ctx.today}; it may"
                f" be {limit.describe()} old",
                item.third_party.at("arrangement"),
                "Carry out the review and record it with `ciptool evidence add FILE"
                f" --third-party {third_party.id} --requirement {standard.id}`.",
                subject=f"{third_party.id}/{standard.id}",
                related=(newest.at(),),
            )


class PhiWithoutBaa(Check):
    """A third party handles protected health information (``data`` includes ``phi``) with no
    business associate agreement.

    Why: HIPAA lets a covered entity share PHI with a business associate only under a written
    agreement that binds it to safeguard the information; sharing without one is a violation
    whatever the supplier's security.

    Passes: ``data: [phi, pii]`` and ``business_associate_agreement: {signed_on: 2024-01-01}``.
    Fails: ``data: [phi]`` and no ``business_associate_agreement``.

    Fix: sign a business associate agreement and record it, or correct ``data`` if the third
    party handles no PHI.
    """

    code = "TP003"
    slug = "phi-without-baa"
    family = "third-parties"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.third_parties.values():
            record = sourced.record
            if "phi" not in record.data or record.business_associate_agreement is not None:
                continue
            yield self.finding(
                f"{record.id} ({record.name}) handles phi with no business associate agreement",
                sourced.at("data", record.data.index("phi")),
                "Sign a business associate agreement and record it as"
                " `business_associate_agreement: {signed_on: YYYY-MM-DD}`.",
                subject=record.id,
            )


class ContractEnded(Check):
    """A third party's contract ended before the day of the check.

    Why: a supplier working past its contract works without the terms that bind it: the
    confidentiality, security and audit clauses Sourcing and Legal negotiated.

    Passes: ``contract: {start: 2024-01-01, end: 2027-12-31}`` checked on 2026-11-15.
    Fails: ``contract: {start: 2023-01-01, end: 2026-06-30}`` checked on 2026-11-15.

    Fix: renew the contract and record its new end, or end the relationship and remove the
    third party.
    """

    code = "TP004"
    slug = "contract-ended"
    family = "third-parties"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.third_parties.values():
            record = sourced.record
            if record.contract is None or record.contract.end >= ctx.today:
                continue
            yield self.finding(
                f"the contract with {record.id} ({record.name}) ended on"
                f" {record.contract.end}, before {ctx.today}",
                sourced.at("contract", "end"),
                "Renew the contract and record its new end, or end the relationship.",
                subject=record.id,
            )


class SupplierReportExpired(Check):
    """A supplier's own SOC 2 report expired before the day of the check.

    Why: a supplier's SOC 2 report is evidence of its controls only for a while after its
    period; relying on an expired one relies on controls nobody has tested since.

    Passes: ``soc2_report: {received_on: 2026-02-10, expires_on: 2027-01-31}`` checked on
    2026-11-15.
    Fails: ``expires_on: 2026-09-30`` checked on 2026-11-15.

    Fix: obtain the supplier's current report and record it.
    """

    code = "TP005"
    slug = "supplier-soc2-report-expired"
    family = "third-parties"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.third_parties.values():
            record = sourced.record
            report = record.soc2_report
            if report is None or report.expires_on >= ctx.today:
                continue
            yield self.finding(
                f"the SOC 2 report of {record.id} ({record.name}) expired on"
                f" {report.expires_on}, before {ctx.today}",
                sourced.at("soc2_report", "expires_on"),
                "Obtain the supplier's current SOC 2 report and record it.",
                subject=record.id,
            )


class UnknownThirdPartyOrStandard(Check):
    """A third party's evidence record names a third party or a minimum standard that does not
    exist.

    Why: evidence that belongs to no third party, or to no standard, shows nothing; it usually
    means an id was renamed or mistyped, and the standard it was meant for is left without it.

    Passes: ``third_party: TP-ACME-CLAIMS, requirement: annual-review``, with TP-ACME-CLAIMS
    in ``third-parties/``.
    Fails: ``third_party: TP-ACME-CLAIM`` or ``requirement: yearly-review``.

    Fix: correct the id in the record; the standards are confidentiality-agreement,
    due-diligence, risk-assessment, contract-review, performance-metrics and annual-review.
    """

    code = "TP006"
    slug = "unknown-third-party-or-standard"
    family = "third-parties"
    scope = Scope.THIRD_PARTY

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        repository = graph.repository
        known = Closest(graph.third_parties)
        standards = Closest(STANDARDS_BY_ID)
        partial = repository.partial.get(THIRD_PARTY_EVIDENCE, ())
        for sourced in (*repository.third_party_evidence, *partial):
            record, given = sourced.record, sourced.record.model_fields_set
            third_party, standard = record.third_party, record.requirement
            if (
                "third_party" in given
                and third_party not in graph.third_parties
                and not repository.is_invalid("third_parties", third_party)
            ):
                yield self.finding(
                    f"evidence names the unknown third party `{third_party}`",
                    sourced.at("third_party"),
                    known.hint(third_party, "Correct the third party's id."),
                    subject=f"{third_party}/{standard}",
                )
            if "requirement" in given and standard not in STANDARDS_BY_ID:
                yield self.finding(
                    f"evidence names `{standard}`, which is not a minimum standard of the"
                    f" Third Party Management Program ({_STANDARD_IDS})",
                    sourced.at("requirement"),
                    standards.hint(standard, "Correct the standard's id."),
                    subject=f"{third_party}/{standard}",
                )
