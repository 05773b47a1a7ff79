"""``ciptool schema``: JSON Schema of each kind of file, for editors and other tools."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ciptool.errors import RepositoryNotFound, UsageError
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


def schema_text(kind: str) -> str:
    """The JSON Schema of ``kind`` as written: indented, with a final newline."""
    return json.dumps(schema_for(kind), indent=2) + "\n"


def kinds() -> list[tuple[str, str]]:
    """Every kind, with the files it describes."""
    return [(kind, files) for kind, (_model, files) in FILE_KINDS.items()]


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


def write_schemas(folder: Path, cache_dir: Callable[[Path], Path | None]) -> Iterator[Path]:
    """Write ``KIND.schema.json`` for every kind into ``folder``, yielding each file once it is
    written; none when one of them would replace a file that the repository holding ``folder``
    reads (see :func:`~ciptool.fileio.atomic.refuse_an_input`). ``cache_dir`` gives the cache
    folder of a repository's root, or None for none.
    """
    read = _read_by_the_repository_at(folder, cache_dir)
    targets = {kind: folder / f"{kind}.schema.json" for kind in FILE_KINDS}
    for target in targets.values():
        refuse_an_input(target, read)
    for kind, target in targets.items():
        write_product(target, schema_text(kind), read)
        yield target


def _read_by_the_repository_at(
    folder: Path, cache_dir: Callable[[Path], Path | None]
) -> ReadByTheRun | None:
    """What the repository holding ``folder`` reads, evidence files listed anywhere in it
    among them (a writer there must replace none); None outside any repository."""
    from ciptool.app.check import read_by
    from ciptool.loader.places import find_repository

    try:
        root = find_repository(folder)
    except RepositoryNotFound:
        return None
    return read_by(root, cache_dir(root))
