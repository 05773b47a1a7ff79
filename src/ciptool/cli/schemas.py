"""``ciptool schema``: JSON Schema of each kind of file, for editors and other tools."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ciptool.errors import UsageError
from ciptool.fileio.atomic import ReadByTheRun, refuse_an_input, write_product
from ciptool.models.files import FILE_KINDS
from ciptool.models.types import YAML_TEXT_TYPES

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind``, with its dialect and a title."""
    if kind not in FILE_KINDS:
        raise UsageError(f"unknown kind `{kind}`; the kinds are: {', '.join(FILE_KINDS)}")
    model, files = FILE_KINDS[kind]
    schema = _text_as_written(model.model_json_schema(by_alias=True))
    return {
        "$schema": SCHEMA_DIALECT,
        "title": f"ciptool {kind} file ({files})",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def _text_as_written(node: Any) -> Any:
    """Let every free-text value be written unquoted as a number or a boolean, as ciptool reads it.

    ciptool takes each scalar as the text written (``title: 2026`` is the text "2026"); an
    editor reads such a value as a number. Values with a pattern, a format or a list of choices
    keep their own rule.
    """
    if isinstance(node, list):
        return [_text_as_written(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _text_as_written(value) for key, value in node.items()}
    if out.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(out):
        out["type"] = list(YAML_TEXT_TYPES)
    return out


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


def write_schemas(folder: Path, read: ReadByTheRun | None = None) -> None:
    """Write ``KIND.schema.json`` for every kind into ``folder``; none when one of them would
    replace a file the repository ``read``s (see :func:`~ciptool.fileio.atomic.refuse_an_input`)."""
    targets = {kind: folder / f"{kind}.schema.json" for kind in FILE_KINDS}
    for target in targets.values():
        refuse_an_input(target, read)
    for kind, target in targets.items():
        write_product(target, json.dumps(schema_for(kind), indent=2) + "\n", read)
        sys.stdout.write(f"wrote {target}\n")
