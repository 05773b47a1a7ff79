"""Reference checks: every id a record names must exist, written the way its owner writes it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from ciptool.checks.base import Check, Context
from ciptool.findings import Finding, Severity
from ciptool.graph import evidence_file_key
from ciptool.models import Catalog, Resolution

#: Names people commonly write for a bundled framework.
FRAMEWORK_ALIASES = {
    "csf": "nist-csf-2.0",
    "nist-csf": "nist-csf-2.0",
    "nist-csf-2": "nist-csf-2.0",
    "csf-2.0": "nist-csf-2.0",
    "csf2": "nist-csf-2.0",
    "nist-csf-1": "nist-csf-1.1",
    "csf-1.1": "nist-csf-1.1",
    "iso27001": "iso27001-2022",
    "iso-27001": "iso27001-2022",
    "iso27002": "iso27001-2022",
    "iso27002-2022": "iso27001-2022",
    "iso-27001-2022": "iso27001-2022",
    "iso-iec-27001-2022": "iso27001-2022",
    "soc2": "soc2-2017",
    "soc-2": "soc2-2017",
    "tsc": "soc2-2017",
    "tsc-2017": "soc2-2017",
}


def did_you_mean(written: str, known: list[str], otherwise: str) -> str:
    """ "Did you mean `X`?" for the closest of ``known``, or ``otherwise`` when none is close."""
    return Closest(known).hint(written, otherwise)


class Closest:
    """The closest of many known ids to each id written, looked for once per id written.

    Comparing one id with ten thousand takes about a tenth of a second, and a renamed control
    leaves the same unknown id in many records.
    """

    def __init__(self, known: Iterable[str]) -> None:
        self.known = list(known)
        self._found: dict[str, str | None] = {}

    def hint(self, written: str, otherwise: str) -> str:
        """ "Did you mean `X`?", or ``otherwise`` when no known id is close."""
        if written not in self._found:
            close = difflib.get_close_matches(written, self.known, n=1, cutoff=0.6)
            self._found[written] = close[0] if close else None
        found = self._found[written]
        return f"Did you mean `{found}`?" if found else otherwise


def suggest_framework(written: str, known: list[str]) -> str:
    """A "did you mean" for an unknown framework id, or a list of the known ones."""
    alias = FRAMEWORK_ALIASES.get(written.lower())
    if alias in known:
        return f"Did you mean `{alias}`?"
    close = difflib.get_close_matches(written.lower(), known, n=1, cutoff=0.6)
    if close:
        return f"Did you mean `{close[0]}`?"
    return "Known frameworks: " + ", ".join(sorted(known)) + " (see `ciptool frameworks list`)."


def explain_unresolved(
    resolution: Resolution, catalog: Catalog, catalogs: dict[str, Catalog]
) -> tuple[str, str]:
    """Message and suggestion for a requirement id that is not in ``catalog``."""
    written = resolution.written
    withdrawn = resolution.withdrawn
    if withdrawn is not None:
        earlier = catalogs.get(catalog.previous_version) if catalog.previous_version else None
        earlier_name = earlier.display_name if earlier else "an earlier version"
        former = withdrawn.former_id or withdrawn.id
        targets = withdrawn.incorporated_into or withdrawn.moved_to
        verb = "was incorporated into" if withdrawn.incorporated_into else "moved to"
        message = f"`{written}` is not in {catalog.display_name}: {former} is {earlier_name}"
        if targets:
            message += f"; in {catalog.display_name} it {verb} {', '.join(targets)}"
            suggestion = f"Map to {' or '.join(targets)} instead."
        else:
            message += f"; it was withdrawn from {catalog.display_name} ({withdrawn.reason})"
            suggestion = f"Choose the {catalog.display_name} requirement that fits the control."
        return message, suggestion
    message = f"`{written}` is not a requirement of {catalog.display_name}"
    if resolution.suggestions:
        return message, "Did you mean " + " or ".join(
            f"`{s}`" for s in resolution.suggestions
        ) + "?"
    return message, f"See `ciptool frameworks show {catalog.id}` for its ids."


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
        for control in graph.iter_controls():
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
    back. Ids from an earlier version of a framework are named with where their content
    went (for CSF 1.1 ids under CSF 2.0, from NIST's official crosswalk).

    Passes: ``nist-csf-2.0: [PR.AA-05]``
    Fails: ``nist-csf-2.0: [PR.AC-1]`` (a CSF 1.1 id, incorporated into PR.AA-01 and PR.AA-05)

    Fix: use the id the suggestion names; ``ciptool frameworks show FRAMEWORK`` lists them all.
    """

    code = "RF002"
    slug = "unknown-requirement"
    family = "references"

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        catalogs = graph.catalogs
        for link in graph.mapping_links:
            resolution = link.resolution
            if resolution is None or resolution.item_id is not None:
                continue
            message, suggestion = explain_unresolved(resolution, catalogs[link.framework], catalogs)
            yield self.finding(
                message,
                link.control.at("mappings", link.framework, link.index),
                suggestion,
                subject=f"{link.control.record.id}/{link.framework}:{link.written}",
            )
        config = graph.repository.config
        if config is None:
            return
        for framework, decisions in config.record.applicability.items():
            catalog = catalogs.get(framework)
            if catalog is None:
                continue
            for requirement in decisions:
                resolution = catalog.resolve(requirement)
                if resolution.item_id is None:
                    message, suggestion = explain_unresolved(resolution, catalog, catalogs)
                    yield self.finding(
                        message,
                        config.at("applicability", framework, requirement, key=True),
                        suggestion,
                        subject=f"{framework}:{requirement}",
                    )


class NormalisedRequirementId(Check):
    """A requirement id written in a known variant form, read as the catalog's own id.

    Why: ``GV.OC-1``, ``5.15`` and ``cc6.1`` are clear to people, and ciptool reads them as
    ``GV.OC-01``, ``A.5.15`` and ``CC6.1``; writing the canonical form keeps reports, searches
    and other tools consistent.

    Passes: ``iso27001-2022: [A.5.15]``
    Fails: ``iso27001-2022: ["5.15"]``

    Fix: write the id as the note shows.
    """

    code = "RF003"
    slug = "non-canonical-requirement-id"
    family = "references"
    severity = Severity.NOTE

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        for link in graph.mapping_links:
            resolution = link.resolution
            if resolution is None or resolution.item_id is None or resolution.exact:
                continue
            yield self.finding(
                f"`{link.written}` was read as {resolution.item_id} ({link.framework})",
                link.control.at("mappings", link.framework, link.index),
                f"Write `{resolution.item_id}`.",
                subject=f"{link.control.record.id}/{link.framework}:{link.written}",
            )


class MappedToHeading(Check):
    """A mapping to a heading (a CSF function or category, a SOC 2 series) not a requirement.

    Why: coverage is judged per requirement (CSF subcategory, ISO/IEC 27001 Annex A control,
    SOC 2 criterion); a mapping to a heading covers none of them.

    Passes: ``nist-csf-2.0: [DE.CM-01]``
    Fails: ``nist-csf-2.0: [DE.CM]``

    Fix: map to the requirements under the heading that the control really addresses.
    """

    code = "RF005"
    slug = "mapped-to-heading"
    family = "references"
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        catalogs = graph.catalogs
        for link in graph.mapping_links:
            item_id = link.requirement_id
            if item_id is None:
                continue
            catalog = catalogs[link.framework]
            item = catalog.by_id[item_id]
            if item.type in catalog.requirement_types or item.type not in catalog.heading_types:
                continue
            children = [child.id for child in catalog.items if child.parent == item_id][:6]
            yield self.finding(
                f"{item_id} is a {item.type.replace('_', ' ')} of {catalog.display_name},"
                " not a requirement; it counts toward no requirement's coverage",
                link.control.at("mappings", link.framework, link.index),
                "Map to the requirements under it"
                + (f", such as {', '.join(children)}." if children else "."),
                subject=f"{link.control.record.id}/{link.framework}:{item_id}",
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

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        known = Closest(graph.policies)
        for control in graph.iter_controls():
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
    """An evidence record names a control that does not exist.

    Why: evidence that belongs to no control proves nothing, and usually means a control id
    was renamed or mistyped.

    Passes: ``control: IAM-03`` with control IAM-03 defined
    Fails: ``control: IAM-3``

    Fix: correct the control id in the record.
    """

    code = "RF006"
    slug = "unknown-control"
    family = "references"

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        known = Closest(graph.controls)
        for sourced in graph.repository.evidence:
            control = sourced.record.control
            if control in graph.controls or graph.repository.is_invalid("controls", control):
                continue
            yield self.finding(
                f"evidence names the unknown control `{control}`",
                sourced.at("control"),
                known.hint(control, "Correct the control id."),
                subject=f"{control}/{sourced.record.requirement}",
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

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        requirements = {
            ident: [requirement.id for requirement in control.record.evidence]
            for ident, control in graph.controls.items()
        }
        for sourced in graph.repository.evidence:
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

    def run(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.graph
        for sourced in graph.repository.evidence:
            for index, entry in enumerate(sourced.record.files):
                if leaves_repository(sourced.file, entry.path):
                    yield self.finding(
                        f"evidence file path `{entry.path}` points outside the repository",
                        sourced.at("files", index, "path"),
                        "Copy the file into the repository and give its path relative to"
                        " the record's folder.",
                        subject=f"{sourced.record.control}/{sourced.record.requirement}",
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
