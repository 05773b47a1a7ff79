"""Evidence provenance: the delivered manifest, ``evidence verify --against`` and back-dated
evidence (EV009), in a git repository made from the example with commits of known dates."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ciptool.app import manifest as manifest_module
from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.incremental import cachefiles, filecache
from ciptool.loader import history as history_module
from ciptool.loader.git import git_output
from ciptool.results import RunSettings
from conftest import AS_OF, copy_example
from test_git_safety import ARMED, TRAP

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

#: The day of the first commit, which holds the example's evidence as delivered; evidence
#: collected from SINCE on is judged, and all of it was committed within 30 days.
DELIVERED_ON = "2026-11-16"
SINCE = "2026-10-17"
#: The later commits: an evidence file and its digest rewritten; a back-dated record added.
REWRITTEN_ON = "2026-12-01"
BACKDATED_ON = "2027-02-15"
JUDGED_AS_OF = "2027-02-20"
LATE_CSV = b"system,signed_off\nclaims,2026-10-25\n"
LATE_DIGEST = hashlib.sha256(LATE_CSV).hexdigest()
#: A record collected on 2026-10-25, first committed on 2027-02-15: 113 days later.
BACKDATED = f"""\
evidence:
  - control: IAM-03
    requirement: recert-signoff
    collected_on: 2026-10-25
    effective_on: 2026-10-25
    collected_by: j.okafor
    files:
      - {{path: files/late-recert.csv, sha256: "{LATE_DIGEST}"}}
"""
BACKDATED_FILE = "evidence/2026/iam-03-late.yaml"


def git(root: Path, *args: str, day: str | None = None) -> str:
    """Plain git in ``root``, as a person runs it, committing on ``day`` when given."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    if day is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{day}T12:00:00+00:00"
    identity = ["-c", "user.name=Tester", "-c", "user.email=tester@example.org"]
    completed = subprocess.run(
        ["git", *identity, "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return completed.stdout


def commit(root: Path, message: str, day: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, day=day)


def set_provenance(root: Path, block: str) -> None:
    """Replace the ``provenance:`` settings of ``root``'s ciptool.yaml (the last block)."""
    config = root / "ciptool.yaml"
    text = config.read_text(encoding="utf-8")
    head, found, _tail = text.partition("\nprovenance:")
    assert found, "the example's ciptool.yaml sets provenance:"
    config.write_text(f"{head}\nprovenance: {block}\n", encoding="utf-8")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def delivered_repo(tmp_path: Path) -> tuple[Path, Path]:
    """The example committed on DELIVERED_ON, and the manifest delivered then (outside it)."""
    root = copy_example(tmp_path / "repo")
    set_provenance(root, f"{{tolerance: 30d, since: {SINCE}}}")
    git(root, "init", "-q")
    commit(root, "the program as delivered", DELIVERED_ON)
    manifest = tmp_path / "delivered.json"
    code, _, err = invoke("evidence", "manifest", "-o", str(manifest), "--repo", str(root))
    assert code == 0, err
    return root, manifest


def a_record_to_forge(manifest: Path, root: Path) -> tuple[str, str, str]:
    """(record file, evidence file, digest) of a control's record collected before SINCE that
    lists one file, alone in its record file."""
    document = json.loads(manifest.read_text(encoding="utf-8"))
    per_file: dict[str, int] = {}
    for record in document["records"]:
        per_file[record["file"]] = per_file.get(record["file"], 0) + 1
    for record in document["records"]:
        if (
            record["kind"] == "control"
            and record["collected_on"] < SINCE
            and per_file[record["file"]] == 1
            and len(record["files"]) == 1
        ):
            entry = record["files"][0]
            text = (root / record["file"]).read_text(encoding="utf-8")
            if text.count(entry["sha256"]) == 1:
                return record["file"], entry["repository_path"], entry["sha256"]
    raise AssertionError("the example has no record to forge")


@pytest.fixture
def history(tmp_path: Path) -> dict[str, Any]:
    """The delivered repository, then one evidence file rewritten with its recorded digest
    (committed on REWRITTEN_ON), then a back-dated record added (committed on BACKDATED_ON)."""
    root, manifest = delivered_repo(tmp_path)
    record_file, evidence_file, old = a_record_to_forge(manifest, root)
    forged = root / evidence_file
    forged.write_bytes(forged.read_bytes() + b"one more line, written later\n")
    new = hashlib.sha256(forged.read_bytes()).hexdigest()
    record = root / record_file
    record.write_text(record.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    commit(root, "a file and its digest rewritten", REWRITTEN_ON)
    (root / BACKDATED_FILE).write_text(BACKDATED, encoding="utf-8")
    (root / "evidence/2026/files/late-recert.csv").write_bytes(LATE_CSV)
    commit(root, "evidence for a missed quarter", BACKDATED_ON)
    return {
        "root": root,
        "manifest": manifest,
        "record_file": record_file,
        "evidence_file": evidence_file,
        "old": old,
        "new": new,
    }


def ev009(root: Path, *extra: str) -> list[tuple[str, int, int, str]]:
    """EV009's findings in ``root`` as (file, line, column, message), judged JUDGED_AS_OF."""
    args = ["check", "--repo", str(root), "--select", "EV009", "-f", "json", "--as-of"]
    code, out, err = invoke(*args, JUDGED_AS_OF, *extra)
    assert code in (0, 1), err
    return [(f["file"], f["line"], f["column"], f["message"]) for f in json.loads(out)["findings"]]


LATE_MESSAGE = (
    "evidence for IAM-03 / recert-signoff collected on 2026-10-25 was committed on 2027-02-15"
    " (113 days later, in {commit}); the tolerance is 30 days"
)


def test_a_self_consistent_rewrite_passes_verify_but_not_verify_against_the_manifest(
    history: dict[str, Any],
) -> None:
    root, manifest = history["root"], history["manifest"]
    code, _, err = invoke("evidence", "verify", "--repo", str(root))
    assert code == 0, err  # the digest was rewritten with the file: integrity alone passes
    code, out, err = invoke("evidence", "verify", "--repo", str(root), "--against", str(manifest))
    assert code == 1, err
    lines = out.splitlines()
    record_file, evidence_file = history["record_file"], history["evidence_file"]
    old, new = history["old"], history["new"]
    assert lines[0] == (
        f"record added    {BACKDATED_FILE}:2  IAM-03 / recert-signoff effective 2026-10-25,"
        " collected on 2026-10-25"
    )
    assert lines[1].startswith(f"record changed  {record_file}:")
    assert lines[1].endswith(": files")
    assert lines[2] == f"    files[0].sha256: {old} -> {new}"
    assert "file added      evidence/2026/files/late-recert.csv  sha256 " + LATE_DIGEST in lines
    assert f"file added      {BACKDATED_FILE}  sha256 " in out
    at = lines.index(f"file changed    {evidence_file}")
    assert lines[at + 1 : at + 3] == [f"    sha256 delivered {old}", f"    sha256 now       {new}"]
    assert f"file changed    {record_file}" in lines
    assert len([line for line in lines if not line.startswith("    ")]) == 6
    assert err.endswith(
        f"against {manifest}: 1 record added, 0 removed, 1 changed;"
        " 2 files added, 0 removed, 2 changed\n"
    )


def test_check_reports_the_backdated_record_at_its_collected_on_line_and_no_other(
    history: dict[str, Any],
) -> None:
    root = history["root"]
    head = git(root, "rev-parse", "HEAD").strip()
    assert ev009(root) == [(BACKDATED_FILE, 4, 19, LATE_MESSAGE.format(commit=head[:12]))]


def test_the_soc2_package_lists_the_backdated_record(history: dict[str, Any]) -> None:
    root = history["root"]
    head = git(root, "rev-parse", "HEAD").strip()
    code, out, err = invoke(
        "report", "soc2", "--repo", str(root), "-o", "-", "--as-of", JUDGED_AS_OF
    )
    assert code == 0, err
    section = out.split("## Back-dated evidence", 1)[1].split("\n---", 1)[0]
    assert BACKDATED_FILE in section
    assert LATE_MESSAGE.format(commit=head[:12]) in " ".join(section.split())
    assert "None:" not in section


def test_tolerance_and_since_are_honoured(history: dict[str, Any]) -> None:
    root = history["root"]
    set_provenance(root, f"{{tolerance: 113d, since: {SINCE}}}")
    assert ev009(root) == []
    set_provenance(root, f"{{tolerance: 112d, since: {SINCE}}}")
    assert [found[:2] for found in ev009(root)] == [(BACKDATED_FILE, 4)]
    set_provenance(root, "{tolerance: 30d, since: 2026-10-26}")
    assert ev009(root) == []


def test_without_since_every_record_is_judged(tmp_path: Path) -> None:
    """The example's own setting is what keeps its bulk commit from reading as back-dated."""
    root, _ = delivered_repo(tmp_path)
    set_provenance(root, "{tolerance: 30d}")
    found = ev009(root)
    assert len(found) > 100
    assert {message.split(" was committed on ")[1][:10] for *_, message in found} == {DELIVERED_ON}


def test_an_uncommitted_record_counts_as_committed_on_the_day_of_the_check(
    tmp_path: Path,
) -> None:
    root, _ = delivered_repo(tmp_path)
    (root / BACKDATED_FILE).write_text(BACKDATED, encoding="utf-8")
    (root / "evidence/2026/files/late-recert.csv").write_bytes(LATE_CSV)
    assert ev009(root) == [
        (
            BACKDATED_FILE,
            4,
            19,
            "evidence for IAM-03 / recert-signoff collected on 2026-10-25 is not committed yet"
            " (counted as committed on 2027-02-20, 118 days later); the tolerance is 30 days",
        )
    ]
    code, out, _ = invoke(
        "check", "--repo", str(root), "--select", "EV009", "-f", "json", "--as-of", "2026-11-20"
    )
    assert (code, json.loads(out)["findings"]) == (0, [])


def test_a_kept_result_is_not_reused_across_a_new_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same files, committed again later (amended): cached and fresh results agree."""
    # The files were written moments ago: count them as settled, so that results are kept.
    monkeypatch.setattr(cachefiles, "RACY_NS", 0)
    monkeypatch.setattr(filecache, "RACY_NS", 0)
    root, _ = delivered_repo(tmp_path)
    cache = tmp_path / "cache"
    (root / BACKDATED_FILE).write_text(BACKDATED, encoding="utf-8")
    (root / "evidence/2026/files/late-recert.csv").write_bytes(LATE_CSV)
    commit(root, "recorded in time", "2026-10-27")

    def both() -> tuple[Any, Any]:
        args = ["check", "--repo", str(root), "--select", "EV009", "-f", "json"]
        cached = invoke(*args, "--as-of", JUDGED_AS_OF, "--cache-dir", str(cache))
        fresh = invoke(*args, "--as-of", JUDGED_AS_OF, "--no-cache")
        return json.loads(cached[1])["findings"], json.loads(fresh[1])["findings"]

    cached, fresh = both()
    assert cached == fresh == []
    cached, fresh = both()  # the kept result, nothing changed
    assert cached == fresh == []
    # A comment on the line, saying the same: the line is no longer the one committed.
    record = root / BACKDATED_FILE
    record.write_text(BACKDATED.replace("2026-10-25\n", "2026-10-25  # again\n", 1))
    cached, fresh = both()
    assert cached == fresh
    assert [(f["code"], f["file"], f["line"]) for f in fresh] == [("EV009", BACKDATED_FILE, 4)]
    assert "is not committed yet" in fresh[0]["message"]
    record.write_text(BACKDATED)
    cached, fresh = both()
    assert cached == fresh == []
    # The same files, committed again on a later day: a new HEAD, no file changed.
    git(root, "commit", "-q", "--amend", "--no-edit", "--reset-author", day=BACKDATED_ON)
    cached, fresh = both()
    assert cached == fresh
    assert [(f["code"], f["file"], f["line"]) for f in fresh] == [("EV009", BACKDATED_FILE, 4)]
    assert "was committed on 2027-02-15" in fresh[0]["message"]


def test_the_manifest_is_the_same_bytes_each_time_and_never_written_over_an_input(
    history: dict[str, Any], tmp_path: Path
) -> None:
    root, delivered = history["root"], history["manifest"]
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    for target in (first, second):
        code, _, err = invoke("evidence", "manifest", "-o", str(target), "--repo", str(root))
        assert code == 0, err
    assert first.read_bytes() == second.read_bytes()
    printed = CliRunner().invoke(app, ["evidence", "manifest", "-o", "-", "--repo", str(root)])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout_bytes == first.read_bytes()
    head = git(root, "rev-parse", "HEAD").strip()
    records = len(json.loads(first.read_text())["records"])
    assert err.startswith(f"wrote {second}: {records} records, ")
    assert err.endswith(f" files; commit {head}\n")
    document = json.loads(first.read_text(encoding="utf-8"))
    assert list(document) == [
        "format",
        "version",
        "program",
        "git",
        "records",
        "files",
        "record_files",
    ]
    assert (document["format"], document["version"]) == ("ciptool-evidence-manifest", 1)
    assert document["git"] == {"commit": head, "dirty": False}
    late = next(r for r in document["records"] if r["file"] == BACKDATED_FILE)
    assert late == {
        "kind": "control",
        "control": "IAM-03",
        "third_party": None,
        "requirement": "recert-signoff",
        "collected_on": "2026-10-25",
        "period": None,
        "effective_on": "2026-10-25",
        "collected_by": "j.okafor",
        "source": "",
        "files": [
            {
                "path": "files/late-recert.csv",
                "repository_path": "evidence/2026/files/late-recert.csv",
                "sha256": LATE_DIGEST,
            }
        ],
        "file": BACKDATED_FILE,
        "position": {"path": "evidence[0]", "line": 2},
    }
    assert {
        "path": "evidence/2026/files/late-recert.csv",
        "state": "present",
        "sha256": LATE_DIGEST,
        "size": len(LATE_CSV),
    } in document["files"]
    assert document != json.loads(delivered.read_text(encoding="utf-8"))
    code, _, err = invoke("evidence", "verify", "--repo", str(root), "--against", str(first))
    assert (code, err.endswith("identical\n")) == (0, True)
    for name in ("evidence/manifest.json", "ciptool.yaml", history["evidence_file"]):
        before = (root / name).read_bytes() if (root / name).exists() else None
        code, _, err = invoke("evidence", "manifest", "-o", str(root / name), "--repo", str(root))
        assert code == 2, err
        assert "is an input of the repository" in err
        assert ((root / name).read_bytes() if (root / name).exists() else None) == before


def test_verify_as_json(history: dict[str, Any]) -> None:
    root, manifest = history["root"], history["manifest"]
    head = git(root, "rev-parse", "HEAD").strip()
    code, out, _ = invoke("evidence", "verify", "--repo", str(root), "--format", "json")
    assert code == 0
    plain = json.loads(out)
    assert list(plain) == [
        "version",
        "verified",
        "findings",
        "git",
        "history",
        "identical",
        "against",
    ]
    assert plain["version"] == 1
    assert plain["verified"]["problems"] == 0
    assert plain["verified"]["files"] == plain["verified"]["intact"]
    assert plain["findings"] == []
    assert plain["git"] == {"commit": head, "dirty": False}
    assert plain["history"] == {"state": "read", "reason": ""}
    assert (plain["identical"], plain["against"]) == (None, None)
    code, out, _ = invoke(
        "evidence", "verify", "--repo", str(root), "--format", "json", "--against", str(manifest)
    )
    assert code == 1
    against = json.loads(out)
    assert against["identical"] is False
    diff = against["against"]
    delivered_head = json.loads(manifest.read_text())["git"]["commit"]
    assert diff["delivered_commit"] == delivered_head != head
    assert [r["file"] for r in diff["records"]["added"]] == [BACKDATED_FILE]
    assert diff["records"]["removed"] == []
    [changed] = diff["records"]["changed"]
    assert changed["record"]["file"] == history["record_file"]
    [field] = changed["fields"]
    assert field["field"] == "files"
    assert (field["delivered"][0]["sha256"], field["now"][0]["sha256"]) == (
        history["old"],
        history["new"],
    )
    delivered_record = next(
        f["sha256"]
        for f in json.loads(manifest.read_text())["record_files"]
        if f["path"] == history["record_file"]
    )
    now_record = hashlib.sha256((root / history["record_file"]).read_bytes()).hexdigest()
    assert sorted(diff["files"]["changed"], key=lambda f: f["path"]) == sorted(
        [
            {
                "path": history["evidence_file"],
                "kind": "evidence",
                "delivered": history["old"],
                "now": history["new"],
            },
            {
                "path": history["record_file"],
                "kind": "record",
                "delivered": delivered_record,
                "now": now_record,
            },
        ],
        key=lambda f: f["path"],
    )
    assert sorted(f["path"] for f in diff["files"]["added"]) == [
        "evidence/2026/files/late-recert.csv",
        BACKDATED_FILE,
    ]


def test_outside_git_nothing_is_judged_and_verify_says_so(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "plain")
    set_provenance(root, "{tolerance: 30d}")
    assert ev009(root) == []
    code, out, _ = invoke("evidence", "verify", "--repo", str(root), "-f", "json")
    assert code == 0
    document = json.loads(out)
    assert document["history"] == {
        "state": "not-in-git",
        "reason": "the repository is not in a git work tree",
    }
    assert document["git"] == {"commit": None, "dirty": None}


def test_history_that_cannot_be_read_is_a_note(
    history: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = git_output

    def failing_blame(root: Path, *args: str, **kwargs: Any) -> str | None:
        return None if "blame" in args else real(root, *args, **kwargs)

    monkeypatch.setattr(history_module, "git_output", failing_blame)
    settings = RunSettings(today=AS_OF, select=("EV009",))
    result, _ = check_repository(history["root"], settings)
    assert [
        (f.code, f.severity.value, f.location and f.location.file) for f in result.findings
    ] == [("EV009", "note", "ciptool.yaml")]
    assert result.findings[0].message == (
        f"the git history could not be read (git blame failed for {BACKDATED_FILE}):"
        " back-dated evidence was not looked for in every record"
    )


BAD_MANIFESTS = {
    "not-json": (b'{\n  "format": \n', ":3:1: not JSON: Expecting value"),
    "not-utf8": (b"\xff\xfe{}", ": byte 1 is not UTF-8; a manifest is JSON"),
    "a-list": (b"[]", ": the top level: expected an object (a ciptool evidence manifest)"),
    "another-format": (
        b'{"format": "sbom", "version": 1}',
        ": format: expected 'ciptool-evidence-manifest': this is not a ciptool evidence manifest",
    ),
    "a-later-version": (
        b'{"format": "ciptool-evidence-manifest", "version": 2}',
        ": version: 2 is not a version this ciptool reads (it reads 1)",
    ),
    "a-bad-record": (
        b'{"format": "ciptool-evidence-manifest", "version": 1,'
        b' "git": {"commit": null, "dirty": null},'
        b' "records": [{"kind": "control", "control": 7}], "files": [], "record_files": []}',
        ": records[0].control: expected a non-empty string",
    ),
    "nan": (
        b'{"format": "ciptool-evidence-manifest", "version": NaN}',
        ": not a manifest: NaN is not a JSON value",
    ),
}


@pytest.mark.parametrize("case", BAD_MANIFESTS)
def test_a_bad_manifest_exits_2_with_a_located_message(tmp_path: Path, case: str) -> None:
    root = copy_example(tmp_path / "repo")
    data, said = BAD_MANIFESTS[case]
    manifest = tmp_path / "delivered.json"
    manifest.write_bytes(data)
    code, out, err = invoke("evidence", "verify", "--repo", str(root), "--against", str(manifest))
    assert (code, out) == (2, "")
    assert err == f"ciptool: {manifest}{said}\n"


def test_a_manifest_that_is_no_regular_file_or_too_large_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "repo")
    args = ["evidence", "verify", "--repo", str(root), "--against"]
    code, _, err = invoke(*args, str(tmp_path))
    assert code == 2
    code, _, err = invoke(*args, str(tmp_path / "missing.json"))
    assert (code, err) == (2, f"ciptool: {tmp_path / 'missing.json'}: no such manifest file\n")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.json"
        os.mkfifo(fifo)
        code, _, err = invoke(*args, str(fifo))
        assert (code, err) == (
            2,
            f"ciptool: {fifo}: not a regular file; give a manifest's JSON file\n",
        )
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    monkeypatch.setattr(manifest_module, "MAX_MANIFEST_BYTES", 1024)
    code, _, err = invoke(*args, str(big))
    assert (code, err) == (
        2,
        f"ciptool: {big}: 2,048 bytes is larger than a manifest may be (1,024 bytes)\n",
    )


def test_an_armed_git_config_runs_nothing_while_history_is_read(history: dict[str, Any]) -> None:
    """fsmonitor, hooks, filter drivers, textconv, a pager: git blames without running any."""
    root = history["root"]
    outside = root.parent
    marker = outside / "marker"
    trap = outside / "trap.sh"
    trap.write_text(TRAP.format(marker=marker))
    trap.chmod(0o755)
    hooks = outside / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        shutil.copy(trap, hooks / hook)
    (root / ".gitattributes").write_text("*.yaml filter=evil diff=evil\n*.csv filter=proc\n")
    commit(root, "attributes", BACKDATED_ON)
    for key, value in ARMED.items():
        git(root, "config", key, value.format(trap=trap, hooks=hooks))
    # Every file's stat data differs from the index, so git must read content to compare.
    for path in (root / "evidence").rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    head = git(root, "rev-parse", "HEAD")  # plain git, which runs nothing for rev-parse
    assert not marker.exists()
    found = ev009(root)
    assert [found[:3] for found in found] == [(BACKDATED_FILE, 4, 19)]
    assert re.search(r"in [0-9a-f]{12}\)", found[0][3])
    assert head
    assert not marker.exists(), marker.read_text()


def test_the_evidence_index_shows_who_collected_each_item(history: dict[str, Any]) -> None:
    root = history["root"]
    code, out, err = invoke(
        "report",
        "evidence-index",
        "--repo",
        str(root),
        "-o",
        "-",
        "--format",
        "md",
        "--as-of",
        JUDGED_AS_OF,
        "--generated-at",
        "2027-02-20T12:00:00Z",
    )
    assert code == 0, err
    assert "| Collected | Collected by | Speaks for |" in out
    row = next(line for line in out.splitlines() if "late-recert.csv" in line)
    assert "| 2026-10-25 | j.okafor | 2026-10-25 |" in row


def test_only_files_with_a_commit_past_the_tolerance_are_blamed(
    history: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every other record file's commits are within 30 days of its earliest judged record."""
    root = history["root"]
    result, graph = check_repository(root, RunSettings(today=AS_OF, select=("EV009",)))
    assert graph is not None
    found = graph.repository.history
    assert found is not None
    assert (found.state.value, found.blamed) == ("read", 1)
    assert {file for file, _ in found.lines} == {BACKDATED_FILE}
    # A file of many records is blamed whole, with the same answer.
    monkeypatch.setattr(history_module, "_MOST_RANGES", 0)
    whole, _ = check_repository(root, RunSettings(today=AS_OF, select=("EV009",)))
    assert whole.findings == result.findings
    assert [
        (f.location and f.location.file, f.location and f.location.line) for f in whole.findings
    ] == [(BACKDATED_FILE, 4)]


def test_verify_as_json_of_an_unusable_repository_exits_2(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ciptool.yaml").write_text("program: [\n", encoding="utf-8")
    code, out, _ = invoke("evidence", "verify", "--repo", str(root), "--format", "json")
    assert code == 2
    document = json.loads(out)
    assert [f["code"] for f in document["findings"]] == ["LD001"]
    assert document["history"] == {"state": "not-read", "reason": "ciptool.yaml is not usable"}
