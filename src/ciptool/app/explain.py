"""``ciptool explain ID``: what a control or a requirement is, and how it stands on a day.

Every status is the one ``ciptool check`` gives on the same day and SOC 2 period: it is read
from :func:`ciptool.queries.coverage.coverage`, never decided here; the rest of an
explanation says why, from the same evidence, exceptions and deviations the check reads.
Fieldwork is read the same way: a control's Type II testing from
:func:`ciptool.queries.testing.testing` (as the SOC 2 package reads it), an Annex A control's
entry in the Statement of Applicability from :func:`ciptool.queries.soa.statement` (as
``ciptool report soa`` reads it), and the PBC requests as ``ciptool report pbc`` lists them.
:func:`explain_identifier` finds what an id names; :mod:`ciptool.cli.explain` prints it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ciptool.app.frameworks import where_it_went
from ciptool.checks.base import Context
from ciptool.engine import context
from ciptool.errors import UsageError
from ciptool.findings import Finding, unread_files
from ciptool.graph import Graph
from ciptool.incremental.ahead import ReadAhead
from ciptool.loader import load_repository
from ciptool.loader.source import FileSource
from ciptool.models import Catalog, Control, EvidenceRecord, Item, RiskException, Sourced
from ciptool.models.catalog import Reading
from ciptool.models.fieldwork import EVIDENCE_REFERENCE, PbcRequest
from ciptool.models.records import Period
from ciptool.models.repository import SourcedEvidence
from ciptool.queries.coverage import (
    SOC2_CATEGORIES,
    applicability,
    control_evidence_current,
    coverage,
)
from ciptool.queries.evidence import (
    EvidenceStatus,
    RequirementEvidence,
    ahead_of_collection,
    current_through,
    dates,
    effective_date,
    max_age,
    requirement_evidence,
)
from ciptool.queries.exceptions import live_exceptions
from ciptool.queries.intervals import SOC2, deviations, occurrence_tested
from ciptool.queries.populations import BY_POPULATION
from ciptool.queries.readings import explain_other_reading, explain_unresolved, id_reader, one_of
from ciptool.queries.requests import referenced
from ciptool.queries.soa import ISO, SoaRow, Statement, statement
from ciptool.queries.testing import ControlTesting, CriterionTesting, Testing, testing
from ciptool.queries.third_parties import StandardEvidence
from ciptool.render.printable import printable
from ciptool.results import RequirementCoverage, RunSettings, Status


def load_graph(root: Path, source: FileSource | None = None) -> tuple[Graph | None, list[Finding]]:
    """The repository's graph for commands that read it without checking it (explain, evidence
    add), and the findings of loading it; no graph when ciptool.yaml is not usable. The files
    are read through ``source`` when given (see :mod:`ciptool.loader.source`)."""
    repository = load_repository(root, source)
    if repository.config is None:
        return None, repository.findings
    return Graph(repository), repository.findings


class Standing:
    """Where everything stands on the day: check's coverage rows and what they rest on."""

    def __init__(self, graph: Graph, ctx: Context) -> None:
        self.graph = graph
        self.today = ctx.today
        self.period = ctx.soc2_period
        self.rows = {
            (row.framework, row.requirement): row
            for row in coverage(graph, ctx.today, ctx.soc2_period)
        }
        self.current = control_evidence_current(graph, ctx.today)
        self.live = live_exceptions(graph, ctx.today)
        self.deviations = deviations(graph, self.period, ctx.today) if self.period else {}
        self.evidence: dict[str, list[RequirementEvidence]] = {}
        for item in requirement_evidence(graph):
            self.evidence.setdefault(item.control.record.id, []).append(item)

    def on_control(self, control: str) -> list[RiskException]:
        """The live exceptions that name ``control``, in the repository's order."""
        return [s.record for s in self.live if s.record.applies_to.control == control]

    def on_requirement(self, reference: str) -> list[RiskException]:
        """The live exceptions that name the requirement ``FRAMEWORK:ID`` itself."""
        found = []
        for sourced in self.live:
            written = sourced.record.applies_to.requirement
            if written and self.graph.canonical_reference(written) == reference:
                found.append(sourced.record)
        return found

    def mapped_status(self, framework: str, item_id: str | None) -> str:
        """The status check gives a mapped requirement, or why it has none."""
        if item_id is None:
            return "-"
        row = self.rows.get((framework, item_id))
        return row.status.value if row is not None else "not in scope"

    def evidence_verdict(self, control: Control) -> str:
        """Whether ``control``'s evidence covers anything on the day, in words."""
        if not control.evidence:
            return "none required, so no requirement is covered through it"
        if self.current.get(control.id, False):
            return "current and intact for every evidence requirement"
        return "not current for every evidence requirement, so no requirement is covered through it"

    def missed(self, control: Control) -> list[str] | None:
        """The intervals of the SOC 2 period ended by the day that ``control`` has no evidence
        for; None when there is no period or the control is not tested by occurrence."""
        if self.period is None or not occurrence_tested(control):
            return None
        return self.deviations.get(control.id, [])

    def not_applicable(self, catalog: Catalog, item: Item) -> str | None:
        """Why ``item``, or its category, is declared not applicable; None when it is not."""
        decision = applicability(self.graph, catalog, item.id)  # its own, or its category's
        if decision is not None and not decision.applicable:
            return one_line(decision.justification)
        return None

    def where_it_went(self, catalog: Catalog, item: Item) -> list[str]:
        """Where the content of ``item`` went in each later version, a sentence each."""
        return where_it_went(id_reader(self.graph), self.graph.catalogs, catalog.id, item.id)

    def status_reasons(self, row: RequirementCoverage) -> list[str]:
        """Why check gives the requirement of ``row`` its status."""
        reasons = [row.reason] if row.reason else []
        if row.status is Status.COVERED:
            current = [c for c in row.controls if self.current.get(c, False)]
            reasons.append(f"current, intact evidence: {', '.join(current)}")
        if row.status is Status.EXCEPTED:
            reference = f"{row.framework}:{row.requirement}"
            reasons.extend(exception_line(e) for e in self.on_requirement(reference))
        if row.suggested:
            reasons.append(
                f"a crosswalk suggests {', '.join(row.suggested)} (a hint, never coverage)"
            )
        return reasons

    @cached_property
    def soc2_testing(self) -> Testing | None:
        """The Type II testing of the SOC 2 period, as the SOC 2 package reads it; None without
        a period."""
        if self.period is None:
            return None
        return testing(self.graph, self.period, self.today)

    @cached_property
    def testing(self) -> dict[str, ControlTesting]:
        """Control id -> its Type II testing in the SOC 2 period; empty without a period."""
        found = self.soc2_testing
        return {each.control: each for each in found.controls} if found is not None else {}

    def criterion_testing(self, criterion: str) -> CriterionTesting | None:
        """What the testing of a SOC 2 criterion's controls found, as the SOC 2 package says it;
        None without a period."""
        found = self.soc2_testing
        if found is None:
            return None
        mapped = self.graph.controls_by_requirement.get((SOC2, criterion), [])
        return found.criterion(criterion, [sourced.record.id for sourced in mapped])

    def not_sampled(self, control: Control) -> str:
        """Why a SOC 2 examination tests no sample of ``control``: the controls it tests map a
        SOC 2 criterion and have an evidence requirement
        (:func:`ciptool.queries.populations.sampled_controls`)."""
        if not control.mappings.get(SOC2):
            return "it maps no SOC 2 criterion"
        return "it has no evidence requirement to draw a population from"

    @cached_property
    def statement(self) -> Statement | None:
        """The Statement of Applicability with check's coverage on the day, as ``ciptool report
        soa`` makes it; None when ISO/IEC 27001:2022 is not in scope (the report is then
        refused) or its catalog is not loaded."""
        config = self.graph.config
        if config is None or ISO not in config.frameworks or ISO not in self.graph.catalogs:
            return None
        return statement(self.graph, self.rows.values(), self.today)

    def soa_row(self, catalog: Catalog, item_id: str) -> SoaRow | None:
        """The Statement of Applicability's row of an Annex A control; None for any other
        item (a theme, or another framework's)."""
        if catalog.id != ISO or self.statement is None:
            return None
        return next((row for row in self.statement.rows if row.id == item_id), None)

    def requests_on(self, control: str) -> list[Sourced[PbcRequest]]:
        """The PBC requests that name ``control``, as theirs or in an evidence reference, by
        id."""
        found = []
        for ident in sorted(self.graph.requests):
            sourced = self.graph.requests[ident]
            request = sourced.record
            named = {_reference_control(text) for text in request.evidence}
            if request.control == control or control in named:
                found.append(sourced)
        return found

    def answering(self, reference: str) -> list[Sourced[EvidenceRecord]]:
        """The evidence records an evidence reference of a request names: one when it is
        right (as ``ciptool report pbc`` matches it)."""
        return referenced(self.graph, reference)


def _reference_control(text: str) -> str:
    """The control an evidence reference (``CONTROL/requirement/YYYY-MM-DD``) names."""
    match = EVIDENCE_REFERENCE.fullmatch(text)
    return match.group(1) if match is not None else ""


def population_basis(control: ControlTesting) -> str:
    """What a control's population counts, and by what rule its sample size is set."""
    what = (
        "occurrences its evidence records list"
        if control.basis == "occurrences"
        else "evidence records speaking for a day in the period"
    )
    if control.frequency in BY_POPULATION:
        rule = f"{control.frequency}: sized by the population"
    else:
        rule = f"{control.frequency}"
    return (
        f"{control.population_size} {what}; the sample-size table calls for"
        f" {control.sample_size} ({rule})"
    )


@dataclass(frozen=True)
class Explanation:
    """What an id names, a control or a requirement as read, with where everything stands;
    ``findings`` are those of loading the repository, for the caller to name what was not read.
    """

    standing: Standing
    findings: list[Finding]
    control: Sourced[Control] | None = None
    reading: Reading | None = None
    #: For an id that names no item (another version's, or withdrawn), or one written as
    #: another version writes it: what check says of it, and what to do.
    note: tuple[str, str] | None = None
    #: A record of the registers: its kind (one of :data:`RECORD_KINDS` but ``control``) and
    #: the record.
    record: tuple[str, Sourced[Any]] | None = None


#: The kinds of record an id may name, as ``--kind`` writes them: (the graph's index, the
#: key of :attr:`Repository.invalid_ids`, the kind in words).
RECORD_KINDS: dict[str, tuple[str, str, str]] = {
    "control": ("controls", "controls", "a control"),
    "risk": ("risks", "risks", "a risk"),
    "third-party": ("third_parties", "third_parties", "a third party"),
    "app": ("apps", "apps", "an app"),
    "metric": ("metrics", "metrics", "a metric"),
    "finding": ("assessment_findings", "findings", "an assessment finding"),
    "incident": ("incidents", "incidents", "an incident"),
    "request": ("requests", "requests", "a PBC request"),
}


def records_named(graph: Graph, ident: str) -> dict[str, Sourced[Any]]:
    """The records ``ident`` names, by kind (:data:`RECORD_KINDS`), in that order."""
    found = {}
    for kind, (index, _, _) in RECORD_KINDS.items():
        sourced = getattr(graph, index).get(ident)
        if sourced is not None:
            found[kind] = sourced
    return found


def explain_identifier(
    identifier: str,
    root: Path,
    cache_dir: Path | None = None,
    today: dt.date | None = None,
    period: Period | None = None,
    *,
    kind: str | None = None,
) -> Explanation:
    """What ``identifier`` is and how it stands on ``today`` (default: the clock's day).

    A requirement is read as ``ciptool check`` reads it, in every form check accepts
    (``FRAMEWORK:ID`` or the id alone, variants, surrounding spaces, another version's id
    with where its content went). An id given alone is looked up first in the frameworks
    in scope (``frameworks:`` in ``ciptool.yaml``), then in every catalog; where it has
    more than one reading, each is named and none is chosen. Statuses are check's, for the
    SOC 2 ``period`` given or, by default, ``soc2.period`` in ``ciptool.yaml``.

    A control, a register record (a risk, third party, app, metric, assessment finding or
    incident) or an auditor's request for evidence (a PBC request) is named by its id. An id
    that records of two kinds have is read as neither until ``kind`` (a key of
    :data:`RECORD_KINDS`) names one.
    """
    with closing(ReadAhead(root, cache_dir)) as source:
        graph, findings = load_graph(root, source)
    if graph is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    day = today if today is not None else dt.date.today()
    standing = Standing(graph, context(graph, RunSettings(today=day, soc2_period=period)))
    written = identifier.strip()
    named = records_named(graph, written)
    if kind is not None and kind not in RECORD_KINDS:
        raise UsageError(f"--kind must be one of {', '.join(RECORD_KINDS)}, not `{kind}`")
    if kind is not None:
        if kind not in named:
            raise UsageError(_not_of_kind(graph, written, kind, named))
        named = {kind: named[kind]}
    if len(named) > 1:
        kinds = [RECORD_KINDS[k][2] for k in named]
        choices = " or ".join(f"--kind {k}" for k in named)
        raise UsageError(
            f"`{written}` names {', '.join(kinds[:-1])} and {kinds[-1]}; name one with {choices}"
        )
    broken = [k for k in RECORD_KINDS if k not in named and _is_invalid(graph, k, written)]
    if named and broken and kind is None:
        (only,) = named
        raise UsageError(
            f"`{written}` names {RECORD_KINDS[only][2]}, and"
            f" {' and '.join(RECORD_KINDS[k][2] for k in broken)} with that id failed"
            f" validation (`ciptool check` says why); name one with --kind {only}"
        )
    if "control" in named:
        return Explanation(standing, findings, control=named["control"])
    if named:
        ((found, sourced),) = named.items()
        return Explanation(standing, findings, record=(found, sourced))
    framework, requirement = _split(written, graph)
    reader = id_reader(graph)
    if framework:
        return _answer(reader.read(framework, requirement), standing, findings)
    config = graph.config
    scope = [f for f in (config.frameworks if config else []) if f in graph.catalogs]
    for pool in (scope, sorted(graph.catalogs)):
        readings = [reader.read(key, written) for key in pool]
        resolved = [r for r in readings if r.item_id is not None]
        if not resolved:
            # Another version's id, a withdrawn one, or one with two readings (`7.3`): each
            # is answered as check answers it, the last by naming the readings.
            resolved = [r for r in readings if explained(r) or r.resolution.ambiguous]
        if len(resolved) == 1:
            return _answer(resolved[0], standing, findings)
        if resolved:
            options = ", ".join(f"{r.framework}:{r.item_id or requirement}" for r in resolved)
            raise UsageError(
                f"`{written}` has a reading in several frameworks: {options}; name one as"
                " FRAMEWORK:ID"
            )
    invalid = _invalid_kinds(graph, written)
    if invalid:
        raise UsageError(
            f"`{written}` is {' and '.join(invalid)} that failed validation;"
            " run `ciptool check` to see why"
        )
    unread = len(unread_files(findings))
    raise UsageError(
        f"`{written}` names no control, register record, PBC request or requirement of a known"
        " framework;"
        " write a requirement as FRAMEWORK:ID, e.g. iso27001-2022:A.5.10"
        + (
            f" ({unread} loading error{'' if unread == 1 else 's'} left files unread:"
            " run `ciptool check`)"
            if unread
            else ""
        )
    )


def _is_invalid(graph: Graph, kind: str, ident: str) -> bool:
    """True when a record of ``kind`` with id ``ident`` exists but failed validation."""
    return graph.repository.is_invalid(RECORD_KINDS[kind][1], ident)


def _invalid_kinds(graph: Graph, ident: str) -> list[str]:
    """The kinds, in words, of the records with id ``ident`` that failed validation."""
    return [RECORD_KINDS[kind][2] for kind in RECORD_KINDS if _is_invalid(graph, kind, ident)]


def _not_of_kind(graph: Graph, ident: str, kind: str, named: dict[str, Sourced[Any]]) -> str:
    """Why ``--kind`` finds no record of ``kind`` with id ``ident``, and what it does name."""
    words = RECORD_KINDS[kind][2]
    if _is_invalid(graph, kind, ident):
        return f"`{ident}` is {words} that failed validation; run `ciptool check` to see why"
    others = " and ".join(f"{RECORD_KINDS[k][2]} (--kind {k})" for k in named)
    return f"`{ident}` is not {words}" + (f"; it is {others}" if others else "")


def _answer(reading: Reading, standing: Standing, findings: list[Finding]) -> Explanation:
    """The explanation of ``reading``, or why an id that names no item has none."""
    catalogs = standing.graph.catalogs
    if reading.item_id is None:
        message, suggestion = explain_unresolved(reading, catalogs)
        if not explained(reading):
            raise UsageError(f"{message}. {suggestion}")
        return Explanation(standing, findings, reading=reading, note=(message, suggestion))
    if reading.other is not None:
        note = explain_other_reading(reading, catalogs)
        return Explanation(standing, findings, reading=reading, note=note)
    return Explanation(standing, findings, reading=reading)


def _split(written: str, graph: Graph) -> tuple[str, str]:
    """(framework, requirement) of ``FRAMEWORK:ID``; ("", written) for an id alone."""
    framework, colon, requirement = written.partition(":")
    if not colon:
        return "", written
    framework = framework.strip()
    if framework not in graph.catalogs:
        from ciptool.queries.suggestions import suggest_framework

        hint = suggest_framework(framework, sorted(graph.catalogs))
        raise UsageError(f"unknown framework `{framework}`. {hint}")
    return framework, requirement.strip()


def explained(reading: Reading) -> bool:
    """True when check explains an id that names no item: another version's, or withdrawn."""
    resolution = reading.resolution
    return reading.other is not None or resolution.withdrawn is not None


def evidence_detail(item: RequirementEvidence, status: EvidenceStatus, today: dt.date) -> str:
    """Why an evidence requirement stands where it does, from its newest record."""
    control = item.control.record
    limit = max_age(control, item.index)
    if limit is None:
        rule = f"{control.frequency} evidence does not go stale"
    elif control.evidence[item.index].max_age is not None:
        rule = f"`max_age` allows {limit.describe()}"
    else:
        rule = f"{control.frequency} evidence may be {limit.describe()} old"
    return _newest_detail(item.records, status, today, current_through(item.newest, limit), rule)


def standard_detail(item: StandardEvidence, status: EvidenceStatus, today: dt.date) -> str:
    """Why a third party's minimum standard stands where it does, from its newest record, as
    :func:`evidence_detail` says it of a control's evidence requirement; until when it is
    current is the query's (:meth:`StandardEvidence.current_through`), as TP002 reads it."""
    limit = item.standard.max_age
    if limit is None:
        rule = f"{item.standard.id} evidence does not go stale"
    else:
        rule = f"{item.standard.id} evidence may be {limit.describe()} old"
    return _newest_detail(item.records, status, today, item.current_through(), rule)


def _newest_detail(
    records: Sequence[SourcedEvidence],
    status: EvidenceStatus,
    today: dt.date,
    until: dt.date | None,
    rule: str,
) -> str:
    """Why evidence (``records``, newest last) stands at ``status`` on ``today``, when the
    newest is current through ``until`` (None: it never goes stale), as ``rule`` says."""
    if not records:
        return "no evidence recorded"
    newest = records[-1]
    effective = effective_date(newest.record)
    head = f"newest effective {effective} ({count(len(records), 'record')})"
    where = f"the newest record ({newest.file})"
    if status is EvidenceStatus.BROKEN:
        return (
            f"{head}, but {where} lists a file that is missing or differs from its recorded"
            " sha256 (`ciptool evidence verify` names it)"
        )
    if status is EvidenceStatus.FUTURE:
        later = [f"{what} {day}" for what, day, _ in dates(newest.record) if day > today]
        if later:
            return f"{head}, but {where} is dated after {today}: {', '.join(later)}"
        ahead = [f"{what} {day}" for what, day, _ in ahead_of_collection(newest.record)]
        return (
            f"{head}, but {where} speaks for a day after it was collected on"
            f" {newest.record.collected_on}: {', '.join(ahead)}"
        )
    if until is None:
        return f"{head}; {rule}"
    if status is EvidenceStatus.STALE:
        return f"{head}, stale since {until + dt.timedelta(days=1)}: {rule}"
    return f"{head}, current through {until}: {rule}"


def exception_line(exception: RiskException) -> str:
    """A live exception in one line: its id, until when, its risk and its approval."""
    return one_line(
        f"{exception.id} until {exception.expires_on} (risk {exception.risk}, approved by"
        f" {exception.approved_by} on {exception.approved_on})"
    )


def one_line(text: str) -> str:
    """A value from the repository on the line it belongs to: a newline in it is shown as
    ``\\x0a``, so it cannot start a line of its own (one a CI log would read as a command).
    """
    return printable(text)


def soc2_category(catalog: Catalog, item: Item) -> str:
    """The SOC 2 category name of a criterion, from the top of its tree."""
    top = item
    while top.parent is not None:
        top = catalog.by_id[top.parent]
    names = {prefix: name for name, prefix in SOC2_CATEGORIES.items()}
    return names.get(top.id, top.id)


def count(number: int, noun: str) -> str:
    """``number`` ``noun``s, the noun singular for one."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def kind_of(catalog: Catalog, item: Item) -> str:
    """What kind of item ``item`` is, with its article: "a category"."""
    return one_of(catalog, item.type)
