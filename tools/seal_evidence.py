"""Write the SHA-256 digest of every evidence file into the evidence records that list it.

Evidence records (``evidence:`` lists in YAML files under ``evidence/``) name their files as
``files: [{path: ..., sha256: ...}]``, with paths relative to the record file's folder. This
script hashes each named file and replaces the 64-hex value of its ``sha256`` key in place:
only the characters of that one scalar change, so comments, layout and key order survive.

    python tools/seal_evidence.py              # seal every record under ./evidence
    python tools/seal_evidence.py --check      # verify only; exit 1 on any mismatch
    python tools/seal_evidence.py evidence/2026/iam-03.yaml

YAML files inside a folder named ``files`` are evidence artifacts, not records, and are skipped.
Exit status: 0 when every digest is (now) right, 1 on a mismatch under ``--check`` or on any
problem (unreadable record, missing file, missing ``sha256`` key), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ARTIFACT_FOLDER = "files"
RECORD_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Entry:
    """One ``files:`` entry of a record: its path and where its digest sits in the text."""

    path: str
    digest: str
    node: yaml.ScalarNode | None


@dataclass
class Outcome:
    """What happened to one record file."""

    changed: int = 0
    verified: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        self.problems.append(message)


def file_digest(path: Path) -> str:
    """The lower-case hex SHA-256 of the file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    pairs: list[tuple[yaml.Node, yaml.Node]] = mapping.value
    for key_node, value_node in pairs:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def file_entries(root: yaml.Node | None) -> Iterator[Entry]:
    """Every ``files:`` entry of every record in a composed ``evidence:`` document."""
    if not isinstance(root, yaml.MappingNode):
        return
    records = _value(root, "evidence")
    if not isinstance(records, yaml.SequenceNode):
        return
    for record in records.value:
        if not isinstance(record, yaml.MappingNode):
            continue
        files = _value(record, "files")
        if not isinstance(files, yaml.SequenceNode):
            continue
        for item in files.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            path = _value(item, "path")
            if not isinstance(path, yaml.ScalarNode):
                continue
            digest = _value(item, "sha256")
            node = digest if isinstance(digest, yaml.ScalarNode) else None
            yield Entry(path.value, node.value if node is not None else "", node)


def _replacement(node: yaml.ScalarNode, digest: str) -> str:
    """The new scalar text, keeping the quote style (a plain value becomes double-quoted)."""
    if node.style == "'":
        return f"'{digest}'"
    return f'"{digest}"'


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def seal(record_file: Path, *, check: bool) -> Outcome:
    """Verify, and unless ``check`` rewrite, the digests of one record file."""
    outcome = Outcome()
    try:
        text = record_file.read_bytes().decode("utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        outcome.problem(f"cannot read the record file: {exc}")
        return outcome
    edits: list[tuple[int, int, str]] = []
    for entry in file_entries(root):
        target = record_file.parent / entry.path
        if Path(entry.path).is_absolute() or not target.is_file():
            outcome.problem(f"{entry.path}: no such file beside the record")
            continue
        actual = file_digest(target)
        if entry.node is None:
            outcome.problem(f"{entry.path}: add a `sha256` key so the digest has a place")
            continue
        if entry.node.style in ("|", ">"):
            outcome.problem(f"{entry.path}: write the digest as a plain or quoted scalar")
            continue
        if entry.digest == actual:
            outcome.verified += 1
            continue
        if check:
            outcome.problem(f"{entry.path}: digest mismatch (file is {actual})")
            continue
        start, end = entry.node.start_mark.index, entry.node.end_mark.index
        edits.append((start, end, _replacement(entry.node, actual)))
    if edits:
        for start, end, new in sorted(edits, reverse=True):
            text = text[:start] + new + text[end:]
        _write_atomically(record_file, text.encode("utf-8"))
        outcome.changed = len(edits)
    return outcome


def record_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Record files named, or found under the folders named, skipping ``files/`` artifacts."""
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                inside = candidate.relative_to(path).parts[:-1]
                if (
                    candidate.suffix in RECORD_SUFFIXES
                    and candidate.is_file()
                    and ARTIFACT_FOLDER not in inside
                ):
                    yield candidate
        else:
            yield path


def _repository_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / "ciptool.yaml").is_file():
            return folder
    return start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "paths", nargs="*", type=Path, help="record files or folders (default: evidence/)"
    )
    parser.add_argument("--check", action="store_true", help="verify only, change nothing")
    args = parser.parse_args(argv)
    paths: list[Path] = args.paths or [_repository_root(Path.cwd()) / "evidence"]
    missing = [path for path in paths if not path.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(map(str, missing))}")

    changed = verified = failures = 0
    for record_file in record_files(paths):
        outcome = seal(record_file, check=args.check)
        changed += outcome.changed
        verified += outcome.verified
        if outcome.changed:
            print(f"{record_file}: sealed {outcome.changed} digest(s)")
        for message in outcome.problems:
            failures += 1
            print(f"{record_file}: {message}", file=sys.stderr)
    action = "verified" if args.check else "sealed"
    print(f"{action}: {verified} already correct, {changed} rewritten, {failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
