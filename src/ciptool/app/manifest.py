"""``ciptool evidence manifest``: what the evidence is, for an auditor to keep; and
``ciptool evidence verify --against``: what differs from a manifest delivered before.

A manifest lists every evidence record (a control's or a third party's), where it is (file,
YAML path, line), what it says (requirement, dates, who collected it, where from) and the files
it lists with their recorded digests; every file the records list with its SHA-256 as found on
disk, every evidence record file with its own SHA-256; and the git commit the repository was
at, with whether its tree differed from it. docs/provenance.md describes the format. The same
repository gives the same bytes: nothing in it depends on the clock or the machine.

Verifying against a manifest hashes everything afresh and compares: records added, removed or
changed (which fields), files added, removed or changed (with both digests). A file is compared
by the digest found on disk when the manifest was made and now, never by what a record says:
a file rewritten together with its recorded digest is a changed file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ciptool.app.evidence import VerifyResult
from ciptool.errors import UsageError
from ciptool.fileio.atomic import write_product
from ciptool.fileio.regular import FileTooLarge, NotRegularFile, read_regular_file
from ciptool.findings import format_yaml_path
from ciptool.incremental.ahead import ReadAhead
from ciptool.loader import load_repository
from ciptool.loader.files import read_text
from ciptool.loader.git import git_state
from ciptool.loader.yamlparse import PositionIndex
from ciptool.models.paths import evidence_file_key
from ciptool.models.repository import Repository, SourcedEvidence
from ciptool.models.standards import ThirdPartyEvidenceRecord
from ciptool.queries.evidence import evidence_names

#: Names the format; a manifest that says otherwise is refused.
FORMAT = "ciptool-evidence-manifest"
#: The version of the format this ciptool writes and reads.
VERSION = 1
#: The largest manifest read back: a manifest of 100,000 records is about 60 MB.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
#: The fields of a record compared by ``verify --against``, in the order reported.
RECORD_FIELDS = (
    "collected_on",
    "period",
    "effective_on",
    "collected_by",
    "source",
    "files",
)


def manifest_document(root: Path) -> dict[str, Any]:
    """The manifest of the repository at ``root``, as plain data (see :func:`manifest_bytes`)."""
    return document_of(root, _load(root))


def document_of(root: Path, repository: Repository) -> dict[str, Any]:
    """The manifest of ``repository``, loaded from ``root`` with every file hashed afresh."""
    if repository.config is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    records: list[SourcedEvidence] = [*repository.evidence, *repository.third_party_evidence]
    lines = _lines(root, records)
    entries = sorted(
        (_record(sourced, lines) for sourced in records),
        key=lambda entry: (entry["file"], entry["position"]["line"], entry["position"]["path"]),
    )
    files = [
        {
            "path": path,
            "state": facts.state.value,
            "sha256": facts.sha256,
            "size": facts.size if facts.sha256 is not None else None,
        }
        for path, facts in sorted(repository.evidence_files.items())
    ]
    record_files = sorted({sourced.file for sourced in records})
    state = git_state(root)
    return {
        "format": FORMAT,
        "version": VERSION,
        "program": repository.config.record.program,
        "git": {"commit": state.commit, "dirty": state.dirty},
        "records": entries,
        "files": files,
        "record_files": [
            {"path": rel, "sha256": repository.input_digests.get(rel)} for rel in record_files
        ],
    }


def manifest_bytes(document: dict[str, Any]) -> bytes:
    """A manifest as written: JSON, two-space indented, keys in the order made, UTF-8."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode(
        "utf-8", "surrogateescape"
    )


@dataclass(frozen=True)
class Written:
    """What ``evidence manifest`` wrote: the path (None for standard output), and how many
    records and files it lists, and the commit."""

    path: Path | None
    records: int
    files: int
    commit: str | None
    dirty: bool | None


def write_manifest(root: Path, output: Path | None) -> tuple[Written, bytes]:
    """Write the manifest of ``root`` to ``output``, atomically and never over an input; with
    no ``output``, only make it. What was written, and the bytes."""
    document = manifest_document(root)
    data = manifest_bytes(document)
    if output is not None:
        write_product(output, data, _inputs(root, document))
    git = document["git"]
    counts = (len(document["records"]), len(document["files"]))
    return Written(output, *counts, git["commit"], git["dirty"]), data


def _inputs(root: Path, document: dict[str, Any]) -> Callable[[Path], bool]:
    """Whether a path is a file the manifest was made from (links followed)."""
    paths = {root / "ciptool.yaml"}
    paths |= {root / entry["path"] for entry in document["files"]}
    paths |= {root / entry["path"] for entry in document["record_files"]}
    resolved = {path.resolve() for path in paths}
    return lambda path: path.resolve() in resolved


def _load(root: Path) -> Repository:
    """``root`` read afresh: every file hashed now, no cache's word taken."""
    with closing(ReadAhead(root, None)) as source:
        return load_repository(root, source)


def _lines(root: Path, records: list[SourcedEvidence]) -> dict[tuple[str, str], int]:
    """The line of each record, by (file, YAML path)."""
    by_file: dict[str, list[tuple[str | int, ...]]] = {}
    for sourced in records:
        by_file.setdefault(sourced.file, []).append(sourced.path)
    lines: dict[tuple[str, str], int] = {}
    for rel, paths in by_file.items():
        text, _problem = read_text(rel, root / rel)
        index = PositionIndex(text or "", paths)
        for path in paths:
            lines[(rel, format_yaml_path(path))] = index.locate(path)[0] if text else 0
    return lines


def _record(sourced: SourcedEvidence, lines: dict[tuple[str, str], int]) -> dict[str, Any]:
    record = sourced.record
    owner, requirement = evidence_names(record)
    third = isinstance(record, ThirdPartyEvidenceRecord)
    path = format_yaml_path(sourced.path)
    return {
        "kind": "third-party" if third else "control",
        "control": None if third else owner,
        "third_party": owner if third else None,
        "requirement": requirement,
        "collected_on": record.collected_on.isoformat(),
        "period": (
            {"start": record.period.start.isoformat(), "end": record.period.end.isoformat()}
            if record.period
            else None
        ),
        "effective_on": record.effective_on.isoformat() if record.effective_on else None,
        "collected_by": record.collected_by,
        "source": record.source,
        "files": [
            {
                "path": entry.path,
                "repository_path": evidence_file_key(sourced.file, entry.path),
                "sha256": entry.sha256,
            }
            for entry in record.files
        ],
        "file": sourced.file,
        "position": {"path": path, "line": lines.get((sourced.file, path), 0)},
    }


# --- verify --against ------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of a record: as delivered, and now."""

    field: str
    delivered: Any
    now: Any


@dataclass(frozen=True)
class RecordChange:
    """A record in both, whose fields differ."""

    record: dict[str, Any]
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class FileChange:
    """A file in both whose digest on disk differs (a digest is None for a file not found)."""

    path: str
    delivered: str | None
    now: str | None
    #: "evidence" for a file a record lists, "record" for an evidence record file.
    kind: str


@dataclass(frozen=True)
class ManifestDiff:
    """What differs between a delivered manifest and the repository now."""

    delivered_commit: str | None
    commit: str | None
    dirty: bool | None
    records_added: tuple[dict[str, Any], ...]
    records_removed: tuple[dict[str, Any], ...]
    records_changed: tuple[RecordChange, ...]
    files_added: tuple[dict[str, Any], ...]
    files_removed: tuple[dict[str, Any], ...]
    files_changed: tuple[FileChange, ...]

    @property
    def identical(self) -> bool:
        """True when nothing differs."""
        return not (
            self.records_added
            or self.records_removed
            or self.records_changed
            or self.files_added
            or self.files_removed
            or self.files_changed
        )

    def counts(self) -> str:
        """What differs, in words."""
        return (
            f"{_n(len(self.records_added), 'record')} added,"
            f" {len(self.records_removed)} removed, {len(self.records_changed)} changed;"
            f" {_n(len(self.files_added), 'file')} added, {len(self.files_removed)} removed,"
            f" {len(self.files_changed)} changed"
        )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def compare_with_manifest(
    root: Path, delivered: dict[str, Any], verified: VerifyResult
) -> ManifestDiff | None:
    """The differences between the repository as ``verified`` now and the ``delivered``
    manifest (see :func:`read_manifest`); None when ciptool.yaml is not usable."""
    if verified.repository is None or verified.repository.config is None:
        return None
    return compare(delivered, document_of(root, verified.repository))


def compare(delivered: dict[str, Any], now: dict[str, Any]) -> ManifestDiff:
    """What differs between two manifests."""
    before_records = _by_identity(delivered["records"])
    now_records = _by_identity(now["records"])
    changed = []
    for key in sorted(before_records.keys() & now_records.keys()):
        old, new = before_records[key], now_records[key]
        fields = tuple(
            FieldChange(name, old.get(name), new.get(name))
            for name in RECORD_FIELDS
            if old.get(name) != new.get(name)
        )
        if fields:
            changed.append(RecordChange(new, fields))
    files_before = _files(delivered)
    files_now = _files(now)
    file_changes = [
        FileChange(path, files_before[path][0], files_now[path][0], files_now[path][1])
        for path in sorted(files_before.keys() & files_now.keys())
        if files_before[path][0] != files_now[path][0]
    ]
    git = now["git"]
    return ManifestDiff(
        delivered_commit=delivered["git"]["commit"],
        commit=git["commit"],
        dirty=git["dirty"],
        records_added=tuple(
            now_records[k] for k in sorted(now_records.keys() - before_records.keys())
        ),
        records_removed=tuple(
            before_records[k] for k in sorted(before_records.keys() - now_records.keys())
        ),
        records_changed=tuple(changed),
        files_added=tuple(
            {"path": p, "sha256": files_now[p][0], "kind": files_now[p][1]}
            for p in sorted(files_now.keys() - files_before.keys())
        ),
        files_removed=tuple(
            {"path": p, "sha256": files_before[p][0], "kind": files_before[p][1]}
            for p in sorted(files_before.keys() - files_now.keys())
        ),
        files_changed=tuple(file_changes),
    )


def _identity(record: dict[str, Any]) -> tuple[str, ...]:
    """What names a record across versions: its file, what it is evidence of, and the days it
    speaks for (a record whose days change is one removed and another added)."""
    period = record.get("period")
    days = f"{period['start']}..{period['end']}" if period else str(record.get("effective_on"))
    owner = record.get("control") or record.get("third_party") or ""
    return (record["file"], str(record["kind"]), str(owner), str(record["requirement"]), days)


def _by_identity(records: list[dict[str, Any]]) -> dict[tuple[str, ...], dict[str, Any]]:
    """Records by identity; a second record of the same identity in a file is told apart by
    its place among them (``#2``)."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for record in records:
        key = _identity(record)
        number = 2
        unique = key
        while unique in found:
            unique = (*key, f"#{number}")
            number += 1
        found[unique] = record
    return found


def _files(document: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
    """Every file of a manifest: its digest on disk (None when not found) and its kind."""
    files: dict[str, tuple[str | None, str]] = {
        entry["path"]: (entry["sha256"], "evidence") for entry in document["files"]
    }
    for entry in document["record_files"]:
        files.setdefault(entry["path"], (entry["sha256"], "record"))
    return files


# --- reading a delivered manifest --------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path``, checked to be one this ciptool reads; UsageError otherwise."""
    try:
        raw = read_regular_file(path, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such manifest file") from None
    except NotRegularFile:
        raise UsageError(f"{path}: not a regular file; give a manifest's JSON file") from None
    except FileTooLarge as exc:
        raise UsageError(
            f"{path}: {exc.size:,} bytes is larger than a manifest may be"
            f" ({MAX_MANIFEST_BYTES:,} bytes)"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: byte {exc.start + 1} is not UTF-8; a manifest is JSON") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"{path}: not a manifest: {exc}") from None
    _Shape(path).manifest(data)
    return data  # type: ignore[no-any-return]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


class _Shape:
    """Checks a manifest's shape, naming the first thing wrong by its place in the JSON."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> UsageError:
        return UsageError(f"{self.path}: {where}: {what}")

    def manifest(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise self.fail("the top level", "expected an object (a ciptool evidence manifest)")
        if data.get("format") != FORMAT:
            raise self.fail(
                "format", f"expected {FORMAT!r}: this is not a ciptool evidence manifest"
            )
        version = data.get("version")
        if version != VERSION or isinstance(version, bool):
            raise self.fail(
                "version", f"{version!r} is not a version this ciptool reads (it reads {VERSION})"
            )
        git = data.get("git")
        if not isinstance(git, dict):
            raise self.fail("git", "expected an object with commit and dirty")
        self.optional(git.get("commit"), "git.commit", str)
        self.optional(git.get("dirty"), "git.dirty", bool)
        records = self.array(data, "records")
        for index, record in enumerate(records):
            self.record(record, f"records[{index}]")
        for key in ("files", "record_files"):
            for index, entry in enumerate(self.array(data, key)):
                where = f"{key}[{index}]"
                if not isinstance(entry, dict):
                    raise self.fail(where, "expected an object")
                self.text(entry.get("path"), f"{where}.path")
                self.optional(entry.get("sha256"), f"{where}.sha256", str)

    def array(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            raise self.fail(key, "expected an array")
        return value

    def record(self, record: Any, where: str) -> None:
        if not isinstance(record, dict):
            raise self.fail(where, "expected an object")
        if record.get("kind") not in ("control", "third-party"):
            raise self.fail(f"{where}.kind", "expected 'control' or 'third-party'")
        owner = "control" if record["kind"] == "control" else "third_party"
        for key in (owner, "requirement", "collected_on", "file"):
            self.text(record.get(key), f"{where}.{key}")
        for key in ("collected_by", "source"):
            self.optional(record.get(key), f"{where}.{key}", str)
        self.optional(record.get("effective_on"), f"{where}.effective_on", str)
        period = record.get("period")
        if period is not None and not (
            isinstance(period, dict)
            and isinstance(period.get("start"), str)
            and isinstance(period.get("end"), str)
        ):
            raise self.fail(f"{where}.period", "expected null or an object with start and end")
        if not isinstance(record.get("files"), list):
            raise self.fail(f"{where}.files", "expected an array")
        position = record.get("position")
        if not isinstance(position, dict):
            raise self.fail(f"{where}.position", "expected an object with path and line")

    def text(self, value: Any, where: str) -> None:
        if not isinstance(value, str) or not value:
            raise self.fail(where, "expected a non-empty string")

    def optional(self, value: Any, where: str, kind: type) -> None:
        if value is not None and not isinstance(value, kind):
            raise self.fail(where, f"expected null or a {'string' if kind is str else 'boolean'}")


# --- verify --format json ----------------------------------------------------------------------

#: The version of ``evidence verify --format json``; fields are added, never renamed.
VERIFY_VERSION = 1


def verify_document(
    root: Path, verified: VerifyResult, diff: ManifestDiff | None
) -> dict[str, Any]:
    """``evidence verify --format json``: what was verified, every problem, the git history's
    state and, with a manifest, every difference from it (docs/provenance.md)."""
    history = verified.history
    state = git_state(root) if diff is None else None
    git = (
        {"commit": state.commit, "dirty": state.dirty}
        if state is not None
        else {"commit": diff.commit if diff else None, "dirty": diff.dirty if diff else None}
    )
    findings = [
        {
            "code": finding.code,
            "severity": finding.severity.value,
            "file": finding.location.file if finding.location else None,
            "line": (finding.location.line or None) if finding.location else None,
            "column": (finding.location.column or None) if finding.location else None,
            "message": finding.message,
            "subject": finding.subject,
        }
        for finding in verified.run.findings
    ]
    return {
        "version": VERIFY_VERSION,
        "verified": {
            "records": verified.records,
            "files": verified.files,
            "intact": verified.intact,
            "problems": len(verified.run.findings),
        },
        "findings": findings,
        "git": git,
        "history": (
            {"state": history.state.value, "reason": history.reason}
            if history is not None
            else {"state": "not-read", "reason": "ciptool.yaml is not usable"}
        ),
        "identical": None if diff is None else diff.identical,
        "against": None if diff is None else _diff_document(diff),
    }


def _diff_document(diff: ManifestDiff) -> dict[str, Any]:
    return {
        "delivered_commit": diff.delivered_commit,
        "records": {
            "added": list(diff.records_added),
            "removed": list(diff.records_removed),
            "changed": [
                {
                    "record": change.record,
                    "fields": [
                        {"field": f.field, "delivered": f.delivered, "now": f.now}
                        for f in change.fields
                    ],
                }
                for change in diff.records_changed
            ],
        },
        "files": {
            "added": list(diff.files_added),
            "removed": list(diff.files_removed),
            "changed": [
                {"path": c.path, "kind": c.kind, "delivered": c.delivered, "now": c.now}
                for c in diff.files_changed
            ],
        },
    }


def diff_lines(diff: ManifestDiff) -> list[str]:
    """Every difference, one line each, for the terminal."""
    lines = []
    for record in diff.records_added:
        lines.append(f"record added    {_where(record)}  {_about(record)}")
    for record in diff.records_removed:
        lines.append(f"record removed  {_where(record)}  {_about(record)}")
    for change in diff.records_changed:
        names = ", ".join(f.field for f in change.fields)
        lines.append(f"record changed  {_where(change.record)}  {_about(change.record)}: {names}")
        for f in change.fields:
            lines.extend(_field_lines(f.field, f.delivered, f.now))
    for entry in diff.files_added:
        lines.append(f"file added      {entry['path']}  sha256 {entry['sha256'] or 'not found'}")
    for entry in diff.files_removed:
        lines.append(f"file removed    {entry['path']}  sha256 {entry['sha256'] or 'not found'}")
    for file in diff.files_changed:
        lines.append(f"file changed    {file.path}")
        lines.append(f"    sha256 delivered {file.delivered or 'not found'}")
        lines.append(f"    sha256 now       {file.now or 'not found'}")
    return lines


def _field_lines(name: str, delivered: Any, now: Any) -> list[str]:
    """What changed in a field, down to the entry and key that differ."""
    if isinstance(delivered, dict) and isinstance(now, dict):
        keys = [*delivered, *(key for key in now if key not in delivered)]
        return [
            line
            for key in keys
            if delivered.get(key) != now.get(key)
            for line in _field_lines(f"{name}.{key}", delivered.get(key), now.get(key))
        ]
    if isinstance(delivered, list) and isinstance(now, list) and len(delivered) == len(now):
        return [
            line
            for index, (old, new) in enumerate(zip(delivered, now, strict=True))
            if old != new
            for line in _field_lines(f"{name}[{index}]", old, new)
        ]
    return [f"    {name}: {_value(delivered)} -> {_value(now)}"]


def _where(record: dict[str, Any]) -> str:
    line = record["position"].get("line") or 0
    return f"{record['file']}:{line}" if line else str(record["file"])


def _about(record: dict[str, Any]) -> str:
    owner = record.get("control") or record.get("third_party") or ""
    period = record.get("period")
    days = (
        f"{period['start']}..{period['end']}" if period else f"effective {record['effective_on']}"
    )
    return f"{owner} / {record['requirement']} {days}, collected on {record['collected_on']}"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return "null" if value is None else str(value)
