"""Output formats of ``ciptool check``: valid against the official schemas, and reproducible."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.render import CheckFormat
from conftest import EXCEPTION_ON_IAM, MakeRepo

SCHEMAS = Path(__file__).parent / "schemas"
PINNED = {
    "sarif-schema-2.1.0.json": "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e",
    "JUnit.xsd": "147ff89ef34a82f9a1b2951e7cad251b98c9a7a48a0e0c8e44937141791f57a8",
    "junit-10.xsd": "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6",
}


@pytest.fixture
def troubled(make_repo: MakeRepo) -> Path:
    """A repository with an error, a warning, a note, an excepted finding and a whole-file one."""
    return make_repo(
        {
            "ciptool.yaml": 'program: Acme <b>&</b> "Co"\nframeworks: [soc2-2017]\n',
            "controls/ops.yaml": (
                "controls:\n  - id: OPS-01\n    title: Logging\n    owner: SOC lead\n"
                "    policy: POL-LOGS\n    frequency: monthly\n"
                "    mappings: {soc2-2017: [cc7.2]}\n"
                "    evidence: [{id: log-review, description: Monthly log review}]\n"
            ),
            "exceptions/x.yaml": EXCEPTION_ON_IAM.replace("IAM-01", "OPS-01"),
            "evidence/2026/files/stray.txt": "left over\n",
        }
    )


def check(root: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15", *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_the_vendored_schemas_are_the_official_bytes() -> None:
    for name, digest in PINNED.items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest


def test_every_format_has_its_own_output(troubled: Path) -> None:
    outputs = {check(troubled, "--format", f.value) for f in CheckFormat}
    assert len(outputs) == len(CheckFormat)


def test_sarif_is_valid_sarif_2_1_0(troubled: Path) -> None:
    log = json.loads(check(troubled, "--format", "sarif"))
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    codes = [r["ruleId"] for r in results]
    assert "RF004" in codes and "EV006" in codes and "EV001" in codes
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    excepted = next(r for r in results if r["ruleId"] == "EV001")
    assert excepted["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "exception EXC-001, until 2027-06-30",
        }
    ]
    unknown_policy = next(r for r in results if r["ruleId"] == "RF004")
    assert unknown_policy["locations"][0] == {
        "physicalLocation": {
            "artifactLocation": {"uri": "controls/ops.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 5, "startColumn": 13},
        },
        "logicalLocations": [{"fullyQualifiedName": "controls[0].policy", "kind": "member"}],
    }
    assert str(troubled) not in json.dumps(log)


def without_extensions(document: str, *, output: bool = True) -> str:
    """The JUnit document without what ciptool adds to the Ant dialect for GitLab and Jenkins:
    ``file`` and ``line`` on test cases, and (with ``output``) a test case's ``system-out``.
    """
    root = ET.fromstring(document)
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
        for written in case.findall("system-out") if output else ():
            case.remove(written)
    return ET.tostring(root, encoding="unicode")


def valid_junit(document: str) -> None:
    """Valid against Ant's strict XSD and the Surefire dialect's, but for ciptool's additions."""
    xmlschema.XMLSchema(SCHEMAS / "JUnit.xsd").validate(without_extensions(document))
    surefire = xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd")
    surefire.validate(without_extensions(document, output=False))


def test_junit_is_valid_against_both_xsds(troubled: Path) -> None:
    document = check(troubled, "--format", "junit")
    valid_junit(document)
    assert 'failures="1"' in document  # RF004; EV001 is excepted, warnings are below --fail-on
    assert 'skipped="0"' in document  # every rule ran
    assert (
        '<testcase classname="ciptool.references.RF004" name="RF004 OPS-01/POL-LOGS" time="0"'
        ' file="controls/ops.yaml" line="5">'
    ) in document
    assert 'name="digest-mismatch: no findings"' in document


def test_junit_escapes_and_drops_characters_xml_cannot_hold(make_repo: MakeRepo) -> None:
    # An unknown key's name is quoted in the finding: a control character and markup in it.
    text = (
        "controls:\n  - id: X-1\n    title: T\n    owner: O\n    frequency: daily\n"
        '    "k\\u0001<&>": 1\n'
    )
    root = make_repo({"controls/x.yaml": text})
    document = check(root, "--format", "junit")
    valid_junit(document)
    assert "unknown key `k\ufffd&lt;&amp;&gt;`" in document


@pytest.mark.parametrize("output_format", ["json", "sarif", "junit", "github", "terminal"])
def test_two_runs_give_the_same_bytes(troubled: Path, output_format: str, tmp_path: Path) -> None:
    first = tmp_path / "first"
    second = tmp_path / "second"
    check(troubled, "--format", output_format, "-o", str(first))
    check(troubled, "--format", output_format, "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes()


def test_github_annotations(troubled: Path) -> None:
    lines = check(troubled, "--format", "github").splitlines()
    assert (
        "::error file=controls/ops.yaml,line=5,col=13,title=RF004 (ciptool)::control OPS-01 cites"
        " the unknown policy `POL-LOGS`%0AAdd the policy to policies/."
    ) in lines
    assert any(
        line.startswith("::notice file=evidence/2026/files/stray.txt,title=EV006") for line in lines
    )
    excepted = next(line for line in lines if "EV001" in line)
    assert excepted.startswith("::notice ")
    assert excepted.endswith("%0Aexcepted by EXC-001 until 2027-06-30")


def test_output_file_is_written_atomically_and_summary_goes_to_stderr(
    troubled: Path, tmp_path: Path
) -> None:
    target = tmp_path / "reports" / "ciptool.sarif"
    result = CliRunner().invoke(
        app,
        [
            "check",
            "--repo",
            str(troubled),
            "--as-of",
            "2026-11-15",
            "-f",
            "sarif",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    json.loads(target.read_text())
    assert [p.name for p in target.parent.iterdir()] == ["ciptool.sarif"]  # no temporary left
