"""Reading many YAML files at once: from the cache when unchanged, in parallel when many.

Parsing is the largest cost of a check (about 12 MB a second, see :mod:`.yamlparse`), and it
is the same work for the same bytes, so each file's outcome is cached (see
:mod:`ciptool.incremental.filecache`) and only changed files are parsed. When the files to
parse add up to more than :data:`PARALLEL_MIN_BYTES`, worker processes parse them and hand
back marshalled bytes; below that, starting workers costs more than it saves.
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
from ciptool.incremental.cachefiles import unmarshal
from ciptool.incremental.filecache import FileCache, git_blob_id
from ciptool.incremental.signatures import Identity, identity
from ciptool.incremental.workers import Workers
from ciptool.loader.files import FoundFile, decode_yaml, read_yaml_bytes
from ciptool.loader.yamlparse import (
    MAX_ALIAS_CHARACTERS,
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    YamlProblem,
    parse_yaml,
)

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
    #: Where to read the file again when a cached payload proves malformed, and the inode
    #: found there before.
    path: str | None = None
    inode: int | None = None

    def open(self) -> ParsedFile:
        """The file's data, digest and findings."""
        if self.payload is None:
            return ParsedFile(None, None, (self.problem,) if self.problem else ())
        digest, packed = self.payload
        content = unpacked(packed)
        if content is None and self.path is not None:
            # A cache file may hold anything: what does not unpack is read afresh.
            ((_rel, outcome),) = _parse_chunk([(self.rel, self.path, self.inode)], {})
            if outcome[0] == "read":
                return ParsedFile(None, None, (_read_problem(self.rel, outcome[1]),))
            return ReadFile(self.rel, outcome[2]).open()
        data, problems = content if content is not None else (None, ())
        findings = tuple(_yaml_finding(self.rel, YamlProblem(*problem)) for problem in problems)
        return ParsedFile(data, digest, findings)


def unpacked(packed: bytes) -> tuple[Any, tuple[tuple[Any, ...], ...]] | None:
    """The data and problems ``packed`` holds, or None when it is not what a parse stores.

    A cached parse may have been made by hand: anything a parse of YAML cannot give (a set,
    bytes, a code object, a number, a key that is not text, a list holding itself, nesting
    deeper than :data:`MAX_DEPTH`, more shared content than aliases may add) is refused, and
    the file is read again.
    """
    try:
        content = unmarshal(packed)
    except (EOFError, ValueError, TypeError):
        return None
    if not (type(content) is tuple and len(content) == 2):
        return None
    data, problems = content
    if type(problems) is not tuple or not all(_is_problem(item) for item in problems):
        return None
    return (data, problems) if parsed_data(data) else None


def _is_problem(item: Any) -> bool:
    return (
        type(item) is tuple
        and len(item) == 6
        and type(item[0]) is str
        and type(item[1]) is str
        and type(item[2]) is int
        and type(item[3]) is int
        and type(item[4]) is str
        and type(item[5]) is tuple
        and all(type(step) is str or type(step) is int for step in item[5])
    )


#: What :func:`parsed_data` lets be reached again: a parse's alias limits counted as it counts
#: (a collection and its items, each time), with room to spare.
_MOST_REPEATED_NODES = 4 * MAX_ALIAS_EXPANSION
_MOST_REPEATED_CHARACTERS = 2 * MAX_ALIAS_CHARACTERS


def parsed_data(data: Any) -> bool:
    """True when ``data`` is what :func:`parse_yaml` builds: mappings with text keys, lists,
    text and None, nested at most :data:`MAX_DEPTH` deep, with no more content reached again
    than aliases may add.

    What is reached again is counted as a walk would meet it (a list holding itself is met
    without end), against limits a few times the parser's: a parse counts the nodes and
    characters its aliases add, this walk each collection with its items, so what a parse of
    any file builds is always accepted here.
    """
    if data is None or type(data) is str:
        return True
    kind = type(data)
    if kind is not dict and kind is not list:
        return False
    seen: set[int] = set()
    nodes = characters = 0
    stack: list[tuple[Any, int, bool]] = [(data, 0, False)]
    while stack:
        node, depth, again = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if again or id(node) in seen:
            again = True
            nodes += 1 + len(node)
            if nodes > _MOST_REPEATED_NODES:
                return False
        else:
            seen.add(id(node))
        if type(node) is dict:
            for key in node:
                if type(key) is not str:
                    return False
                if again:
                    characters += len(key)
            children = node.values()
        else:
            children = node
        for child in children:
            kind = type(child)
            if kind is str:
                if again:
                    characters += len(child)
            elif kind is dict or kind is list:
                stack.append((child, depth + 1, again))
            elif child is not None:
                return False
        if characters > _MOST_REPEATED_CHARACTERS:
            return False
    return True


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
                inode = identities[found.rel][2]
                self._results[found.rel] = ReadFile(
                    found.rel, hit.payload, path=str(found.path), inode=inode
                )
            else:
                to_parse.append(found)  # a racy hit is parsed again unless its text is unchanged
        verified = {f.rel: hits[f.rel].payload for f in to_parse if f.rel in hits}
        self._outcomes = _parse_all(to_parse, identities, verified, workers)
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
            ident = identities.get(rel)
            inode = ident[2] if ident is not None else None
            results[rel] = ReadFile(rel, payload, path=self._paths.get(rel), inode=inode)
            if rel in identities:
                self._cache.store("yaml", rel, identities[rel], payload, blob)
        return results


#: A file to parse: its repository path, its path, and its inode when it was found (a file
#: found there with another is not read; see :func:`read_yaml_bytes`).
_ToParse = tuple[str, str, int | None]


def _parse_all(
    files: list[FoundFile],
    identities: dict[str, Identity],
    verified: dict[str, Payload],
    workers: Workers | None,
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(path, outcome) for each file; with ``workers``, their parsing begins at once."""
    jobs: list[tuple[_ToParse, int]] = []
    for found in files:
        ident = identities.get(found.rel)
        inode, size = (ident[2], ident[0]) if ident is not None else (None, 0)
        jobs.append(((found.rel, str(found.path), inode), size))
    total = sum(size for _, size in jobs)
    if total < PARALLEL_MIN_BYTES or workers is None or not workers.available:
        return _parse_chunk([item for item, _ in jobs], verified)
    chunks: list[tuple[list[_ToParse], dict[str, Payload]]] = []
    chunk: list[_ToParse] = []
    size = 0
    for index, (item, item_size) in enumerate(jobs):
        chunk.append(item)
        size += item_size
        if size >= _CHUNK_BYTES or index == len(jobs) - 1:
            chunks.append((chunk, {rel: verified[rel] for rel, _, _ in chunk if rel in verified}))
            chunk, size = [], 0
    return itertools.chain.from_iterable(workers.imap(_parse_job, chunks))


def _parse_job(job: tuple[list[_ToParse], dict[str, Payload]]) -> list[Any]:
    return list(_parse_chunk(*job))


def _parse_chunk(
    chunk: list[_ToParse], verified: dict[str, Payload]
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(path, outcome) for each file: ``("read", problem)`` or ``("yaml", blob, payload)``."""
    for rel, path, inode in chunk:
        raw, problem = read_yaml_bytes(rel, path, inode)
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
