"""Reading many YAML files at once: from the cache when unchanged, in parallel when many.

Parsing is the largest cost of a check (about 12 MB a second, see :mod:`.yamlparse`), and it
is the same work for the same bytes, so each file's outcome is cached (see
:mod:`ciptool.loader.cache`) and only changed files are parsed. When the files to parse add up
to more than :data:`PARALLEL_MIN_BYTES`, worker processes parse them and hand back marshalled
bytes; below that, starting workers costs more than it saves.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import marshal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.findings import Finding, Location, Severity, format_yaml_path
from ciptool.inputs import Identity, identity
from ciptool.loader.cache import FileCache, git_blob_id
from ciptool.loader.files import FoundFile, decode_yaml, read_yaml_bytes
from ciptool.loader.workers import Workers
from ciptool.loader.yamlparse import YamlProblem, parse_yaml

#: Below this many bytes to parse, one process does it all (measured: a worker process pays
#: for itself from about a megabyte of YAML).
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
_CHUNK_BYTES = 512 * 1024

#: A parsed file as the cache keeps it: the SHA-256 of its text, and its data and problems
#: marshalled (kept as bytes, a file's data costs memory only while its records are validated).
Payload = tuple[str, bytes]


@dataclass(frozen=True)
class ParsedFile:
    """One YAML file's data (``None`` when it could not be read) and what stood in the way."""

    data: Any
    digest: str | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ReadFile:
    """A file read or taken from the cache, to be opened when its records are validated."""

    rel: str
    payload: Payload | None
    problem: Finding | None = None
    #: Where to read the file again when a cached payload proves malformed.
    path: str | None = None

    def open(self) -> ParsedFile:
        """The file's data, digest and findings."""
        if self.payload is None:
            return ParsedFile(None, None, (self.problem,) if self.problem else ())
        digest, packed = self.payload
        content = unpacked(packed)
        if content is None and self.path is not None:
            # A cache file may hold anything: what does not unpack is read afresh.
            ((_rel, outcome),) = _parse_chunk([(self.rel, self.path)], {})
            if outcome[0] == "read":
                return ParsedFile(None, None, (_read_problem(self.rel, outcome[1]),))
            return ReadFile(self.rel, outcome[2]).open()
        data, problems = content if content is not None else (None, ())
        findings = tuple(_yaml_finding(self.rel, YamlProblem(*problem)) for problem in problems)
        return ParsedFile(data, digest, findings)


def unpacked(packed: bytes) -> tuple[Any, tuple[tuple[Any, ...], ...]] | None:
    """The data and problems ``packed`` holds, or None when it is not what a parse stores."""
    try:
        data, problems = marshal.loads(packed)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(problems, tuple) or not all(_is_problem(item) for item in problems):
        return None
    return data, problems


def _is_problem(item: Any) -> bool:
    return (
        isinstance(item, tuple)
        and len(item) == 6
        and all(isinstance(field, str) for field in item[:2])
        and all(type(field) is int for field in item[2:4])
    )


def read_yaml_files(
    files: Sequence[FoundFile], cache: FileCache, workers: Workers | None = None
) -> dict[str, ReadFile]:
    """Every file by path: from the cache when the file is unchanged, else parsed now.

    Many files to parse are shared among ``workers``; without them, this process parses all.
    """
    return Reading(files, cache, workers).finish()


class Reading:
    """YAML files being read: those unchanged taken from the cache, and the parsing of the
    others begun (in ``workers``, when there are many).
    """

    def __init__(
        self, files: Sequence[FoundFile], cache: FileCache, workers: Workers | None = None
    ) -> None:
        identities: dict[str, Identity] = {}
        for found in files:
            if isinstance(found.signature, tuple):  # as the walk found it
                identities[found.rel] = found.signature
            elif found.signature is None:
                with contextlib.suppress(OSError):  # reading the file says why
                    identities[found.rel] = identity(found.path.stat())
        hits = cache.match("yaml", identities.items())
        self._results: dict[str, ReadFile] = {}
        to_parse: list[FoundFile] = []
        for found in files:
            hit = hits.get(found.rel)
            if hit is not None and hit.trusted:
                self._results[found.rel] = ReadFile(found.rel, hit.payload, path=str(found.path))
            else:
                to_parse.append(found)  # a racy hit is parsed again unless its text is unchanged
        verified = {f.rel: hits[f.rel].payload for f in to_parse if f.rel in hits}
        sizes = {rel: ident[0] for rel, ident in identities.items()}
        self._outcomes = _parse_all(to_parse, sizes, verified, workers)
        self._identities, self._cache = identities, cache
        self._paths = {found.rel: str(found.path) for found in files}

    def finish(self) -> dict[str, ReadFile]:
        """Every file by path, once the parsing is done; the files parsed are cached."""
        results, identities = self._results, self._identities
        for rel, outcome in self._outcomes:
            if outcome[0] == "read":
                results[rel] = ReadFile(rel, None, _read_problem(rel, outcome[1]))
                continue
            _kind, blob, payload = outcome
            results[rel] = ReadFile(rel, payload, path=self._paths.get(rel))
            if rel in identities:
                self._cache.store("yaml", rel, identities[rel], payload, blob)
        return results


def _parse_all(
    files: list[FoundFile],
    sizes: dict[str, int],
    verified: dict[str, Payload],
    workers: Workers | None,
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(path, outcome) for each file; with ``workers``, their parsing begins at once."""
    total = sum(sizes.get(found.rel, 0) for found in files)
    if total < PARALLEL_MIN_BYTES or workers is None or not workers.available:
        return _parse_chunk([(f.rel, str(f.path)) for f in files], verified)
    chunks: list[tuple[list[tuple[str, str]], dict[str, Payload]]] = []
    chunk: list[tuple[str, str]] = []
    size = 0
    for found in files:
        chunk.append((found.rel, str(found.path)))
        size += sizes.get(found.rel, 0)
        if size >= _CHUNK_BYTES or found is files[-1]:
            chunks.append((chunk, {rel: verified[rel] for rel, _ in chunk if rel in verified}))
            chunk, size = [], 0
    return itertools.chain.from_iterable(workers.imap(_parse_job, chunks))


def _parse_job(job: tuple[list[tuple[str, str]], dict[str, Payload]]) -> list[Any]:
    return list(_parse_chunk(*job))


def _parse_chunk(
    chunk: list[tuple[str, str]], verified: dict[str, Payload]
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(path, outcome) for each file: ``("read", problem)`` or ``("yaml", blob, payload)``."""
    for rel, path in chunk:
        raw, problem = read_yaml_bytes(rel, path)
        if raw is not None:
            text, problem = decode_yaml(rel, raw)
        if problem is not None:
            yield rel, ("read", _problem_tuple(problem))
            continue
        assert raw is not None
        assert text is not None
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        known = verified.get(rel)
        if known is not None and known[0] == digest:
            yield rel, ("yaml", git_blob_id(raw), known)
            continue
        parsed = parse_yaml(text)
        problems = tuple(
            (p.code, p.message, p.line, p.column, p.suggestion, p.yaml_path)
            for p in parsed.problems
        )
        yield rel, ("yaml", git_blob_id(raw), (digest, marshal.dumps((parsed.data, problems))))


def _yaml_finding(rel: str, item: YamlProblem) -> Finding:
    return Finding(
        item.code,
        Severity.ERROR,
        item.message,
        Location(rel, item.line, item.column, format_yaml_path(item.yaml_path)),
        item.suggestion,
    )


def _problem_tuple(problem: Finding) -> tuple[Any, ...]:
    line, column = (problem.location.line, problem.location.column) if problem.location else (0, 0)
    return (problem.code, problem.message, line, column, problem.suggestion)


def _read_problem(rel: str, fields: tuple[Any, ...]) -> Finding:
    code, message, line, column, suggestion = fields
    return Finding(code, Severity.ERROR, message, Location(rel, line, column), suggestion)
