"""Control characters from a repository are shown, never acted on, by a terminal.

A received repository's text (a value, a file name, a title) may carry escape sequences that
would rewrite the reviewer's screen: hide a finding, fake "passed". Everything ciptool prints
to a terminal shows them as escapes; machine formats keep the text exact but valid.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ciptool.cli import app
from ciptool.render.printable import printable
from conftest import EVIDENCE_CSV, MINIMAL_CONTROL, MakeRepo

FIXED = ["--as-of", "2026-11-15"]
EVIL_NAME = "controls/evil\x1b[2K\x1b[1A.yaml"
#: A control whose policy id carries an OSC title sequence, a bell and an erase-line.
EVIL_CONTROL = MINIMAL_CONTROL.replace("policy: POL-ACCESS", 'policy: "POL-\\e]0;owned\\a\\e[2K"')
EVIL_TITLE = MINIMAL_CONTROL.replace(
    "title: Quarterly access recertification",
    'title: "Quarterly\\e[2K\\e[1A \\u202egnissap\\u202c \\x9b31m %0A, a:b\\nnext"',
)


def test_printable_shows_every_control_and_keeps_the_rest() -> None:
    text = "a\x1b[2K\x07\x7f\x9b\u202e\u2066\ud8ff é\t|\nb"
    assert printable(text) == "a\\x1b[2K\\x07\\x7f\\x9b\\u202e\\u2066\\ud8ff é\\x09|\\x0ab"
    assert printable(text, lines=True) == "a\\x1b[2K\\x07\\x7f\\x9b\\u202e\\u2066\\ud8ff é\t|\nb"


def test_printable_shows_a_file_name_s_bytes_that_are_not_utf8_as_bytes() -> None:
    assert printable(os.fsdecode(b"controls/bad\xff.yaml")) == "controls/bad\\xff.yaml"


def all_output(result: Result) -> str:
    """What a command printed on both streams."""
    return result.stdout + result.stderr


def test_check_shows_escape_sequences_from_content_and_file_names(make_repo: MakeRepo) -> None:
    root = make_repo({"controls/iam.yaml": EVIL_CONTROL, EVIL_NAME: "controls: [\n"})
    outcome = CliRunner().invoke(app, ["check", "--repo", str(root), "--no-cache", *FIXED])
    assert outcome.exit_code == 1
    out = all_output(outcome)
    assert "\x1b" not in out and "\x07" not in out
    lines = outcome.stdout.splitlines()
    assert "controls/evil\\x1b[2K\\x1b[1A.yaml" in lines
    policy = [line for line in lines if "POL-" in line]
    assert policy and all("POL-\\x1b]0;owned\\x07\\x1b[2K" in line for line in policy), lines


def test_check_output_file_and_its_wrote_line_show_controls(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo({"controls/iam.yaml": EVIL_CONTROL})
    target = tmp_path / "out\x1b[2K.txt"
    outcome = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--no-cache", "-o", str(target), *FIXED]
    )
    assert outcome.exit_code == 1
    assert f"wrote {tmp_path}/out\\x1b[2K.txt\n" in outcome.stderr
    assert "\x1b" not in target.read_text()


def test_explain_shows_a_title_s_controls(make_repo: MakeRepo) -> None:
    root = make_repo({"controls/iam.yaml": EVIL_TITLE})
    outcome = CliRunner().invoke(app, ["explain", "IAM-01", "--repo", str(root), *FIXED])
    assert outcome.exit_code == 0, outcome.output
    first = outcome.stdout.splitlines()[0]
    # The title's newline too: "next" cannot start a line of its own.
    assert first == (
        "IAM-01: Quarterly\\x1b[2K\\x1b[1A \\u202egnissap\\u202c \\x9b31m %0A, a:b\\x0anext"
    ), outcome.stdout
    assert outcome.stdout.splitlines()[1] == "defined in controls/iam.yaml"
    assert "\x1b" not in outcome.stdout and "\u202e" not in outcome.stdout


def test_usage_errors_show_the_argument_s_controls() -> None:
    outcome = CliRunner().invoke(app, ["frameworks", "show", "x\x1b[2K\u202e"])
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith("ciptool: ")
    assert "x\\x1b[2K\\u202e" in outcome.stderr
    assert "\x1b" not in outcome.stderr and "\u202e" not in outcome.stderr


def test_evidence_add_and_verify_show_controls_in_file_names(make_repo: MakeRepo) -> None:
    root = make_repo()
    name = root / "evidence/2026/files/exp\x1b[1Aort.csv"
    name.write_bytes(EVIDENCE_CSV)
    cli = CliRunner()
    added = cli.invoke(
        app,
        [
            "evidence", "add", str(name), "--control", "IAM-01",
            "--requirement", "recert-signoff", "--collected-on", "2026-11-14", "--repo", str(root),
        ],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "\x1b" not in added.stdout
    name.write_bytes(b"changed")
    verified = cli.invoke(app, ["evidence", "verify", "--repo", str(root)])
    assert verified.exit_code == 1
    assert "exp\\x1b[1Aort.csv" in verified.stdout
    assert "\x1b" not in all_output(verified)


@pytest.fixture
def evil(make_repo: MakeRepo) -> Path:
    """A repository whose file name and text carry controls and workflow-command syntax."""
    return make_repo(
        {"controls/iam.yaml": EVIL_CONTROL, "controls/a:b,c%.yaml": "x: [", EVIL_NAME: "x: ["}
    )


def test_json_keeps_the_text_exact(evil: Path) -> None:
    outcome = CliRunner().invoke(
        app, ["check", "--repo", str(evil), "--no-cache", "-f", "json", *FIXED]
    )
    assert "\x1b" not in outcome.stdout  # JSON writes it as \u001b
    document = json.loads(outcome.stdout)
    files = [finding["file"] for finding in document["findings"]]
    assert EVIL_NAME in files


def test_junit_is_valid_xml_whatever_the_text(evil: Path) -> None:
    outcome = CliRunner().invoke(
        app, ["check", "--repo", str(evil), "--no-cache", "-f", "junit", *FIXED]
    )
    assert "\x1b" not in outcome.stdout and "\x07" not in outcome.stdout
    ET.fromstring(outcome.stdout)  # XML 1.0 cannot hold ESC or BEL, even as references


def test_github_annotations_escape_workflow_command_syntax(evil: Path) -> None:
    outcome = CliRunner().invoke(
        app, ["check", "--repo", str(evil), "--no-cache", "-f", "github", *FIXED]
    )
    lines = outcome.stdout.splitlines()
    assert all(line.startswith("::") for line in lines), lines
    named = [line for line in lines if "a%3Ab%2Cc%25.yaml" in line]
    assert named and named[0].startswith("::error file=controls/a%3Ab%2Cc%25.yaml,line=")
