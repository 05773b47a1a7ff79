"""A check's result reused while nothing it read changed: the same output, never a stale one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool import engine
from ciptool.cli import app
from ciptool.graph import Graph
from ciptool.incremental import cachefiles
from ciptool.incremental import kept as runs
from ciptool.incremental.cachefiles import DEFAULT_DIR
from conftest import AS_OF, EVIDENCE_CSV, MINIMAL_CONTROL, MakeRepo

from .conftest import Calls, written_just_now
from .test_cache import CSV, RECORD, check_json, rewrite_keeping_size_and_mtime

Edit = Callable[[Path], None]


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The repositories the engine really checked, one entry per check."""
    calls: list[Path] = []
    real = engine.check_graph

    def counted(graph: Graph, *args: object, **kwargs: object) -> object:
        calls.append(graph.repository.root)
        return real(graph, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "check_graph", counted)
    return calls


def codes(output: str) -> list[tuple[str, str]]:
    """(code, file) of the findings in a JSON report."""
    return [(f["code"], f["file"]) for f in json.loads(output)["findings"]]


@pytest.mark.usefixtures("settled")
def test_an_unchanged_repository_is_not_checked_again(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path]
) -> None:
    root = make_repo({"controls/extra.yaml": MINIMAL_CONTROL})
    first = check_json(cli, root)
    assert len(checked) == 1
    assert len(list((root / DEFAULT_DIR).glob("*.result"))) == 1
    for fmt in ("json", "terminal", "sarif"):
        assert check_json(cli, root, "-f", fmt) == check_json(cli, root, "-f", fmt, "--no-cache")
    assert check_json(cli, root) == first
    assert len(checked) == 4  # the three runs with --no-cache
    assert ("SC004", "controls/iam.yaml") in codes(first)  # IAM-01 twice


def briefing(cli: CliRunner, root: Path, *options: str, as_of: str = str(AS_OF)) -> bytes:
    """The Markdown briefing of ``root``, written beside it."""
    out = root.parent / "briefing.md"
    command = ["report", "audit-committee", "--repo", str(root), "--as-of", as_of]
    outcome = cli.invoke(app, [*command, "-f", "md", "-o", str(out), *options])
    assert outcome.exit_code == 0, outcome.output
    return out.read_bytes()


@pytest.mark.usefixtures("settled")
def test_a_report_takes_the_findings_kept_while_the_repository_reads_the_same(
    make_repo: MakeRepo, cli: CliRunner, monkeypatch: pytest.MonkeyPatch, full_checks: list[object]
) -> None:
    root = make_repo({"controls/extra.yaml": MINIMAL_CONTROL})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763208000")
    fresh = briefing(cli, root, "--no-cache")
    check_json(cli, root)
    assert len(full_checks) == 2
    assert briefing(cli, root) == fresh
    assert len(full_checks) == 2  # the findings kept by the check, with the graph loaded again
    assert briefing(cli, root, as_of="2027-06-30") != fresh  # other settings: checked afresh
    assert len(full_checks) == 3
    (root / "controls/extra.yaml").write_text(MINIMAL_CONTROL.replace("IAM-01", "IAM-02"))
    changed = briefing(cli, root)
    assert len(full_checks) == 4
    assert changed != fresh
    assert changed == briefing(cli, root, "--no-cache")
    assert len(full_checks) == 5
    assert check_json(cli, root) == check_json(cli, root, "--no-cache")
    assert len(full_checks) == 6  # the check took the result the report kept


def _touch(path: str) -> Edit:
    def edit(root: Path) -> None:
        later = (root / path).stat().st_mtime_ns + 1_000_000_000
        os.utime(root / path, ns=(later, later))

    return edit


def _write(path: str, content: str | bytes) -> Edit:
    def edit(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        (root / path).write_bytes(data)

    return edit


def _same_size_and_mtime(path: str, old: bytes, new: bytes) -> Edit:
    def edit(root: Path) -> None:
        rewrite_keeping_size_and_mtime(root / path, (root / path).read_bytes().replace(old, new))

    return edit


def _remove(path: str) -> Edit:
    def edit(root: Path) -> None:
        (root / path).unlink()

    return edit


EDITS: dict[str, tuple[Edit, tuple[str, str] | None]] = {
    "a record rewritten, same size and mtime": (
        _same_size_and_mtime(RECORD, b"IAM-01", b"IAM-09"),
        ("RF006", RECORD),
    ),
    "an evidence file rewritten, same size and mtime": (
        _same_size_and_mtime(CSV, b"3", b"4"),
        ("EV004", RECORD),
    ),
    "an evidence file removed": (_remove(CSV), ("EV003", RECORD)),
    "an unlisted evidence file added": (
        _write("evidence/2026/files/stray.txt", "left over\n"),
        ("EV006", "evidence/2026/files/stray.txt"),
    ),
    "a control file added in a new folder": (
        _write("controls/more/iam.yaml", MINIMAL_CONTROL),
        ("SC004", "controls/more/iam.yaml"),
    ),
    "a catalog folder added": (
        _write("frameworks/broken.yaml", "catalog: [\n"),
        ("LD001", "frameworks/broken.yaml"),
    ),
    "ciptool.yaml rewritten": (
        _write("ciptool.yaml", "program: Renamed Program\n"),
        None,
    ),
}


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("name", list(EDITS))
def test_any_change_to_what_a_check_read_checks_again(
    name: str, make_repo: MakeRepo, cli: CliRunner, checked: list[Path]
) -> None:
    edit, expected = EDITS[name]
    root = make_repo()
    assert codes(check_json(cli, root)) == []
    edit(root)
    after = check_json(cli, root)
    assert len(checked) == 2
    assert after == check_json(cli, root, "--no-cache")
    assert json.loads(after)["program"] == (
        "Renamed Program" if name.startswith("ciptool.yaml") else "Test Program"
    )
    if expected is None:
        assert codes(after) == []
    else:
        assert expected in codes(after), codes(after)


def _append(path: str, text: str) -> Edit:
    def edit(root: Path) -> None:
        with (root / path).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return edit


def _prepend(path: str, text: str) -> Edit:
    def edit(root: Path) -> None:
        (root / path).write_text(text + (root / path).read_text(encoding="utf-8"), "utf-8")

    return edit


SAME_DATA: dict[str, Edit] = {
    "a record touched": _touch(RECORD),
    "a comment added to a record": _append(RECORD, "# reviewed again\n"),
    "a record laid out again, same size and mtime": _same_size_and_mtime(
        RECORD, b"{path: files/q.csv, sha256", b"{path:  files/q.csv,sha256"
    ),
    "ciptool.yaml touched": _touch("ciptool.yaml"),
}


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("name", list(SAME_DATA))
def test_files_that_say_what_they_said_are_not_checked_again(
    name: str, make_repo: MakeRepo, cli: CliRunner, checked: list[Path]
) -> None:
    root = make_repo()
    first = check_json(cli, root)
    SAME_DATA[name](root)
    assert check_json(cli, root) == first
    assert len(checked) == 1
    assert check_json(cli, root) == first  # the kept result now has the new signatures
    assert check_json(cli, root, "--no-cache") == first


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("name", list(SAME_DATA))
def test_a_report_takes_the_findings_kept_for_files_that_say_what_they_said(
    name: str,
    make_repo: MakeRepo,
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    full_checks: list[object],
) -> None:
    root = make_repo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763208000")
    check_json(cli, root)
    SAME_DATA[name](root)
    report = briefing(cli, root)
    assert len(full_checks) == 1
    assert report == briefing(cli, root, "--no-cache")
    assert len(full_checks) == 2


@pytest.mark.usefixtures("settled")
def test_what_a_file_says_is_compared_with_what_the_kept_result_was_made_from(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    assert codes(check_json(cli, root)) == []  # kept
    (root / RECORD).write_text(
        (root / RECORD).read_text(encoding="utf-8").replace("IAM-01", "IAM-09"), "utf-8"
    )
    monkeypatch.setattr(cachefiles, "RACY_NS", 10**18)  # this run's result is not kept...
    assert ("RF006", RECORD) in codes(check_json(cli, root))  # ...but its parse is cached
    monkeypatch.setattr(cachefiles, "RACY_NS", 0)
    _append(RECORD, "# says what the cached parse says, not what the kept result read\n")(root)
    after = check_json(cli, root)
    assert len(checked) == 3
    assert after == check_json(cli, root, "--no-cache")
    assert ("RF006", RECORD) in codes(after)


@pytest.mark.usefixtures("settled")
def test_a_file_that_findings_point_into_is_checked_again_for_their_lines(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path]
) -> None:
    root = make_repo({"controls/extra.yaml": MINIMAL_CONTROL})
    first = check_json(cli, root)
    _prepend("controls/extra.yaml", "# moved down a line\n")(root)
    after = check_json(cli, root)
    assert len(checked) == 2
    assert after == check_json(cli, root, "--no-cache")
    lines = [
        [f["line"] for f in json.loads(output)["findings"] if f["file"] == "controls/extra.yaml"]
        for output in (first, after)
    ]
    assert lines[1] == [line + 1 for line in lines[0]]


@pytest.mark.usefixtures("settled")
def test_a_file_a_finding_refers_to_is_checked_again(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path], rechecks: Calls
) -> None:
    root = make_repo()
    stale = check_json(cli, root, "--as-of", "2027-11-15")
    finding = json.loads(stale)["findings"][0]
    assert (finding["code"], finding["file"]) == ("EV002", "controls/iam.yaml")
    assert [related["file"] for related in finding["related"]] == [RECORD]
    _prepend(RECORD, "# moved down a line\n")(root)
    after = check_json(cli, root, "--as-of", "2027-11-15")
    assert len(checked) == 1  # an evidence record file: only what it can change is rechecked
    assert len(rechecks) == 1 and rechecks[0] is not None
    assert after == check_json(cli, root, "--as-of", "2027-11-15", "--no-cache")
    assert after != stale


@pytest.mark.usefixtures("settled")
def test_the_threshold_for_failing_does_not_check_again(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path]
) -> None:
    root = make_repo()
    later = ["check", "--repo", str(root), "--as-of", "2027-11-15", "-f", "json"]
    outcomes = {}
    for threshold in ("warning", "never", "error", None):
        chosen = ["--fail-on", threshold] if threshold else []
        kept = cli.invoke(app, [*later, *chosen])
        fresh = cli.invoke(app, [*later, *chosen, "--no-cache"])
        assert (kept.exit_code, kept.stdout) == (fresh.exit_code, fresh.stdout)
        outcomes[threshold] = kept.exit_code
    assert len(checked) == 1 + 4  # one kept result, and the four runs with --no-cache
    assert outcomes == {"warning": 1, "never": 0, "error": 0, None: 0}  # EV002 is a warning


@pytest.mark.usefixtures("settled")
def test_other_settings_check_again(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path]
) -> None:
    root = make_repo()
    check_json(cli, root)
    later = check_json(cli, root, "--as-of", "2027-11-15")
    assert ("EV002", "controls/iam.yaml") in codes(later)  # the evidence is stale a year on
    assert check_json(cli, root, "--as-of", "2027-11-15", "--select", "RF") != later
    assert len(checked) == 3


def test_no_result_is_kept_when_an_input_changed_just_before_the_run(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path]
) -> None:
    """A file rewritten within its filesystem's timestamp granularity keeps its signature."""
    root = make_repo()
    written_just_now(root)
    check_json(cli, root)
    check_json(cli, root)
    assert len(checked) == 2
    assert not list((root / DEFAULT_DIR).glob("*.result"))


@pytest.mark.usefixtures("settled")
def test_a_damaged_result_is_ignored_and_replaced(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path]
) -> None:
    root = make_repo()
    first = check_json(cli, root)
    (kept,) = (root / DEFAULT_DIR).glob("*.result")
    data = bytearray(kept.read_bytes())
    data[-5] ^= 0xFF
    kept.write_bytes(bytes(data))
    assert check_json(cli, root) == first
    assert len(checked) == 2
    assert check_json(cli, root) == first
    assert len(checked) == 2  # the damaged result was replaced by a good one


@pytest.mark.usefixtures("settled")
def test_a_result_of_another_ciptool_is_not_used(
    make_repo: MakeRepo, cli: CliRunner, checked: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    check_json(cli, root)
    monkeypatch.setattr(runs, "code_signature", lambda: "changed in place")
    check_json(cli, root)
    assert len(checked) == 2


def test_concurrent_checks_share_kept_results(make_repo: MakeRepo) -> None:
    root = make_repo({"controls/extra.yaml": "controls:\n  - id: IAM-01\n    title: twice\n"})
    command = [sys.executable, "-m", "ciptool", "check", "--repo", str(root)]
    command += ["--as-of", str(AS_OF), "-f", "json", "--fail-on", "never"]
    expected = subprocess.run([*command, "--no-cache"], capture_output=True, check=True).stdout
    time.sleep(cachefiles.RACY_NS / 1e9 + 0.2)  # let the files settle: results are kept
    for _round in range(2):  # four runs that each keep a result, then four that reuse one
        started = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(4)]
        outputs = [process.communicate()[0] for process in started]
        assert [process.returncode for process in started] == [0, 0, 0, 0]
        assert outputs == [expected] * 4
    assert len(list((root / DEFAULT_DIR).glob("*.result"))) == 1
    assert not list((root / DEFAULT_DIR).glob("*.tmp"))
    (root / CSV).write_bytes(EVIDENCE_CSV.replace(b"3", b"4"))
    changed = subprocess.run(command, capture_output=True, check=True).stdout
    assert ("EV004", RECORD) in codes(changed.decode())


_DRIVER = """
import json, sys
from ciptool.incremental import cachefiles
cachefiles.RACY_NS = 0  # the test's files were written moments ago: count them as settled
if sys.argv[1] == "first":
    from ciptool.incremental import filecache as cache
    cache.RACY_NS = 0
from ciptool.cli import main
sys.argv = ["ciptool", "check", "--repo", sys.argv[2], "--as-of", sys.argv[3]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("ciptool"))), file=sys.stderr)
"""


def test_a_kept_result_is_printed_without_importing_the_models_or_checks(
    make_repo: MakeRepo,
) -> None:
    """A warm run's time is start-up: it must not pay for the models, the loader or the checks
    (about 0.05 s on their own), which a light import (a date's bounds) once pulled in."""
    root = make_repo({"controls/extra.yaml": MINIMAL_CONTROL})

    def modules(which: str) -> list[str]:
        outcome = subprocess.run(
            [sys.executable, "-c", _DRIVER, which, str(root), str(AS_OF)],
            capture_output=True,
            text=True,
            check=True,
        )
        return list(json.loads(outcome.stderr.splitlines()[-1]))

    assert "ciptool.checks" in modules("first")
    heavy = ("ciptool.models", "ciptool.loader", "ciptool.checks", "ciptool.engine")
    # Asking git whether the cache folder came with the repository: 3 ms to import. The
    # packages' own modules load nothing on import; the garbage collector's pause, a date's
    # bounds, where the repository is and what is at a path on disk are leaves.
    light = (
        "ciptool.loader",
        "ciptool.loader.git",
        "ciptool.loader.collector",
        "ciptool.loader.identities",
        "ciptool.loader.places",
        "ciptool.models",
        "ciptool.models.dates",
    )
    assert [m for m in modules("second") if m.startswith(heavy) and m not in light] == []
