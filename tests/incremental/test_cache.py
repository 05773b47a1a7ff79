"""The cache of parsed files and evidence digests: faster runs, never different findings."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.incremental import ahead, cachefiles
from ciptool.incremental import filecache as cache_module
from ciptool.incremental import reading as cached_reading
from ciptool.incremental.cachefiles import DEFAULT_DIR
from ciptool.incremental.filecache import FileCache
from ciptool.incremental.kept import fresh
from ciptool.incremental.signatures import Inputs
from ciptool.loader import evidence_files, hashing, identities, reading
from ciptool.loader.identities import identity
from ciptool.loader.yamlparse import ParsedYaml, parse_yaml
from ciptool.results import RunSettings
from conftest import AS_OF, EVIDENCE_CSV, MINIMAL_CONTROL, MINIMAL_EVIDENCE, MakeRepo

from .conftest import written_just_now

CSV = "evidence/2026/files/q.csv"
RECORD = "evidence/2026/iam-01.yaml"


def codes(root: Path, cache_dir: Path | None) -> list[tuple[str, str]]:
    """(code, file) of every finding of a check that uses ``cache_dir``."""
    result, _configured, _graph = fresh(root, RunSettings(today=AS_OF), cache_dir, Inputs())
    return [(f.code, f.location.file if f.location else "") for f in result.findings]


def check_json(cli: CliRunner, root: Path, *options: str) -> str:
    """The JSON output of ``ciptool check`` on ``root``."""
    outcome = cli.invoke(
        app,
        ["check", "--repo", str(root), "--as-of", str(AS_OF), "-f", "json", *options],
    )
    assert outcome.exit_code in (0, 1), outcome.output
    return outcome.stdout


def rewrite_keeping_size_and_mtime(path: Path, new: bytes) -> None:
    """Give ``path`` new content of the same size, and put its modification time back."""
    before = path.stat()
    assert len(new) == before.st_size
    path.write_bytes(new)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns


class Counting:
    """Counts the files parsed and hashed, to see what came from the cache."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: list[str] = []
        self.hashed: list[str] = []
        digest = hashing.sha256_file

        def counted_parse(text: str) -> ParsedYaml:
            self.parsed.append(text)
            return parse_yaml(text)

        def counted_digest(path: str | Path, inode: int | None = None) -> tuple[str, int]:
            self.hashed.append(str(path))
            return digest(path, inode)

        monkeypatch.setattr(reading, "parse_yaml", counted_parse)
        monkeypatch.setattr(evidence_files, "sha256_file", counted_digest)

    def reset(self) -> None:
        self.parsed.clear()
        self.hashed.clear()


@pytest.mark.usefixtures("settled")
def test_a_warm_run_parses_and_hashes_nothing_and_finds_the_same(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    cache_dir = root / DEFAULT_DIR
    counting = Counting(monkeypatch)
    cold = codes(root, cache_dir)
    assert len(counting.parsed) == 4  # ciptool.yaml, a control, a policy, an evidence record
    assert len(counting.hashed) == 1
    assert (cache_dir / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    assert (cache_dir / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: ")
    counting.reset()
    assert codes(root, cache_dir) == cold
    assert counting.parsed == []
    assert counting.hashed == []
    assert codes(root, None) == cold


def test_the_cli_finds_the_same_with_and_without_the_cache(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo({"controls/extra.yaml": "controls:\n  - id: X-1\n    title: [oops\n"})
    cold = check_json(cli, root)
    assert (root / DEFAULT_DIR).is_dir()
    assert check_json(cli, root) == cold
    assert check_json(cli, root, "--no-cache") == cold
    assert json.loads(cold)["findings"][0]["code"] == "LD001"


def test_no_cache_leaves_no_cache_behind(make_repo: MakeRepo, cli: CliRunner) -> None:
    root = make_repo()
    check_json(cli, root, "--no-cache")
    assert not (root / DEFAULT_DIR).exists()


def test_the_cache_can_live_outside_the_repository(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path
) -> None:
    root = make_repo()
    elsewhere = tmp_path / "ci-cache"
    first = check_json(cli, root, "--cache-dir", str(elsewhere))
    assert not (root / DEFAULT_DIR).exists()
    assert sorted(p.suffixes for p in elsewhere.glob("*.cache")) == [
        [".files", ".cache"],
        [".yaml", ".cache"],
    ]
    from_env = cli.invoke(
        app,
        ["check", "--repo", str(root), "--as-of", str(AS_OF), "-f", "json"],
        env={"CIPTOOL_CACHE_DIR": str(tmp_path / "from-env")},
    )
    assert from_env.stdout == first
    assert len(list((tmp_path / "from-env").glob("*.cache"))) == 2


def test_a_changed_evidence_file_with_the_same_size_and_mtime_is_hashed_again(
    make_repo: MakeRepo,
) -> None:
    root = make_repo()
    cache_dir = root / DEFAULT_DIR
    assert codes(root, cache_dir) == []
    tampered = EVIDENCE_CSV.replace(b"3", b"4")
    rewrite_keeping_size_and_mtime(root / CSV, tampered)
    assert codes(root, cache_dir) == [("EV004", RECORD)]


def test_a_changed_record_with_the_same_size_and_mtime_is_parsed_again(
    make_repo: MakeRepo,
) -> None:
    root = make_repo()
    cache_dir = root / DEFAULT_DIR
    assert codes(root, cache_dir) == []
    record = root / RECORD
    text = record.read_bytes()
    rewrite_keeping_size_and_mtime(record, text.replace(b"IAM-01", b"IAM-09"))
    assert ("RF006", RECORD) in codes(root, cache_dir)


def test_racy_entries_are_verified_where_timestamps_are_coarse(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a filesystem with one-second timestamps, a rewrite can keep the file's identity."""

    def coarse(info: os.stat_result) -> tuple[int, int, int, int]:
        second = 10**9
        mtime, ctime = info.st_mtime_ns // second * second, info.st_ctime_ns // second * second
        return (info.st_size, mtime, info.st_ino, ctime)

    monkeypatch.setattr(identities, "identity", coarse)
    monkeypatch.setattr(cached_reading, "identity", coarse)
    root = make_repo()
    written_just_now(root)
    cache_dir = root / DEFAULT_DIR
    assert codes(root, cache_dir) == []
    # Both files were written moments ago, so their entries are racy: rewrite them within
    # the same second, keeping their size, as an editor on such a filesystem could.
    record = root / RECORD
    rewrite_keeping_size_and_mtime(record, record.read_bytes().replace(b"IAM-01", b"IAM-09"))
    rewrite_keeping_size_and_mtime(root / CSV, EVIDENCE_CSV.replace(b"3", b"4"))
    found = codes(root, cache_dir)
    assert ("RF006", RECORD) in found  # the record was parsed again
    assert ("EV004", RECORD) in found  # and the file hashed again
    rewrite_keeping_size_and_mtime(record, record.read_bytes().replace(b"IAM-09", b"IAM-01"))
    assert codes(root, cache_dir) == [("EV004", RECORD)]


def test_files_changed_just_before_a_run_are_verified_on_the_next(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    written_just_now(root)
    cache_dir = root / DEFAULT_DIR
    codes(root, cache_dir)
    counting = Counting(monkeypatch)
    assert codes(root, cache_dir) == []
    assert counting.parsed == []  # the text's digest matched: not parsed again
    assert len(counting.hashed) == 1  # a digest is verified by hashing, so it is hashed


def test_a_damaged_cache_is_ignored_and_replaced(make_repo: MakeRepo) -> None:
    root = make_repo()
    cache_dir = root / DEFAULT_DIR
    codes(root, cache_dir)
    packs = sorted(cache_dir.glob("*.cache"))
    assert len(packs) == 2  # evidence digests, parsed YAML
    for pack in packs:
        data = bytearray(pack.read_bytes())
        data[-5] ^= 0xFF
        pack.write_bytes(bytes(data))
    rewrite_keeping_size_and_mtime(root / CSV, EVIDENCE_CSV.replace(b"3", b"4"))
    assert codes(root, cache_dir) == [("EV004", RECORD)]
    for pack in packs:
        pack.write_bytes(b"not a cache")
    assert codes(root, cache_dir) == [("EV004", RECORD)]
    assert all(pack.read_bytes().startswith(b"ciptool-cache\n") for pack in packs)


def test_an_unwritable_cache_folder_does_not_fail_the_run(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert codes(root, blocked / "cache") == []


@pytest.mark.usefixtures("settled")
def test_check_uses_cached_digests_but_evidence_verify_hashes_every_file(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo()
    cache_dir = root / DEFAULT_DIR
    codes(root, cache_dir)
    # Plant a wrong digest under the file's current identity: check believes the cache (so
    # the cache is what it used), an auditor's verify does not.
    planted = FileCache(root.resolve(), cache_dir)
    planted.store("files", CSV, identity((root / CSV).stat()), ("0" * 64, len(EVIDENCE_CSV)))
    planted.save()
    assert codes(root, cache_dir) == [("EV004", RECORD)]
    verified = cli.invoke(app, ["evidence", "verify", "--repo", str(root)])
    assert verified.exit_code == 0, verified.output


def test_parsing_in_worker_processes_gives_the_same_data(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    control = MINIMAL_CONTROL.removeprefix("controls:\n")
    controls = "controls:\n" + "".join(control.replace("IAM-01", f"C-{n:03}") for n in range(40))
    files: dict[str, str | bytes] = {f"controls/c{n}.yaml": controls for n in range(6)}
    files["controls/broken.yaml"] = "controls:\n  - id: [\n"
    root = make_repo(files)
    one_process = codes(root, None)
    monkeypatch.setattr(cached_reading, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(cached_reading, "_CHUNK_BYTES", 1)
    assert codes(root, None) == one_process
    assert ("LD001", "controls/broken.yaml") in one_process
    assert ("SC004", "controls/c1.yaml") in one_process


@pytest.mark.skipif(sys.platform != "linux", reason="workers start only where fork is used")
def test_evidence_files_hashed_ahead_by_workers_give_the_same_findings(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    big = bytes(range(256)) * 5000  # more than one read
    outside = tmp_path / "outside.csv"
    outside.write_bytes(EVIDENCE_CSV)
    listed = {
        "q.csv": EVIDENCE_CSV,
        "big.bin": big,
        "tampered.csv": b"not what was recorded\n",
        "linked.csv": EVIDENCE_CSV,
        "leaves.csv": EVIDENCE_CSV,
        "pipe.csv": EVIDENCE_CSV,
        "gone.csv": EVIDENCE_CSV,
    }
    entries = "".join(
        f'      - {{path: files/{name}, sha256: "{hashlib.sha256(data).hexdigest()}"}}\n'
        for name, data in listed.items()
    )
    record = MINIMAL_EVIDENCE.split("    files:\n")[0] + "    files:\n" + entries
    root = make_repo(
        {
            RECORD: record,
            "evidence/2026/files/big.bin": big,
            "evidence/2026/files/tampered.csv": b"changed after it was recorded\n",
            "evidence/2026/files/unlisted.csv": b"x\n",
        }
    )
    files = root / "evidence/2026/files"
    (files / "linked.csv").symlink_to("q.csv")
    (files / "leaves.csv").symlink_to(outside)
    os.mkfifo(files / "pipe.csv")  # never opened: reading it would wait forever
    one_process = codes(root, None)
    assert sorted(one_process) == sorted(
        [
            ("EV003", RECORD),  # gone.csv
            ("EV003", RECORD),  # pipe.csv is not a file
            ("EV003", RECORD),  # leaves.csv leads outside
            ("EV004", RECORD),  # tampered.csv
            ("EV006", "evidence/2026/files/unlisted.csv"),
        ]
    )
    counting = Counting(monkeypatch)
    monkeypatch.setattr(ahead, "HASH_AHEAD_MIN_FILES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert codes(root, None) == one_process
    # The workers hashed every regular file; this process only the link it followed.
    assert counting.hashed == [str(files / "linked.csv")]


def test_two_checks_at_once_share_one_cache(make_repo: MakeRepo) -> None:
    root = make_repo({"controls/extra.yaml": "controls:\n  - id: IAM-01\n    title: twice\n"})
    command = [sys.executable, "-m", "ciptool", "check", "--repo", str(root)]
    command += ["--as-of", str(AS_OF), "-f", "json", "--fail-on", "never"]
    expected = subprocess.run([*command, "--no-cache"], capture_output=True, check=True).stdout
    for _round in range(3):
        (root / CSV).write_bytes(EVIDENCE_CSV)  # a new identity: every run stores again
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(4)]
        outputs = [process.communicate()[0] for process in runs]
        assert [process.returncode for process in runs] == [0, 0, 0, 0]
        assert outputs == [expected] * 4
    assert subprocess.run(command, capture_output=True, check=True).stdout == expected
    packs = list((root / DEFAULT_DIR).glob("*.cache"))
    assert len(packs) == 2
    assert all(pack.read_bytes().startswith(b"ciptool-cache\n") for pack in packs)
    assert not list((root / DEFAULT_DIR).glob("*.tmp"))


@pytest.mark.usefixtures("settled")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_fresh_clone_takes_unchanged_files_from_the_cache_by_git_blob_id(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    origin = make_repo()
    # Committed two days after the evidence was collected: not back-dated (EV009).
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-10-05T12:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-10-05T12:00:00+00:00")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(origin)], check=True)
    subprocess.run([*git, "-C", str(origin), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(origin), "commit", "-q", "-m", "repo"], check=True)
    monkeypatch.setattr(cache_module, "GIT_MIN_MISSES", 1)
    checkout = tmp_path / "checkout"
    ci_cache = tmp_path / "ci-cache"  # restored by the CI system between jobs

    def fresh_clone() -> None:
        shutil.rmtree(checkout, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", str(origin), str(checkout)], check=True)

    fresh_clone()
    first = codes(checkout, ci_cache)
    fresh_clone()  # every file has a new inode and change time
    counting = Counting(monkeypatch)
    assert codes(checkout, ci_cache) == first
    assert counting.parsed == []
    assert counting.hashed == []
    # A file changed in the job itself is not taken from the cache.
    (checkout / CSV).write_bytes(EVIDENCE_CSV.replace(b"3", b"4"))
    assert codes(checkout, ci_cache) == [("EV004", RECORD)]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_committed_cache_is_never_trusted_by_blob_id(make_repo: MakeRepo) -> None:
    root = make_repo()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    codes(root, root / DEFAULT_DIR)
    subprocess.run(["git", "-C", str(root), "add", "-f", DEFAULT_DIR, "ciptool.yaml"], check=True)
    assert FileCache(root.resolve(), root / DEFAULT_DIR).git_blobs() == {}
    blob = hashlib.sha1(b"blob 5\0abcd\n", usedforsecurity=False).hexdigest()
    assert cache_module.git_blob_id(b"abcd\n") == blob


@pytest.mark.usefixtures("settled")
def test_a_cache_made_by_another_build_of_ciptool_is_not_read(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An editable install changed in place keeps its version number: a parser or a check
    # changed since must not meet the parses and digests the old code cached.
    root = make_repo()
    cache_dir = root / DEFAULT_DIR
    cold = codes(root, cache_dir)
    monkeypatch.setattr(cache_module, "code_signature", lambda: "changed in place")
    counting = Counting(monkeypatch)
    assert codes(root, cache_dir) == cold
    assert len(counting.parsed) == 4
    assert len(counting.hashed) == 1
    counting.reset()
    assert codes(root, cache_dir) == cold  # the cache the new build wrote is its own
    assert counting.parsed == []
    assert counting.hashed == []


def test_a_cache_file_holding_code_is_not_read(make_repo: MakeRepo) -> None:
    root = make_repo()
    path = root / DEFAULT_DIR / "crafted.cache"
    made_by = ("made", "by")
    code = compile("1", "crafted", "eval")
    cachefiles.write_cache_file(path, made_by, {"rel": code})
    if sys.version_info >= (3, 13):  # marshal refuses code itself
        assert cachefiles.read_cache_file(path, made_by) is None
    else:  # older marshal loads it, never run; a cached parse then refuses it as no parse makes
        assert cachefiles.read_cache_file(path, made_by) == {"rel": code}
    cachefiles.write_cache_file(path, made_by, {"rel": "text"})
    assert cachefiles.read_cache_file(path, made_by) == {"rel": "text"}


def test_a_cache_file_larger_than_any_ciptool_writes_is_not_read(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache file made by hand could be of any size: it is not read into memory at all.
    root = make_repo()
    path = root / DEFAULT_DIR / "big.cache"
    cachefiles.write_cache_file(path, ("made",), {"rel": "x" * 1000})
    assert cachefiles.read_cache_file(path, ("made",)) == {"rel": "x" * 1000}
    monkeypatch.setattr(cachefiles, "MAX_CACHE_BYTES", path.stat().st_size - 1)
    assert cachefiles.read_cache_file(path, ("made",)) is None
