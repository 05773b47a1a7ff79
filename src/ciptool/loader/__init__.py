"""The only place that reads repository files: discovery, YAML, validation, catalogs.

``load_repository`` never raises for bad content: every problem becomes a located finding and
the rest of the repository is still read. Only a missing ``ciptool.yaml`` raises.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ciptool.findings import Finding, Location, Severity, format_yaml_path
from ciptool.graph import CONFIG_FILE, CatalogSource, Repository
from ciptool.loader.catalogs import load_catalogs
from ciptool.loader.evidence_files import inspect_evidence_files, unlisted_evidence_files
from ciptool.loader.files import FoundFile, find_repository, read_text, walk_yaml
from ciptool.loader.positions import gc_paused, locate_findings
from ciptool.loader.validate import validate_record
from ciptool.loader.yamlparse import FAST_PARSER, ParsedYaml, parse_yaml
from ciptool.models import (
    Control,
    Crosswalk,
    EvidenceRecord,
    Policy,
    ProgramConfig,
    RiskException,
    Sourced,
)

__all__ = [
    "FAST_PARSER",
    "CatalogSource",
    "FrameworkSet",
    "find_repository",
    "load_frameworks",
    "load_repository",
    "locate_findings",
]

M = TypeVar("M", bound=BaseModel)

#: Folder -> (top-level key, model) of the record files it holds.
RECORD_FOLDERS: dict[str, tuple[str, type[BaseModel]]] = {
    "controls": ("controls", Control),
    "policies": ("policies", Policy),
    "evidence": ("evidence", EvidenceRecord),
    "exceptions": ("exceptions", RiskException),
}
#: Evidence artifacts live in folders of this name and are never read as records.
EVIDENCE_FILES_DIR = "files"


def load_repository(root: Path) -> Repository:
    """Read and validate everything under ``root``; problems become findings."""
    with gc_paused():
        return _load(root.resolve())


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
    catalogs, crosswalks = load_catalogs(root, findings, _parse_file)
    return FrameworkSet(catalogs, crosswalks, locate_findings(root, findings) if root else findings)


def _load(root: Path) -> Repository:
    findings: list[Finding] = []
    digests: dict[str, str] = {}
    config = _load_config(root, findings, digests)
    repo = Repository(root=root, config=config, findings=findings, input_digests=digests)
    repo.files_read = 1
    if config is None:
        repo.findings = locate_findings(root, findings)
        return repo
    repo.catalogs, repo.crosswalks = load_catalogs(
        root, findings, lambda found, found_findings: _parse_file(found, found_findings, digests)
    )
    repo.controls = _load_records(root, "controls", Control, findings, repo)
    repo.policies = _load_records(root, "policies", Policy, findings, repo)
    repo.evidence = _load_records(root, "evidence", EvidenceRecord, findings, repo)
    repo.exceptions = _load_records(root, "exceptions", RiskException, findings, repo)
    repo.evidence_files = inspect_evidence_files(root, repo.evidence)
    for path, facts in repo.evidence_files.items():
        digests[path] = facts.sha256 or facts.state.value
    repo.unlisted_evidence = unlisted_evidence_files(root, repo.evidence_files, EVIDENCE_FILES_DIR)
    repo.findings = locate_findings(root, findings)
    return repo


def _parse_file(
    found: FoundFile, findings: list[Finding], digests: dict[str, str] | None = None
) -> Any:
    """The file's data, or ``None`` after adding the findings that say why not."""
    text, problem = read_text(found.rel, found.path)
    if problem is not None:
        findings.append(problem)
        return None
    assert text is not None
    if digests is not None:
        digests[found.rel] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    parsed: ParsedYaml = parse_yaml(text)
    for item in parsed.problems:
        findings.append(
            Finding(
                item.code,
                Severity.ERROR,
                item.message,
                Location(found.rel, item.line, item.column, format_yaml_path(item.yaml_path)),
                item.suggestion,
            )
        )
    return parsed.data


def _load_config(
    root: Path, findings: list[Finding], digests: dict[str, str]
) -> Sourced[ProgramConfig] | None:
    found = FoundFile(CONFIG_FILE, root / CONFIG_FILE)
    before = len(findings)
    data = _parse_file(found, findings, digests)
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


def _load_records(
    root: Path, folder: str, model: type[M], findings: list[Finding], repo: Repository
) -> list[Sourced[M]]:
    key = RECORD_FOLDERS[folder][0]
    skip = EVIDENCE_FILES_DIR if folder == "evidence" else ""
    records: list[Sourced[M]] = []
    for found in walk_yaml(root, folder, findings, skip_dir=skip):
        repo.files_read += 1
        data = _parse_file(found, findings, repo.input_digests)
        items = _record_list(found.rel, key, data, findings, evidence=folder == "evidence")
        for index, item in enumerate(items):
            record, problems = validate_record(model, item, found.rel, (key, index))
            findings.extend(problems)
            if record is not None:
                records.append(Sourced(record, found.rel, (key, index)))
            elif isinstance(item, dict):
                ident = _record_identity(item)
                if ident is not None:
                    repo.invalid_ids.setdefault(key, set()).add(ident)
    return records


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
