"""A file with thousands of findings gives the same output in every format, fresh or kept.

The writers of JSON, SARIF and the terminal take a faster way than ``json.dumps(indent=2)`` and
one ``console.print`` per finding; these tests hold them to what those wrote: the same JSON
text byte for byte, the same SARIF log (its results one to a line), and the same terminal bytes
in every colour system. How fast they are is measured by bench/limits.py, never here.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.findings import Finding, Location, Severity
from ciptool.render import indented
from ciptool.render.indented import Items, indented_json
from ciptool.render.junit import render_junit
from ciptool.render.terminal import render_findings, terminal_console
from ciptool.results import RunResult
from conftest import AS_OF, MakeRepo, run
from incremental.conftest import settled  # noqa: F401 - a fixture

#: A list item that is no record: each is an SC002 error of its own.
COUNT = 2_500


def _many(make_repo: MakeRepo) -> Path:
    items = ",".join(["[]"] * COUNT)
    return make_repo({"controls/many.yaml": f"controls: [{items}]\n"})


def _check(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--as-of", AS_OF.isoformat(), *args]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout


@pytest.mark.usefixtures("settled")
def test_every_format_writes_every_finding_fresh_and_kept(make_repo: MakeRepo) -> None:
    root = _many(make_repo)
    for output_format in ("json", "sarif", "junit", "github", "terminal"):
        fresh = _check(root, "--format", output_format, "--no-cache")
        cold = _check(root, "--format", output_format)  # keeps its result
        warm = _check(root, "--format", output_format)  # prints the kept result
        assert fresh == cold == warm, output_format
        assert fresh[0] == 1
    document = json.loads(_check(root, "--format", "json")[1])
    assert document["summary"]["errors"] == COUNT
    found = [(f["code"], f["file"], f["line"], f["column"]) for f in document["findings"]]
    many = "controls/many.yaml"
    assert found == [("SC002", many, 1, 12 + 3 * index) for index in range(COUNT)]
    paths = [f["yaml_path"] for f in document["findings"]]
    assert paths == [f"controls[{index}]" for index in range(COUNT)]
    log = json.loads(_check(root, "--format", "sarif")[1])
    assert len(log["runs"][0]["results"]) == COUNT
    assert _check(root, "--format", "github")[1].count("::error ") == COUNT
    assert _check(root, "--format", "junit")[1].count("<failure ") == COUNT
    assert _check(root, "--format", "terminal")[1].count(" error   SC002  ") == COUNT


def test_json_is_the_text_json_dumps_writes_with_indent(make_repo: MakeRepo) -> None:
    text = _check(_many(make_repo), "--format", "json")[1]
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_sarif_writes_each_result_on_a_line_of_its_own(make_repo: MakeRepo) -> None:
    text = _check(_many(make_repo), "--format", "sarif")[1]
    log = json.loads(text)
    results = log["runs"][0]["results"]
    lines = [line for line in text.split("\n") if line.startswith('        {"ruleId": ')]
    assert [json.loads(line.strip().rstrip(",")) for line in lines] == results
    log["runs"][0]["results"] = []  # the rest is written as json.dumps(indent=2) writes it
    rest = text.replace("\n".join(lines), "").replace('"results": [\n\n      ]', '"results": []')
    assert rest == json.dumps(log, indent=2, ensure_ascii=False) + "\n"


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(["}, {", '},\n    {"a"', "\n", "\u2028", "\ud800", "[]"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_indented_json_is_json_dumps_with_indent(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=12))
def test_items_are_written_as_their_list(items: list[object]) -> None:
    # Runs of mappings cross the chunks the items are made in.
    chunk, indented._CHUNK = indented._CHUNK, 3
    try:
        lazy = indented_json({"items": Items(iter(items))})
        one_per_line = indented_json({"items": Items(iter(items), one_per_line=True)})
    finally:
        indented._CHUNK = chunk
    assert lazy == json.dumps({"items": items}, indent=2, ensure_ascii=False)
    assert json.loads(one_per_line) == json.loads(lazy)
    lines = one_per_line.split("\n")[2:-2] if items else []
    assert [json.loads(line.strip().rstrip(",")) for line in lines] == json.loads(lazy)["items"]


@pytest.mark.parametrize("color_system", [None, "standard", "256", "truecolor"])
@pytest.mark.parametrize("no_color", [False, True])
def test_terminal_lines_are_the_bytes_rich_prints(
    make_repo: MakeRepo, color_system: str | None, no_color: bool
) -> None:
    # A recording console prints every finding through rich, as every console did before.
    root = make_repo(
        {
            "controls/escapes.yaml": 'controls:\n- id: IAM-01\n  "ti\\e[2Jtel": "\\u202eX"\n- []\n',
            "exceptions/x.yaml": "exceptions: [[]]\n",
        }
    )
    result = run(root)
    outputs = []
    for record in (False, True):
        buffer = io.StringIO()
        console = terminal_console(
            file=buffer,
            width=100,
            color_system=color_system,
            force_terminal=color_system is not None,
            no_color=no_color,
            record=record,
        )
        render_findings(result, console)
        outputs.append(buffer.getvalue())
    assert outputs[0] == outputs[1]
    assert "\x1b[2J" not in outputs[0]
    assert "\\x1b[2J" in outputs[0]
    assert ("\x1b[" in outputs[0]) == (color_system is not None)


def test_a_quiet_console_prints_no_finding(make_repo: MakeRepo) -> None:
    buffer = io.StringIO()
    render_findings(run(_many(make_repo)), Console(file=buffer, quiet=True))
    assert buffer.getvalue() == ""


def test_junit_test_cases_written_as_text_read_back_as_written() -> None:
    text = "a&b<c>d\"e'f\rg\nh\ti]]>"
    findings = (
        Finding("SC001", Severity.ERROR, text, Location(f"c/{text}.yaml", 3, 4), text),
        Finding("EV001", Severity.WARNING, text, None, "", excepted_by="EXC-1"),
    )
    result = RunResult(Path("/"), "p", findings, 3, True, AS_OF, fail_on="warning")
    suite = ET.fromstring(render_junit(result).encode())[0]
    failed, passed = suite.findall("testcase")[:2]
    failure = failed.find("failure")
    assert failure is not None
    assert failed.get("file") == f"c/{text}.yaml"
    assert failed.get("name") == f"SC001 c/{text}.yaml:3:4"
    assert failure.get("message") == text
    # XML reads a carriage return between tags as a newline.
    assert failure.text == f"c/{text}.yaml:3:4: {text}\n{text}".replace("\r", "\n")
    assert passed.findtext("system-out") == (
        f"warning, excepted by EXC-1 until None: (repository): {text}".replace("\r", "\n")
    )
    assert suite.get("tests") == str(len(suite.findall("testcase")))
    assert suite.get("failures") == "1"
