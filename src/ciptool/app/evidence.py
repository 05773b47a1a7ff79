"""``ciptool evidence add``: record evidence with its digests, as a new file, never overwriting;
``ciptool evidence verify``: check every evidence file against its recorded digest.

Evidence is for a control's evidence requirement, or for a third party's minimum standard of
the Third Party Management Program (``--third-party``); the two are recorded and verified alike.

Files already inside the repository are referenced where they are; files from elsewhere are
copied into the ``files/`` folder beside the new record. The record is written the way a
person would write it, read back and validated before it is written, and written atomically
to a name no other file has. A command that fails part way removes what it made (the copies
and the folders made for them) and nothing else: all or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
import re
from collections.abc import Collection, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

from ciptool.app.explain import load_graph
from ciptool.engine import check_loaded, tally
from ciptool.errors import UsageError
from ciptool.fileio.atomic import CannotWrite, write_output
from ciptool.findings import Severity, sorted_findings
from ciptool.graph import Graph
from ciptool.incremental.ahead import ReadAhead
from ciptool.loader import load_repository
from ciptool.loader.hashing import sha256_file
from ciptool.loader.validate import validate_record
from ciptool.loader.yamlparse import parse_yaml
from ciptool.models import EvidenceRecord, ThirdPartyEvidenceRecord
from ciptool.models.history import EvidenceHistory
from ciptool.models.records import Period
from ciptool.models.repository import THIRD_PARTY_EVIDENCE, Repository, SourcedEvidence
from ciptool.models.standards import MINIMUM_STANDARDS, STANDARDS_BY_ID
from ciptool.queries.suggestions import Closest, did_you_mean
from ciptool.queries.third_parties import evidence_by_third_party
from ciptool.results import RunResult, RunSettings

EVIDENCE_DIR = "evidence"
#: Bytes copied at a time.
_PIECE = 1024 * 1024
FILES_DIR = "files"


@dataclass(frozen=True)
class NewEvidence:
    """What the user asked to record."""

    files: tuple[Path, ...]
    #: The control the evidence is for; empty for a third party's evidence.
    control: str
    #: The control's evidence requirement, or the third party's minimum standard.
    requirement: str
    collected_on: dt.date
    effective_on: dt.date | None = None
    period: Period | None = None
    source: str = ""
    collected_by: str = ""
    today: dt.date = field(default_factory=dt.date.today)
    #: The third party the evidence is for, instead of a control.
    third_party: str = ""

    @property
    def owner(self) -> str:
        """The control, or the third party, the evidence is for."""
        return self.third_party or self.control

    def when(self) -> str:
        """The days the evidence speaks for, in words."""
        if self.period is not None:
            return f"for the period {self.period.start}..{self.period.end}"
        return f"effective {self.effective_on or self.collected_on}"


@dataclass(frozen=True)
class Recorded:
    """What ``add_evidence`` wrote: the record file and the evidence files it copied."""

    record: Path
    copied: tuple[Path, ...]
    referenced: tuple[Path, ...]


def add_evidence(root: Path, new: NewEvidence) -> Recorded:
    """Write a new evidence record for ``new`` under ``root``; raise UsageError on bad input."""
    _check_dates(new)
    graph, _findings = load_graph(root)
    if graph is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    if new.third_party:
        _refuse_unknown_standard(graph, new)
    else:
        _refuse_unknown_requirement(graph, new)
    if not new.files:
        raise UsageError("name at least one evidence file")
    effective = new.period.end if new.period else new.effective_on or new.collected_on
    folder = root / EVIDENCE_DIR / str(effective.year)
    _refuse_links_out(root, folder)
    plan = [_place(root, folder, source) for source in new.files]
    _refuse_a_repeat(graph, new, {digest for _, _, digest in plan})
    stem = f"{slug(new.owner)}-{slug(new.requirement)}-{effective}"
    record_path = _free_name(folder, stem, ".yaml")
    made: list[Path] = []  # the folders and files this command made, in the order made
    try:
        copied, plan = _copy(plan, made)
        entries = [
            (posixpath.relpath(target.relative_to(root).as_posix(), _rel(root, folder)), digest)
            for _, target, digest in plan
        ]
        text = render_record(new, entries)
        _validate(text, record_path.relative_to(root).as_posix(), third_party=bool(new.third_party))
        _make_folders(record_path.parent, made)
        # Another run recording at the same time may take the name first: the next is taken.
        while not write_new(record_path, text.encode("utf-8")):
            record_path = _free_name(folder, stem, ".yaml")
    except CannotWrite as exc:
        remove_made(made)
        raise CannotWrite(f"{exc}; nothing was recorded") from None
    except BaseException:
        remove_made(made)
        raise
    referenced = tuple(target for source, target, _ in plan if source == target)
    return Recorded(record_path, copied, referenced)


def _refuse_unknown_requirement(graph: Graph, new: NewEvidence) -> None:
    """Refuse a control, or an evidence requirement of it, that does not exist."""
    control = graph.controls.get(new.control)
    if control is None and graph.repository.is_invalid("controls", new.control):
        raise UsageError(f"control {new.control} has errors; `ciptool check` shows them")
    if control is None:
        hint = Closest(graph.controls).hint(new.control, "`ciptool explain ID` shows a control.")
        raise UsageError(f"no control `{new.control}`. {hint}")
    known = [requirement.id for requirement in control.record.evidence]
    if new.requirement not in known:
        listed = ", ".join(known) or "none"
        hint = did_you_mean(new.requirement, known, "")
        raise UsageError(
            f"control {new.control} has no evidence requirement `{new.requirement}`"
            f" (it has: {listed})" + (f". {hint}" if hint else "")
        )


def _refuse_unknown_standard(graph: Graph, new: NewEvidence) -> None:
    """Refuse a third party, or a minimum standard, that does not exist."""
    ident = new.third_party
    if ident not in graph.third_parties:
        if graph.repository.is_invalid("third_parties", ident):
            raise UsageError(f"third party {ident} has errors; `ciptool check` shows them")
        hint = Closest(graph.third_parties).hint(ident, "Its id is in third-parties/.")
        raise UsageError(f"no third party `{ident}`. {hint}")
    if new.requirement not in STANDARDS_BY_ID:
        known = [standard.id for standard in MINIMUM_STANDARDS]
        hint = did_you_mean(new.requirement, known, "")
        raise UsageError(
            f"`{new.requirement}` is not a minimum standard of the Third Party Management"
            f" Program (they are: {', '.join(known)})" + (f". {hint}" if hint else "")
        )


def _copy(
    plan: list[tuple[Path, Path, str]], made: list[Path]
) -> tuple[tuple[Path, ...], list[tuple[Path, Path, str]]]:
    """Copy the files from outside the repository, adding what is made to ``made``: the
    copies, and the plan with the name each copy took (another run recording at the same
    time may take a name first; a file it wrote with the same bytes is used as it is)."""
    copied = []
    placed = []
    for source, planned, digest in plan:
        target = planned
        # The planned name may have been taken since it was planned, by another run recording
        # other bytes: they are never pointed at, and the copy takes the next free name.
        if source != target and not (target.is_file() and _sha256(target) == digest):
            _make_folders(target.parent, made)
            while not write_new(target, _pieces(source, digest)):
                if target.is_file() and _sha256(target) == digest:
                    break
                stem, suffix = _split(source.name)
                target = _free_name(target.parent, stem, suffix)
            else:
                made.append(target)
                copied.append(target)
        placed.append((source, target, digest))
    return tuple(copied), placed


def write_new(path: Path, data: bytes | Iterable[bytes]) -> bool:
    """Write a new file at ``path``: False when a file is there already (nothing written)."""
    try:
        write_output(path, data, overwrite=False)
    except CannotWrite:
        if os.path.lexists(path):
            return False
        raise
    return True


def _pieces(source: Path, digest: str) -> Iterator[bytes]:
    """The bytes of ``source`` a megabyte at a time, never the whole file at once (a 3 GB
    file took 3.2 GB of memory); raise UsageError, after the last piece, when they are not
    the bytes whose SHA-256 was ``digest``, so that the copy is not kept."""
    hashed = hashlib.sha256()
    with source.open("rb") as handle:
        while piece := handle.read(_PIECE):
            hashed.update(piece)
            yield piece
    if hashed.hexdigest() != digest:
        raise UsageError(f"{source} changed while it was being recorded; run the command again")


def _make_folders(folder: Path, made: list[Path]) -> None:
    """Make ``folder`` and the folders above it that are missing, adding each to ``made``.

    One that cannot be made is left to the write that follows, which says why.
    """
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    for path in reversed(missing):
        try:
            path.mkdir()
        except OSError:
            return
        made.append(path)


def remove_made(made: list[Path]) -> None:
    """Remove what a failed command made, newest first: all or nothing. Nothing else is
    touched, and a folder is removed only while empty."""
    for path in reversed(made):
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
        except OSError:
            pass  # gone already, or a folder someone else has put a file in meanwhile


def _refuse_links_out(root: Path, folder: Path) -> None:
    """Refuse when a folder the command would write in resolves outside ``root``: a received
    repository's ``evidence/`` (or its year, or ``files/``) may be a link to anywhere.
    """
    real_root = os.path.realpath(root)
    for path in (root / EVIDENCE_DIR, folder, folder / FILES_DIR):
        real = os.path.realpath(path)  # links on the way followed, the last one included
        if real != real_root and not real.startswith(real_root + os.sep):
            raise UsageError(
                f"`{_rel(root, path)}` is a link that leads outside the repository;"
                " nothing was recorded"
            )


def _check_dates(new: NewEvidence) -> None:
    """Refuse dates ``ciptool check`` would find wrong: after today, or after the collection."""
    if new.collected_on > new.today:
        raise UsageError(f"--collected-on {new.collected_on} is after today ({new.today})")
    if new.period is not None and new.period.end > new.collected_on:
        said = f"--period ends {new.period.end}, after"
    elif new.effective_on is not None and new.effective_on > new.collected_on:
        said = f"--effective-on {new.effective_on} is after"
    else:
        return
    raise UsageError(
        f"{said} --collected-on {new.collected_on}: evidence speaks for a day no later than"
        " the day it was collected"
    )


def _refuse_a_repeat(graph: Graph, new: NewEvidence, digests: set[str]) -> None:
    """Refuse to record again files a record already lists for the same control and days."""
    effective_on = None if new.period else new.effective_on or new.collected_on
    key = (new.owner, new.requirement)
    records: list[SourcedEvidence] = (
        [*evidence_by_third_party(graph).get(key, ())]
        if new.third_party
        else [*graph.evidence_by_requirement.get(key, ())]
    )
    for sourced in records:
        record = sourced.record
        if record.period != new.period or record.effective_on != effective_on:
            continue
        if digests <= {listed.sha256 for listed in record.files}:
            raise UsageError(
                f"{sourced.file} already records this evidence for {new.owner} /"
                f" {new.requirement} {new.when()} (the same digests); nothing was written"
            )


def _place(root: Path, folder: Path, source: Path) -> tuple[Path, Path, str]:
    """(source, where the record will point, digest): inside the repository, or a copy."""
    resolved = source.resolve()
    if not resolved.is_file():
        raise UsageError(f"{source} is not a file")
    digest = _sha256(resolved)
    if resolved.is_relative_to(root):
        if ".git" in resolved.relative_to(root).parts:
            raise UsageError(f"{source} is inside .git; copy it somewhere else first")
        return resolved, resolved, digest
    stem, suffix = _split(resolved.name)
    target = folder / FILES_DIR / resolved.name
    index = 2
    while target.exists():
        if _sha256(target) == digest:
            return resolved, target, digest  # the same bytes are already there
        target = folder / FILES_DIR / f"{stem}-{index}{suffix}"
        index += 1
    return resolved, target, digest


def render_record(new: NewEvidence, files: list[tuple[str, str]]) -> str:
    """The record as YAML, formatted as in the README's examples."""
    owner = "third_party" if new.third_party else "control"
    lines = [
        "evidence:",
        f"  - {owner}: {scalar(new.owner)}",
        f"    requirement: {scalar(new.requirement)}",
        f"    collected_on: {new.collected_on.isoformat()}",
    ]
    if new.period is not None:
        lines.append(f"    period: {{start: {new.period.start}, end: {new.period.end}}}")
    else:
        lines.append(f"    effective_on: {(new.effective_on or new.collected_on).isoformat()}")
    if new.collected_by:
        lines.append(f"    collected_by: {scalar(new.collected_by)}")
    if new.source:
        lines.append(f"    source: {scalar(new.source)}")
    lines.append("    files:")
    lines.extend(f'      - {{path: {scalar(path)}, sha256: "{digest}"}}' for path, digest in files)
    return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9 ._/()+-]*[A-Za-z0-9._/()+-]$|^[A-Za-z_]$")
#: Words YAML 1.1 tools read as booleans or nulls; quoted so every reader sees text.
_AMBIGUOUS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null", "nan", "inf"})


def scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when every reader sees the same text, else quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _AMBIGUOUS:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _validate(text: str, rel: str, *, third_party: bool) -> None:
    parsed = parse_yaml(text)
    data = parsed.data
    if parsed.problems or not isinstance(data, dict) or not isinstance(data.get("evidence"), list):
        raise UsageError("the record could not be written as valid YAML")  # a bug guard
    model = ThirdPartyEvidenceRecord if third_party else EvidenceRecord
    _record, problems = validate_record(model, data["evidence"][0], rel, ("evidence", 0))
    if problems:
        raise UsageError("; ".join(f.message for f in problems))


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    candidate = folder / f"{stem}{suffix}"
    index = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{index}{suffix}"
        index += 1
    return candidate


def free_record_name(folder: Path, stem: str, taken: Collection[Path] = ()) -> Path:
    """``folder/stem.yaml``, or ``stem-2.yaml``, ``stem-3.yaml``...: the first name that no
    entry has (a dangling link included) and that is not in ``taken``."""
    candidate = folder / f"{stem}.yaml"
    index = 2
    while candidate in taken or os.path.lexists(candidate):
        candidate = folder / f"{stem}-{index}.yaml"
        index += 1
    return candidate


def slug(text: str, fallback: str = "evidence") -> str:
    """``text`` as a file name's part: lower-case letters and digits joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or fallback


def _split(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    return (stem, f".{suffix}") if dot and stem else (name, "")


def _rel(root: Path, folder: Path) -> str:
    return folder.relative_to(root).as_posix()


def _sha256(path: Path) -> str:
    return sha256_file(path)[0]


#: What ``ciptool evidence verify`` judges: integrity and nothing else.
INTEGRITY_CODES = ("EV003", "EV004", "RF008")


@dataclass(frozen=True)
class VerifyResult:
    """``ciptool evidence verify``: the integrity findings and what was verified."""

    run: RunResult
    records: int
    files: int
    intact: int
    #: What the git history says of the records (read for the back-dated evidence check).
    history: EvidenceHistory | None = None
    #: The repository as verified, for a comparison with a manifest; None when unusable.
    repository: Repository | None = None

    @property
    def config_usable(self) -> bool:
        """False when ciptool.yaml could not be read."""
        return self.run.config_usable


def verify_evidence(root: Path) -> VerifyResult:
    """Check every evidence file against its recorded digest; nothing about dates or scope.

    Every file is hashed afresh: an integrity check for an auditor takes no cache's word.
    The files of a record that fails validation are verified when its ``files`` entries are
    valid, and every error reading an evidence record is itself a failure of verification: a
    record the check cannot read is a record whose files it cannot vouch for.
    """
    # The date plays no part in the integrity checks; any fixed day gives the same answer.
    settings = RunSettings(today=dt.date.min, select=INTEGRITY_CODES, fail_on="error")
    # Read ahead, with no cache: every file is hashed afresh, by workers when many.
    with closing(ReadAhead(root, None)) as source:
        result, graph = check_loaded(load_repository(root, source), settings)
    if graph is None:
        return VerifyResult(result, 0, 0, 0)
    repository = graph.repository
    verified = repository.evidence_listing_files()
    listed = sum(len(sourced.record.files) for sourced in verified)
    intact = listed - len(result.findings)
    unreadable = [
        finding
        for finding in repository.findings
        if finding.severity is Severity.ERROR
        and finding.location is not None
        and finding.location.file.startswith("evidence/")
    ]
    if unreadable:
        findings = tuple(sorted_findings([*result.findings, *unreadable]))
        result = replace(result, findings=findings, counts=tally(findings))
    records = (
        sum(len(repository.partial.get(kind, ())) for kind in ("evidence", THIRD_PARTY_EVIDENCE))
        + len(repository.evidence)
        + len(repository.third_party_evidence)
    )
    return VerifyResult(result, records, listed, intact, repository.history, repository)
