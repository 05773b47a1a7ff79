"""Loading a whole repository, or part of it, into records; problems become findings.

``load_repository`` never raises for bad content: every problem becomes a located finding and
the rest of the repository is still read. Only a missing ``ciptool.yaml`` raises.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ciptool.findings import MAX_FILE_PROBLEMS, Finding, Location, Severity, format_yaml_path
from ciptool.incremental.ahead import EVIDENCE_FILES_DIR, ReadAhead
from ciptool.incremental.filecache import FileCache
from ciptool.incremental.signatures import CONFIG_FILE, Inputs, Signature, signature
from ciptool.loader.catalogs import ParseFile, load_catalogs
from ciptool.loader.collector import gc_paused
from ciptool.loader.evidence_files import inspect_evidence_files
from ciptool.loader.files import FoundFile
from ciptool.loader.positions import locate_findings
from ciptool.loader.reading import ReadFile, read_yaml_files, unpacked
from ciptool.loader.validate import validate_all, validate_record
from ciptool.models import (
    Control,
    Crosswalk,
    EvidenceRecord,
    Policy,
    ProgramConfig,
    RiskException,
    Sourced,
)
from ciptool.models.repository import CatalogSource, Repository

M = TypeVar("M", bound=BaseModel)

#: Folder -> (top-level key, model) of the record files it holds.
RECORD_FOLDERS: dict[str, tuple[str, type[BaseModel]]] = {
    "controls": ("controls", Control),
    "policies": ("policies", Policy),
    "evidence": ("evidence", EvidenceRecord),
    "exceptions": ("exceptions", RiskException),
}


def load_repository(
    root: Path,
    cache_dir: Path | None = None,
    inputs: Inputs | None = None,
    ahead: ReadAhead | None = None,
) -> Repository:
    """Read and validate everything under ``root``; problems become findings.

    With ``cache_dir``, files unchanged since an earlier run are neither parsed nor hashed
    again (see :mod:`ciptool.incremental.filecache`); without it, everything is read afresh. Every
    folder listed and file read is recorded in ``inputs``. ``ahead``, begun for the same
    ``root`` and ``cache_dir``, is taken over: its walk and reading are not done again.
    """
    with closing(ahead if ahead is not None else ReadAhead(root, cache_dir)) as begun:
        with gc_paused():
            repository = _load(begun.root, begun, inputs if inputs is not None else Inputs())
        begun.cache.save()
    return repository


def same_data(root: Path, cache_dir: Path, texts: dict[str, str]) -> dict[str, Signature] | None:
    """The signatures now of the YAML files in ``texts``, when none says anything new.

    ``texts`` holds the SHA-256 of each file's text when it was last read. A file says nothing
    new when it parses to the same data and YAML problems as that text did: touched, saved
    again, or changed only in comments or layout. None when any says something new, cannot
    be read, or its earlier text is not in the cache to compare with.
    """
    root = root.resolve()
    cache = FileCache(root, cache_dir, kinds=("yaml",))
    found = []
    for rel in texts:
        now = signature(root / rel)
        if isinstance(now, str):
            return None
        found.append(FoundFile(rel, root / rel, now))
    before = {rel: cache.payload("yaml", rel) for rel in texts}
    read = read_yaml_files(found, cache)  # the cache is not written: its entries still hold
    for rel, text in texts.items():
        old, new = before[rel], read[rel].payload
        if old is None or new is None or old[0] != text:
            return None  # no parse of the text the result was made from
        if new[0] != text and unpacked(old[1]) != unpacked(new[1]):
            return None  # the text changed, and so did what it says (or the cache was not sound)
    return {item.rel: item.signature for item in found if item.signature is not None}


class Part:
    """Part of a repository read again: its settings and catalogs, and the record files asked for.

    For a check of only what a few changed files can change
    (see :mod:`ciptool.incremental.recheck`). Folders are not listed: the caller knows the
    files. The part is small, so its files are read and hashed afresh: reading the whole cache
    would cost more.
    """

    def __init__(self, root: Path, inputs: Inputs) -> None:
        """Read ``root``'s settings; what is read is recorded in ``inputs``."""
        self.root = root.resolve()
        self.inputs = inputs
        self.cache = FileCache.disabled(self.root)
        self.findings: list[Finding] = []
        self._digests: dict[str, str] = {}
        self._read: dict[str, list[Sourced[Any]]] = {}
        self._parse = _parser(self.cache, self._digests)
        inputs.files[CONFIG_FILE] = signature(self.root / CONFIG_FILE)
        self.repository = Repository(
            root=self.root,
            config=_load_config(self.root, self.findings, self._parse),
            findings=self.findings,
            input_digests=self._digests,
        )

    def read_catalogs(self) -> None:
        """Read the catalogs and crosswalks, bundled and the repository's own."""
        catalogs = load_catalogs(self.root, self.findings, self._parse, self.inputs)
        self.repository.catalogs, self.repository.crosswalks = catalogs

    def records(self, folder: str, files: Iterable[str], model: type[M]) -> list[Sourced[M]]:
        """The valid records of ``model`` in ``files`` of ``folder``, in order; their problems
        are in :attr:`findings`. A file asked for again is not read again.
        """
        wanted = [rel for rel in dict.fromkeys(files) if rel not in self._read]
        found = []
        for rel in wanted:
            sig = self.inputs.files[rel] = signature(self.root / rel)
            found.append(FoundFile(rel, self.root / rel, sig))
        parsed = read_yaml_files(found, self.cache)
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
    ) -> Repository:
        """The repository of these records, with their evidence files inspected."""
        repository = self.repository
        repository.controls, repository.evidence = controls, evidence
        repository.exceptions = exceptions
        with gc_paused():
            repository.evidence_files = inspect_evidence_files(
                self.root, repository.evidence_listing_files(), self.cache, self.inputs
            )
        repository.findings = locate_findings(self.root, self.findings)
        texts = self._digests
        self.inputs.texts.update((rel, texts[rel]) for rel in self.inputs.files if rel in texts)
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
    root = root.resolve() if root is not None else None
    cache = FileCache.disabled(root or Path())
    catalogs, crosswalks = load_catalogs(root, findings, _parser(cache, {}), Inputs())
    return FrameworkSet(catalogs, crosswalks, locate_findings(root, findings) if root else findings)


def _load(root: Path, ahead: ReadAhead, inputs: Inputs) -> Repository:
    cache = ahead.cache
    findings: list[Finding] = []
    digests: dict[str, str] = {}
    parse = _parser(cache, digests)
    inputs.files[CONFIG_FILE] = signature(root / CONFIG_FILE)
    config = _load_config(root, findings, parse)
    repo = Repository(root=root, config=config, findings=findings, input_digests=digests)
    repo.files_read = 1
    if config is None:
        repo.findings = locate_findings(root, findings)
        return repo
    repo.catalogs, repo.crosswalks = load_catalogs(root, findings, parse, inputs)
    # The record files, found and read ahead, in the order of a walk made now.
    found = ahead.found
    findings.extend(ahead.findings)
    inputs.folders.update(ahead.inputs.folders)
    inputs.files.update(ahead.inputs.files)
    parsed = ahead.reading.finish()
    cache.finish("yaml")  # written now: the parsed files need not stay while records validate
    repo.files_read += len(parsed)
    repo.controls = _records("controls", found, parsed, Control, findings, repo)
    repo.policies = _records("policies", found, parsed, Policy, findings, repo)
    repo.evidence = _records("evidence", found, parsed, EvidenceRecord, findings, repo)
    repo.exceptions = _records("exceptions", found, parsed, RiskException, findings, repo)
    repo.evidence_files = inspect_evidence_files(
        root, repo.evidence_listing_files(), cache, inputs, ahead.hashing
    )
    ahead.close()
    for path, facts in repo.evidence_files.items():
        digests[path] = facts.sha256 or facts.state.value
    repo.artifacts = ahead.artifacts
    repo.unlisted_evidence = [path for path in repo.artifacts if path not in repo.evidence_files]
    repo.findings = locate_findings(root, findings)
    inputs.texts.update((rel, digests[rel]) for rel in inputs.files if rel in digests)
    return repo


def _parser(cache: FileCache, digests: dict[str, str]) -> ParseFile:
    """Reads one file through ``cache``: its data, with its findings and digest recorded."""

    def parse(found: FoundFile, findings: list[Finding]) -> Any:
        return _take(read_yaml_files([found], cache)[found.rel], findings, digests)

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
    """How other records refer to this one: its id, or control/requirement for evidence."""
    if isinstance(item.get("id"), str):
        return str(item["id"])
    control, requirement = item.get("control"), item.get("requirement")
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
