"""``ciptool schema``: JSON Schema of each kind of file, for editors and other tools."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ciptool.atomic import write_atomic
from ciptool.errors import UsageError
from ciptool.models.files import FILE_KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind``, with its dialect and a title."""
    if kind not in FILE_KINDS:
        raise UsageError(f"unknown kind `{kind}`; the kinds are: {', '.join(FILE_KINDS)}")
    model, files = FILE_KINDS[kind]
    schema = model.model_json_schema(by_alias=True)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": f"ciptool {kind} file ({files})",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def print_schema(kind: str) -> None:
    """Write the schema of one kind to standard output."""
    sys.stdout.write(json.dumps(schema_for(kind), indent=2) + "\n")


def print_kinds() -> None:
    """List the kinds and the files each describes."""
    for kind, (_model, files) in FILE_KINDS.items():
        sys.stdout.write(f"{kind:<11} {files}\n")
    sys.stdout.write(
        "\nPrint one with `ciptool schema KIND`, or all with `ciptool schema --write DIR`.\n"
    )


def write_schemas(folder: Path) -> None:
    """Write ``KIND.schema.json`` for every kind into ``folder``."""
    for kind in FILE_KINDS:
        target = folder / f"{kind}.schema.json"
        write_atomic(target, json.dumps(schema_for(kind), indent=2) + "\n")
        sys.stdout.write(f"wrote {target}\n")
