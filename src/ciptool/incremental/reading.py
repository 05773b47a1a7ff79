"""Reading many YAML files at once: from the cache when unchanged, in parallel when many.

Parsing is the largest cost of a check (about 12 MB a second, see
:mod:`ciptool.loader.yamlparse`), and it is the same work for the same bytes, so each file's
outcome is cached (see :mod:`.filecache`) and only changed files are parsed. When the files to
parse add up to more than :data:`PARALLEL_MIN_BYTES`, worker processes parse them and hand
back marshalled bytes; below that, starting workers costs more than it saves.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from ciptool.incremental.filecache import FileCache, git_blob_id
from ciptool.incremental.workers import Workers
from ciptool.loader.files import FoundFile
from ciptool.loader.identities import Identity, identity
from ciptool.loader.reading import (
    Payload,
    ReadFile,
    parsed_payload,
    problem_fields,
    read_problem,
    read_yaml_text,
)

#: Below this many bytes to parse, one process does it all (measured: a worker process pays
#: for itself from about a megabyte of YAML).
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
_CHUNK_BYTES = 512 * 1024


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
                results[rel] = ReadFile(rel, None, read_problem(rel, outcome[1]))
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
        raw, text, problem = read_yaml_text(rel, path, inode)
        if problem is not None:
            yield rel, ("read", problem_fields(problem))
            continue
        assert raw is not None
        assert text is not None
        known = verified.get(rel)
        if known is not None and known[0] == hashlib.sha256(text.encode("utf-8")).hexdigest():
            yield rel, ("yaml", git_blob_id(raw), known)
            continue
        yield rel, ("yaml", git_blob_id(raw), parsed_payload(text))
