"""YAML text to plain data, fast, with YAML 1.2 scalars and positions on demand.

Every scalar is text except a plain ``null``/``~``/empty, which is ``None``: types come from
the schema, never from YAML's guessing, so ``5.10`` stays "5.10", ``NO`` stays "NO" and
``2026-01-01`` becomes a date only where a model asks for one.

The exact path composes nodes with libyaml (through PyYAML's C binding) and builds that data in
one tight pass; it decides every file that holds anything unusual and words every problem.
Most files hold only text, and those take the fast path first: yaml-rs, a YAML 1.2 parser in
Rust, in less than half the time the exact path takes. It guesses types, so its result is
taken only when every key and value came back as text or null (a number or boolean would have
lost the way it was written); text where the two parsers could differ (anchors, tags,
directives, more than one document, flow collections over several lines, characters YAML 1.1
reads as line breaks or forbids) goes straight to the exact path, as does anything yaml-rs
refuses.

Positions are not recorded while parsing (that would cost memory on large repositories);
:class:`PositionIndex` reads the text again for the paths findings need: libyaml's events,
keeping only the positions along those paths, or the composed text where only composing can
say (aliases, more than one document).

Hostile input is bounded: nesting deeper than :data:`MAX_DEPTH` and alias expansion beyond
:data:`MAX_ALIAS_EXPANSION` nodes or :data:`MAX_ALIAS_CHARACTERS` characters are reported as
problems, never built.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import yaml
import yaml_rs

from ciptool.findings import MAX_FILE_PROBLEMS

try:  # pragma: no branch - the C loader ships in PyYAML's wheels
    from yaml import CSafeLoader as _BaseLoader

    FAST_PARSER = True
except ImportError:  # pragma: no cover - exercised only where libyaml is missing
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    FAST_PARSER = False

YamlPath = tuple[str | int, ...]

#: Deepest nesting of collections accepted in a file. Compliance records need fewer than ten.
MAX_DEPTH = 64
#: Most nodes that aliases may add by expansion in one file (an "alias bomb" adds billions);
#: each alias counts as one node besides those under it.
MAX_ALIAS_EXPANSION = 10_000
#: Most characters of text that aliases may add by expansion in one file: a few aliases of a
#: long scalar add little in nodes and much in text.
MAX_ALIAS_CHARACTERS = 1_000_000
#: Most commas, colons, dashes and brackets one file may hold: half as many again as a file of
#: 16 MiB of controls holds (1.2 million). Each can start a node, and a node costs far more
#: in memory than its byte: 16 MiB of ``[],`` (5.6 million lists) took 23 s and 1.3 GB to
#: parse, and 16 MiB of ``a: 1,`` keys 12 s and 2.3 GB to compose.
MAX_STRUCTURE = 2_000_000
_STRUCTURE = ",:-[]{}"
#: Files with fewer flow openers than this (plus their longest line) cannot nest deeper than
#: libyaml's recursive composer handles (it overflows the C stack somewhere between 20,000
#: and 40,000 levels), so the event-based depth pre-check is skipped for them.
_CHEAP_DEPTH_BOUND = 5_000

#: Characters that libyaml forbids or (YAML 1.1) reads as line breaks, a byte-order mark, and
#: the tab, whose use as separation YAML 1.1 and 1.2 allow in different places.
_UNUSUAL_CHARACTER = re.compile(
    r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)
#: A tag or an anchor where a node may start: the exact path takes every tag as text and
#: bounds what aliases expand to.
_NODE_PROPERTY = re.compile(r"(?:\A|[\s\[\]{},:?-])(?:!|&\S)")
_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n\r"
#: Flow collections on one line holding only plain words, quoted text, commas and ``: ``.
#: Within flow collections yaml-rs accepts some text libyaml refuses (a block scalar's
#: indicator, ``key:,``), so text with any other flow collection is for the exact path. (One
#: pattern per kind: each starts with its literal bracket, which the regex engine finds fast.)
_SIMPLE_FLOW_SEQUENCE = re.compile(r"\[[^\[\]{}\n|>?&*!#%@`]*\]")
_SIMPLE_FLOW_MAPPING = re.compile(r"\{[^\[\]{}\n|>?&*!#%@`]*\}")

_REFUSE_DUPLICATES = yaml_rs.DuplicateKeyPolicy.Error

#: Scalars up to this long are interned: they are ids, dates and short names, not prose.
_INTERN_MAX = 40
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(_BaseLoader):
    """libyaml composer with every implicit resolver removed: each scalar is text."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class attribute

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _STR_TAG


@dataclass(frozen=True)
class YamlProblem:
    """A reason the text could not be turned into data, with a 1-based position."""

    code: str
    message: str
    line: int
    column: int
    suggestion: str = ""
    yaml_path: YamlPath = ()


@dataclass(frozen=True)
class ParsedYaml:
    """Plain data (dicts, lists, str, None) or ``None`` with the problems that stopped it."""

    data: Any
    problems: tuple[YamlProblem, ...]


class _BuildError(Exception):
    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def parse_yaml(text: str, *, fast: bool = True) -> ParsedYaml:
    """Parse one YAML document into plain data, or say precisely why not.

    ``fast=False`` takes the exact path for every text; the result is the same.
    """
    structure = _structure(text)
    if structure > MAX_STRUCTURE:
        return ParsedYaml(None, (_structure_problem(structure),))
    depth_problem = _check_depth(text)
    if depth_problem is not None:
        return ParsedYaml(None, (depth_problem,))
    if fast:
        parsed = parse_fast(text)
        if parsed is not None:
            return parsed
    problems: list[YamlProblem] = []
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        if _is_nesting_limit(exc):
            return ParsedYaml(None, (_nesting_limit_problem(exc, text, composing=True),))
        return ParsedYaml(None, (_syntax_problem(exc, text),))
    except yaml.YAMLError as exc:  # reader errors: characters YAML forbids
        return ParsedYaml(None, (_reader_problem(exc, text),))
    except UnicodeEncodeError as exc:  # a lone surrogate, only possible from in-memory text
        return ParsedYaml(None, (_surrogate_problem(exc, text),))
    if node is None:
        return ParsedYaml(None, ())
    builder = _Builder(problems, anchors="&" in text)
    try:
        data = builder.build(node, 0)
    except _BuildError as exc:
        return ParsedYaml(None, (exc.problem,))
    paths = _paths_to(node, {id(key_node) for key_node, _ in builder.flagged})
    for key_node, problem in builder.flagged:
        problems.append(replace(problem, yaml_path=paths.get(id(key_node), ())))
    return ParsedYaml(data, tuple(problems))


def parse_fast(text: str) -> ParsedYaml | None:
    """The data of a mapping of text and nulls, parsed fast; ``None`` to decline.

    Declined text (see the module's notes) is for the exact path. The caller has already
    refused nesting too deep for a parser to survive (:func:`_check_depth`).
    """
    if not _plainly_written(text):
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=_REFUSE_DUPLICATES)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # any refusal, a panic in Rust included (not an Exception)
        return None  # the exact path words the problem
    if type(data) is not dict:  # every record file is a mapping; YAML 1.2 reads more at the top
        return None
    try:
        return ParsedYaml(_as_text(data, 0), ())
    except _NotText:
        return None


def _plainly_written(text: str) -> bool:
    """True when nothing in ``text`` could read differently in the two parsers.

    Every test is a scan at the speed of C: together about a seventh of the fast path's time.
    """
    if text.isascii():
        if text.encode("ascii").translate(None, _PRINTABLE_ASCII):
            return False  # a tab or a control character
    elif _UNUSUAL_CHARACTER.search(text):
        return False
    # Block scalars at the very end read differently (a missing last line break, an empty
    # one): only text that ends with a line break, whose last line opens no block scalar.
    if not text.endswith("\n"):
        return text == ""
    end = text.rstrip(" \n")
    last_line = end[end.rfind("\n") + 1 :]
    if "|" in last_line or ">" in last_line:
        return False
    if ("!" in text or "&" in text) and _NODE_PROPERTY.search(text):
        return False
    if "%" in text and (text.startswith("%") or "\n%" in text):
        return False  # a directive
    if text.startswith("...") or "\n---" in text or "\n..." in text:
        return False  # a document's end, or a second document
    if "\r" in text and _LONE_CARRIAGE_RETURN.search(text):
        return False
    if not ("[" in text or "{" in text or "]" in text or "}" in text):
        return True
    if ":," in text or ":]" in text or ":}" in text:
        return False
    for _nesting in range(2):  # innermost first: flow collections nested two deep at most
        if "[" in text:
            text = _SIMPLE_FLOW_SEQUENCE.sub("", text)
        if "{" in text:
            text = _SIMPLE_FLOW_MAPPING.sub("", text)
    return not ("[" in text or "{" in text or "]" in text or "}" in text)


class _NotText(Exception):
    """The fast parser's data holds something other than text, null, lists and mappings."""


def _as_text(value: Any, depth: int) -> Any:
    """A collection built again as the exact path builds it (short text interned), or raise.

    Scalars are handled in the loops, not by a call each: a third faster on large files.
    """
    if depth >= MAX_DEPTH:
        raise _NotText
    intern = sys.intern
    if type(value) is dict:
        mapping: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotText
            if type(item) is str:
                mapping[intern(key)] = intern(item) if len(item) <= _INTERN_MAX else item
            elif item is None:
                mapping[intern(key)] = None
            else:
                mapping[intern(key)] = _as_text(item, depth + 1)
        return mapping
    if type(value) is list:
        sequence: list[Any] = []
        for item in value:
            if type(item) is str:
                sequence.append(intern(item) if len(item) <= _INTERN_MAX else item)
            elif item is None:
                sequence.append(None)
            else:
                sequence.append(_as_text(item, depth + 1))
        return sequence
    raise _NotText


class PositionIndex:
    """Positions of the nodes of one file's text, composed once and walked per path; or,
    with the ``paths`` to be located given, read along those paths from libyaml's events,
    with no node kept (a 16 MiB file of 68,200 controls: 540 MB of nodes), the same positions.

    Each mapping's keys are indexed the first time a path goes through it, so locating every
    finding of a file costs time in proportion to the file and the findings, not their
    product (20,000 unknown keys in one record: 32 s before, a fraction of a second now).
    """

    def __init__(self, text: str, paths: Iterable[YamlPath] | None = None) -> None:
        self._text: str | None = text
        self._composed = False
        self._root: yaml.Node | None = None
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}
        #: With the paths to be located given, the positions along them, read from libyaml's
        #: events without composing the text: a 16 MiB file's nodes took 540 MB.
        self._marks: _Marks | None = None
        if paths is not None:
            self._marks = _marks_along(text, paths)
        if self._marks is None:
            self._compose()

    def _compose(self) -> None:
        if self._composed:
            return
        self._composed = True
        text, self._text = self._text, None
        try:
            self._root = _compose(text or "")
        except yaml.YAMLError:
            self._root = None

    def locate(self, path: YamlPath, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the node at ``path``; of its key when ``key`` is true.

        When the path runs past what the file holds (a missing field), the deepest node that
        exists is given, which is where the missing thing belongs.
        """
        marks = self._marks
        if marks is not None and path in marks.wanted:
            return marks.locate(path, key=key)
        self._compose()
        node = self._root
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = self._keys_of(node).get(part)
                if found is None:
                    break
                key_node, node = found
                mark = key_node.start_mark if key else node.start_mark
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return (mark.line + 1, mark.column + 1)

    def _keys_of(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The mapping's text keys with their key and value nodes; the first of duplicates."""
        keys = self._keys.get(id(node))
        if keys is None:
            keys = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    keys.setdefault(key_node.value, (key_node, value_node))
            self._keys[id(node)] = keys
        return keys


class _Marks:
    """The 1-based positions of the nodes along some paths, as a composed text gives them."""

    def __init__(self, wanted: set[YamlPath]) -> None:
        #: The paths asked for and every path leading to one.
        self.wanted = wanted
        #: Path -> (line, column) of the node there, and of its key when a mapping holds it.
        self.found: dict[YamlPath, tuple[tuple[int, int], tuple[int, int] | None]] = {}

    def locate(self, path: YamlPath, *, key: bool) -> tuple[int, int]:
        """As :meth:`PositionIndex.locate` finds it."""
        found = self.found.get(())
        if found is None:
            return (1, 1)
        place = found[0]
        for end in range(1, len(path) + 1):
            step = self.found.get(path[:end])
            if step is None:
                break
            place = step[1] if key and step[1] is not None else step[0]
        return place


class _Unsure(Exception):
    """The events cannot say what composing would (an alias, or more than one document)."""


def _marks_along(text: str, paths: Iterable[YamlPath]) -> _Marks | None:
    """The positions of the nodes along ``paths``, walking libyaml's events; None when only
    composing can tell (aliases, several documents, text that is not YAML).
    """
    wanted: set[YamlPath] = set()
    for path in paths:
        wanted.update(path[:end] for end in range(len(path) + 1))
    marks = _Marks(wanted)
    loader = _Loader(text)
    try:
        _walk_events(loader, marks)
    except (yaml.YAMLError, _Unsure):
        return None
    finally:
        loader.dispose()
    return marks


def _walk_events(loader: Any, marks: _Marks) -> None:
    """Record in ``marks`` where each wanted node starts, as the composer would place it.

    A frame per open collection: its path (None when nothing wanted is inside), and for a
    mapping whether a key comes next, the key read (None for one that is not text, or a
    duplicate: composing keeps the first), its position, and the keys seen.
    """
    wanted, found = marks.wanted, marks.found
    stack: list[list[Any]] = []
    documents = 0
    while loader.check_event():
        event = loader.get_event()
        kind = type(event)
        if kind in _ENDS:
            stack.pop()
            continue
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unsure
            continue
        if kind not in _NODES:
            continue
        if kind is yaml.AliasEvent:
            raise _Unsure  # the node is the anchored one, where that was written
        path, key_place = _node_path(stack[-1], event) if stack else ((), None)
        if path is not None and path not in wanted:
            path = None
        if path is not None:
            start = event.start_mark
            found[path] = ((start.line + 1, start.column + 1), key_place)
        if kind is yaml.MappingStartEvent:
            stack.append([path, "mapping", True, None, None, set()])
        elif kind is yaml.SequenceStartEvent:
            stack.append([path, "sequence", 0])


def _node_path(frame: list[Any], event: Any) -> tuple[YamlPath | None, tuple[int, int] | None]:
    """The path of the node ``event`` starts in the collection ``frame`` is open for (None
    when nothing wanted is there or it is a key), with the position of its key.
    """
    parent = frame[0]
    if frame[1] == "sequence":
        frame[2] += 1
        return (None if parent is None else (*parent, frame[2] - 1)), None
    if not frame[2]:  # a value, after its key
        frame[2] = True
        name = frame[3]
        return (None if parent is None or name is None else (*parent, name)), frame[4]
    frame[2] = False
    text_key = event.value if type(event) is yaml.ScalarEvent else None
    if text_key is not None and text_key in frame[5]:
        text_key = None  # a duplicate: composing keeps the first
    elif text_key is not None:
        frame[5].add(text_key)
    frame[3] = text_key
    frame[4] = (event.start_mark.line + 1, event.start_mark.column + 1)
    return None, None


_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_NODES = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


class _Builder:
    """Turns composed nodes into plain data in one pass, guarding against hostile shapes.

    Paths are not tracked while building (that would cost a tuple per node): the rare
    problem found here records its node, and :func:`_paths_to` finds the paths afterwards.
    Alias bookkeeping is done only for text that has anchors at all.
    """

    def __init__(self, problems: list[YamlProblem], *, anchors: bool) -> None:
        self.problems = problems
        self.anchors = anchors
        self.sizes: dict[int, int] = {}  # id(node) -> nodes under it, for nodes already built
        self.lengths: dict[int, int] = {}  # id(node) -> characters of the scalars under it
        self.built: dict[int, Any] = {}
        self.in_progress: set[int] = set()
        self.scalars: set[int] = set()  # ids of the scalars built, to see their aliases
        self.expanded = 0  # nodes added by aliases
        self.characters = 0  # characters of every scalar built, aliases' expansions included
        self.expanded_characters = 0  # characters added by aliases
        self.flagged: list[tuple[yaml.Node, YamlProblem]] = []

    def build(self, node: yaml.Node, depth: int) -> Any:
        kind = type(node)
        if kind is yaml.ScalarNode:
            value: str = node.value
            # Plain scalars have no style: None from PyYAML's parser, "" from libyaml's.
            if self.anchors:
                self._scalar_expanded(node, len(value))
            if not node.style and value in _NULLS:  # type: ignore[attr-defined]
                return None
            # Ids, dates and names recur across thousands of records: one shared string each
            # (marshal keeps them shared when the cache is read back).
            return sys.intern(value) if len(value) <= _INTERN_MAX else value
        if depth >= MAX_DEPTH:
            raise _BuildError(_depth_problem(node.start_mark.line + 1, node.start_mark.column + 1))
        if not self.anchors:
            if kind is yaml.SequenceNode:
                return [self.build(child, depth + 1) for child in node.value]
            return self._mapping(node, depth)
        return self._guarded(node, kind, depth)

    def _scalar_expanded(self, node: yaml.Node, length: int) -> None:
        """Count a scalar's characters, and the alias it is when it was built before."""
        self.characters += length
        ident = id(node)
        if ident in self.scalars:
            self._expand(node, 1, length)
        else:
            self.scalars.add(ident)

    def _expand(self, node: yaml.Node, nodes: int, characters: int) -> None:
        """Count an alias of ``node``, which adds ``nodes`` and ``characters``; refuse a bomb."""
        self.expanded += nodes
        self.expanded_characters += characters
        if self.expanded > MAX_ALIAS_EXPANSION:
            size = f"{MAX_ALIAS_EXPANSION:,} nodes"
        elif self.expanded_characters > MAX_ALIAS_CHARACTERS:
            size = f"{MAX_ALIAS_CHARACTERS:,} characters"
        else:
            return
        what = "scalar" if type(node) is yaml.ScalarNode else "collection"
        # The node is shared by every alias, so its position is the anchor's.
        raise _BuildError(
            _problem(
                "LD006",
                f"aliases of the {what} anchored here expand to more than {size}; this looks"
                " like an alias bomb and was not loaded",
                node,
                "Write the repeated content out, or use fewer nested aliases.",
            )
        )

    def _guarded(self, node: yaml.Node, kind: type, depth: int) -> Any:
        ident = id(node)
        if ident in self.built:  # an alias of a collection already built
            self.characters += self.lengths[ident]
            self._expand(node, 1 + self.sizes[ident], self.lengths[ident])
            return self.built[ident]
        if ident in self.in_progress:
            raise _BuildError(
                _problem(
                    "LD006",
                    "an alias refers to a collection that contains it (a recursive alias)",
                    node,
                    "Remove the alias; ciptool records cannot contain themselves.",
                )
            )
        self.in_progress.add(ident)
        before = self.expanded
        characters_before = self.characters
        result: Any
        if kind is yaml.SequenceNode:
            result = [self.build(child, depth + 1) for child in node.value]
        else:
            result = self._mapping(node, depth)
        self.in_progress.discard(ident)
        self.built[ident] = result
        self.sizes[ident] = len(node.value) + (self.expanded - before)
        self.lengths[ident] = self.characters - characters_before
        return result

    def _mapping(self, node: yaml.Node, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        firsts: dict[str, yaml.Node] | None = None  # made at the first duplicate key
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _BuildError(
                    _problem(
                        "LD004",
                        "a mapping key must be plain text, not a list or mapping",
                        key_node,
                        "Write the key as a single word such as `title`.",
                    )
                )
            name: str = key_node.value
            if self.anchors:
                self.characters += len(name)
            if name in result:
                if firsts is None:
                    firsts = {}
                    for earlier, _value in node.value:
                        if type(earlier) is yaml.ScalarNode:
                            firsts.setdefault(earlier.value, earlier)
                self._duplicate(firsts[name], key_node, name)
                continue
            result[sys.intern(name)] = self.build(value_node, depth + 1)
        return result

    def _duplicate(self, first_node: yaml.Node, key_node: yaml.Node, name: str) -> None:
        first = first_node.start_mark
        problem = _problem(
            "LD003",
            f"duplicate key `{name}` (first at line {first.line + 1}); YAML keeps only one of them",
            key_node,
            "Remove one of the two, or merge their values.",
        )
        if len(self.flagged) == MAX_FILE_PROBLEMS:
            mark = key_node.start_mark
            raise _BuildError(
                too_many_problems(mark.line + 1, mark.column + 1, "none of it is read")
            )
        self.flagged.append((key_node, problem))


def _paths_to(root: yaml.Node, targets: set[int]) -> dict[int, YamlPath]:
    """The YAML paths of the mapping keys whose ids are ``targets`` below ``root``, found in
    one walk however many there are (one walk each took 60 s for 20,000 duplicate keys)."""
    paths: dict[int, YamlPath] = {}
    if not targets:
        return paths
    stack: list[tuple[yaml.Node, YamlPath]] = [(root, ())]
    seen: set[int] = set()
    while stack and len(paths) < len(targets):
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if id(key_node) in targets:
                    paths.setdefault(id(key_node), (*path, key_node.value))
                if isinstance(key_node, yaml.ScalarNode):
                    stack.append((value_node, (*path, key_node.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*path, index)) for index, child in enumerate(node.value))
    return paths


def _structure(text: str) -> int:
    """How many of the characters that can start a node ``text`` holds; only a text longer
    than :data:`MAX_STRUCTURE` can hold too many, so a shorter one is not counted."""
    if len(text) <= MAX_STRUCTURE:
        return 0
    return sum(text.count(character) for character in _STRUCTURE)


def _structure_problem(count: int) -> YamlProblem:
    return YamlProblem(
        "LD008",
        f"file holds {count:,} commas, colons, dashes and brackets; ciptool reads YAML files with"
        f" up to {MAX_STRUCTURE:,} (half as many again as 16 MiB of controls hold)",
        1,
        1,
        "Split the records across several files.",
    )


def too_many_problems(line: int, column: int, consequence: str) -> YamlProblem:
    """LD015 at ``line``:``column``, where a file's problems passed :data:`MAX_FILE_PROBLEMS`."""
    return YamlProblem(
        "LD015",
        f"more than {MAX_FILE_PROBLEMS:,} problems in this file; {consequence}",
        line,
        column,
        "Fix the problems reported, then check again.",
    )


def _problem(code: str, message: str, node: yaml.Node, suggestion: str) -> YamlProblem:
    mark = node.start_mark
    return YamlProblem(code, message, mark.line + 1, mark.column + 1, suggestion)


def _depth_problem(line: int, column: int) -> YamlProblem:
    return YamlProblem(
        "LD005",
        f"collections are nested more than {MAX_DEPTH} levels deep",
        line,
        column,
        "ciptool records need only a few levels; flatten the structure.",
    )


def _check_depth(text: str) -> YamlProblem | None:
    """Refuse nesting deeper than MAX_DEPTH before libyaml's recursive composer sees it."""
    bound = text.count("[") + text.count("{") + max(map(len, text.splitlines()), default=0)
    if bound < _CHEAP_DEPTH_BOUND:
        return None
    try:
        return _too_deep(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        if _is_nesting_limit(exc):
            return _nesting_limit_problem(exc, text, composing=False)
        return None  # the syntax error is reported by the normal path
    except yaml.YAMLError:
        return None


def _too_deep(events: Iterable[yaml.Event]) -> YamlProblem | None:
    """LD005 where the events first open a collection deeper than MAX_DEPTH, else None."""
    return next(_depth_and_composition(events, composing=False), None)


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    """True for libyaml's own refusal of deep nesting (1,000 levels, from libyaml 0.2.6)."""
    return isinstance(exc, yaml.scanner.ScannerError) and "nesting depth" in (exc.problem or "")


def _nesting_limit_problem(exc: yaml.MarkedYAMLError, text: str, *, composing: bool) -> YamlProblem:
    """The problem libyaml would have reported without its own nesting limit.

    libyaml 0.2.6 and later stop where nesting reaches 1,000 levels; earlier versions go on.
    PyYAML's own parser, which has no such limit, reads the text again so that the answer is
    the same whatever libyaml's version. The depth pre-check (``composing=False``) reads events
    in order up to where libyaml stopped, so the first of the level past MAX_DEPTH and a
    syntax error wins. Composing reads the whole document before the builder refuses the
    level past MAX_DEPTH, so there a syntax error anywhere wins. (PyYAML's parser takes a few
    seconds for the few thousand levels the pre-check's bound lets through to composing.)
    """
    mark = exc.problem_mark
    end = mark.index if mark is not None and not composing else len(text)
    too_deep = None
    try:
        events = yaml.parse(text[:end], Loader=yaml.SafeLoader)
        for problem in _depth_and_composition(events, composing=composing):
            too_deep = too_deep or problem
            if not composing:
                break
    except yaml.MarkedYAMLError as error:
        problem = _syntax_problem(error, text)
        at = error.problem_mark
        if at is not None and at.index >= len(text) and at.column > 0:
            problem = replace(problem, line=problem.line + 1, column=1)  # as libyaml ends it
        return problem
    except yaml.YAMLError:
        pass  # libyaml read these characters; leave it at the depth
    if too_deep is not None:
        return too_deep
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return _depth_problem(line, column)


def _depth_and_composition(
    events: Iterable[yaml.Event], *, composing: bool
) -> Iterator[YamlProblem]:
    """LD005 for each collection deeper than MAX_DEPTH; if ``composing``, raise what
    composing the events would."""
    depth = 0
    composition = _Composition() if composing else None
    for event in events:
        if composition is not None:
            composition.take(event)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                start = event.start_mark
                line, column = (start.line, start.column) if start is not None else (0, 0)
                yield _depth_problem(line + 1, column + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _Composition:
    """The composer's own refusals, worded as libyaml's: a second document, an alias to no
    anchor."""

    def __init__(self) -> None:
        self.anchors: set[str] = set()
        self.first_document: yaml.Event | None = None

    def take(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            if self.first_document is not None:
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    _mark(self.first_document),
                    "but found another document",
                    _mark(event),
                )
            self.first_document = event
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise yaml.composer.ComposerError(None, None, "found undefined alias", _mark(event))
        elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            self.anchors.add(event.anchor)


def _mark(event: yaml.Event) -> yaml.Mark:
    """Where an event of PyYAML's own parser starts (it always says)."""
    mark = event.start_mark
    assert isinstance(mark, yaml.Mark)
    return mark


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (exc.problem or "invalid YAML").strip()
    context = (exc.context or "").strip()
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    lines = text.splitlines()
    found = lines[line - 1][column - 1 : column] if line <= len(lines) else ""
    return YamlProblem("LD001", message, line, column, _syntax_hint(f"{problem} {context}", found))


def _syntax_hint(problem: str, found: str) -> str:
    # libyaml's messages do not name the offending character, so look at the text there.
    if found == "\t" or "tab" in problem:
        return "Indent with spaces; YAML does not allow tabs for indentation."
    if found in ("@", "`"):
        return "Quote a value that starts with @ or `."
    if "expected <block end>" in problem or "mapping values are not allowed" in problem:
        return (
            "Check the indentation of this line against the line above,"
            " and quote values that contain ': '."
        )
    if "found undefined alias" in problem:
        return "Define the anchor (&name) before using the alias (*name), or quote the text."
    if "expected a single document" in problem:
        return "Keep one document per file: remove the extra `---` line."
    return "Fix the YAML at this position; quoting the value often helps."


def _reader_problem(exc: yaml.YAMLError, text: str) -> YamlProblem:
    # libyaml counts the position in UTF-8 bytes; people count characters.
    offset = getattr(exc, "position", 0) or 0
    position = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = getattr(exc, "character", None)
    if isinstance(character, str) and character:
        character = ord(character)
    shown = f"U+{character:04X}" if isinstance(character, int) else "a character"
    return YamlProblem(
        "LD002",
        f"{shown} is not allowed in a YAML file",
        line,
        column,
        "Remove the control character, or write it as an escape inside double quotes.",
    )


def _surrogate_problem(exc: UnicodeEncodeError, text: str) -> YamlProblem:
    line = text.count("\n", 0, exc.start) + 1
    column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
    return YamlProblem(
        "LD002",
        f"U+{ord(text[exc.start]):04X} is a lone surrogate, not a character",
        line,
        column,
        "Remove the character.",
    )
