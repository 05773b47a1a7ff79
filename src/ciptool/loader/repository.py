"""Loading a whole repository, or part of it, into records; problems become findings.

``load_repository`` never raises for bad content: every problem becomes a located finding and
the rest of the repository is still read. Only a missing ``ciptool.yaml`` raises.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ciptool.findings import MAX_FILE_PROBLEMS, Finding, Location, Severity, format_yaml_path
from ciptool.loader.catalogs import ParseFile, load_catalogs
from ciptool.loader.collector import gc_paused
from ciptool.loader.files import FoundFile
from ciptool.loader.history import evidence_history
from ciptool.loader.narrative import narrative_problem, narrative_text
from ciptool.loader.places import CONFIG_FILE
from ciptool.loader.positions import locate_findings
from ciptool.loader.reading import ReadFile
from ciptool.loader.source import EVIDENCE_FILES_DIR, FileSource, PlainSource
from ciptool.loader.validate import validate_all, validate_record
from ciptool.models import (
    App,
    AssessmentFinding,
    Control,
    Crosswalk,
    EvidenceRecord,
    Incident,
    Metric,
    Policy,
    ProgramConfig,
    Risk,
    RiskException,
    Sourced,
    ThirdParty,
    ThirdPartyEvidenceRecord,
)
from ciptool.models.fieldwork import PbcRequest, Workpaper
from ciptool.models.filefacts import EvidenceFileFacts
from ciptool.models.paths import listed_paths
from ciptool.models.repository import (
    THIRD_PARTY_EVIDENCE,
    CatalogSource,
    Repository,
    SourcedEvidence,
)

M = TypeVar("M", bound=BaseModel)

#: Folder -> (top-level key, model) of the record files it holds.
RECORD_FOLDERS: dict[str, tuple[str, type[BaseModel]]] = {
    "controls": ("controls", Control),
    "policies": ("policies", Policy),
    "evidence": ("evidence", EvidenceRecord),
    "exceptions": ("exceptions", RiskException),
    "risks": ("risks", Risk),
    "third-parties": ("third_parties", ThirdParty),
    "apps": ("apps", App),
    "metrics": ("metrics", Metric),
    "findings": ("findings", AssessmentFinding),
    "incidents": ("incidents", Incident),
    "workpapers": ("workpapers", Workpaper),
    "requests": ("requests", PbcRequest),
}


def load_repository(root: Path, source: FileSource | None = None) -> Repository:
    """Read and validate everything under ``root``; problems become findings.

    The files are read through ``source`` (see :mod:`ciptool.loader.source`), begun for the
    same ``root``; without one, everything is read afresh in this process.
    """
    with gc_paused():
        return _load(source if source is not None else PlainSource(root))


class Part:
    """Part of a repository read again: its settings and catalogs, and the record files asked for.

    For a check of only what a few changed files can change
    (see :mod:`ciptool.incremental.recheck`). Folders are not listed: the caller knows the
    files.
    """

    def __init__(self, source: FileSource) -> None:
        """Read the settings of the repository ``source`` reads."""
        self.root = source.root
        self.source = source
        self.findings: list[Finding] = []
        self._digests: dict[str, str] = {}
        self._read: dict[str, list[Sourced[Any]]] = {}
        self._parse = _parser(source, self._digests)
        self.repository = Repository(
            root=self.root,
            config=_load_config(self.root, self.findings, self._parse),
            findings=self.findings,
            input_digests=self._digests,
        )

    def read_catalogs(self) -> None:
        """Read the catalogs and crosswalks, bundled and the repository's own."""
        catalogs = load_catalogs(self.source, self.findings, self._parse)
        self.repository.catalogs, self.repository.crosswalks = catalogs

    def records(self, folder: str, files: Iterable[str], model: type[M]) -> list[Sourced[M]]:
        """The valid records of ``model`` in ``files`` of ``folder``, in order; their problems
        are in :attr:`findings`. A file asked for again is not read again.
        """
        wanted = [rel for rel in dict.fromkeys(files) if rel not in self._read]
        found = [FoundFile(rel, self.root / rel) for rel in wanted]
        parsed = self.source.yaml_files(found)
        for item in found:
            listed = {folder: [item]}
            self._read[item.rel] = _records(
                folder, listed, parsed, model, self.findings, self.repository
            )
        return [sourced for rel in files for sourced in self._read[rel]]

    def finish(
        self,
        controls: list[Sourced[Control]],
        evidence: list[Sourced[EvidenceRecord]],
        exceptions: list[Sourced[RiskException]],
        risks: list[Sourced[Risk]] | None = None,
        *,
        workpapers: list[Sourced[Workpaper]] | None = None,
        requests: list[Sourced[PbcRequest]] | None = None,
    ) -> Repository:
        """The repository of these records, with their evidence files inspected."""
        repository = self.repository
        repository.controls, repository.evidence = controls, evidence
        repository.exceptions = exceptions
        repository.risks = risks or []
        repository.workpapers = workpapers or []
        repository.requests = requests or []
        with gc_paused():
            repository.evidence_files = _evidence_files(self.source, repository)
        if repository.config is not None:
            settings = repository.config.record.provenance
            repository.history = evidence_history(self.root, settings, evidence)
        repository.findings = locate_findings(self.root, self.findings)
        self.source.loaded(repository)
        return repository


@dataclass(frozen=True)
class FrameworkSet:
    """Catalogs and crosswalks without the rest of a repository, for the frameworks commands."""

    catalogs: dict[str, CatalogSource]
    crosswalks: list[Sourced[Crosswalk]]
    findings: list[Finding]


def load_frameworks(root: Path | None) -> FrameworkSet:
    """The bundled catalogs, plus the repository's own when ``root`` is given."""
    findings: list[Finding] = []
    source = PlainSource(root) if root is not None else None
    catalogs, crosswalks = load_catalogs(source, findings, _parser(source, {}))
    if source is None:
        return FrameworkSet(catalogs, crosswalks, findings)
    return FrameworkSet(catalogs, crosswalks, locate_findings(source.root, findings))


def _load(source: FileSource) -> Repository:
    root = source.root
    findings: list[Finding] = []
    digests: dict[str, str] = {}
    parse = _parser(source, digests)
    config = _load_config(root, findings, parse)
    repo = Repository(root=root, config=config, findings=findings, input_digests=digests)
    repo.files_read = 1
    if config is None:
        repo.findings = locate_findings(root, findings)
        source.loaded(repo)
        return repo
    repo.catalogs, repo.crosswalks = load_catalogs(source, findings, parse)
    # The record files, found and read, in the order of the walk.
    records = source.record_files()
    found, parsed = records.found, records.read
    findings.extend(records.findings)
    repo.files_read += len(parsed)
    repo.controls = _records("controls", found, parsed, Control, findings, repo)
    repo.policies = _records("policies", found, parsed, Policy, findings, repo)
    repo.evidence = _records("evidence", found, parsed, EvidenceRecord, findings, repo)
    repo.exceptions = _records("exceptions", found, parsed, RiskException, findings, repo)
    repo.risks = _records("risks", found, parsed, Risk, findings, repo)
    repo.third_parties = _records("third-parties", found, parsed, ThirdParty, findings, repo)
    repo.apps = _records("apps", found, parsed, App, findings, repo)
    repo.metrics = _records("metrics", found, parsed, Metric, findings, repo)
    repo.assessment_findings = _records(
        "findings", found, parsed, AssessmentFinding, findings, repo
    )
    repo.incidents = _records("incidents", found, parsed, Incident, findings, repo)
    repo.workpapers = _records("workpapers", found, parsed, Workpaper, findings, repo)
    repo.requests = _records("requests", found, parsed, PbcRequest, findings, repo)
    # The apps' attestation documents are looked at and hashed with the evidence files, so
    # that a cached run notices a changed document as it notices a changed evidence file.
    # The briefing's narrative is looked at and hashed with them too, for the same reason.
    keys = _evidence_keys(repo)
    documents = repo.attestation_documents()
    narrative = repo.narrative_document()
    others = [*documents, *([narrative] if narrative is not None else [])]
    if others:
        found_files = source.evidence_files(list(dict.fromkeys([*keys, *others])))
        repo.evidence_files = {key: found_files[key] for key in keys}
        repo.app_documents = {key: found_files[key] for key in documents}
    else:  # no copies of the evidence files' facts (100,000 of them in a large repository)
        found_files = repo.evidence_files = source.evidence_files(keys)
    for path, facts in found_files.items():
        digests[path] = facts.sha256 or facts.state.value
    written = config.record.briefing.narrative
    if written is not None:
        text, why = narrative_text(root, narrative, found_files.get(narrative or ""))
        repo.narrative = text
        if text is None:
            findings.append(narrative_problem(written, why))
    # When each record's collected_on line was committed: the back-dated evidence check's
    # input, read here because checks read no files.
    owned: list[SourcedEvidence] = [*repo.evidence, *repo.third_party_evidence]
    repo.history = evidence_history(root, config.record.provenance, owned)
    repo.artifacts = records.artifacts
    repo.unlisted_evidence = [path for path in repo.artifacts if path not in repo.evidence_files]
    repo.findings = locate_findings(root, findings)
    source.loaded(repo)
    return repo


def _evidence_files(source: FileSource, repository: Repository) -> dict[str, EvidenceFileFacts]:
    """Facts for every distinct file that the repository's records list, by repository path."""
    return source.evidence_files(_evidence_keys(repository))


def _evidence_keys(repository: Repository) -> list[str]:
    """Every distinct file that the repository's evidence records list, by repository path."""
    return list(dict.fromkeys(listed_paths(repository.evidence_listing_files())))


def _parser(source: FileSource | None, digests: dict[str, str]) -> ParseFile:
    """Reads one file through ``source``: its data, with its findings and digest recorded.

    Without a source (the bundled catalogs alone), there is no file to read.
    """

    def parse(found: FoundFile, findings: list[Finding]) -> Any:
        assert source is not None
        return _take(source.yaml_files([found])[found.rel], findings, digests)

    return parse


def _take(read: ReadFile, findings: list[Finding], digests: dict[str, str]) -> Any:
    """The file's data, after adding its findings and recording its digest."""
    parsed = read.open()
    findings.extend(parsed.findings)
    if parsed.digest is not None:
        digests[read.rel] = parsed.digest
    return parsed.data


def _load_config(
    root: Path, findings: list[Finding], parse: ParseFile
) -> Sourced[ProgramConfig] | None:
    found = FoundFile(CONFIG_FILE, root / CONFIG_FILE)
    before = len(findings)
    data = parse(found, findings)
    if len(findings) > before and data is None:
        return None
    if not isinstance(data, dict):
        findings.append(_top_level_problem(CONFIG_FILE, "settings such as `program:`", data))
        return None
    record, problems = validate_record(ProgramConfig, data, CONFIG_FILE, ())
    findings.extend(problems)
    if record is None or any(f.severity is Severity.ERROR for f in findings[before:]):
        return None
    return Sourced(record, CONFIG_FILE, ())


def _records(  # noqa: PLR0917 - one call per record kind, all in _load
    folder: str,
    files: dict[str, list[FoundFile]],
    parsed: dict[str, ReadFile],
    model: type[M],
    findings: list[Finding],
    repo: Repository,
) -> list[Sourced[M]]:
    key = RECORD_FOLDERS[folder][0]
    records: list[Sourced[M]] = []
    for found in files[folder]:
        data = _take(parsed.pop(found.rel), findings, repo.input_digests)
        items = _record_list(found.rel, key, data, findings, evidence=folder == "evidence")
        before = len(findings)
        for index, item in enumerate(items):
            if len(findings) - before >= MAX_FILE_PROBLEMS or (
                isinstance(item, dict) and len(item) > MAX_FILE_PROBLEMS
            ):  # a record of more keys than that could alone give as many problems
                findings.append(_too_many_problems(found.rel, (key, index)))
                break
            if folder == "evidence" and isinstance(item, dict) and "third_party" in item:
                _third_party_evidence(item, found.rel, (key, index), findings, repo)
                continue
            record, partial, problems = validate_all(model, item, found.rel, (key, index))
            findings.extend(problems)
            if record is not None:
                records.append(Sourced(record, found.rel, (key, index)))
                continue
            if partial is not None:
                repo.partial.setdefault(key, []).append(Sourced(partial, found.rel, (key, index)))
            if isinstance(item, dict):
                ident = _record_identity(item)
                if ident is not None:
                    repo.invalid_ids.setdefault(key, set()).add(ident)
    return records


def _third_party_evidence(
    item: dict[str, Any],
    rel: str,
    path: tuple[str, int],
    findings: list[Finding],
    repo: Repository,
) -> None:
    """A record in ``evidence/`` that names a ``third_party``: a third party's evidence for a
    minimum standard, validated as its own model into its own list (an invalid one kept
    partial, with its identity, as a control's evidence is)."""
    record, partial, problems = validate_all(ThirdPartyEvidenceRecord, item, rel, path)
    findings.extend(problems)
    if record is not None:
        repo.third_party_evidence.append(Sourced(record, rel, path))
        return
    if partial is not None:
        repo.partial.setdefault(THIRD_PARTY_EVIDENCE, []).append(Sourced(partial, rel, path))
    ident = _record_identity(item)
    if ident is not None:
        repo.invalid_ids.setdefault(THIRD_PARTY_EVIDENCE, set()).add(ident)


def _too_many_problems(rel: str, path: tuple[str | int, ...]) -> Finding:
    """LD015 at the record of ``rel`` where its problems passed :data:`MAX_FILE_PROBLEMS`."""
    return Finding(
        "LD015",
        Severity.ERROR,
        f"more than {MAX_FILE_PROBLEMS:,} problems in this file; its records from here on are"
        " not read",
        Location(rel, yaml_path=format_yaml_path(path), path=path),
        "Fix the problems reported, then check again.",
    )


def _record_identity(item: dict[str, Any]) -> str | None:
    """How other records refer to this one: its id, or control/requirement for evidence
    (third_party/requirement for a third party's)."""
    if isinstance(item.get("id"), str):
        return str(item["id"])
    control, requirement = item.get("control", item.get("third_party")), item.get("requirement")
    if isinstance(control, str) and isinstance(requirement, str):
        return f"{control}/{requirement}"
    return None


def _record_list(
    rel: str, key: str, data: Any, findings: list[Finding], *, evidence: bool
) -> Iterable[Any]:
    if data is None:
        return ()
    if not isinstance(data, dict) or key not in data:
        near = isinstance(data, dict) and difflib.get_close_matches(key, list(data), n=1)
        if evidence and not near:
            findings.append(
                Finding(
                    "LD011",
                    Severity.WARNING,
                    "this YAML file in evidence/ is not an evidence record (no top-level"
                    " `evidence:` key) and was not read",
                    Location(rel, 1, 1),
                    f"Put evidence artifacts in a `{EVIDENCE_FILES_DIR}/` folder beside the"
                    " records that list them.",
                )
            )
        else:
            findings.append(_top_level_problem(rel, f"`{key}:` and a list of records", data))
        return ()
    for extra in data:
        if extra != key:
            findings.append(
                Finding(
                    "LD011",
                    Severity.ERROR,
                    f"unexpected top-level key `{extra}`; this file holds only `{key}:`",
                    Location(rel, yaml_path=extra, path=(extra,), on_key=True),
                    "Move these records to a file in their own folder.",
                )
            )
    items = data[key]
    if items is None:
        return ()
    if not isinstance(items, list):
        findings.append(
            Finding(
                "SC002",
                Severity.ERROR,
                f"`{key}` should be a list of records, each starting with `- `",
                Location(rel, yaml_path=key, path=(key,)),
                f"Write each record as a list item under `{key}:`.",
            )
        )
        return ()
    return items


def _top_level_problem(rel: str, expected: str, data: Any) -> Finding:
    if isinstance(data, dict):
        keys = ", ".join(f"`{key}`" for key in data)
        found = f"the top-level key{'s' if len(data) > 1 else ''} {keys}"
    else:
        found = (
            "a list" if isinstance(data, list) else "text" if isinstance(data, str) else "nothing"
        )
    return Finding(
        "LD011",
        Severity.ERROR,
        f"the file should hold {expected}, found {found}",
        Location(rel, 1, 1),
        "Start the file with its kind's key, as the README's examples show.",
    )
