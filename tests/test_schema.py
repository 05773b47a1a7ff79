"""``ciptool schema``: the JSON Schemas accept every file of the example and reject mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from ciptool.app.schema import schema_for
from ciptool.cli import app
from ciptool.loader.source import RECORD_FOLDER_NAMES
from ciptool.models.files import FILE_KINDS
from conftest import PROJECT_ROOT
from yaml12 import load_yaml12


def example_files() -> list[tuple[str, Path]]:
    """(kind, path) of every YAML file of the example program and bundled catalogs."""
    files = [("config", PROJECT_ROOT / "ciptool.yaml")]
    for kind in RECORD_FOLDER_NAMES:
        if kind == "evidence":
            continue  # its records share the folder with evidence files: below
        files += [(kind, p) for p in sorted((PROJECT_ROOT / kind).rglob("*.yaml"))]
    files += [
        ("evidence", p)
        for p in sorted((PROJECT_ROOT / "evidence").rglob("*.yaml"))
        if "files" not in p.relative_to(PROJECT_ROOT).parts
    ]
    for path in sorted((PROJECT_ROOT / "frameworks").glob("*.yaml")):
        kind = "catalog" if "\ncatalog:" in path.read_text() else "crosswalk"
        files.append((kind, path))
    return files


def _case_id(value: object) -> str:
    return str(value.relative_to(PROJECT_ROOT)) if isinstance(value, Path) else str(value)


@pytest.mark.parametrize(("kind", "path"), example_files(), ids=_case_id)
def test_every_example_file_validates(kind: str, path: Path) -> None:
    document = load_yaml12(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema_for(kind)).validate(document)


def test_the_example_has_every_kind_of_file() -> None:
    kinds = {kind for kind, _ in example_files()}
    assert kinds == set(FILE_KINDS)


def test_a_misspelt_key_is_rejected() -> None:
    document = load_yaml12(
        "controls:\n  - id: IAM-01\n    titel: Access\n    owner: o\n    frequency: daily\n"
    )
    errors = list(jsonschema.Draft202012Validator(schema_for("controls")).iter_errors(document))
    assert sorted(error.message for error in errors) == [
        "'title' is a required property",
        "Additional properties are not allowed ('titel' was unexpected)",
    ]


def test_an_evidence_file_holds_a_controls_records_and_a_third_partys() -> None:
    validator = jsonschema.Draft202012Validator(schema_for("evidence"))
    both = load_yaml12(
        "evidence:\n"
        "  - {control: IAM-01, requirement: r, collected_on: 2026-10-03,"
        " effective_on: 2026-10-01}\n"
        "  - {third_party: TP-ACME-CLAIMS, requirement: annual-review, collected_on: 2026-09-22,"
        " effective_on: 2026-09-22}\n"
    )
    assert [e.message for e in validator.iter_errors(both)] == []
    mixed = load_yaml12(
        "evidence:\n"
        "  - {control: IAM-01, third_party: TP-ACME-CLAIMS, requirement: r,"
        " collected_on: 2026-10-03, effective_on: 2026-10-01}\n"
    )
    assert [e.message for e in validator.iter_errors(mixed)] == [
        f"{mixed['evidence'][0]!r} is not valid under any of the given schemas"
    ]


def test_an_unquoted_number_id_is_accepted_as_ciptool_reads_it() -> None:
    # Editors read `id: 5.10` as the number 5.1; ciptool reads the text "5.10", a valid id.
    document = load_yaml12("controls:\n  - {id: 5.10, title: T, owner: o, frequency: daily}\n")
    errors = list(jsonschema.Draft202012Validator(schema_for("controls")).iter_errors(document))
    assert [e.message for e in errors] == []
    negative = load_yaml12("controls:\n  - {id: -5, title: T, owner: o, frequency: daily}\n")
    errors = list(jsonschema.Draft202012Validator(schema_for("controls")).iter_errors(negative))
    assert [e.message for e in errors] == ["-5 is not valid under any of the given schemas"]


def test_schemas_are_valid_json_schema() -> None:
    for kind in FILE_KINDS:
        jsonschema.Draft202012Validator.check_schema(schema_for(kind))


def test_cli_prints_and_writes_schemas(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["schema", "controls"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == schema_for("controls")
    listing = runner.invoke(app, ["schema"])
    assert listing.stdout.splitlines()[0] == "config      ciptool.yaml"
    written = runner.invoke(app, ["schema", "--write", str(tmp_path / "schemas")])
    assert written.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == sorted(
        f"{kind}.schema.json" for kind in FILE_KINDS
    )
    unknown = runner.invoke(app, ["schema", "control"])
    assert unknown.exit_code == 2
    assert "unknown kind `control`" in unknown.stderr
