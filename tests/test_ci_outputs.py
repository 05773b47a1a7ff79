"""What the machine outputs say about a run: what did not run, where files are, and in what form.

SARIF, JUnit and GitHub annotations are read by other programs, which act on every field: a
check that did not run must not read as passed, a path must name the file in the git work tree
the CI system looks at, and a URI must be one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from importlib.metadata import metadata
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from typer.testing import CliRunner

from ciptool import HOMEPAGE
from ciptool.checks import ALL_RULES
from ciptool.cli import app
from ciptool.render.rules import rules_page
from conftest import EXCEPTION_EXPIRING, EXCEPTION_ON_IAM, PROJECT_ROOT, MakeRepo, write_repo
from test_outputs import valid_junit

SCHEMAS = Path(__file__).parent / "schemas"
AS_OF = "2026-11-15"
#: A file whose bytes differ from the digest its record holds: EV004 on its record's line.
TAMPERED = {"evidence/2026/files/q.csv": b"changed after it was recorded\n"}


def invoke(root: Path, *args: str, code: int | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", "--repo", str(root), "--as-of", AS_OF, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if code is not None:
        assert result.exit_code == code, result.output
    return result.exit_code, result.stdout, result.stderr


def cases(document: str) -> dict[str, ET.Element]:
    """The JUnit document's test cases by name."""
    root = ET.fromstring(document)
    return {case.attrib["name"]: case for case in root.iter("testcase")}


# --- checks that did not run ---------------------------------------------------------------


def test_junit_writes_no_passing_case_for_a_check_that_select_left_out(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(TAMPERED)
    _, document, _ = invoke(root, "--select", "RF004", "-f", "junit", code=0)
    valid_junit(document)
    found = cases(document)
    assert "digest-mismatch: no findings" not in found
    assert "unknown-policy: no findings" in found  # RF004 ran and found nothing
    skipped = found["digest-mismatch: not run"].find("skipped")
    assert skipped is not None
    assert skipped.attrib["message"] == "not run: --select RF004 leaves EV004 out"
    passing = [n for n, c in found.items() if len(c) == 0]
    assert passing == ["unknown-policy: no findings"]
    suite = ET.fromstring(document).find("testsuite")
    assert suite is not None
    assert suite.attrib["tests"] == str(len(ALL_RULES))
    assert suite.attrib["skipped"] == str(len(ALL_RULES) - 1)


def test_junit_and_sarif_of_an_unusable_configuration_say_nothing_else_ran(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"ciptool.yaml": "program: [unclosed\n", **TAMPERED})
    _, document, _ = invoke(root, "-f", "junit", code=2)
    valid_junit(document)
    found = cases(document)
    assert not [name for name in found if name.endswith("no findings")]
    reason = found["digest-mismatch: not run"].find("skipped")
    assert reason is not None
    assert reason.attrib["message"] == "not run: ciptool.yaml cannot be used"
    failed = [name for name, case in found.items() if case.find("failure") is not None]
    assert failed == ["LD001 ciptool.yaml:2:1"]

    _, text, _ = invoke(root, "-f", "sarif", code=2)
    invocation = json.loads(text)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "error",
            "message": {
                "text": "ciptool.yaml cannot be used, so nothing else was read and no check"
                " ran; the results are only what is wrong with ciptool.yaml."
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "ciptool.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 1, "startColumn": 1},
                    }
                }
            ],
        }
    ]


def test_sarif_names_the_rules_a_selection_left_out(make_repo: MakeRepo) -> None:
    root = make_repo(TAMPERED)
    log = json.loads(invoke(root, "--select", "RF004,EV", "-f", "sarif", code=1)[1])
    run = log["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["exitCode"] == 1
    rules = run["tool"]["driver"]["rules"]
    left_out = [
        rules[o["descriptor"]["index"]]["id"] for o in invocation["ruleConfigurationOverrides"]
    ]
    assert left_out == [r.code for r in ALL_RULES if not r.code.startswith(("RF004", "EV"))]
    assert all(
        o["configuration"] == {"enabled": False}
        and o["descriptor"]["id"] == rules[o["descriptor"]["index"]]["id"]
        for o in invocation["ruleConfigurationOverrides"]
    )
    note = invocation["toolConfigurationNotifications"][0]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith(
        f"--select RF004,EV: {len(left_out)} of {len(ALL_RULES)} rules did not run"
    )


def test_a_full_run_says_it_succeeded(make_repo: MakeRepo) -> None:
    log = json.loads(invoke(make_repo(), "-f", "sarif", code=0)[1])
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True, "exitCode": 0}]


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_unknown_code_is_a_usage_error(make_repo: MakeRepo, option: str) -> None:
    root = make_repo({"controls/broken.yaml": "controls: [\n"})
    status, out, err = invoke(root, option, "LD01", "-f", "junit")
    assert status == 2
    assert out == ""
    assert f"{option}: no code or family `LD01`" in err
    assert "did you mean LD010, LD011, LD013, LD014, LD015, LD016?" in err
    assert invoke(root, option, "EV0001")[0] == 2
    assert invoke(root, option, "ld,rf002")[0] in (0, 1)  # a family and a code, any case


# --- file names and paths ------------------------------------------------------------------

#: A control with an unknown key, so that each file has a finding.
ODD_CONTROL = "controls:\n  - id: {}\n    title: T\n    owner: O\n    bogus: 1\n"
ODD: dict[str, str | bytes] = {
    "controls/data privacy.yaml": ODD_CONTROL.format("A-1"),
    "controls/100%.yaml": ODD_CONTROL.format("A-2"),
    "controls/a#b?.yaml": ODD_CONTROL.format("A-3"),
    "controls/données-ü.yaml": ODD_CONTROL.format("A-4"),
    "evidence/2026/files/[x] {y}.txt": "stray\n",
}
#: What RFC 3986 allows in a relative reference's path: unreserved, sub-delims, ":", "@",
#: "/" and percent-encoded octets.
URI_PATH = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$")


def test_sarif_uris_are_percent_encoded(make_repo: MakeRepo) -> None:
    root = make_repo(ODD)
    log = json.loads(invoke(root, "-f", "sarif", code=1)[1])
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert {
        "controls/data%20privacy.yaml",
        "controls/100%25.yaml",
        "controls/a%23b%3F.yaml",
        "controls/donn%C3%A9es-%C3%BC.yaml",
        "evidence/2026/files/%5Bx%5D%20%7By%7D.txt",
    } <= uris
    for uri in uris:
        assert URI_PATH.match(uri), uri
        assert (root / unquote(uri)).is_file()


def test_sarif_uri_of_a_file_name_that_is_not_utf8(make_repo: MakeRepo) -> None:
    root = make_repo()
    try:
        name = os.fsencode(root / "evidence/2026/files") + b"/caf\xe9.txt"  # Latin-1
        Path(os.fsdecode(name)).write_text("x")
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only UTF-8 names")
    log = json.loads(invoke(root, "-f", "sarif", code=0)[1])
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "evidence/2026/files/caf%E9.txt", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 1},  # a whole file: its first line
    }


def test_the_homepage_is_the_one_the_package_declares() -> None:
    declared = metadata("ciptool").get_all("Project-URL") or []
    assert f"Homepage, {HOMEPAGE}" in declared


def test_sarif_rules_carry_their_help(make_repo: MakeRepo) -> None:
    log = json.loads(invoke(make_repo(), "-f", "sarif", code=0)[1])
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")
    for rule in driver["rules"]:
        assert (
            rule["helpUri"]
            == f"{driver['informationUri']}/blob/main/docs/rules.md#{rule['id'].lower()}"
        )
        assert rule["help"]["markdown"].startswith(f"**{rule['id']}**")
    ev004 = next(r for r in driver["rules"] if r["id"] == "EV004")
    assert "`sha256`" in ev004["help"]["markdown"]


def test_the_rules_page_documents_every_rule() -> None:
    page = PROJECT_ROOT / "docs" / "rules.md"
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        page.write_text(rules_page(), encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert text == rules_page()  # CIPTOOL_UPDATE_GOLDEN=1 writes it again
    for rule in ALL_RULES:
        assert f'<a id="{rule.code.lower()}"></a>\n\n## {rule.code} {rule.slug}\n' in text
    assert "Passes: `sha256` equals `sha256sum files/x.csv`.\\\nFails: one byte" in text


@pytest.fixture
def in_subfolder(tmp_path: Path) -> Path:
    """A git work tree whose compliance repository is its ``compliance/`` folder."""
    top = tmp_path / "work"
    top.mkdir()
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    write_repo(
        top / "compliance",
        {
            "controls/ops.yaml": (
                "controls:\n  - id: OPS-01\n    title: Logging\n    owner: SOC lead\n"
                "    policy: POL-LOGS\n    frequency: monthly\n"
            ),
            "exceptions/x.yaml": EXCEPTION_ON_IAM,
        },
    )
    return top


def test_paths_are_relative_to_the_git_work_tree(in_subfolder: Path) -> None:
    root = in_subfolder / "compliance"
    log = json.loads(invoke(root, "-f", "sarif", code=1)[1])
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "RF004")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "compliance/controls/ops.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    annotations = invoke(root, "-f", "github", code=1)[1].splitlines()
    assert any(
        line.startswith("::error file=compliance/controls/ops.yaml,line=5,col=13,title=RF004")
        for line in annotations
    )
    document = invoke(root, "-f", "junit", code=1)[1]
    case = cases(document)["RF004 OPS-01/POL-LOGS"]
    assert (case.attrib["file"], case.attrib["line"]) == ("compliance/controls/ops.yaml", "5")
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert failure.text.startswith("compliance/controls/ops.yaml:5:13: control OPS-01 cites")
    # The terminal and JSON stay relative to the compliance repository.
    plain = json.loads(invoke(root, "-f", "json", code=1)[1])
    assert "controls/ops.yaml" in {f["file"] for f in plain["findings"]}


def test_the_documented_pre_commit_hook_runs_on_a_program_in_a_subfolder(
    in_subfolder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = {
        h["id"]: h for h in yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    guide = (PROJECT_ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", guide, re.S) if "--repo" in b)
    documented = yaml.safe_load(block)["repos"][0]["hooks"]
    changed = ["compliance/controls/ops.yaml", "compliance/evidence/2026/files/q.csv"]
    monkeypatch.chdir(in_subfolder)  # pre-commit runs every hook from the work tree's top
    for entry in documented:
        hook = {**hooks[entry["id"]], **entry}
        matched = [f for f in changed if re.search(hook["files"], f)]
        assert matched, f"{hook['id']} would be skipped"
        command, *args = hook["entry"].split()
        assert command == "ciptool"
        outcome = CliRunner().invoke(app, [*args, *hook["args"]])
        assert outcome.exit_code in (0, 1), outcome.output  # ran on the repository, not exit 2
    for hook in hooks.values():  # and the hooks' own patterns reach into a sub-folder
        assert re.search(hook["files"], "compliance/evidence/2026/files/q.csv")
        assert not re.search(hook["files"], "src/evidence.py")


# --- JUnit's form --------------------------------------------------------------------------


def test_junit_cases_carry_file_and_line_and_warnings_are_not_skipped(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "controls/ops.yaml": (
                "controls:\n  - id: OPS-01\n    title: Logging\n    owner: SOC lead\n"
                "    policy: POL-LOGS\n    frequency: monthly\n"
                "    evidence: [{id: log-review, description: Monthly log review}]\n"
            ),
            "exceptions/x.yaml": EXCEPTION_EXPIRING.replace("IAM-01", "OPS-01") % "2026-11-30",
            "evidence/2026/files/stray.txt": "left over\n",
        }
    )
    document = invoke(root, "-f", "junit", code=1)[1]
    valid_junit(document)
    found = cases(document)
    failing = found["RF004 OPS-01/POL-LOGS"]
    assert (failing.attrib["file"], failing.attrib["line"]) == ("controls/ops.yaml", "5")
    note = found["EV006 evidence/2026/files/stray.txt"]
    assert note.attrib["file"] == "evidence/2026/files/stray.txt"
    assert "line" not in note.attrib
    assert [child.tag for child in note] == ["system-out"]
    assert note[0].text == (
        "note, below --fail-on error: evidence/2026/files/stray.txt: no evidence record lists"
        " this file\nRecord it with `ciptool evidence add`, or delete it."
    )
    warning = found["EX002 EXC-001"]
    assert [child.tag for child in warning] == ["system-out"]
    assert warning[0].text is not None
    assert warning[0].text.startswith("warning, below --fail-on error: exceptions/x.yaml:")
    excepted = found["EV001 OPS-01/log-review"]
    assert [child.tag for child in excepted] == ["system-out"]
    assert excepted[0].text is not None
    assert excepted[0].text.startswith("error, excepted by EXC-001 until 2026-11-30: ")
    assert not [name for name, case in found.items() if case.find("skipped") is not None]
    suite = ET.fromstring(document).find("testsuite")
    assert suite is not None
    assert (suite.attrib["failures"], suite.attrib["skipped"]) == ("1", "0")
    # With --fail-on warning, the warning fails the run and its test case; the note does not.
    strict = cases(invoke(root, "-f", "junit", "--fail-on", "warning", code=1)[1])
    assert strict["EX002 EXC-001"].find("failure") is not None
    assert strict["EV006 evidence/2026/files/stray.txt"].find("failure") is None


# --- spreadsheets --------------------------------------------------------------------------


def test_each_csv_is_one_table(tmp_path: Path) -> None:
    for kind in ("soc2", "soa", "evidence-index"):
        target = tmp_path / f"{kind}.csv"
        outcome = CliRunner().invoke(
            app,
            [
                "report",
                kind,
                "--repo",
                str(PROJECT_ROOT),
                "--as-of",
                AS_OF,
                "--generated-at",
                "2026-11-15T12:00:00Z",
                "-f",
                "csv",
                "-o",
                str(target),
            ],
        )
        assert outcome.exit_code == 0, outcome.output
        text = target.read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text))
        rows = list(reader)
        assert reader.fieldnames is not None
        assert not any(name.startswith("#") for name in reader.fieldnames), kind
        assert rows and all(None not in row and len(row) == len(reader.fieldnames) for row in rows)
        assert not any(all(value == "" for value in row.values()) for row in rows), kind


def test_an_unknown_code_with_nothing_close_reads_as_a_sentence(make_repo: MakeRepo) -> None:
    status, _, err = invoke(make_repo(), "--ignore", "XX")
    assert status == 2
    assert err == (
        "ciptool: --ignore: no code or family `XX`; `ciptool rules list` shows them all; a family"
        " is a code's letters (AF, AP, BR, CV, EV, EX, IN, LD, MT, PB, PL,"
        " RF, RK, SA, SC, TP, WP)\n"
    )


def test_github_annotations_say_which_checks_did_not_run(make_repo: MakeRepo) -> None:
    """As README says: an unusable ciptool.yaml, or a selection, is said in an annotation too."""
    root = make_repo({"ciptool.yaml": "program: [unclosed\n", **TAMPERED})
    lines = invoke(root, "-f", "github", code=2)[1].splitlines()
    assert lines[-1] == (
        "::error file=ciptool.yaml,line=1,col=1,title=ciptool did not run its checks::ciptool.yaml"
        " cannot be used, so nothing else was read and no check ran; the results are only what"
        " is wrong with ciptool.yaml."
    )
    root = make_repo({"ciptool.yaml": "program: P\n", **TAMPERED})
    lines = invoke(root, "--select", "RF004,EV", "-f", "github", code=1)[1].splitlines()
    left_out = [r.code for r in ALL_RULES if not r.code.startswith(("RF004", "EV"))]
    assert lines[-1] == (
        f"::warning title=ciptool did not run every check::--select RF004,EV: {len(left_out)} of"
        f" {len(ALL_RULES)} rules did not run ({', '.join(left_out)}); their absence of results"
        " says nothing about the repository."
    )
    assert not any("did not run" in line for line in invoke(root, "-f", "github")[1].splitlines())
