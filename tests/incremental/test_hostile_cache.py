"""A cache folder made by hand, or by anyone who could write the repository's folder: what
it holds is checked before it is used, and a crafted or unwritable cache changes nothing that
ciptool prints.
"""

from __future__ import annotations

import errno
import marshal
from typing import Any

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.incremental import cachefiles
from ciptool.incremental import filecache as loader_cache
from ciptool.incremental import kept as runs
from conftest import MakeRepo

AS_OF = ["--as-of", "2026-11-15"]
#: A control file that is read, with one finding: a key controls do not have.
UNKNOWN_KEY = "controls:\n  - id: IAM-09\n    colour: red\n"


def _crafted_entries(kind: str, rels: list[str]) -> list[dict[Any, object]]:
    """Cache bodies that are intact (header and CRC) but whose entries no run wrote."""
    good_ident = (1, 2, 3, 4)
    yaml_payload = ("0" * 64, marshal.dumps(({}, ())))
    bodies: list[dict[Any, object]] = [
        dict.fromkeys(rels, 7),
        dict.fromkeys(rels, ()),
        dict.fromkeys(rels, ("x", None, False, yaml_payload)),
        dict.fromkeys(rels, ((1, 2), None, False, yaml_payload)),
        dict.fromkeys(rels, (None, 5, "no", ("a", b"b"))),
        {5: (good_ident, None, False, yaml_payload), None: 1},
    ]
    return bodies + (
        [
            dict.fromkeys(rels, ("__IDENT__", None, False, ("0" * 64, b"not marshal"))),
            {rel: ("__IDENT__", None, False, ("0" * 64, marshal.dumps(5))) for rel in rels},
            {
                rel: ("__IDENT__", None, False, ("0" * 64, marshal.dumps(({}, (7,)))))
                for rel in rels
            },
            {
                rel: ("__IDENT__", None, False, ("0" * 64, marshal.dumps(({}, 3, 4))))
                for rel in rels
            },
        ]
        if kind == "yaml"
        else [dict.fromkeys(rels, ("__IDENT__", None, False, ("ab", -1, 3)))]
    )


@pytest.mark.parametrize("kind", ["yaml", "files"])
def test_a_crafted_cache_counts_as_empty(make_repo: MakeRepo, cli: CliRunner, kind: str) -> None:
    root = make_repo()
    args = ["check", "--repo", str(root), *AS_OF, "-f", "json"]
    first = cli.invoke(app, args)
    assert first.exit_code == 0, first.output
    cache_dir = root / cachefiles.DEFAULT_DIR
    path = cachefiles.cache_file(cache_dir, root, f"{kind}.cache")
    made_by = loader_cache.made_by(root)
    kept = cachefiles.read_cache_file(path, made_by)
    assert isinstance(kept, dict) and kept
    for crafted in _crafted_entries(kind, list(kept)):
        for leftover in cache_dir.glob("*.result"):
            leftover.unlink()  # the kept result would be printed without reading the cache
        body = {
            rel: (kept[rel][0], *entry[1:])
            if isinstance(entry, tuple) and entry[:1] == ("__IDENT__",)
            else entry
            for rel, entry in crafted.items()
        }
        cachefiles.write_cache_file(path, made_by, body)
        again = cli.invoke(app, args)
        assert again.exit_code == 0, (body, again.output)
        assert again.stdout == first.stdout


def _cyclic() -> list[object]:
    loop: list[object] = []
    loop.append(loop)
    return loop


def _doubling(times: int) -> list[object]:
    """A list that holds one list twice, ``times`` deep: 2**times items when walked as a tree."""
    shared: list[object] = ["x"]
    for _ in range(times):
        shared = [shared, shared]
    return shared


def _nested(depth: int) -> list[object]:
    nested: list[object] = []
    for _ in range(depth):
        nested = [nested]
    return nested


#: Data and problems a cached parse could be made to hold, which no parse of YAML makes.
CRAFTED_PARSES: dict[str, tuple[Any, Any]] = {
    "set": ({"controls": {"a", "b"}}, ()),
    "frozenset": ({"controls": frozenset()}, ()),
    "bytes": ({"controls": [b"IAM-01"]}, ()),
    "code": ({"controls": [compile("1", "crafted", "eval")]}, ()),
    "complex": ({"controls": 1j}, ()),
    "ellipsis": ({"controls": ...}, ()),
    "number": ({"controls": 5}, ()),
    "boolean": ({"controls": [{"id": True}]}, ()),
    "tuple": ({"controls": ("a",)}, ()),
    "key-not-text": ({5: "x"}, ()),
    "cycle": ({"controls": _cyclic()}, ()),
    "deeper-than-a-parse": ({"controls": _nested(100)}, ()),
    "shared-2**40": ({"controls": _doubling(40)}, ()),
    "top-level-set": ({"a"}, ()),
    "problem-suggestion": ({}, (("LD001", "m", 1, 1, {"x"}, ()),)),
    "problem-path": ({}, (("LD001", "m", 1, 1, "", ({"x"},)),)),
    "problem-line": ({}, (("LD001", "m", True, 1, "", ()),)),
}


@pytest.mark.parametrize("crafted", list(CRAFTED_PARSES), ids=list(CRAFTED_PARSES))
def test_a_cached_parse_holding_what_no_parse_makes_is_parsed_again(
    make_repo: MakeRepo, cli: CliRunner, settled: None, crafted: str
) -> None:
    root = make_repo()
    args = ["check", "--repo", str(root), *AS_OF, "-f", "json"]
    first = cli.invoke(app, args)
    assert first.exit_code == 0, first.output
    cache_dir = root / cachefiles.DEFAULT_DIR
    path = cachefiles.cache_file(cache_dir, root, "yaml.cache")
    made_by = loader_cache.made_by(root)
    kept = cachefiles.read_cache_file(path, made_by)
    assert isinstance(kept, dict) and len(kept) == 4
    packed = marshal.dumps(CRAFTED_PARSES[crafted])
    body = {rel: (*entry[:3], (entry[3][0], packed)) for rel, entry in kept.items()}
    cachefiles.write_cache_file(path, made_by, body)
    for leftover in cache_dir.glob("*.result"):
        leftover.unlink()  # the kept result would be printed without reading the cache
    again = cli.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout


def test_a_cache_that_cannot_be_written_is_skipped(
    make_repo: MakeRepo, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    args = ["check", "--repo", str(root), *AS_OF, "-f", "json"]
    fresh = cli.invoke(app, [*args, "--no-cache"])

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("ciptool.incremental.cachefiles.write_atomic", read_only)
    monkeypatch.setattr("ciptool.incremental.cachefiles._prepare", read_only)
    for _ in range(2):
        outcome = cli.invoke(app, args)
        assert outcome.exit_code == 0, outcome.output
        assert outcome.stdout == fresh.stdout
    assert not (root / cachefiles.DEFAULT_DIR).exists()


def test_a_kept_result_with_a_crafted_threshold_is_not_used(
    make_repo: MakeRepo, cli: CliRunner, settled: None
) -> None:
    root = make_repo()
    args = ["check", "--repo", str(root), *AS_OF, "-f", "json"]
    first = cli.invoke(app, args)
    assert first.exit_code == 0, first.output
    path = cachefiles.cache_file(root / cachefiles.DEFAULT_DIR, root, "result")
    made_by = cachefiles.header(root, runs._FORMAT)
    kept = cachefiles.read_cache_file(path, made_by)
    assert isinstance(kept, tuple) and len(kept) == 5
    cachefiles.write_cache_file(path, made_by, (*kept[:3], "x", kept[4]))
    again = cli.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout


#: Kept results whose findings hold what no run writes: each would stop rendering (exit 3).
CRAFTED_FINDINGS = {
    "number-as-message": lambda f: (*f[:2], 7, *f[3:]),
    "text-as-line": lambda f: (*f[:3], (f[3][0], "2", *f[3][2:]), *f[4:]),
    "number-as-file": lambda f: (*f[:3], (5, *f[3][1:]), *f[4:]),
    "list-as-related": lambda f: (*f[:6], [1], *f[7:]),
    "text-as-in-baseline": lambda f: (*f[:11], "yes"),
    "one-field-short": lambda f: f[:11],
    "text-as-count": "counts",
}


@pytest.mark.parametrize("craft", CRAFTED_FINDINGS.values(), ids=CRAFTED_FINDINGS.keys())
def test_a_kept_result_whose_findings_no_run_wrote_is_not_used(
    make_repo: MakeRepo, cli: CliRunner, settled: None, craft: Any
) -> None:
    root = make_repo({"controls/extra.yaml": UNKNOWN_KEY})
    args = ["check", "--repo", str(root), *AS_OF]
    first = cli.invoke(app, args)
    assert first.exit_code == 1, first.output
    path = cachefiles.cache_file(root / cachefiles.DEFAULT_DIR, root, "result")
    made_by = cachefiles.header(root, runs._FORMAT)
    kept = cachefiles.read_cache_file(path, made_by)
    assert isinstance(kept, tuple) and len(kept) == 5
    result = list(kept[2])
    if craft == "counts":  # a count as text, the coverage rows as they were
        result[6] = tuple((severity, str(count)) for severity, count in result[6])
    else:
        result[1] = (craft(result[1][0]), *result[1][1:])
    cachefiles.write_cache_file(path, made_by, (*kept[:2], tuple(result), *kept[3:]))
    again = cli.invoke(app, args)
    assert again.exit_code == 1, again.output
    assert again.stdout == first.stdout
