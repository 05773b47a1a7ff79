"""A repository loads the same through the plain file source and through the cached one, cold
and warm; only the cached one records what was read."""

from __future__ import annotations

import shutil
import subprocess
import sys
from contextlib import closing
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from ciptool.incremental.ahead import ReadAhead
from ciptool.incremental.signatures import Inputs
from ciptool.loader import load_repository
from ciptool.loader.source import PlainSource
from ciptool.models.repository import Repository
from conftest import PROJECT_ROOT

#: The example repository's folders: enough records, evidence files, catalogs and findings,
#: and the briefing's narrative.
EXAMPLE = (
    "ciptool.yaml",
    "controls",
    "policies",
    "evidence",
    "exceptions",
    "frameworks",
    "briefing",
)


def _example(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    root.mkdir()
    for name in EXAMPLE:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    (root / "controls" / "broken.yaml").write_text("controls: [\n", encoding="utf-8")
    return root


def _everything(repository: Repository) -> dict[str, Any]:
    """Every field of a loaded repository, the catalogs by id and origin."""
    loaded = {f.name: getattr(repository, f.name) for f in fields(repository)}
    loaded["catalogs"] = {ident: c.origin for ident, c in repository.catalogs.items()}
    return loaded


def _cached(root: Path, cache_dir: Path | None) -> tuple[Repository, Inputs]:
    inputs = Inputs()
    with closing(ReadAhead(root, cache_dir, inputs)) as source:
        return load_repository(root, source), inputs


@pytest.mark.usefixtures("settled")
def test_the_plain_and_the_cached_source_load_the_same_repository(tmp_path: Path) -> None:
    root = _example(tmp_path)
    plain = _everything(load_repository(root, PlainSource(root)))
    assert plain == _everything(load_repository(root))  # the plain source is the default
    assert plain["findings"]  # the broken file, located
    assert plain["evidence_files"] and plain["catalogs"]
    uncached, read = _cached(root, None)
    assert _everything(uncached) == plain
    cache_dir = tmp_path / "cache"
    cold, cold_read = _cached(root, cache_dir)
    warm, warm_read = _cached(root, cache_dir)
    assert _everything(cold) == _everything(warm) == plain
    # What was read is recorded: the settings first, every folder listed, every file read.
    assert next(iter(read.files)) == "ciptool.yaml"
    assert {"controls/broken.yaml", "frameworks"} <= {*read.files, *read.folders}
    # The narrative is looked at and hashed with the evidence files.
    assert plain["narrative"]
    assert set(read.evidence) == {*plain["evidence_files"], "briefing/threat-environment.md"}
    assert read.texts.keys() <= read.files.keys()
    assert read.digests() == cold_read.digests() == warm_read.digests()


def test_the_read_ahead_begins_without_the_models() -> None:
    """The read-ahead walks and starts parsing while the models and checks load (about 0.2 s
    of a cold run): importing it must not import them first."""
    code = (
        "import sys, ciptool.incremental.ahead;"
        " print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'ciptool.checks',"
        " 'ciptool.models.records', 'ciptool.graph', 'ciptool.engine'))))"
    )
    outcome = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert outcome.stdout == "[]\n"
