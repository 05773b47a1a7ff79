"""A check again after evidence records changed: only what those records can change.

An evidence record speaks for one control and lists files. What a full check says about it
is said in three places:

- about the record itself (its dates, its files and their digests, the control and
  requirement it names), located in its file;
- about its control, which depends on all of the control's records (missing, stale and SOC 2
  occurrence findings, and the coverage of the requirements the control maps);
- about the files it lists, which are unlisted when no record lists them.

So when the only files that changed since a kept result are evidence record files, a check
reads those files, the definitions of the controls their records name before and after the
change (the *touched* controls), every record of those controls, the settings, the catalogs
and the exceptions, and runs on that part of the repository the checks whose scope
(:class:`ciptool.checks.Scope`, which each check declares) is one record, one control or one
evidence file. A risk leans on the controls it names, and what their evidence says of it is a
finding about the control (RK005): so the risk files that name a touched control are read too
(most controls are named by few risks, or none, and the common edit reads no risk file). A SOC 2
workpaper samples one control's population, which its evidence records make (WP003, WP004), and
a request for evidence names records of controls (PB004): so the workpaper files whose
workpapers name a touched control, and the request files whose evidence references do, are
read too, and their workpapers and requests of the touched controls are checked again. The
kept result's findings in those three places make way for the new ones; every other finding
is of a check that reads no evidence record, and depends on nothing that changed, except
whether an exception on one check's finding matches any finding (EX004), which is judged again
over the findings as they are now. A selected check that may depend on anything in the
repository makes it decline.

A third party's evidence record (one that names ``third_party:``) speaks for no control: the
findings about it and its third party are of checks of :attr:`~ciptool.checks.Scope.THIRD_PARTY`
scope, which are kept. So a changed file that holds such a record, before or after the change,
makes this module decline.

A changed workpaper or request file is not an evidence record file: a check after it checks the
whole repository.

What the kept result does not hold, which records each file names and lists, which controls
have current evidence, how often each evidence file is listed and which controls each
workpaper and request file names, is kept beside it as a
:class:`Scope`. Anything this module does not account for (a changed file with a problem of
its own, a control that does not exist, a duplicated id) makes it decline: the caller then
checks the whole repository.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ciptool import checks
from ciptool.checks import Check
from ciptool.checks import Scope as Reach
from ciptool.engine import UNMATCHED, context, run_checks, settle, tally, unmatched_exceptions
from ciptool.findings import Finding, sorted_findings
from ciptool.graph import Graph
from ciptool.incremental.filecache import FileCache
from ciptool.incremental.signatures import Inputs
from ciptool.incremental.source import CachedSource
from ciptool.loader import Part
from ciptool.models import Control, EvidenceRecord, Risk, RiskException, Sourced
from ciptool.models.fieldwork import EVIDENCE_REFERENCE, PbcRequest, Workpaper
from ciptool.models.paths import listed_paths
from ciptool.models.repository import THIRD_PARTY_EVIDENCE, Repository
from ciptool.queries.coverage import (
    control_evidence_current,
    deviating_controls,
    excepted_controls,
    restated,
)
from ciptool.queries.evidence import listed_files
from ciptool.results import RunResult, RunSettings, selected

_EVIDENCE = "evidence/"


@dataclass(frozen=True)
class _Rerun:
    """The registered checks whose findings changed evidence records can change, by what each
    says it can affect (:class:`ciptool.checks.Scope`): read from the registry at each run."""

    checks: tuple[Check, ...]
    #: Codes of findings about one record, located in its file.
    per_record: frozenset[str]
    #: Codes of findings about one control that depend on all of its evidence records.
    per_control: frozenset[str]
    #: Codes of findings about an evidence file, which no record may list.
    per_file: frozenset[str]
    #: True when a selected check may depend on anything: only a full check can say it.
    whole: bool

    @classmethod
    def of(cls, registered: tuple[Check, ...], settings: RunSettings) -> _Rerun:
        def codes(reach: Reach) -> frozenset[str]:
            return frozenset(check.code for check in registered if check.scope is reach)

        rerun = (Reach.RECORD, Reach.CONTROL, Reach.EVIDENCE_FILE)
        return cls(
            tuple(check for check in registered if check.scope in rerun),
            codes(Reach.RECORD),
            codes(Reach.CONTROL),
            codes(Reach.EVIDENCE_FILE),
            # EX004 is judged again below, over the findings as they are now.
            any(
                check.scope is Reach.REPOSITORY
                and check.code != UNMATCHED.code
                and selected(check.code, settings.select, settings.ignore)
                for check in registered
            ),
        )


@dataclass
class Scope:
    """What a kept result was made from, beyond its findings, for :func:`recheck`."""

    #: Each evidence record file, in the order read: the controls its records name and the
    #: evidence files (repository paths) they list.
    records: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    #: The file of each control.
    controls: dict[str, str]
    #: The files of the exceptions, in the order read.
    exceptions: tuple[str, ...]
    #: How many entries of records list each file under ``evidence/`` that is not a record.
    listings: dict[str, int]
    #: The controls whose every evidence requirement has current, intact evidence.
    current: frozenset[str]
    #: Evidence records that failed validation, as control/requirement.
    invalid: frozenset[str]
    #: The controls that missed intervals of the SOC 2 period, each with what it missed.
    deviating: dict[str, str]
    #: The files of the risks that name each control, for the controls risks name.
    leaning: dict[str, tuple[str, ...]]
    #: The evidence record files that hold a third party's evidence record.
    third_parties: frozenset[str]
    #: Each workpaper file, in the order read: the controls its workpapers name.
    workpapers: dict[str, tuple[str, ...]]
    #: Each request file, in the order read: the controls its requests' evidence references
    #: name.
    requests: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, graph: Graph, inputs: Inputs, settings: RunSettings) -> Scope | None:
        """The scope of a full check of ``graph``; None when a recheck could not be trusted."""
        repository = graph.repository
        if graph.duplicates or graph.repeated_evidence_ids or repository.config is None:
            return None  # which of two records with one id counts is decided by all of them
        named: dict[str, dict[str, None]] = {
            rel: {} for rel in inputs.files if rel.startswith(_EVIDENCE)
        }
        listed: dict[str, list[str]] = {rel: [] for rel in named}
        for sourced in repository.evidence:
            named[sourced.file][sourced.record.control] = None
        counts: dict[str, int] = {}
        for item in listed_files(graph):  # the checks have listed them
            key = item.facts.path
            listed[item.record.file].append(key)
            counts[key] = counts.get(key, 0) + 1
        listings = {path: counts.get(path, 0) for path in repository.artifacts}
        current = control_evidence_current(graph, settings.today)
        period = context(graph, settings).soc2_period
        leaning: dict[str, dict[str, None]] = {}
        for risk in repository.risks:
            for ident in risk.record.controls:
                leaning.setdefault(ident, {})[risk.file] = None
        return cls(
            {rel: (tuple(named[rel]), tuple(listed[rel])) for rel in named},
            {ident: sourced.file for ident, sourced in graph.controls.items()},
            tuple(dict.fromkeys(sourced.file for sourced in repository.exceptions)),
            listings,
            frozenset(ident for ident, ok in current.items() if ok),
            frozenset(repository.invalid_ids.get("evidence", ())),
            deviating_controls(graph, period, settings.today),
            {ident: tuple(files) for ident, files in leaning.items()},
            frozenset(
                sourced.file
                for sourced in (
                    *repository.third_party_evidence,
                    *repository.partial.get(THIRD_PARTY_EVIDENCE, ()),
                )
            ),
            _naming((s.file, (s.record.control,)) for s in repository.workpapers),
            _naming((s.file, _referenced_controls(s.record)) for s in repository.requests),
        )

    def to_plain(self) -> tuple[Any, ...]:
        """The scope as plain data, for a cache."""
        return (
            self.records,
            self.controls,
            self.exceptions,
            self.listings,
            tuple(sorted(self.current)),
            tuple(sorted(self.invalid)),
            self.deviating,
            self.leaning,
            tuple(sorted(self.third_parties)),
            self.workpapers,
            self.requests,
        )

    @classmethod
    def from_plain(cls, plain: Any) -> Scope:
        """What :meth:`to_plain` gave; ValueError or TypeError when it is of another shape."""
        (
            records,
            controls,
            exceptions,
            listings,
            current,
            invalid,
            deviating,
            leaning,
            third,
            workpapers,
            requests,
        ) = plain
        parts = (records, controls, listings, deviating, leaning, workpapers, requests)
        if not all(isinstance(part, dict) for part in parts):
            raise TypeError("not a scope")
        return cls(
            records,
            controls,
            tuple(exceptions),
            listings,
            frozenset(current),
            frozenset(invalid),
            deviating,
            {ident: tuple(files) for ident, files in leaning.items()},
            frozenset(third),
            {rel: tuple(names) for rel, names in workpapers.items()},
            {rel: tuple(names) for rel, names in requests.items()},
        )


def recheck(
    root: Path,
    settings: RunSettings,
    *,
    kept: RunResult,
    scope: Scope,
    changed: list[str],
    inputs: Inputs,
) -> tuple[RunResult, Scope] | None:
    """The result of a full check, from ``kept`` and the ``changed`` evidence record files.

    ``inputs`` are the kept result's; the signatures of what is read now are added to them.
    None when this part of the repository cannot say it: the caller checks everything.
    """
    # A file that held a third party's evidence: its findings are kept, never rechecked.
    if not changed or any(
        rel not in scope.records or rel in scope.third_parties for rel in changed
    ):
        return None
    rerun = _Rerun.of(checks.ALL_CHECKS, settings)
    if rerun.whole:
        return None
    read_now = Inputs()
    # The part is small, so its files are read and hashed afresh: reading the whole cache
    # would cost more.
    root = root.resolve()
    part = Part(CachedSource(root, FileCache.disabled(root), read_now))
    if part.repository.config is None:
        return None
    before = len(part.findings)
    fresh = part.records("evidence", changed, EvidenceRecord)
    # A changed file's own problems can hide records from the checks; a third party's
    # evidence in it now has findings that are kept, never rechecked.
    if len(part.findings) > before or part.repository.third_party_evidence:
        return None
    named = {sourced.record.control for sourced in fresh}
    if not named <= scope.controls.keys():
        return None  # naming an unknown control is reported with hints from every control
    touched = named.union(*(scope.records[rel][0] for rel in changed))
    # In the order read, so that records that tie for newest tie as in a full check.
    files = [
        rel
        for rel, (controls, _) in scope.records.items()
        if rel in changed or not touched.isdisjoint(controls)
    ]
    evidence = [
        sourced
        for sourced in part.records("evidence", files, EvidenceRecord)
        if sourced.record.control in touched
    ]
    repository = _finished(part, scope, touched, evidence)
    if _changed_meanwhile(read_now, inputs, changed):
        return None
    listed_before = [key for rel in changed for key in scope.records[rel][1]]
    listed_now = list(listed_paths(fresh))
    listings = _listings(scope.listings, listed_before, listed_now)
    concerned = {*listed_before, *listed_now}
    repository.unlisted_evidence = sorted(key for key in concerned if listings.get(key) == 0)
    repository.invalid_ids = {"evidence": set(scope.invalid)}
    graph = Graph(repository)
    ctx = context(graph, settings)
    owned = _Owned(rerun, set(changed), touched, concerned)
    found = [f for f in run_checks(rerun.checks, ctx, settings) if owned.by_rerun(f)]
    kept_findings = [f for f in kept.findings if not owned.by_rerun(f)]
    if any(owned.points_into_changed(f) for f in kept_findings):
        return None  # a finding this module does not account for
    # Whether an exception matches a finding is judged again over the findings as they are now.
    kept_findings = [f for f in kept_findings if f.code != UNMATCHED.code]
    found.extend(unmatched_exceptions(ctx, [*kept_findings, *found], settings))
    findings = tuple(sorted_findings([*kept_findings, *settle(graph, found, settings)]))
    now_current = control_evidence_current(graph, settings.today)
    current = (scope.current - touched) | {c for c, ok in now_current.items() if ok}
    deviating = {c: text for c, text in scope.deviating.items() if c not in touched}
    deviating.update(deviating_controls(graph, ctx.soc2_period, settings.today))
    excepted = excepted_controls(graph, settings.today)
    rows = restated(kept.coverage, touched, current, excepted, deviating)
    result = replace(kept, findings=findings, counts=tally(findings), coverage=rows)
    records = dict(scope.records)
    for rel in changed:
        mine = [sourced for sourced in fresh if sourced.file == rel]
        records[rel] = (
            tuple(dict.fromkeys(sourced.record.control for sourced in mine)),
            tuple(listed_paths(mine)),
        )
    _absorb(inputs, read_now)
    return result, replace(
        scope,
        records=records,
        listings=listings,
        current=frozenset(current),
        deviating=dict(sorted(deviating.items())),
    )


def _finished(
    part: Part, scope: Scope, touched: set[str], evidence: list[Sourced[EvidenceRecord]]
) -> Repository:
    """The part of the repository the ``touched`` controls and their ``evidence`` make."""
    control_files = [scope.controls[ident] for ident in touched if ident in scope.controls]
    controls = [
        sourced
        for sourced in part.records("controls", sorted(set(control_files)), Control)
        if sourced.record.id in touched
    ]
    exceptions = part.records("exceptions", scope.exceptions, RiskException)
    if any(sourced.record.applies_to.requirement for sourced in exceptions):
        part.read_catalogs()  # to know which requirement each one names
    risks = _leaning_risks(part, scope, touched)
    workpapers, requests = _fieldwork(part, scope, touched)
    return part.finish(
        controls, evidence, exceptions, risks, workpapers=workpapers, requests=requests
    )


def _leaning_risks(part: Part, scope: Scope, touched: set[str]) -> list[Sourced[Risk]]:
    """The risks of the files whose risks name a ``touched`` control: what their evidence
    says of a risk is a finding about the control."""
    files = sorted({rel for ident in touched for rel in scope.leaning.get(ident, ())})
    return part.records("risks", files, Risk)


def _fieldwork(
    part: Part, scope: Scope, touched: set[str]
) -> tuple[list[Sourced[Workpaper]], list[Sourced[PbcRequest]]]:
    """The workpapers of the ``touched`` controls, and the requests of the files whose evidence
    references name one: what their evidence records say of a sample (WP003, WP004) and of a
    reference (PB004) is a finding about the control."""
    workpapers = [
        sourced
        for sourced in part.records("workpapers", _files(scope.workpapers, touched), Workpaper)
        if sourced.record.control in touched
    ]
    return workpapers, part.records("requests", _files(scope.requests, touched), PbcRequest)


def _naming(named: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """Each file, in the order first met, with the controls its records name, each once."""
    files: dict[str, dict[str, None]] = {}
    for rel, controls in named:
        files.setdefault(rel, {}).update(dict.fromkeys(controls))
    return {rel: tuple(controls) for rel, controls in files.items()}


def _referenced_controls(request: PbcRequest) -> tuple[str, ...]:
    """The controls whose records ``request``'s evidence references name."""
    matches = (EVIDENCE_REFERENCE.fullmatch(text) for text in request.evidence)
    return tuple(match[1] for match in matches if match is not None)


def _files(naming: dict[str, tuple[str, ...]], touched: set[str]) -> list[str]:
    """The files of ``naming`` that name a ``touched`` control, in the order read."""
    return [rel for rel, controls in naming.items() if not touched.isdisjoint(controls)]


def _absorb(inputs: Inputs, read_now: Inputs) -> None:
    """Add to a kept result's ``inputs`` the signatures of what the recheck read."""
    inputs.files.update(read_now.files)
    inputs.texts.update(read_now.texts)
    inputs.evidence.update(read_now.evidence)


@dataclass(frozen=True)
class _Owned:
    """Which findings a recheck says afresh: those in the three places records change."""

    rerun: _Rerun
    changed: set[str]
    touched: set[str]
    paths: set[str]

    def by_rerun(self, finding: Finding) -> bool:
        """True when the recheck makes this finding, or its absence."""
        if finding.code in self.rerun.per_record:
            return finding.location is not None and finding.location.file in self.changed
        if finding.code in self.rerun.per_control:
            return finding.control in self.touched
        return finding.code in self.rerun.per_file and finding.subject in self.paths

    def points_into_changed(self, finding: Finding) -> bool:
        """True when the finding is located, or has a related location, in a changed file."""
        return not finding.files.isdisjoint(self.changed)


def _listings(listings: dict[str, int], before: list[str], now: list[str]) -> dict[str, int]:
    """How often each file under ``evidence/`` is listed once the changed records listed the
    paths ``now`` instead of ``before``.
    """
    listings = dict(listings)
    for key in before:
        if key in listings:
            listings[key] -= 1
    for key in now:
        if key in listings:
            listings[key] += 1
    return listings


def _changed_meanwhile(read_now: Inputs, kept: Inputs, changed: list[str]) -> bool:
    """True when a file read now, other than the ``changed`` ones, differs from what the kept
    result was made from: it changed after the kept result was found to hold.
    """
    for rel, sig in read_now.files.items():
        if rel not in changed and kept.files.get(rel, sig) != sig:
            return True
    return any(kept.evidence.get(key, sig) != sig for key, sig in read_now.evidence.items())
