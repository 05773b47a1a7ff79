"""The JSON Schemas as editors use them: ECMAScript patterns, and the same verdicts as ciptool.

Editors (yaml-language-server) and most JSON Schema tools compile ``pattern`` as an ECMAScript
regular expression. check-jsonschema does too (through ``regress``, its default regex variant),
so it stands in for them here; it also reads YAML as an editor does, YAML 1.2 (``5.15`` is a
number, ``2026-01-01`` text).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.models.files import FILE_KINDS
from conftest import (
    EVIDENCE_CSV,
    EXCEPTION_ON_IAM,
    MINIMAL_CONFIG,
    MINIMAL_CONTROL,
    MINIMAL_EVIDENCE,
    MINIMAL_POLICY,
    run,
    unavailable,
    write_repo,
)
from lsp import diagnose
from test_schema import example_files

_BESIDE_PYTHON = Path(sys.executable).parent / "check-jsonschema"
CHECK_JSONSCHEMA = (
    str(_BESIDE_PYTHON) if _BESIDE_PYTHON.is_file() else shutil.which("check-jsonschema")
)


@pytest.fixture(scope="module")
def check_jsonschema() -> str:
    if CHECK_JSONSCHEMA is None:
        unavailable("check-jsonschema is not installed (pip install -e '.[test]')")
    return CHECK_JSONSCHEMA


@pytest.fixture(scope="module")
def yaml_language_server() -> str:
    found = shutil.which("yaml-language-server")
    if found is None:
        unavailable(
            "yaml-language-server is not installed (.ci/run installs it: npm install -g"
            " yaml-language-server)"
        )
    return found


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder ``ciptool schema --write`` fills."""
    folder = tmp_path_factory.mktemp("schemas")
    result = CliRunner().invoke(app, ["schema", "--write", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def validate(tool: str, schema: Path, files: list[Path]) -> dict[str, list[str]]:
    """check-jsonschema's errors for each of ``files`` (by file name; none for a valid file)."""
    completed = subprocess.run(
        [tool, "--schemafile", str(schema), "--output-format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(completed.stdout)
    assert not report.get("parse_errors"), report["parse_errors"]
    errors: dict[str, list[str]] = {}
    for error in report.get("errors", ()):
        errors.setdefault(error["filename"], []).append(f"{error['path']}: {error['message']}")
    return errors


@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_each_schema_passes_the_metaschema_with_ecmascript_patterns(
    check_jsonschema: str, schemas: Path, kind: str
) -> None:
    completed = subprocess.run(
        [check_jsonschema, "--check-metaschema", str(schemas / f"{kind}.schema.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_no_pattern_uses_python_only_syntax(schemas: Path) -> None:
    text = "".join(path.read_text() for path in sorted(schemas.iterdir()))
    for python_only in ("(?P<", "(?P=", "(?<", "\\Z", "\\A", "(?#", "*+", "++", "?+"):
        assert python_only not in text, python_only


@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_the_example_validates_against_its_schema(
    check_jsonschema: str, schemas: Path, kind: str
) -> None:
    files = [path for file_kind, path in example_files() if file_kind == kind]
    assert files
    assert validate(check_jsonschema, schemas / f"{kind}.schema.json", files) == {}


def test_an_editor_underlines_nothing_in_the_example(
    yaml_language_server: str, schemas: Path
) -> None:
    by_schema: dict[Path, list[Path]] = {}
    for kind, path in example_files():
        by_schema.setdefault(schemas / f"{kind}.schema.json", []).append(path)
    underlined = diagnose(yaml_language_server, by_schema)
    assert len(underlined) == sum(len(files) for files in by_schema.values())
    assert {path: messages for path, messages in underlined.items() if messages} == {}


# --- ciptool and the schema agree on mutated files ------------------------------------------


@dataclass(frozen=True)
class Case:
    """A file, and whether ciptool (with no SC or LD finding) and the schema accept it."""

    name: str
    kind: str
    path: str
    text: str
    ciptool_accepts: bool
    schema_accepts: bool
    #: Where an editor, which skips ``format``, differs from check-jsonschema, which checks it.
    editor_accepts: bool | None = None


def _control(old: str, new: str) -> str:
    assert old in MINIMAL_CONTROL
    return MINIMAL_CONTROL.replace(old, new)


def _evidence(new: str) -> str:
    return MINIMAL_EVIDENCE.replace("period: {start: 2026-07-01, end: 2026-09-30}", new)


def _exception(new: str) -> str:
    return EXCEPTION_ON_IAM.replace("applies_to: {control: IAM-01}", new)


def _config(extra: str) -> str:
    return MINIMAL_CONFIG + extra


def _agree(name: str, kind: str, path: str, text: str, accepted: bool) -> Case:
    return Case(name, kind, path, text, accepted, accepted)


TITLE = "title: Quarterly access recertification"
DIGEST = hashlib.sha256(EVIDENCE_CSV).hexdigest()
CONTROLS, POLICIES = "controls/iam.yaml", "policies/access.yaml"
EVIDENCE, EXCEPTIONS, CONFIG = "evidence/2026/iam-01.yaml", "exceptions/x.yaml", "ciptool.yaml"
SOA = "applicability:\n  iso27001-2022:\n    A.7.5: "

CASES = [
    _agree("control", "controls", CONTROLS, MINIMAL_CONTROL, True),
    # An editor reads 5.15 as a number; ciptool reads the text 5.15 as A.5.15, with a note.
    _agree("mapping-5.15", "controls", CONTROLS, _control("[A.5.18]", "[5.15]"), True),
    _agree("mapping-number", "controls", CONTROLS, _control("[A.5.18]", "[5]"), True),
    _agree("mapping-object", "controls", CONTROLS, _control("[A.5.18]", "[{id: 5.15}]"), True),
    _agree("mapping-bad-key", "controls", CONTROLS, _control("[A.5.18]", "[{id: A.5.1, x: 1}]"),
           False),
    # ciptool reads ids as the text written: 1234 is the id "1234".
    _agree("id-number", "controls", CONTROLS, _control("id: IAM-01", "id: 1234"), True),
    _agree("id-negative", "controls", CONTROLS, _control("id: IAM-01", "id: -5"), False),
    # Known difference: an editor reads .5 as the number 0.5; ciptool reads the text ".5",
    # which does not start with a letter or digit. JSON has no way to keep the text.
    Case("id-leading-dot", "controls", CONTROLS, _control("id: IAM-01", "id: .5"), False, True),
    _agree("id-space", "controls", CONTROLS, _control("id: IAM-01", "id: IAM 01"), False),
    _agree("id-newline", "controls", CONTROLS, _control("id: IAM-01", 'id: "IAM-01\\n"'), False),
    _agree("title-number", "controls", CONTROLS, _control(TITLE, "title: 2026"), True),
    _agree("title-empty", "controls", CONTROLS,
           _control(TITLE, "title: ''"), False),
    _agree("title-null", "controls", CONTROLS,
           _control(TITLE, "title:"), False),
    _agree("misspelt-key", "controls", CONTROLS, _control("title:", "titel:"), False),
    _agree("frequency", "controls", CONTROLS, _control("quarterly", "yearly"), False),
    _agree("policy-null", "controls", CONTROLS, _control("policy: POL-ACCESS", "policy: ~"), True),
    _agree("max-age", "controls", CONTROLS, MINIMAL_CONTROL + "        max_age: 100d\n", True),
    _agree("max-age-longest", "controls", CONTROLS, MINIMAL_CONTROL + "        max_age: 99999d\n",
           True),
    _agree("max-age-9000y", "controls", CONTROLS, MINIMAL_CONTROL + "        max_age: 9000y\n",
           False),
    _agree("max-age-100000d", "controls", CONTROLS,
           MINIMAL_CONTROL + "        max_age: 100000d\n", False),
    _agree("max-age-words", "controls", CONTROLS,
           MINIMAL_CONTROL + "        max_age: 12 months\n", False),
    _agree("max-age-unit", "controls", CONTROLS, MINIMAL_CONTROL + "        max_age: 12m\n", False),
    # A duration is written alone, as a date is: the schema's pattern and ciptool both refuse
    # spaces around it.
    _agree("max-age-leading-space", "controls", CONTROLS,
           MINIMAL_CONTROL + '        max_age: " 12mo"\n', False),
    _agree("review-every-trailing-space", "policies", POLICIES,
           MINIMAL_POLICY.replace("review_every: 12mo", 'review_every: "12mo "'), False),
    _agree("review-every", "policies", POLICIES, MINIMAL_POLICY.replace("12mo", "1000y"), False),
    _agree("approved-9999", "policies", POLICIES,
           MINIMAL_POLICY.replace("approved_on: 2026-03-02", "approved_on: 9999-12-31"), False),
    _agree("approved-1899", "policies", POLICIES,
           MINIMAL_POLICY.replace("approved_on: 2026-03-02", "approved_on: 1899-12-31"), False),
    _agree("approved-2999", "policies", POLICIES,
           MINIMAL_POLICY.replace("approved_on: 2026-03-02", "approved_on: 2999-12-31"), True),
    _agree("approved-2026-13-01", "policies", POLICIES,
           MINIMAL_POLICY.replace("approved_on: 2026-03-02", "approved_on: 2026-13-01"), False),
    _agree("approved-2026-02-30", "policies", POLICIES,
           MINIMAL_POLICY.replace("approved_on: 2026-03-02", "approved_on: 2026-02-30"), False),
    _agree("approved-2028-02-29", "policies", POLICIES,
           MINIMAL_POLICY.replace("approved_on: 2026-03-02", "approved_on: 2028-02-29"), True),
    # Only `format: date` knows that 2026 is not a leap year: check-jsonschema checks it,
    # editors do not.
    Case("approved-2026-02-29", "policies", POLICIES,
         MINIMAL_POLICY.replace("approved_on: 2026-03-02", "approved_on: 2026-02-29"),
         False, False, editor_accepts=True),
    _agree("evidence", "evidence", EVIDENCE, MINIMAL_EVIDENCE, True),
    _agree("effective-on", "evidence", EVIDENCE, _evidence("effective_on: 2026-09-30"), True),
    _agree("period-and-effective-on", "evidence", EVIDENCE,
           _evidence("period: {start: 2026-07-01, end: 2026-09-30}\n    effective_on: 2026-09-30"),
           False),
    _agree("neither-date", "evidence", EVIDENCE, _evidence("source: export"), False),
    _agree("null-period-and-effective-on", "evidence", EVIDENCE,
           _evidence("period: null\n    effective_on: 2026-09-30"), True),
    _agree("effective-on-9999", "evidence", EVIDENCE, _evidence("effective_on: 9999-12-31"),
           False),
    _agree("period-to-9999", "evidence", EVIDENCE,
           _evidence("period: {start: 2026-07-01, end: 9999-12-31}"), False),
    # Known difference: JSON Schema cannot compare two values, so a reversed period passes it.
    Case("reversed-period", "evidence", EVIDENCE,
         _evidence("period: {start: 2026-09-30, end: 2026-07-01}"), False, True),
    _agree("sha256-upper-case", "evidence", EVIDENCE,
           MINIMAL_EVIDENCE.replace(DIGEST, DIGEST.upper()), False),
    _agree("exception", "exceptions", EXCEPTIONS, EXCEPTION_ON_IAM, True),
    _agree("applies-to-two", "exceptions", EXCEPTIONS,
           _exception("applies_to: {control: IAM-01, requirement: 'iso27001-2022:A.8.2'}"), False),
    _agree("applies-to-none", "exceptions", EXCEPTIONS, _exception("applies_to: {}"), False),
    _agree("applies-to-null-and-one", "exceptions", EXCEPTIONS,
           _exception("applies_to: {control: IAM-01, check: null}"), True),
    _agree("applies-to-check", "exceptions", EXCEPTIONS,
           _exception("applies_to: {check: EV002, subject: IAM-01/recert-signoff}"), True),
    _agree("subject-without-check", "exceptions", EXCEPTIONS,
           _exception("applies_to: {control: IAM-01, subject: x}"), False),
    _agree("expires-9999", "exceptions", EXCEPTIONS,
           EXCEPTION_ON_IAM.replace("2027-06-30", "9999-12-31"), False),
    _agree("config", "config", CONFIG, MINIMAL_CONFIG, True),
    _agree("soc2-period-9999", "config", CONFIG,
           _config("soc2:\n  period: {start: 2026-01-01, end: 9999-12-31}\n"), False),
    _agree("warning-days", "config", CONFIG, _config("check:\n  expiry_warning_days: 3650\n"),
           True),
    _agree("warning-days-huge", "config", CONFIG,
           _config("check:\n  expiry_warning_days: 99999999999\n"), False),
    _agree("warning-days-negative", "config", CONFIG,
           _config("check:\n  expiry_warning_days: -1\n"), False),
    # ciptool reads a value as the text written, quoted or not: "30" is 30 days, as 30 is.
    _agree("warning-days-quoted", "config", CONFIG,
           _config('check:\n  expiry_warning_days: "30"\n'), True),
    _agree("warning-days-quoted-3651", "config", CONFIG,
           _config('check:\n  expiry_warning_days: "3651"\n'), False),
    _agree("warning-days-quoted-plus", "config", CONFIG,
           _config('check:\n  expiry_warning_days: "+0365"\n'), True),
    _agree("warning-days-newline", "config", CONFIG,
           _config('check:\n  expiry_warning_days: "30\\n"\n'), False),
    _agree("exclusion-justified", "config", CONFIG,
           _config(SOA + "{applicable: false, justification: Colocation.}\n"), True),
    _agree("exclusion-unjustified", "config", CONFIG, _config(SOA + "{applicable: false}\n"),
           False),
    _agree("exclusion-blank", "config", CONFIG,
           _config(SOA + "{applicable: false, justification: '  '}\n"), False),
    _agree("applicable-unjustified", "config", CONFIG, _config(SOA + "{applicable: true}\n"),
           True),
    _agree("applicable-yes", "config", CONFIG, _config(SOA + "{applicable: yes}\n"), False),
    _agree("applicable-quoted", "config", CONFIG, _config(SOA + "{applicable: 'true'}\n"), True),
    _agree("applicable-quoted-yes", "config", CONFIG, _config(SOA + "{applicable: 'yes'}\n"),
           False),
]  # fmt: skip

#: Where the schema cannot express ciptool's rule (each case above says why).
KNOWN_DIFFERENCES = {case.name for case in CASES if case.ciptool_accepts != case.schema_accepts}


def test_the_known_differences_are_only_those_a_schema_cannot_express() -> None:
    assert {"reversed-period", "id-leading-dot"} == KNOWN_DIFFERENCES


def test_ciptool_and_the_schema_agree_on_each_mutated_file(
    check_jsonschema: str, schemas: Path, tmp_path: Path
) -> None:
    verdicts: dict[str, tuple[bool, bool]] = {}
    by_kind: dict[str, list[Path]] = {}
    for number, case in enumerate(CASES):
        root = write_repo(tmp_path / f"repo-{number}", {case.path: case.text})
        problems = [
            finding
            for finding in run(root, "SC", "LD").findings
            if finding.location is not None and finding.location.file == case.path
        ]
        by_kind.setdefault(case.kind, []).append(root / case.path)
        verdicts[str(root / case.path)] = (not problems, True)
    for kind, files in by_kind.items():
        for file in validate(check_jsonschema, schemas / f"{kind}.schema.json", files):
            verdicts[file] = (verdicts[file][0], False)
    found = {
        case.name: verdicts[str(tmp_path / f"repo-{number}" / case.path)]
        for number, case in enumerate(CASES)
    }
    expected = {case.name: (case.ciptool_accepts, case.schema_accepts) for case in CASES}
    assert found == expected


def test_an_editor_underlines_what_the_schema_rejects_in_each_mutated_file(
    yaml_language_server: str, schemas: Path, tmp_path: Path
) -> None:
    by_schema: dict[Path, list[Path]] = {}
    for case in CASES:
        file = tmp_path / case.kind / f"{case.name}.yaml"
        file.parent.mkdir(exist_ok=True)
        file.write_text(textwrap.dedent(case.text), encoding="utf-8")
        by_schema.setdefault(schemas / f"{case.kind}.schema.json", []).append(file)
    underlined = diagnose(yaml_language_server, by_schema)
    found = {
        case.name: not underlined[(tmp_path / case.kind / f"{case.name}.yaml").as_posix()]
        for case in CASES
    }
    assert found == {
        case.name: case.schema_accepts if case.editor_accepts is None else case.editor_accepts
        for case in CASES
    }
