"""The loaded repository as indexes: controls <-> framework requirements <-> evidence.

Indexes only. What the loader read is :mod:`ciptool.models.repository`; the repository path of a
file a record lists is :mod:`ciptool.models.paths`; what the indexes mean (coverage, evidence
currency, live exceptions) is :mod:`ciptool.queries`; the findings about ids used twice are
the SC004 check's (:mod:`ciptool.checks.ids`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from ciptool.findings import Location
from ciptool.models import (
    App,
    AssessmentFinding,
    Catalog,
    Control,
    EvidenceRecord,
    Incident,
    Metric,
    ProgramConfig,
    Resolution,
    Risk,
    RiskException,
    Sourced,
    ThirdParty,
)
from ciptool.models.fieldwork import PbcRequest
from ciptool.models.registers import Action
from ciptool.models.repository import Repository

_R = TypeVar("_R")
_T = TypeVar("_T")


class Duplicate(NamedTuple):
    """A record whose id an earlier record of its kind (``control``, ``policy``, ``exception``,
    ``risk``, ``action``, ...) already has."""

    kind: str
    ident: str
    record: Sourced[Any]
    first: Sourced[Any]


class RepeatedEvidenceId(NamedTuple):
    """An evidence requirement of a control whose id an earlier one of the control has."""

    control: Sourced[Control]
    position: int
    first: int


@dataclass(frozen=True)
class MappingLink:
    """One mapping entry of one control, resolved against its framework's catalog."""

    control: Sourced[Control]
    framework: str
    index: int
    written: str
    resolution: Resolution | None  # None when the framework itself is unknown

    @property
    def requirement_id(self) -> str | None:
        """The catalog id the entry resolved to, if any."""
        return self.resolution.item_id if self.resolution else None

    @property
    def location(self) -> Location:
        """Where the entry is written: ``controls[3].mappings.nist-csf-2.0[1]``."""
        return self.control.at("mappings", self.framework, self.index)


class Graph:
    """Indexes over a loaded repository; built once, read by checks, reports and commands."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        #: The records whose id an earlier record of their kind has: each index keeps the first.
        self.duplicates: list[Duplicate] = []
        self.controls = self._unique("control", repository.controls, lambda c: c.id)
        self.policies = self._unique("policy", repository.policies, lambda p: p.id)
        self.exceptions = self._unique("exception", repository.exceptions, lambda e: e.id)
        self.risks: dict[str, Sourced[Risk]] = self._unique(
            "risk", repository.risks, lambda r: r.id
        )
        self.third_parties: dict[str, Sourced[ThirdParty]] = self._unique(
            "third party", repository.third_parties, lambda t: t.id
        )
        self.apps: dict[str, Sourced[App]] = self._unique("app", repository.apps, lambda a: a.id)
        self.metrics: dict[str, Sourced[Metric]] = self._unique(
            "metric", repository.metrics, lambda m: m.id
        )
        self.assessment_findings: dict[str, Sourced[AssessmentFinding]] = self._unique(
            "finding", repository.assessment_findings, lambda f: f.id
        )
        self.incidents: dict[str, Sourced[Incident]] = self._unique(
            "incident", repository.incidents, lambda i: i.id
        )
        #: The auditor's requests for evidence, by id.
        self.requests: dict[str, Sourced[PbcRequest]] = self._unique(
            "request", repository.requests, lambda r: r.id
        )
        #: Every action of every risk and incident: action ids are unique across the repository.
        self.actions: dict[str, Sourced[Action]] = self._unique(
            "action", list(self._actions()), lambda a: a.id
        )
        self._derived: dict[Any, Any] = {}
        self._resolved: dict[tuple[str, str], Resolution | None] = {}

    def _actions(self) -> Iterator[Sourced[Action]]:
        """The actions of the risks, then of the incidents, each located in its record."""
        for records in (self.risks.values(), self.incidents.values()):
            for sourced in records:
                for index, action in enumerate(sourced.record.actions):
                    yield Sourced(action, sourced.file, (*sourced.path, "actions", index))

    def derived(self, key: Any, compute: Callable[[], _T]) -> _T:
        """A view of the graph that checks and reports share: computed once, under ``key``."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[no-any-return]

    @property
    def config(self) -> ProgramConfig | None:
        """The program settings, when ``ciptool.yaml`` was usable."""
        return self.repository.config.record if self.repository.config else None

    @property
    def catalogs(self) -> dict[str, Catalog]:
        """Catalogs by framework id, bundled and the repository's own."""
        return {key: source.catalog for key, source in self.repository.catalogs.items()}

    def _unique(
        self, kind: str, records: list[Sourced[_R]], key: Callable[[_R], str]
    ) -> dict[str, Sourced[_R]]:
        index: dict[str, Sourced[_R]] = {}
        for sourced in records:
            ident = key(sourced.record)
            first = index.get(ident)
            if first is None:
                index[ident] = sourced
            else:
                self.duplicates.append(Duplicate(kind, ident, sourced, first))
        return index

    @cached_property
    def repeated_evidence_ids(self) -> list[RepeatedEvidenceId]:
        """The evidence requirements whose id an earlier one of the same control has: records
        name a requirement by its control's id and its own, so only the first is indexed."""
        found: list[RepeatedEvidenceId] = []
        for control in self.controls.values():
            seen: dict[str, int] = {}
            for position, requirement in enumerate(control.record.evidence):
                if requirement.id in seen:
                    found.append(RepeatedEvidenceId(control, position, seen[requirement.id]))
                else:
                    seen[requirement.id] = position
        return found

    @cached_property
    def mapping_links(self) -> list[MappingLink]:
        """Every mapping entry of every control, resolved against the catalogs."""
        return self._links(self.controls.values())

    @cached_property
    def reference_links(self) -> list[MappingLink]:
        """The mapping links, and those of the controls that failed validation: for the
        reference checks only, never for coverage."""
        return [*self.mapping_links, *self._links(self.repository.partial.get("controls", ()))]

    def _links(self, controls: Iterable[Sourced[Control]]) -> list[MappingLink]:
        catalogs = self.catalogs
        # Thousands of controls map the same few hundred ids: each is resolved once.
        resolved = self._resolved
        links: list[MappingLink] = []
        for control in controls:
            for framework, targets in control.record.mappings.items():
                catalog = catalogs.get(framework)
                for index, target in enumerate(targets):
                    key = (framework, target.id)
                    if key not in resolved:
                        resolved[key] = catalog.resolve(target.id) if catalog else None
                    links.append(MappingLink(control, framework, index, target.id, resolved[key]))
        return links

    def referring_controls(self) -> Iterator[Sourced[Control]]:
        """The controls whose references are checked: those with unique ids, then those that
        failed validation (see :attr:`Repository.partial`)."""
        yield from self.controls.values()
        yield from self.repository.partial.get("controls", ())

    def referring_exceptions(self) -> Iterator[Sourced[RiskException]]:
        """The exceptions whose target is checked: those with unique ids, then those that
        failed validation but name a valid target (see :attr:`Repository.partial`)."""
        yield from self.exceptions.values()
        for sourced in self.repository.partial.get("exceptions", ()):
            if "applies_to" in sourced.record.model_fields_set:
                yield sourced

    def referring_risks(self) -> Iterator[Sourced[Risk]]:
        """The risks whose control and exception ids are checked: those with unique ids, then
        those that failed validation (see :attr:`Repository.partial`)."""
        yield from self.risks.values()
        yield from self.repository.partial.get("risks", ())

    def referring_third_parties(self) -> Iterator[Sourced[ThirdParty]]:
        """The third parties whose control ids are checked, as :meth:`referring_risks`."""
        yield from self.third_parties.values()
        yield from self.repository.partial.get("third_parties", ())

    def referring_metrics(self) -> Iterator[Sourced[Metric]]:
        """The metrics whose control ids are checked, as :meth:`referring_risks`."""
        yield from self.metrics.values()
        yield from self.repository.partial.get("metrics", ())

    def referring_assessment_findings(self) -> Iterator[Sourced[AssessmentFinding]]:
        """The assessment findings whose control, risk and exception ids are checked, as
        :meth:`referring_risks`."""
        yield from self.assessment_findings.values()
        yield from self.repository.partial.get("findings", ())

    def referring_incidents(self) -> Iterator[Sourced[Incident]]:
        """The incidents whose control and risk ids are checked, as :meth:`referring_risks`."""
        yield from self.incidents.values()
        yield from self.repository.partial.get("incidents", ())

    def referring_evidence(self) -> Iterator[Sourced[EvidenceRecord]]:
        """The evidence records whose references are checked: the valid ones, then those that
        failed validation (see :attr:`Repository.partial`)."""
        yield from self.repository.evidence
        yield from self.repository.partial.get("evidence", ())

    @cached_property
    def controls_by_requirement(self) -> dict[tuple[str, str], list[Sourced[Control]]]:
        """(framework, requirement id) -> the controls that map it, in repository order."""
        index: dict[tuple[str, str], list[Sourced[Control]]] = {}
        seen: set[tuple[str, str, int]] = set()
        for link in self.mapping_links:
            if link.requirement_id is None:
                continue
            key = (link.framework, link.requirement_id)
            if (*key, id(link.control)) in seen:  # a control listing a requirement twice
                continue
            seen.add((*key, id(link.control)))
            index.setdefault(key, []).append(link.control)
        return index

    @cached_property
    def evidence_by_requirement(self) -> dict[tuple[str, str], list[Sourced[EvidenceRecord]]]:
        """(control id, evidence requirement id) -> its records, in repository order."""
        index: dict[tuple[str, str], list[Sourced[EvidenceRecord]]] = {}
        for sourced in self.repository.evidence:
            key = (sourced.record.control, sourced.record.requirement)
            index.setdefault(key, []).append(sourced)
        return index

    def canonical_reference(self, reference: str) -> str | None:
        """``FRAMEWORK:ID`` with the catalog's own id (``iso27001-2022:A.5.15`` for ``:5.15``)."""
        framework, _, written = reference.partition(":")
        catalog = self.catalogs.get(framework)
        resolved = catalog.resolve(written).item_id if catalog else None
        return f"{framework}:{resolved}" if resolved else None

    def iter_controls(self) -> Iterator[Sourced[Control]]:
        """Controls with unique ids, in the order they were read."""
        return iter(self.controls.values())
