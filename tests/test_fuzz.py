"""Property tests: whatever a valid repository is mutated into, ``ciptool check`` reports findings.

It never raises, every finding has a well-formed code and a real position, the run is
deterministic, and the command line exits 0, 1 or 2 without a traceback.
"""

from __future__ import annotations

import copy
import re
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.findings import Finding, Location, Severity
from ciptool.loader.files import decode_yaml
from ciptool.loader.yamlparse import parse_fast, parse_yaml
from ciptool.results import RunResult
from conftest import (
    EVIDENCE_CSV,
    MINIMAL_CONFIG,
    MINIMAL_CONTROL,
    MINIMAL_EVIDENCE,
    MINIMAL_POLICY,
    SETTINGS,
    brief,
    run,
    write_repo,
)

EXCEPTION = """\
exceptions:
  - id: EXC-001
    applies_to:
      control: IAM-01
    reason: The legacy directory cannot export access lists
    risk: medium
    approved_by: CISO
    approved_on: 2026-01-15
    expires_on: 2027-06-30
    compensating_controls: [IAM-01]
"""

BASE: dict[str, str] = {
    "ciptool.yaml": MINIMAL_CONFIG,
    "controls/iam.yaml": MINIMAL_CONTROL,
    "policies/access.yaml": MINIMAL_POLICY,
    "evidence/2026/recert.yaml": MINIMAL_EVIDENCE,
    "evidence/2026/files/q.csv": EVIDENCE_CSV.decode(),
    "exceptions/legacy.yaml": EXCEPTION,
}
NAMES = sorted(BASE)

CODE = re.compile(r"^[A-Z]{2}\d{3}$")
#: Findings about a whole file that could not be read at all carry no line.
WHOLE_FILE_CODES = frozenset({"LD013", "EV006"})

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- text mutations -----------------------------------------------------------------------

YAML_ALPHABET = ":-[]{}&*!|>'\"#%@` \n\t,?~.=<" + string.ascii_letters + string.digits
BAD_BYTES = [
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xc3(",
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xef\xbb\xbf",  # a byte-order mark in the middle
    b"\x07",
    b"\x1b[31m",
    b"\r",
    b"\x85",
    b"\xe2\x80\xa8",  # LINE SEPARATOR
]
FRAGMENTS = [
    b"&a ",
    b"*a",
    b"&a [*a]",
    b"<<: *a\n",
    b"? [x, y]\n: z\n",
    b"\n---\n",
    b"\n...\n",
    b"...\n",
    b"--- ",
    b"!!binary ",
    b"!custom ",
    b"%YAML 1.1\n",
    b"|\n",
    b">-\n",
    b"'",
    b'"\\',
    b"[" * 100 + b"]" * 100,
    b"[" * 2000,
    b"{a: " * 40,
    b"- " * 80,
    b"\t",
    b"null",
    b"~",
]

Draw = st.DrawFn


def _position(draw: Draw, data: bytes) -> int:
    return int(draw(st.integers(0, len(data))))


def _delete_span(draw: Draw, data: bytes) -> bytes:
    start = _position(draw, data)
    return data[:start] + data[start + draw(st.integers(1, 60)) :]


def _insert_text(draw: Draw, data: bytes) -> bytes:
    at = _position(draw, data)
    text: str = draw(st.text(alphabet=YAML_ALPHABET, min_size=1, max_size=12))
    return data[:at] + text.encode() + data[at:]


def _insert_bytes(draw: Draw, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]


def _insert_fragment(draw: Draw, data: bytes) -> bytes:
    at = _position(draw, data)
    return data[:at] + draw(st.sampled_from(FRAGMENTS)) + data[at:]


def _duplicate_line(draw: Draw, data: bytes) -> bytes:
    lines = data.split(b"\n")
    index = draw(st.integers(0, len(lines) - 1))
    lines.insert(index, lines[index])
    return b"\n".join(lines)


def _swap_lines(draw: Draw, data: bytes) -> bytes:
    lines = data.split(b"\n")
    first = draw(st.integers(0, len(lines) - 1))
    second = draw(st.integers(0, len(lines) - 1))
    lines[first], lines[second] = lines[second], lines[first]
    return b"\n".join(lines)


def _reindent(draw: Draw, data: bytes) -> bytes:
    lines = data.split(b"\n")
    index = draw(st.integers(0, len(lines) - 1))
    shift = draw(st.integers(-6, 6))
    if shift >= 0:
        lines[index] = draw(st.sampled_from([b" ", b"\t"])) * shift + lines[index]
    else:
        lines[index] = lines[index][-shift:]
    return b"\n".join(lines)


def _truncate(draw: Draw, data: bytes) -> bytes:
    return data[: _position(draw, data)]


TEXT_MUTATIONS = [
    _delete_span,
    _insert_text,
    _insert_bytes,
    _insert_fragment,
    _duplicate_line,
    _swap_lines,
    _reindent,
    _truncate,
]


@st.composite
def text_mutated(draw: Draw) -> tuple[str, bytes]:
    """One file of the valid repository, mangled as text by one to four mutations."""
    name: str = draw(st.sampled_from(NAMES))
    data = BASE[name].encode()
    for _ in range(draw(st.integers(1, 4))):
        data = draw(st.sampled_from(TEXT_MUTATIONS))(draw, data)
    return name, data


# --- structural mutations -----------------------------------------------------------------

DATE_LIKE = [
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "2026-1-1",
    "20260101",
    "26-01-01",
    "2026-01-01T00:00:00Z",
    "12mo",
    "0d",
    "-1y",
    "1.5w",
    "9" * 5000,
    "yes",
    "NO",
    "~",
    "null",
    "",
    " ",
    "5.10",
    "IAM-01",
    "POL-ACCESS",
    "recert-signoff",
    "nist-csf-2.0",
    "PR.AA-05",
]


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(DATE_LIKE),
    st.dates(),
    st.just("long text " * 1000),
)
values = st.one_of(
    st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=10), children, max_size=4),
        ),
        max_leaves=10,
    ),
    st.sampled_from([_nested(10), _nested(70), [[[[]]]], {}, []]),
)
KEYS = st.one_of(
    st.sampled_from(
        ["id", "title", "owner", "frequency", "tittle", "control", "start", "applies_to"]
    ),
    st.text(min_size=1, max_size=12),
)

YamlPath = tuple[str | int, ...]


def _value(draw: Draw) -> Any:
    # a copy: the sampled constants must not change when a later step mutates them in place
    return copy.deepcopy(draw(values))


def _paths(node: Any, path: YamlPath = ()) -> Iterator[YamlPath]:
    yield path
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _paths(child, (*path, index))


def _parent(root: Any, path: YamlPath) -> Any:
    node = root
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def structurally_mutated(draw: Draw) -> tuple[str, bytes]:
    """One file of the valid repository with values replaced, keys added or keys removed."""
    name: str = draw(st.sampled_from(NAMES))
    data: Any = yaml.safe_load(BASE[name])
    for _ in range(draw(st.integers(1, 3))):
        path: YamlPath = draw(st.sampled_from(list(_paths(data))))
        action = draw(st.sampled_from(["replace", "add", "delete"]))
        if not path:
            if action == "replace":
                data = _value(draw)
            elif isinstance(data, dict):
                data[draw(KEYS)] = _value(draw)
            continue
        parent = _parent(data, path)
        if action == "replace":
            parent[path[-1]] = _value(draw)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = _value(draw)
        else:
            parent.insert(int(path[-1]), _value(draw))
    dumped = yaml.safe_dump(
        data, allow_unicode=draw(st.booleans()), sort_keys=draw(st.booleans()), width=10_000
    )
    return name, dumped.encode()


# --- the properties -----------------------------------------------------------------------


def _check_location(location: Location, result: RunResult, code: str) -> None:
    assert location.file
    assert not Path(location.file).is_absolute()
    assert "\\" not in location.file
    if location.line == 0 and code in WHOLE_FILE_CODES:
        return
    assert location.line >= 1, (code, location)
    assert location.column >= 1, (code, location)


def assert_well_formed(result: RunResult) -> None:
    for finding in result.findings:
        assert isinstance(finding, Finding)
        assert CODE.match(finding.code), finding.code
        assert isinstance(finding.severity, Severity)
        assert isinstance(finding.message, str)
        assert finding.message
        assert finding.location is not None, finding
        _check_location(finding.location, result, finding.code)
        for related in finding.related:
            _check_location(related, result, finding.code)
    assert list(result.findings) == sorted(result.findings, key=lambda f: f.sort_key)
    assert sum(result.counts.values()) == len(result.findings)


def check_mutated(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_repo(Path(folder), {**BASE, name: content}, minimal=False)
        first, _graph = check_repository(root, SETTINGS)
        assert_well_formed(first)
        second, _graph = check_repository(root, SETTINGS)
        assert second.findings == first.findings
        assert (second.config_usable, second.counts, second.files_read) == (
            first.config_usable,
            first.counts,
            first.files_read,
        )


def test_the_base_repository_is_valid() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_repo(Path(folder), dict(BASE), minimal=False)
        result = run(root)
        assert brief(result) == []
        assert result.files_read == 5


@FUZZ
@given(text_mutated())
def test_text_mutations_never_crash(mutation: tuple[str, bytes]) -> None:
    check_mutated(*mutation)


@FUZZ
@given(structurally_mutated())
def test_structural_mutations_never_crash(mutation: tuple[str, bytes]) -> None:
    check_mutated(*mutation)


@settings(FUZZ, max_examples=25)
@given(
    st.one_of(text_mutated(), structurally_mutated()),
    st.sampled_from(["terminal", "json"]),
)
def test_cli_exit_code_is_0_1_or_2(mutation: tuple[str, bytes], output_format: str) -> None:
    name, content = mutation
    with tempfile.TemporaryDirectory() as folder:
        root = write_repo(Path(folder), {**BASE, name: content}, minimal=False)
        result = CliRunner().invoke(
            app, ["check", "--repo", str(root), "--as-of", "2026-11-15", "-f", output_format]
        )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in {0, 1, 2}
    assert "Traceback" not in result.output  # stdout and stderr both


@st.composite
def scalar_soup(draw: Draw) -> tuple[str, bytes]:
    """A small document of keys and values drawn from YAML's special characters."""
    alphabet = YAML_ALPHABET + "\r\x85\u2028\ufeff\x07é\\"
    word = st.text(alphabet=alphabet, max_size=16)
    flow = st.builds(
        lambda words, opener, closer, joiner: opener + joiner.join(words) + closer,
        st.lists(word, max_size=4),
        st.sampled_from(["[", "{", ""]),
        st.sampled_from(["]", "}", ""]),
        st.sampled_from([", ", ": ", ",", ",\n  "]),
    )
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        indent = "  " * draw(st.integers(0, 2))
        lead = draw(st.sampled_from(["", "- ", "? "]))
        lines.append(f"{indent}{lead}{draw(word)}: {draw(st.one_of(word, flow))}")
    return "soup.yaml", ("\n".join(lines) + draw(st.sampled_from(["\n", ""]))).encode()


def test_the_files_mutated_start_on_the_fast_path() -> None:
    """Mutations start from text the fast path reads, so they probe where it stops."""
    for name, text in BASE.items():
        if name.endswith(".yaml"):
            assert parse_fast(text) == parse_yaml(text, fast=False), name


@settings(FUZZ, max_examples=400)
@given(st.one_of(text_mutated(), structurally_mutated(), scalar_soup()))
def test_the_fast_and_exact_paths_read_the_same(mutation: tuple[str, bytes]) -> None:
    name, content = mutation
    text, _problem = decode_yaml(name, content)
    if text is not None:
        assert parse_yaml(text) == parse_yaml(text, fast=False)


def test_mutation_helpers_reach_hostile_shapes() -> None:
    """The fragments really exercise the loader's guards, not only its syntax errors."""
    for fragment, code in [
        (b"[" * 100 + b"]" * 100, "LD005"),
        (b"[" * 2000 + b"]" * 2000, "LD005"),
        (b"[" * 2000, "LD001"),  # never closed: the syntax error is what to fix first
        (b"[" * 60000 + b"]" * 60000, "LD005"),  # beyond what libyaml's composer survives
        (b"\x00", "LD009"),
        (b"\xff", "LD010"),
        (b"\x07", "LD002"),
    ]:
        with tempfile.TemporaryDirectory() as folder:
            content = BASE["controls/iam.yaml"].encode() + b"    scope: " + fragment + b"\n"
            root = write_repo(Path(folder), {**BASE, "controls/iam.yaml": content}, minimal=False)
            assert code in [f.code for f in run(root).findings]
