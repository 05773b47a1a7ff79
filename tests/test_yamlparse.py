"""Unit tests of the YAML front end: scalars as text, hostile input bounded, exact positions."""

from __future__ import annotations

import pytest
import yaml
import yaml_rs

from ciptool.loader import yamlparse
from ciptool.loader.yamlparse import (
    MAX_DEPTH,
    ParsedYaml,
    PositionIndex,
    YamlProblem,
    parse_fast,
    parse_yaml,
)
from conftest import PROJECT_ROOT


def only_problem(parsed: ParsedYaml) -> YamlProblem:
    """The single problem of a parse that failed; the data is then ``None``."""
    assert parsed.data is None
    assert len(parsed.problems) == 1, parsed.problems
    return parsed.problems[0]


def where(problem: YamlProblem) -> tuple[str, int, int]:
    return (problem.code, problem.line, problem.column)


def billion_laughs(levels: int = 9) -> str:
    """The classic alias bomb: each level is nine aliases of the level below."""
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * 9) + "]"]
    for level in range(1, levels):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# --- the fast parser ----------------------------------------------------------------------


def test_fast_parser_is_available() -> None:
    """CI must fail if PyYAML was installed without libyaml: the loader would be 2x slower."""
    assert yamlparse.FAST_PARSER is True
    assert issubclass(yamlparse._Loader, yaml.CSafeLoader)


# --- the fast path: the same data as the exact path, or declined ----------------------------

RECORD = """\
evidence:
  - id: recert-2026-q1
    control: IAM-01
    collected_on: 2026-03-31
    period: {from: 2026-01-01, to: 2026-03-31}
    files:
      - path: evidence/2026/q1/recert.csv
        sha256: 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
    summary: >-
      Quarterly access review of the directory,
      signed off by the CISO.
    notes: |
      Two accounts removed.
    reviewer:
    tags: [access, 'quarterly', "sox"]
"""


def test_the_fast_path_takes_plain_records() -> None:
    fast = parse_fast(RECORD)
    assert fast is not None
    assert fast == parse_yaml(RECORD, fast=False)
    assert fast.data["evidence"][0]["summary"] == (
        "Quarterly access review of the directory, signed off by the CISO."
    )
    assert fast.data["evidence"][0]["reviewer"] is None


def test_every_record_file_of_the_example_program_takes_the_fast_path() -> None:
    """Plainly written records, flow collections and block scalars included, are not declined."""
    files = [
        path
        for folder in ("controls", "policies", "evidence", "exceptions")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.yaml"))
        if "files" not in path.relative_to(PROJECT_ROOT).parts
    ]
    assert len(files) > 100
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert parse_fast(text) == parse_yaml(text, fast=False), path


def test_a_panic_in_the_fast_parser_leaves_the_file_to_the_exact_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class PanicException(BaseException):  # what a panic in Rust raises, through pyo3
        pass

    def panics(*_args: object, **_options: object) -> None:
        raise PanicException("explicit panic")

    monkeypatch.setattr(yaml_rs, "loads", panics)
    assert parse_fast(RECORD) is None
    assert parse_yaml(RECORD) == parse_yaml(RECORD, fast=False)
    assert parse_yaml(RECORD).data["evidence"][0]["control"] == "IAM-01"


def test_the_fast_path_interns_keys_and_short_text_as_the_exact_path_does() -> None:
    data = parse_fast(RECORD + RECORD.replace("evidence:\n", "more:\n")).data  # type: ignore[union-attr]
    first, second = data["evidence"][0], data["more"][0]
    assert first["control"] is second["control"]
    assert next(iter(first)) is next(iter(second))


@pytest.mark.parametrize(
    "text",
    [
        "a: 5.10\n",  # a number: its text would be lost
        "a: 007\n",
        "a: 1_000\n",
        "a: true\n",
        "a: [x, 1]\n",
        "1: a\n",  # keys too
        "null: a\n",
        "? [x, y]\n: z\n",
        "a: &x b\nc: *x\n",  # anchors: the exact path bounds alias expansion
        "a: !!str b\n",  # tags
        "a: ! b\n",
        "%YAML 1.1\n---\na: b\n",  # directives
        "a: b\n---\nc: d\n",  # a second document
        "a: b\n...\n",
        "...\na: b\n",  # the end of a document that has not begun
        "a: b\rc: d\n",  # a lone carriage return
        "a: x\x85y\n",  # line breaks in YAML 1.1 only
        "a: 'x\u2028y'\n",
        "a: x\ufeffy\n",
        "a: x\x07y\n",  # forbidden characters
        "a: b\na: c\n",  # a duplicate key: the exact path words the problem
        "a: [b\n",  # a syntax error
        "",  # not a mapping: record files are, and YAML 1.2 reads more at the top
        "# only a comment\n",
        "- a\n",
        "|\nblock at the top\n",
        "a: |\n  no line break at the end",  # block scalars at the very end
        "a: |\n",
        "a: [b,\n  c]\n",  # flow collections: on one line, two deep, plain words only
        "a: [[[b]]]\n",
        "a: {b: |\n  c}\n",
        "a: {b:, c: d}\n",
        "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n",  # too deep
    ],
)
def test_the_fast_path_declines_what_it_cannot_read_exactly(text: str) -> None:
    assert parse_fast(text) is None
    assert parse_yaml(text) == parse_yaml(text, fast=False)


@pytest.mark.parametrize(
    "text",
    [
        "---\na: b\n",
        "a: yes\nb: No\nc: 12:30:00\nd: 2026-01-01T10:00:00Z\n",
        "a: ~\nb:\nc: null\nd: Null\ne: NULL\nf: nULL\ng: 'null'\nh: ''\n",
        "a: Research&Development\nb: Audit & Risk\nc: Done!\nd: 50% of hosts\n",
        'a: "\\x41\\u263A\\t\\/ \\"q\\""\n',
        "a: one\n  two\n\n  three\n",
        "a: |+\n  x\n\nb: >\n\n  y\n\n\n",
        "a: b\r\nc: d\r\n",
        "a: 'it''s'  # c\n",
        "a:\n- a\n- - b\n  - c\n- {d: [e, f]}\n",
        'a: café\nb: "\\u00e9"\n',
    ],
)
def test_the_fast_path_gives_what_the_exact_path_gives(text: str) -> None:
    fast = parse_fast(text)
    assert fast is not None
    assert fast == parse_yaml(text, fast=False)


# --- scalars ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "5.10",
        "NO",
        "yes",
        "no",
        "on",
        "off",
        "true",
        "False",
        "2026-01-01",
        "2026-01-01T10:00:00Z",
        "1e3",
        "0x10",
        "0o17",
        "012",
        ".inf",
        "-.NaN",
        "1_000",
        "12:30:00",
        "=",
        "<<",
    ],
)
def test_every_plain_scalar_is_text(written: str) -> None:
    parsed = parse_yaml(f"value: {written}\nlist: [{written}]\n")
    assert parsed.problems == ()
    assert parsed.data == {"value": written, "list": [written]}


def test_scalars_keep_their_exact_text() -> None:
    parsed = parse_yaml(
        "a: '5.10'\nb: \"NO\"\nc: 007\nd: |\n  two\n  lines\ne: >-\n  folded\n  text\n"
    )
    assert parsed.problems == ()
    assert parsed.data == {
        "a": "5.10",
        "b": "NO",
        "c": "007",
        "d": "two\nlines\n",
        "e": "folded text",
    }


def test_explicit_tags_do_not_change_the_text() -> None:
    parsed = parse_yaml("a: !!int 12\nb: !!float x\nc: !!python/object:os.system echo\n")
    assert parsed.problems == ()
    assert parsed.data == {"a": "12", "b": "x", "c": "echo"}


@pytest.mark.parametrize("written", ['"null"', "'null'", '"~"', "''", '""', "'NULL'"])
def test_quoted_null_is_text(written: str) -> None:
    parsed = parse_yaml(f"value: {written}\n")
    assert parsed.problems == ()
    assert parsed.data == {"value": yaml.safe_load(f"v: {written}")["v"]}
    assert isinstance(parsed.data["value"], str)


@pytest.mark.parametrize("written", ["null", "Null", "NULL", "~", ""])
def test_plain_null_is_none(written: str) -> None:
    parsed = parse_yaml(f"value: {written}\nlist: [{written or '~'}]\n")
    assert parsed.problems == ()
    assert parsed.data == {"value": None, "list": [None]}


def test_keys_are_always_text() -> None:
    parsed = parse_yaml("null: a\n~: b\n5.10: c\nyes: d\n")
    assert parsed.problems == ()
    assert parsed.data == {"null": "a", "~": "b", "5.10": "c", "yes": "d"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "# just a comment\n",
        "---\n",
        "---\n...\n",
    ],
)
def test_empty_document_is_none_without_problems(text: str) -> None:
    assert parse_yaml(text) == ParsedYaml(None, ())


def test_top_level_may_be_any_node() -> None:
    assert parse_yaml("- a\n- b\n").data == ["a", "b"]
    assert parse_yaml("just text\n").data == "just text"


def test_small_aliases_are_expanded() -> None:
    parsed = parse_yaml("a: &shared [x, {k: v}]\nb: *shared\nc: &s text\nd: *s\n")
    assert parsed.problems == ()
    assert parsed.data == {
        "a": ["x", {"k": "v"}],
        "b": ["x", {"k": "v"}],
        "c": "text",
        "d": "text",
    }


# --- duplicate and complex keys -----------------------------------------------------------


def test_duplicate_key_keeps_the_first_and_says_where() -> None:
    parsed = parse_yaml("a: 1\nb: 2\na: 3\n")
    assert parsed.data == {"a": "1", "b": "2"}
    (problem,) = parsed.problems
    assert where(problem) == ("LD003", 3, 1)
    assert problem.yaml_path == ("a",)
    assert "first at line 1" in problem.message


def test_duplicate_key_inside_a_record() -> None:
    text = "controls:\n  - id: A-1\n    title: One\n    title: Two\n"
    parsed = parse_yaml(text)
    assert parsed.data == {"controls": [{"id": "A-1", "title": "One"}]}
    (problem,) = parsed.problems
    assert where(problem) == ("LD003", 4, 5)
    assert problem.yaml_path == ("controls", 0, "title")


def test_every_duplicate_key_is_reported() -> None:
    parsed = parse_yaml("a: 1\na: 2\nb: {x: 1, x: 2}\n")
    assert [where(p) for p in parsed.problems] == [("LD003", 2, 1), ("LD003", 3, 11)]
    assert parsed.data == {"a": "1", "b": {"x": "1"}}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("? [a, b]\n: c\n", 1, 3),
        ("? {a: 1}\n: c\n", 1, 3),
        ("[a]: b\n", 1, 1),
        ("top:\n  {x: 1}: y\n", 2, 3),
    ],
)
def test_complex_key_is_refused(text: str, line: int, column: int) -> None:
    assert where(only_problem(parse_yaml(text))) == ("LD004", line, column)


# --- hostile input ------------------------------------------------------------------------


def test_billion_laughs_is_refused() -> None:
    problem = only_problem(parse_yaml(billion_laughs(9)))
    assert problem.code == "LD006"
    assert "alias bomb" in problem.message
    assert problem.yaml_path == ()  # the position is the anchor's, shared by every alias
    assert problem.line >= 1
    assert problem.column >= 1


def test_billion_laughs_of_mappings_is_refused() -> None:
    lines = ["m0: &m0 {a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x, i: x}"]
    for level in range(1, 9):
        body = ", ".join(f"{key}: *m{level - 1}" for key in "abcdefghi")
        lines.append(f"m{level}: &m{level} {{{body}}}")
    assert only_problem(parse_yaml("\n".join(lines) + "\n")).code == "LD006"


def test_alias_bomb_below_the_top_level_is_refused() -> None:
    text = "controls:\n  - id: X\n    scope: &s [a, a, a, a, a, a, a, a, a, a]\n" + "".join(
        f"    k{index}: [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s]\n" for index in range(200)
    )
    assert only_problem(parse_yaml(text)).code == "LD006"


def test_aliases_of_a_long_scalar_are_refused_by_their_characters() -> None:
    # A 900 KB scalar aliased 500 times took 1.38 GB: aliases of a scalar counted nothing.
    text = "a: &s " + "x" * 20_000 + "\nb: [" + ", ".join(["*s"] * 51) + "]\n"
    problem = only_problem(parse_yaml(text))
    assert where(problem) == ("LD006", 1, 4)
    assert f"{yamlparse.MAX_ALIAS_CHARACTERS:,} characters" in problem.message


def test_aliases_of_a_long_scalar_within_the_budget_are_expanded() -> None:
    text = "a: &s " + "x" * 20_000 + "\nb: [" + ", ".join(["*s"] * 49) + "]\n"
    parsed = parse_yaml(text)
    assert parsed.problems == ()
    assert parsed.data["b"] == ["x" * 20_000] * 49


def test_many_aliases_of_an_empty_list_are_refused() -> None:
    # 200,000 aliases of an empty list took 900 MB: an alias of nothing added no node.
    text = "a: &e []\nb: [" + ", ".join(["*e"] * (yamlparse.MAX_ALIAS_EXPANSION + 1)) + "]\n"
    problem = only_problem(parse_yaml(text))
    assert where(problem) == ("LD006", 1, 4)
    assert "10,000 nodes" in problem.message


def test_aliases_up_to_the_node_budget_are_expanded() -> None:
    text = "a: &e []\nb: [" + ", ".join(["*e"] * yamlparse.MAX_ALIAS_EXPANSION) + "]\n"
    parsed = parse_yaml(text)
    assert parsed.problems == ()
    assert len(parsed.data["b"]) == yamlparse.MAX_ALIAS_EXPANSION


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a [x, [y, {z: *a}]]\n"])
def test_recursive_alias_is_refused(text: str) -> None:
    problem = only_problem(parse_yaml(text))
    assert problem.code == "LD006"
    assert "recursive" in problem.message


def test_recursive_alias_position() -> None:
    assert where(only_problem(parse_yaml("a: &a [*a]\n"))) == ("LD006", 1, 4)


def test_deep_flow_nesting_is_refused_before_composing() -> None:
    # libyaml's recursive composer crashes the interpreter at ~30,000 levels: the pre-check
    # must refuse this in-process, so the test simply has to return.
    problem = only_problem(parse_yaml("[" * 100_000))
    assert where(problem) == ("LD005", 1, MAX_DEPTH + 1)


def test_deep_balanced_flow_nesting_is_refused() -> None:
    text = "key: " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert where(only_problem(parse_yaml(text))) == ("LD005", 1, 5 + MAX_DEPTH)


def test_deep_flow_mappings_are_refused() -> None:
    text = "{a: " * 50_000 + "x" + "}" * 50_000 + "\n"
    assert only_problem(parse_yaml(text)).code == "LD005"


def test_deep_compact_block_nesting_on_one_line_is_refused() -> None:
    assert only_problem(parse_yaml("- " * 50_000 + "x\n")).code == "LD005"


def test_deep_block_nesting_is_refused() -> None:
    text = "".join("  " * level + f"k{level}:\n" for level in range(100)) + "  " * 100 + "v\n"
    problem = only_problem(parse_yaml(text))
    # the mapping at depth 64 (under k63) starts on line 65, indented by 128 spaces
    assert where(problem) == ("LD005", MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)


def test_deep_block_nesting_the_pre_check_lets_through_is_refused_on_both_paths() -> None:
    # One space per level keeps the text under the pre-check's bound; yaml-rs must survive
    # it, and its data, too deep to take, goes to the exact path, which refuses it.
    text = "".join(" " * level + f"k{level}:\n" for level in range(4000)) + " " * 4000 + "v\n"
    assert yamlparse._check_depth(text) is None
    assert parse_fast(text) is None
    assert only_problem(parse_yaml(text)).code == "LD005"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # read up to where libyaml 0.2.6 stops: the first of the level past the limit and a
        # syntax error wins
        pytest.param("[" * 10 + "}" + "[" * 6000, ("LD001", 1, 11), id="syntax-error-first"),
        pytest.param(
            "a: *x\nb: " + "[" * 2000 + "]" * 2000 + "\n", ("LD005", 2, 67), id="depth-first"
        ),
        # composed whole (under the pre-check's bound): a syntax error anywhere wins
        pytest.param("[" * 10 + "}" + "[" * 2000, ("LD001", 1, 11), id="composed-syntax-error"),
        pytest.param(
            "a: *x\nb: " + "[" * 1200 + "]" * 1200 + "\n", ("LD001", 1, 4), id="composed-alias"
        ),
        pytest.param(
            "b: " + "[" * 1100 + "]" * 1100 + "\n---\na: 1\n",
            ("LD001", 2, 1),
            id="composed-second-document",
        ),
        pytest.param("[" * 1100, ("LD001", 2, 1), id="composed-never-closed"),
        pytest.param(
            "".join(" " * level + "-\n" for level in range(1100)) + " " * 1100 + "v\n",
            ("LD005", MAX_DEPTH + 1, MAX_DEPTH + 1),
            id="composed-block-sequences",
        ),
        pytest.param(
            "a:\n  b: " + "{x: " * 1200 + "y" + "}" * 1200 + "\n",
            ("LD005", 2, 6 + 4 * (MAX_DEPTH - 2)),
            id="composed-flow-in-block",
        ),
    ],
)
def test_nesting_past_libyamls_own_limit_reads_the_same_on_every_libyaml(
    text: str, expected: tuple[str, int, int]
) -> None:
    # libyaml 0.2.6 stops nesting at 1,000 levels where earlier versions go on (PyYAML 6.0.1
    # bundles 0.2.5): the problem found is the one 0.2.5 gives.
    assert where(only_problem(parse_yaml(text))) == expected


def test_nesting_at_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH - 1  # the root mapping is at depth 0
    parsed = parse_yaml("a: " + "[" * depth + "x" + "]" * depth + "\n")
    assert parsed.problems == ()
    node = parsed.data["a"]
    for _ in range(depth - 1):
        node = node[0]
    assert node == ["x"]
    assert only_problem(parse_yaml("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)).code == "LD005"


# --- syntax errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: [1, 2\n", 2, 1),
        ("a: b: c\n", 1, 5),
        ("key: value\n  bad: 1\n", 2, 6),
        ("a: 'unterminated\n", 2, 1),
        ('a: "\\q"\n', 1, 5),
        ("- a\nb: c\n", 2, 1),
        ("a: [1, 2]]\n", 1, 10),
        ("a: |\n  x\n b\n", 3, 2),
        ("a: *undefined\n", 1, 4),
        ("%FOO\n---\na: 1\n", 1, 5),
        ("a: @x\n", 1, 4),
        ("a: `x\n", 1, 4),
    ],
)
def test_syntax_error_position(text: str, line: int, column: int) -> None:
    problem = only_problem(parse_yaml(text))
    assert where(problem) == ("LD001", line, column)
    assert problem.message.startswith("YAML syntax error: ")
    assert problem.suggestion


def test_syntax_error_messages_give_advice() -> None:
    undefined = only_problem(parse_yaml("a: *nope\n"))
    assert "anchor" in undefined.suggestion
    indentation = only_problem(parse_yaml("key: value\n  bad: 1\n"))
    assert "indentation" in indentation.suggestion


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a:\n\t- b\n", 2, 1), ("\ta: 1\n", 1, 1), ("a:\n  b: 1\n\tc: 2\n", 3, 1)],
)
def test_tab_indentation_is_a_syntax_error(text: str, line: int, column: int) -> None:
    assert where(only_problem(parse_yaml(text))) == ("LD001", line, column)


def test_tab_inside_a_plain_scalar_gets_the_tab_hint() -> None:
    problem = only_problem(parse_yaml("a:\n  b: 1\n\tc: 2\n"))
    assert "tab" in problem.suggestion


def test_tabs_inside_values_are_text() -> None:
    assert parse_yaml("a: one\ttwo\nb: 'x\ty'\n").data == {"a": "one\ttwo", "b": "x\ty"}


@pytest.mark.parametrize(
    ("text", "hint"),
    [("a:\n\t- b\n", "tab"), ("a: @x\n", "@"), ("a: 1\n---\nb: 2\n", "---")],
)
def test_syntax_hint_fits_the_error(text: str, hint: str) -> None:
    assert hint in only_problem(parse_yaml(text)).suggestion


@pytest.mark.parametrize("text", ["a: 1\n---\nb: 2\n", "--- a\n--- b\n", "a: 1\n...\n---\nb: 2\n"])
def test_multiple_documents_are_a_syntax_error(text: str) -> None:
    problem = only_problem(parse_yaml(text))
    assert problem.code == "LD001"
    assert "document" in problem.message


def test_second_document_position() -> None:
    assert where(only_problem(parse_yaml("a: 1\n---\nb: 2\n"))) == ("LD001", 2, 1)


def test_one_document_with_markers_is_fine() -> None:
    assert parse_yaml("---\na: 1\n...\n").data == {"a": "1"}
    assert parse_yaml("%YAML 1.2\n---\na: 1\n").data == {"a": "1"}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a: b\x07c\n", 1, 5), ("a: x\n\x0cb: 1\n", 2, 1), ("a: x\x1b\n", 1, 5)],
)
def test_control_character_is_refused(text: str, line: int, column: int) -> None:
    assert where(only_problem(parse_yaml(text))) == ("LD002", line, column)


def test_control_character_position_after_non_ascii_text() -> None:
    assert where(only_problem(parse_yaml("a: café\x07\n"))) == ("LD002", 1, 8)


def test_control_character_is_named() -> None:
    assert "U+0007" in only_problem(parse_yaml("a: b\x07c\n")).message


def test_unicode_text_is_kept() -> None:
    text = "title: Zugriffsprüfung – 日本語 😀\nnote: \u00a0x\n"
    assert parse_yaml(text).data == {"title": "Zugriffsprüfung – 日本語 😀", "note": "\u00a0x"}


# --- positions ----------------------------------------------------------------------------

RECORDS = """\
controls:
  - id: IAM-01
    title: Access review
    mappings:
      nist-csf-2.0: [PR.AA-05, PR.AA-01]
      iso27001-2022:
        - id: A.5.18
          relationship: equal
  - id: IAM-02
"""


@pytest.mark.parametrize(
    ("path", "key", "expected"),
    [
        ((), False, (1, 1)),
        (("controls",), True, (1, 1)),
        (("controls",), False, (2, 3)),
        (("controls", 0), False, (2, 5)),
        (("controls", 0, "title"), True, (3, 5)),
        (("controls", 0, "title"), False, (3, 12)),
        (("controls", 0, "mappings", "nist-csf-2.0"), True, (5, 7)),
        (("controls", 0, "mappings", "nist-csf-2.0"), False, (5, 21)),
        (("controls", 0, "mappings", "nist-csf-2.0", 1), False, (5, 32)),
        (("controls", 0, "mappings", "iso27001-2022", 0, "relationship"), True, (8, 11)),
        (("controls", 0, "mappings", "iso27001-2022", 0, "relationship"), False, (8, 25)),
        (("controls", 1, "id"), True, (9, 5)),
        (("controls", 1, "id"), False, (9, 9)),
    ],
)
def test_locate_keys_and_values(
    path: tuple[str | int, ...], key: bool, expected: tuple[int, int]
) -> None:
    assert PositionIndex(RECORDS).locate(path, key=key) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("controls", 1, "owner"), (9, 5)),  # a missing key: the record that lacks it
        (("controls", 7, "id"), (2, 3)),  # an index past the end: the list
        (("controls", -1), (2, 3)),
        (("controls", 0, "title", "deeper"), (3, 12)),  # into a scalar: the scalar
        (("controls", "name"), (2, 3)),  # a key into a list: the list
        (("controls", 0, 0), (2, 5)),  # an index into a mapping: the mapping
        (("nothing", "here"), (1, 1)),
    ],
)
def test_locate_past_the_end_gives_the_deepest_node(
    path: tuple[str | int, ...], expected: tuple[int, int]
) -> None:
    assert PositionIndex(RECORDS).locate(path) == expected


def test_locate_finds_the_first_of_duplicate_keys() -> None:
    index = PositionIndex("a: 1\nb: 2\na: 3\n")
    assert index.locate(("a",)) == (1, 4)
    assert index.locate(("a",), key=True) == (1, 1)


def test_locate_through_an_alias_gives_the_anchor() -> None:
    index = PositionIndex("a: &x {k: v}\nb: *x\n")
    assert index.locate(("b", "k")) == (1, 11)


@pytest.mark.parametrize("text", ["", "# comment\n", "a: [\n", "a: 1\n---\nb: 2\n", "a: b\x07\n"])
def test_locate_in_text_without_nodes_gives_the_start(text: str) -> None:
    assert PositionIndex(text).locate(("a", 0, "b")) == (1, 1)
    assert PositionIndex(text).locate((), key=True) == (1, 1)


def test_positions_count_characters_not_bytes() -> None:
    index = PositionIndex("title: é😀日本 x\nnext: [ä, ö]\n")
    assert index.locate(("next", 1)) == (2, 11)
    assert index.locate(("title",)) == (1, 8)


class _CountedPairs(list[tuple[yaml.Node, yaml.Node]]):
    """A mapping's pairs that count how often they are read through."""

    reads = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        _CountedPairs.reads += 1
        return super().__iter__()


def test_locating_every_key_of_a_mapping_reads_its_keys_once() -> None:
    # Each finding was located by reading the mapping's keys again: 20,000 unknown keys in
    # one record took 32 s. Now each mapping's keys are read once however many findings.
    text = "".join(f"k{i}: v\n" for i in range(2_000))
    index = PositionIndex(text)
    root = index._root
    assert isinstance(root, yaml.MappingNode)
    root.value = _CountedPairs(root.value)
    _CountedPairs.reads = 0
    positions = [index.locate((f"k{i}",), key=True) for i in range(2_000)]
    assert positions == [(i + 1, 1) for i in range(2_000)]
    assert _CountedPairs.reads == 1


def test_many_duplicate_keys_are_reported_in_one_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each duplicate key looked for the first of its name, and for its own path, by reading
    # the file's nodes again: 20,000 duplicate keys took 60 s. Now a fixed number of reads.
    compose = yamlparse._compose

    def counted(text: str) -> yaml.Node | None:
        root = compose(text)
        assert isinstance(root, yaml.MappingNode)
        root.value = _CountedPairs(root.value)
        return root

    monkeypatch.setattr(yamlparse, "_compose", counted)
    _CountedPairs.reads = 0
    parsed = parse_yaml("a: 0\n" + "".join(f"a: {i}\n" for i in range(1, 2_000)), fast=False)
    assert parsed.data == {"a": "0"}
    assert len(parsed.problems) == 1_999
    assert [(p.code, p.line, p.column, p.yaml_path) for p in parsed.problems[:2]] == [
        ("LD003", 2, 1, ("a",)),
        ("LD003", 3, 1, ("a",)),
    ]
    assert parsed.problems[-1].message.startswith("duplicate key `a` (first at line 1)")
    assert _CountedPairs.reads <= 3


def test_aliases_of_a_mapping_with_a_long_key_count_its_characters() -> None:
    text = "a: &m\n  ? " + "k" * 20_000 + "\n  : v\nb: [" + ", ".join(["*m"] * 51) + "]\n"
    problem = only_problem(parse_yaml(text))
    assert where(problem) == ("LD006", 1, 4)
    assert "collection anchored here expand to more than 1,000,000 characters" in problem.message


_TEXTS = [
    RECORDS,
    "a: 1\nb: 2\na: 3\n",
    "a: {x: 1, x: [2, 3]}\nb: [[1, [2]], {c: d}]\n",
    "? [complex, key]\n: value\nplain: 1\n? {k: v}\n: other\n",
    "a: &x {k: v}\nb: *x\n",
    "a: 1\n---\nb: 2\n",
    "",
    "# only a comment\n",
    "- [a, b]\n- {c: [d, {e: f}]}\n- !tag g\n- &anchor h\n",
    "a: [\n",
    "title: é😀日本 x\nnext: [ä, ö]\n",
    "controls:\n  - id: A\n    title: |\n      long\n      text\n    owner: >-\n      folded\n",
    "1: one\n'1': quoted\nnull: x\n",
]
_PATHS: list[tuple[str | int, ...]] = [
    (),
    ("a",),
    ("a", "x"),
    ("a", "x", 1),
    ("a", "k"),
    ("b",),
    ("b", "k"),
    ("b", 0, 1, 0),
    ("b", 1, "c"),
    ("b", 5),
    ("plain",),
    ("value",),
    (0,),
    (1, "c", 1, "e"),
    (1, "c", 1, "e", "deeper"),
    (2,),
    (3,),
    ("next", 1),
    ("title",),
    ("controls", 0, "title"),
    ("controls", 0, "owner"),
    ("controls", 0, "missing"),
    ("controls", 3),
    ("1",),
    (1,),
    ("null",),
    ("controls", 0, "mappings", "nist-csf-2.0", 1),
    ("controls", 0, "mappings", "iso27001-2022", 0, "relationship"),
    ("controls", 1, "id"),
    ("controls", -1),
    ("controls", "name"),
    ("controls", 0, 0),
]


@pytest.mark.parametrize("text", _TEXTS)
def test_positions_read_along_given_paths_are_those_composing_gives(text: str) -> None:
    composed = PositionIndex(text)
    along = PositionIndex(text, _PATHS)
    for path in _PATHS:
        for key in (False, True):
            assert along.locate(path, key=key) == composed.locate(path, key=key), (path, key)


def test_positions_along_given_paths_compose_nothing() -> None:
    # A 16 MiB file's composed nodes took 540 MB; its events are read and dropped.
    text = "controls:\n" + "".join(f"  - id: C-{i}\n    title: t\n" for i in range(2_000))
    paths = [("controls", i, "owner") for i in range(0, 2_000, 7)]
    index = PositionIndex(text, paths)
    assert [index.locate(path) for path in paths] == [(2 + 14 * i, 5) for i in range(286)]
    assert index._root is None
    assert not index._composed


def test_a_file_of_more_structure_than_a_file_of_controls_holds_is_refused_before_parsing() -> None:
    text = "controls: [" + ",".join(["[]"] * 700_000) + "]\n"  # 2,100,002 brackets and commas
    parsed = yamlparse.parse_yaml(text)
    assert parsed.data is None
    assert [(p.code, p.line, p.column, p.message) for p in parsed.problems] == [
        (
            "LD008",
            1,
            1,
            "file holds 2,100,002 commas, colons, dashes and brackets; ciptool reads YAML files"
            " with up to 2,000,000 (half as many again as 16 MiB of controls hold)",
        )
    ]
    assert yamlparse.parse_yaml(text.replace(",[]" * 50_001, "", 1)).data is not None


def test_a_file_past_ten_thousand_duplicate_keys_is_not_read() -> None:
    text = "controls:\n  - id: IAM-01\n" + "    a: 1\n" * 10_002
    parsed = yamlparse.parse_yaml(text, fast=False)
    assert parsed.data is None
    assert [(p.code, p.line, p.column, p.message) for p in parsed.problems][-1] == (
        "LD015",
        10_004,
        5,
        "more than 10,000 problems in this file; none of it is read",
    )
