"""YAML files read and parsed in this process, and a parse's outcome as it is kept.

A file's outcome is its SHA-256 and its data and problems marshalled (:data:`Payload`): the
form in which the incremental room keeps it between runs, so a parsed file is opened the same
way whether it was parsed now or taken from a cache. What a payload holds is checked when it
is opened (:func:`unpacked`): one that no parse could have made is read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.fileio.marshalled import unmarshal
from ciptool.findings import Finding, Location, Severity, format_yaml_path
from ciptool.loader.files import FoundFile, decode_yaml, read_yaml_bytes
from ciptool.loader.identities import identity
from ciptool.loader.yamlparse import (
    MAX_ALIAS_CHARACTERS,
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    YamlProblem,
    parse_yaml,
)

#: A parsed file as it is kept: the SHA-256 of its text, and its data and problems
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
    """A file read (or taken from a cache), to be opened when its records are validated."""

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
            again = parse_file(self.rel, self.path, self.inode)
            return ReadFile(self.rel, again.payload, again.problem).open()
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


def parse_files(files: Sequence[FoundFile]) -> dict[str, ReadFile]:
    """Every file by path, read and parsed now, one after another."""
    read = {}
    for found in files:
        inode = None
        if isinstance(found.signature, tuple):  # as the walk found it
            inode = found.signature[2]
        elif found.signature is None:
            with contextlib.suppress(OSError):  # reading the file says why
                inode = identity(found.path.stat())[2]
        read[found.rel] = parse_file(found.rel, str(found.path), inode)
    return read


def parse_file(rel: str, path: str, inode: int | None) -> ReadFile:
    """The file at ``path`` read and parsed; with ``inode``, only the file found with it."""
    raw, text, problem = read_yaml_text(rel, path, inode)
    if problem is not None:
        return ReadFile(rel, None, read_problem(rel, problem_fields(problem)))
    assert raw is not None
    assert text is not None
    return ReadFile(rel, parsed_payload(text), path=path, inode=inode)


def read_yaml_text(
    rel: str, path: str, inode: int | None
) -> tuple[bytes | None, str | None, Finding | None]:
    """The file's bytes and text, or the finding that says why it cannot be YAML text (see
    :func:`~ciptool.loader.files.read_yaml_bytes`)."""
    raw, problem = read_yaml_bytes(rel, path, inode)
    if raw is None:
        return None, None, problem
    text, problem = decode_yaml(rel, raw)
    return raw, text, problem


def parsed_payload(text: str) -> Payload:
    """``text`` parsed: the SHA-256 of the text, and its data and problems marshalled."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    parsed = parse_yaml(text)
    problems = tuple(
        (p.code, p.message, p.line, p.column, p.suggestion, p.yaml_path) for p in parsed.problems
    )
    return digest, marshal.dumps((parsed.data, problems))


def _yaml_finding(rel: str, item: YamlProblem) -> Finding:
    return Finding(
        item.code,
        Severity.ERROR,
        item.message,
        Location(rel, item.line, item.column, format_yaml_path(item.yaml_path)),
        item.suggestion,
    )


def problem_fields(problem: Finding) -> tuple[Any, ...]:
    """A reading problem as plain data, to be sent between processes."""
    line, column = (problem.location.line, problem.location.column) if problem.location else (0, 0)
    return (problem.code, problem.message, line, column, problem.suggestion)


def read_problem(rel: str, fields: tuple[Any, ...]) -> Finding:
    """The finding :func:`problem_fields` gave the fields of."""
    code, message, line, column, suggestion = fields
    return Finding(code, Severity.ERROR, message, Location(rel, line, column), suggestion)
