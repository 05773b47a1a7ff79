"""Reference checks: every id a record names must exist, written the way its owner writes it.

How an id reads and the words that explain a reading are :mod:`ciptool.queries.readings`;
"did you mean" is :mod:`ciptool.queries.suggestions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Location, Severity
from ciptool.graph import Graph, MappingLink
from ciptool.models import Sourced
from ciptool.models.catalog import Reading
from ciptool.models.paths import evidence_file_key
from ciptool.models.repository import THIRD_PARTY_EVIDENCE, SourcedEvidence
from ciptool.queries.evidence import evidence_names
from ciptool.queries.readings import (
    explain_ambiguous,
    explain_other_reading,
    explain_unresolved,
    id_reader,
    link_readings,
    one_of,
)
from ciptool.queries.suggestions import Closest, did_you_mean, suggest_framework


class UnknownFramework(Check):
    """A framework id that no bundled or repository catalog defines.

    Why: a mapping to a framework ciptool does not know cannot be checked or reported, so the
    control silently counts for nothing in that framework's coverage.

    Passes: ``mappings: {nist-csf-2.0: [PR.AA-05]}``
    Fails: ``mappings: {nist-csf: [PR.AA-05]}``

    Fix: use an id from ``ciptool frameworks list``, or add the catalog to ``frameworks/``.
    """

    code = "RF001"
    slug = "unknown-framework"
    family = "references"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        known = sorted(graph.catalogs)
        config = graph.repository.config
        if config is not None:
            for index, framework in enumerate(config.record.frameworks):
                if framework not in graph.catalogs:
                    yield self.finding(
                        f"framework `{framework}` in scope is not a known framework",
                        config.at("frameworks", index),
                        suggest_framework(framework, known),
                        subject=framework,
                    )
            for framework in config.record.applicability:
                if framework not in graph.catalogs:
                    yield self.finding(
                        f"applicability names the unknown framework `{framework}`",
                        config.at("applicability", framework, key=True),
                        suggest_framework(framework, known),
                        subject=framework,
                    )
        for control in graph.referring_controls():
            for framework in control.record.mappings:
                if framework not in graph.catalogs:
                    yield self.finding(
                        f"control {control.record.id} maps to the unknown framework `{framework}`",
                        control.at("mappings", framework, key=True),
                        suggest_framework(framework, known),
                        subject=f"{control.record.id}/{framework}",
                    )


class UnknownRequirement(Check):
    """A requirement id that is not in its framework's catalog.

    Why: a mapping to a requirement that does not exist claims coverage that nothing can
    back. An id of another version of the framework is named as such: a CSF 1.1 id under
    CSF 2.0 with where its content went (NIST's withdrawal and every link of the official
    crosswalk), a CSF 2.0 id under CSF 1.1, an ISO/IEC 27001:2013 id under 2022 (ciptool
    ships no 2013 -> 2022 table). Suggestions are requirements, never headings.

    Passes: ``nist-csf-2.0: [PR.AA-05]``
    Fails: ``nist-csf-2.0: [PR.AC-1]`` (a CSF 1.1 id, incorporated into PR.AA-01 and PR.AA-05)

    Fix: use the id the suggestion names; ``ciptool frameworks show FRAMEWORK`` lists them all.
    """

    code = "RF002"
    slug = "unknown-requirement"
    family = "references"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        catalogs = graph.catalogs
        readings = link_readings(graph)
        for link in graph.reference_links:
            resolution = link.resolution
            if resolution is None or resolution.item_id is not None or resolution.ambiguous:
                continue
            message, suggestion = explain_unresolved(
                readings[(link.framework, link.written)], catalogs
            )
            yield self.finding(
                message,
                link.location,
                suggestion,
                subject=_entry_subject(graph, link),
            )
        for framework, requirement, location in _applicability_keys(graph):
            reading = id_reader(graph).read(framework, requirement)
            if reading.item_id is None and not reading.resolution.ambiguous:
                message, suggestion = explain_unresolved(reading, catalogs)
                yield self.finding(
                    message, location, suggestion, subject=f"{framework}:{requirement}"
                )


@dataclass(frozen=True)
class _Named:
    """A requirement named outside a control's mappings, and how a finding refers to it."""

    framework: str
    written: str
    location: Location
    subject: str
    #: What goes before the id in a suggestion: an exception names ``FRAMEWORK:ID``.
    prefix: str


def _named_outside_mappings(graph: Graph) -> Iterator[_Named]:
    """Every requirement an applicability decision or an exception names, of a known framework."""
    for framework, requirement, location in _applicability_keys(graph):
        yield _Named(framework, requirement, location, f"{framework}:{requirement}", "")
    for sourced in graph.repository.exceptions:
        written = sourced.record.applies_to.requirement or ""
        framework, colon, requirement = written.partition(":")
        if colon and framework in graph.catalogs:
            yield _Named(
                framework,
                requirement,
                sourced.at("applies_to", "requirement"),
                f"{sourced.record.id}/{framework}:{requirement}",
                f"{framework}:",
            )


def _applicability_keys(graph: Graph) -> Iterator[tuple[str, str, Location]]:
    """(framework, requirement as written, location) of every applicability decision."""
    config = graph.repository.config
    if config is None:
        return
    for framework, decisions in config.record.applicability.items():
        if framework in graph.catalogs:
            for requirement in decisions:
                yield (
                    framework,
                    requirement,
                    config.at("applicability", framework, requirement, key=True),
                )


class AmbiguousRequirementId(Check):
    """A requirement id with more than one reading in its framework, read as none of them.

    Why: ISO/IEC 27001 Annex A ids written without their ``A.`` (as spreadsheets write
    them) are also clause numbers: ``7.3`` is clause 7.3 *Awareness* and Annex A control
    A.7.3, and a spreadsheet shows A.5.30 as ``5.3``. Taking either reading silently could
    claim Annex A coverage that was never meant, or lose it; surrounding spaces never change
    the reading. Clauses are written ``Clause 7.3``, Annex A controls ``A.7.3``.

    Passes: ``iso27001-2022: [A.7.3, Clause 7.3]``
    Fails: ``iso27001-2022: ["7.3"]``

    Fix: write the id the suggestion names for the reading you mean.
    """

    code = "RF010"
    slug = "ambiguous-requirement-id"
    family = "references"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        catalogs = graph.catalogs
        readings = link_readings(graph)
        for link in graph.reference_links:
            if link.resolution is None or not link.resolution.ambiguous:
                continue
            reading = readings[(link.framework, link.written)]
            message, suggestion = explain_ambiguous(reading, catalogs)
            yield self.finding(
                message,
                link.location,
                suggestion,
                subject=_entry_subject(graph, link),
            )
        for framework, requirement, location in _applicability_keys(graph):
            reading = id_reader(graph).read(framework, requirement)
            if reading.resolution.ambiguous:
                message, suggestion = explain_ambiguous(reading, catalogs)
                yield self.finding(
                    message, location, suggestion, subject=f"{framework}:{requirement}"
                )


class OtherVersionRequirementId(Check):
    """A requirement id written as another version of its framework writes one of its own,
    read as this version's item with the same number.

    Why: ``ID.AM-1`` under CSF 2.0 is CSF 1.1's id; ciptool reads it as CSF 2.0's
    ID.AM-01, whose outcome NIST rewrote, and where NIST's crosswalk links the CSF 1.1 id
    to more than one CSF 2.0 subcategory (``DE.AE-3`` -> DE.AE-03 and DE.AE-07) the
    reading covers only one of them. The finding names both readings and every crosswalk
    target. The same holds the other way (``ID.AM-01`` under CSF 1.1).

    Mappings, applicability decisions and exceptions' requirements are all read this way.

    Passes: ``nist-csf-2.0: [ID.AM-01]``
    Fails: ``nist-csf-2.0: [ID.AM-1]``

    Fix: write this version's id to keep the reading; for the other version's requirement,
    map the crosswalk's targets, or map the id under the other version's framework.
    """

    code = "RF011"
    slug = "other-version-requirement-id"
    family = "references"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        catalogs = graph.catalogs
        readings = link_readings(graph)
        for link in graph.reference_links:
            if link.requirement_id is None:
                continue
            reading = readings[(link.framework, link.written)]
            if reading.other is None:
                continue
            message, suggestion = explain_other_reading(reading, catalogs)
            yield self.finding(
                message,
                link.location,
                suggestion,
                subject=_entry_subject(graph, link),
            )
        reader = id_reader(graph)
        for named in _named_outside_mappings(graph):
            reading = reader.read(named.framework, named.written)
            if reading.item_id is not None and reading.other is not None:
                message, suggestion = explain_other_reading(reading, catalogs)
                yield self.finding(message, named.location, suggestion, subject=named.subject)


class NormalisedRequirementId(Check):
    """A requirement id written in a known variant form, read as the catalog's own id.

    Why: ``GV.OC-1``, ``5.15`` and ``cc6.1`` are clear to people, and ciptool reads them as
    ``GV.OC-01``, ``A.5.15`` and ``CC6.1``; writing the canonical form keeps reports, searches
    and other tools consistent. Variants that are another version's id are RF011 instead.

    Mappings, applicability keys and exceptions' requirements are all noted, each where it is
    written.

    Passes: ``iso27001-2022: [A.5.15]``
    Fails: ``iso27001-2022: ["5.15"]``

    Fix: write the id as the note shows.
    """

    code = "RF003"
    slug = "non-canonical-requirement-id"
    family = "references"
    scope = Scope.DEFINITIONS
    severity = Severity.NOTE

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        catalogs = graph.catalogs
        readings = link_readings(graph)
        for link in graph.reference_links:
            resolution = link.resolution
            if resolution is None or resolution.item_id is None or resolution.exact:
                continue
            if readings[(link.framework, link.written)].other is not None:
                continue
            spelling = catalogs[link.framework].spelling(resolution.item_id)
            yield self.finding(
                f"`{link.written}` was read as {resolution.item_id} ({link.framework})",
                link.location,
                f"Write `{spelling}`.",
                subject=_entry_subject(graph, link),
            )
        reader = id_reader(graph)
        for named in _named_outside_mappings(graph):
            reading = reader.read(named.framework, named.written)
            if _is_variant(reading):
                assert reading.item_id is not None
                spelling = catalogs[named.framework].spelling(reading.item_id)
                yield self.finding(
                    f"`{named.written}` was read as {reading.item_id} ({named.framework})",
                    named.location,
                    f"Write `{named.prefix}{spelling}`.",
                    subject=named.subject,
                )


def _is_variant(reading: Reading) -> bool:
    """True for an id read as one item though written otherwise, and no other version's id
    (RF011 says more of those)."""
    resolution = reading.resolution
    return reading.item_id is not None and not resolution.exact and reading.other is None


def _entry_subject(graph: Graph, link: MappingLink) -> str:
    """A finding's subject for a mapping entry as written: ``IAM-03/nist-csf-2.0:PR.AA-5``,
    with ``#2`` and so on for a repeat of the same entry."""
    return f"{link.control.record.id}/{link.framework}:{link.written}" + _repeat(graph, link)


def _repeat(graph: Graph, link: MappingLink, *, read: bool = False, after: int = 0) -> str:
    """ "" for the first of a control's entries under one framework that are written alike
    (with ``read``, that name the same item), "#2" for the second and so on, counting from
    the entry after the first ``after`` ones. A finding's subject, and so its fingerprint,
    tells repeated entries apart: a baseline that holds one does not hold the next.
    """
    counts = graph.derived(("mapping-repeats", read), lambda: _occurrences(graph, read=read))
    nth = counts[(id(link.control), link.framework, link.index)] - after
    return f"#{nth}" if nth > 1 else ""


def _occurrences(graph: Graph, *, read: bool) -> dict[tuple[int, str, int], int]:
    """Each mapping entry's place among the same control's alike entries, from 1."""
    seen: dict[tuple[int, str, str], int] = {}
    places = {}
    for link in graph.reference_links:
        written = (link.requirement_id or link.written.strip()) if read else link.written
        alike = (id(link.control), link.framework, written)
        seen[alike] = seen.get(alike, 0) + 1
        places[(id(link.control), link.framework, link.index)] = seen[alike]
    return places


class DuplicateMapping(Check):
    """A control maps the same requirement twice in one framework.

    Why: ``[CC6.1, cc6.1]`` names CC6.1 twice; the second entry adds nothing, and where the
    two carry different relationships or rationales, which one holds is unclear. The
    finding is at the repeat and names the first.

    Passes: ``soc2-2017: [CC6.1, CC6.2]``
    Fails: ``soc2-2017: [CC6.1, cc6.1]``

    Fix: remove the repeat; keep one entry per requirement, with its relationship and
    rationale.
    """

    code = "RF009"
    slug = "duplicate-mapping"
    family = "references"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        first: dict[tuple[int, str, str], MappingLink] = {}
        for link in graph.reference_links:
            named = link.requirement_id or link.written.strip()
            key = (id(link.control), link.framework, named)
            earlier = first.setdefault(key, link)
            if earlier is link:
                continue
            control = link.control.record.id
            again = "" if link.written == earlier.written else f" (written `{earlier.written}`)"
            yield self.finding(
                f"control {control} already maps {link.framework} {named}{again}"
                f" at entry {earlier.index + 1}; `{link.written}` repeats it",
                link.location,
                "Remove this entry: keep one entry per requirement.",
                subject=f"{control}/{link.framework}:{named}"
                + _repeat(graph, link, read=True, after=1),
                related=(earlier.location,),
            )


class MappedToHeading(Check):
    """A mapping to an item coverage does not count: a heading (a CSF function or category, a
    SOC 2 series) or an ISO/IEC 27001 management-system clause (4-10, ``9.2.1``).

    Why: coverage is judged per requirement (CSF subcategory, ISO/IEC 27001 Annex A control,
    SOC 2 criterion); a mapping to a heading covers none of them, and ciptool measures no
    coverage of ISO/IEC 27001's clauses 4-10, mandatory as they are.

    Passes: ``nist-csf-2.0: [DE.CM-01]``
    Fails: ``nist-csf-2.0: [DE.CM]``, ``iso27001-2022: ["9.2.1"]``

    Fix: map to the requirements under the heading that the control really addresses, or to
    the Annex A controls a clause's control implements.
    """

    code = "RF005"
    slug = "mapped-to-heading"
    family = "references"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        catalogs = graph.catalogs
        for link in graph.reference_links:
            item_id = link.requirement_id
            if item_id is None:
                continue
            catalog = catalogs[link.framework]
            item = catalog.by_id[item_id]
            if item.type in catalog.requirement_types:
                continue
            under = catalog.requirements_under(item_id)
            what = f"{item_id} is {one_of(catalog, item.type)} of {catalog.display_name}"
            if under:
                message = f"{what}, not a requirement"
                suggestion = f"Map to the requirements under it, such as {', '.join(under[:6])}."
            else:
                # ISO/IEC 27001's clauses: requirements of the standard, but not what coverage
                # counts; no suggestion may name another mapping that counts for nothing.
                label = next(lv.label for lv in catalog.levels if lv.type == item.type)
                counted = catalog.requirement_label
                message = (
                    f"{what}, which ciptool's coverage does not count (it counts the {counted})"
                )
                suggestion = (
                    f"Map to the {counted} the control implements; ciptool measures no coverage"
                    f" of {label}."
                )
            yield self.finding(
                f"{message}; it counts toward no requirement's coverage",
                link.location,
                suggestion,
                subject=f"{link.control.record.id}/{link.framework}:{item_id}"
                + _repeat(graph, link, read=True),
            )


class UnknownPolicy(Check):
    """A control cites a policy id that no policy file defines.

    Why: every control should implement an approved policy or standard; an unknown id breaks
    that trace for the auditor.

    Passes: ``policy: POL-ACCESS`` with ``POL-ACCESS`` in ``policies/``
    Fails: ``policy: POL-ACCES``

    Fix: correct the id, or add the policy to ``policies/``.
    """

    code = "RF004"
    slug = "unknown-policy"
    family = "references"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        known = Closest(graph.policies)
        for control in graph.referring_controls():
            policy = control.record.policy
            if policy is None or policy in graph.policies:
                continue
            if graph.repository.is_invalid("policies", policy):
                continue  # the policy exists; its own findings say what is wrong with it
            yield self.finding(
                f"control {control.record.id} cites the unknown policy `{policy}`",
                control.at("policy"),
                known.hint(policy, "Add the policy to policies/."),
                subject=f"{control.record.id}/{policy}",
            )


class UnknownControl(Check):
    """An evidence record, or an exception's compensating controls, name a control that does
    not exist.

    Why: evidence that belongs to no control proves nothing, and a risk acceptance that leans
    on a control that does not exist leans on nothing; either usually means a control id was
    renamed or mistyped.

    Passes: ``control: IAM-03`` or ``compensating_controls: [IAM-03]`` with control IAM-03
    defined
    Fails: ``control: IAM-3``

    Fix: correct the control id in the record.
    """

    code = "RF006"
    slug = "unknown-control"
    family = "references"
    scope = Scope.RECORD

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        known = Closest(graph.controls)
        for sourced in graph.referring_evidence():
            control = sourced.record.control
            if control in graph.controls or graph.repository.is_invalid("controls", control):
                continue
            yield self.finding(
                f"evidence names the unknown control `{control}`",
                sourced.at("control"),
                known.hint(control, "Correct the control id."),
                subject=f"{control}/{sourced.record.requirement}",
            )
        for exception in graph.referring_exceptions():
            for index, control in enumerate(exception.record.compensating_controls):
                if control in graph.controls or graph.repository.is_invalid("controls", control):
                    continue
                yield self.finding(
                    f"exception {exception.record.id} names the unknown compensating control"
                    f" `{control}`",
                    exception.at("compensating_controls", index),
                    known.hint(
                        control,
                        "Correct the control id, or remove it from `compensating_controls`.",
                    ),
                    subject=f"{exception.record.id}/{control}",
                )


class UnknownEvidenceRequirement(Check):
    """An evidence record names an evidence requirement its control does not have.

    Why: a record is matched to what the control requires by this id; an unknown id leaves the
    requirement looking unproven.

    Passes: ``requirement: recert-signoff`` listed under the control's ``evidence``
    Fails: ``requirement: recert-sign-off``

    Fix: use one of the ids under the control's ``evidence:``, or add the requirement there.
    """

    code = "RF007"
    slug = "unknown-evidence-requirement"
    family = "references"
    scope = Scope.RECORD

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        requirements = {
            ident: [requirement.id for requirement in control.record.evidence]
            for ident, control in graph.controls.items()
        }
        for sourced in graph.referring_evidence():
            known = requirements.get(sourced.record.control)
            wanted = sourced.record.requirement
            if known is None or wanted in known:
                continue
            control = graph.controls[sourced.record.control]
            listed = ", ".join(known) if known else "none"
            yield self.finding(
                f"control {control.record.id} has no evidence requirement `{wanted}`"
                f" (it has: {listed})",
                sourced.at("requirement"),
                did_you_mean(wanted, known, "Correct the requirement id."),
                subject=f"{control.record.id}/{wanted}",
            )


def leaves_repository(base_file: str, written: str) -> bool:
    """True when ``written``, relative to ``base_file``'s folder, points outside the repository."""
    return evidence_file_key(base_file, written) is None


class PathOutsideRepository(Check):
    """A path in a record that points outside the compliance repository.

    Why: evidence and policy documents must travel with the repository, so an auditor who
    receives it can verify every file; a path outside it (absolute, or climbing out with ``..``)
    works only on one machine and may expose files that were never meant to be evidence.

    Passes: ``files: [{path: files/iam-03-q3.csv, ...}]``
    Fails: ``files: [{path: ../../home/me/export.csv, ...}]``

    Fix: copy the file into the repository (evidence beside its record, in ``files/``) and
    write the path relative to the record's folder.
    """

    code = "RF008"
    slug = "path-outside-repository"
    family = "references"
    scope = Scope.RECORD

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        repository = graph.repository
        # A control's evidence records, then a third party's, valid or not.
        records: list[SourcedEvidence] = [
            *graph.referring_evidence(),
            *repository.third_party_evidence,
            *repository.partial.get(THIRD_PARTY_EVIDENCE, ()),
        ]
        for sourced in records:
            owner, requirement = evidence_names(sourced.record)
            for index, entry in enumerate(sourced.record.files):
                if leaves_repository(sourced.file, entry.path):
                    yield self.finding(
                        f"evidence file path `{entry.path}` points outside the repository",
                        sourced.at("files", index, "path"),
                        "Copy the file into the repository and give its path relative to"
                        " the record's folder.",
                        subject=f"{owner}/{requirement}",
                    )
        for policy in graph.policies.values():
            document = policy.record.document
            if not document or "://" in document or document.startswith("mailto:"):
                continue
            # Policy documents are written relative to the repository's top.
            if leaves_repository("ciptool.yaml", document):
                yield self.finding(
                    f"policy document path `{document}` points outside the repository",
                    policy.at("document"),
                    "Use a URL, or a path inside the repository such as policies/docs/x.md.",
                    subject=policy.record.id,
                )


def _register_references(graph: Graph, field: str) -> Iterator[tuple[str, Sourced[Any], int, str]]:
    """(kind, record, index, id) of every id the registers' risks, third parties, metrics,
    findings and incidents list under ``field`` (``controls``, ``risks`` or ``exceptions``),
    those that failed validation included; a kind without the field lists nothing."""
    kinds: tuple[tuple[str, Iterable[Sourced[Any]]], ...] = (
        ("risk", graph.referring_risks()),
        ("third party", graph.referring_third_parties()),
        ("metric", graph.referring_metrics()),
        ("finding", graph.referring_assessment_findings()),
        ("incident", graph.referring_incidents()),
    )
    for kind, records in kinds:
        for sourced in records:
            for index, ident in enumerate(getattr(sourced.record, field, ())):
                yield kind, sourced, index, ident


def _unknown_in_registers(
    check: Check, graph: Graph, field: str, index: dict[str, Any]
) -> Iterator[Finding]:
    """A finding for each id under ``field`` (``controls``, ``risks`` or ``exceptions``) of a
    register record that names no record of that kind in ``index``; the id of a record that
    exists but failed validation is not one (its own findings say what is wrong with it)."""
    known = Closest(index)
    noun = field[:-1]
    for owner, sourced, position, ident in _register_references(graph, field):
        if ident in index or graph.repository.is_invalid(field, ident):
            continue
        yield check.finding(
            f"{owner} {sourced.record.id} names the unknown {noun} `{ident}`",
            sourced.at(field, position),
            known.hint(ident, f"Correct the {noun} id, or remove it from `{field}`."),
            subject=f"{sourced.record.id}/{ident}",
        )


class UnknownRegisterControl(Check):
    """A risk, third party, metric, assessment finding or incident names a control that does
    not exist.

    Why: a risk treated by a control that does not exist is untreated; a supplier overseen by
    one is overseen by nobody; a metric, finding or incident tied to one reaches no control's
    owner and no report of the control. It usually means a control id was renamed or mistyped.

    Passes: ``controls: [BCM-02]`` in a risk, with control BCM-02 defined
    Fails: ``controls: [BCM-2]``

    Fix: correct the control id, or remove it from the record's ``controls``.
    """

    code = "RF012"
    slug = "unknown-register-control"
    family = "references"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        yield from _unknown_in_registers(self, graph, "controls", graph.controls)


class UnknownRegisterRisk(Check):
    """An assessment finding or an incident names a risk that the risk register does not have.

    Why: a finding or an incident tied to a risk is how the register learns that the risk
    happened or is more likely than it says; tied to an unknown id, it tells the risk's owner
    nothing.

    Passes: ``risks: [RSK-007]`` in a finding, with risk RSK-007 in ``risks/``
    Fails: ``risks: [RSK-07]``

    Fix: correct the risk id, or add the risk to ``risks/``.
    """

    code = "RF013"
    slug = "unknown-register-risk"
    family = "references"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        yield from _unknown_in_registers(self, graph, "risks", graph.risks)


class UnknownRegisterException(Check):
    """A risk or an assessment finding names an exception that does not exist.

    Why: a risk above the appetite, or a finding left ``accepted``, is carried by the
    acceptances it names; an acceptance that does not exist carries nothing, and nobody
    approved the risk.

    Passes: ``exceptions: [EXC-2026-002]`` in a risk, with that exception in ``exceptions/``
    Fails: ``exceptions: [EXC-2026-02]``

    Fix: correct the exception id, or record the acceptance in ``exceptions/``.
    """

    code = "RF014"
    slug = "unknown-register-exception"
    family = "references"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        yield from _unknown_in_registers(self, graph, "exceptions", graph.exceptions)
