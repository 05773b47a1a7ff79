"""Links and special files in a received repository: nothing outside it is read, nothing waits.

The targets outside the repository are folders of the test's own temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.incremental import source
from ciptool.loader import evidence_files, reading
from ciptool.loader.files import read_yaml_bytes
from ciptool.loader.hashing import sha256_file
from conftest import EVIDENCE_CSV, brief, run, write_repo

SECRET = "controls:\n  - id: OUT-01\n    api_key: hunter2-secret\n    password: hunter2-secret\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def outside_folder(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(SECRET, encoding="utf-8")
    return outside


def test_a_top_level_record_folder_linked_outside_is_not_read(tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    root = write_repo(tmp_path / "repo", {})
    shutil.rmtree(root / "controls")
    (root / "controls").symlink_to(outside, target_is_directory=True)
    found = [f for f in brief(run(root)) if f[0].startswith("LD")]
    assert found == [("LD007", "controls", 1, 1)]
    code, output = invoke("check", "--repo", str(root), "--as-of", "2026-11-15")
    assert code == 1
    assert "hunter2" not in output
    assert "api_key" not in output
    assert "OUT-01" not in output


def test_a_linked_frameworks_folder_outside_is_not_read(tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    root = write_repo(tmp_path / "repo", {})
    (root / "frameworks").symlink_to(outside, target_is_directory=True)
    assert [f for f in brief(run(root)) if f[0].startswith("LD")] == [("LD007", "frameworks", 1, 1)]
    _, output = invoke("frameworks", "list", "--repo", str(root))
    assert "hunter2" not in output
    assert "api_key" not in output


def linked_evidence_repo(tmp_path: Path) -> tuple[Path, Path]:
    """Evidence listing ``etc/passwd`` in a folder linked outside; the right digest given."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_bytes(b"root:x:0:0:secret-outside\n")
    digest = hashlib.sha256((outside / "passwd").read_bytes()).hexdigest()
    root = write_repo(tmp_path / "repo", {})
    record = (root / "evidence/2026/iam-01.yaml").read_text(encoding="utf-8")
    old = hashlib.sha256((root / "evidence/2026/files/q.csv").read_bytes()).hexdigest()
    record = record.replace("files/q.csv", "etc/passwd").replace(old, digest)
    (root / "evidence/2026/iam-01.yaml").write_text(record, encoding="utf-8")
    (root / "evidence/2026/files/q.csv").unlink()
    (root / "evidence/2026/etc").symlink_to(outside, target_is_directory=True)
    return root, outside


def test_an_evidence_path_through_a_folder_linked_outside_is_never_hashed(tmp_path: Path) -> None:
    root, _ = linked_evidence_repo(tmp_path)
    result = run(root, "EV")
    assert brief(result) == [("EV003", "evidence/2026/iam-01.yaml", 7, 16)]
    assert result.findings[0].message == (
        "evidence file `etc/passwd` is a link that leads outside the repository"
    )
    code, output = invoke("evidence", "verify", "--repo", str(root))
    assert code == 1
    # The linked folder is a problem of its own (LD007), beside the path through it (EV003).
    assert output.endswith("1 files in 1 records; 0 intact, 2 problems\n")
    code, output = invoke("check", "--repo", str(root), "--as-of", "2026-11-15")
    assert code == 1
    assert "LD007" in output
    assert "secret-outside" not in output


@needs_fifo
def test_an_evidence_path_to_a_fifo_through_a_linked_folder_does_not_wait(tmp_path: Path) -> None:
    root, outside = linked_evidence_repo(tmp_path)
    (outside / "passwd").unlink()
    os.mkfifo(outside / "passwd")
    assert brief(run(root, "EV")) == [("EV003", "evidence/2026/iam-01.yaml", 7, 16)]


def test_an_evidence_path_through_a_folder_linked_inside_is_hashed(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    (root / "shared").mkdir()
    (root / "evidence/2026/files").rename(root / "shared/files")
    (root / "evidence/2026/files").symlink_to(root / "shared/files", target_is_directory=True)
    assert brief(run(root, "EV")) == []


@needs_fifo
def test_a_fifo_among_record_files_is_a_finding_never_opened(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    os.mkfifo(root / "controls" / "zz.yaml")
    assert brief(run(root, "LD")) == [("LD013", "controls/zz.yaml", 1, 1)]
    code, output = invoke("check", "--repo", str(root), "--as-of", "2026-11-15")
    assert code == 1
    assert "controls/zz.yaml" in output


@needs_fifo
def test_a_fifo_in_frameworks_is_a_finding_never_opened(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    (root / "frameworks").mkdir()
    os.mkfifo(root / "frameworks" / "x.yaml")
    assert brief(run(root, "LD")) == [("LD013", "frameworks/x.yaml", 1, 1)]
    code, _ = invoke("frameworks", "list", "--repo", str(root))
    assert code in {0, 1}


@needs_fifo
def test_a_fifo_listed_as_evidence_is_not_a_file(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    (root / "evidence/2026/files/q.csv").unlink()
    os.mkfifo(root / "evidence/2026/files/q.csv")
    result = run(root, "EV")
    assert brief(result) == [("EV003", "evidence/2026/iam-01.yaml", 7, 16)]
    assert result.findings[0].message == (
        "evidence file `files/q.csv` is not a regular file (a folder, a FIFO or a device)"
    )


@pytest.mark.parametrize("linked", ["evidence", "evidence/2026", "evidence/2026/files"])
def test_evidence_add_refuses_to_write_through_a_folder_linked_outside(
    tmp_path: Path, linked: str
) -> None:
    root = write_repo(tmp_path / "repo", {})
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(root / linked)
    (root / linked).symlink_to(outside, target_is_directory=True)
    export = tmp_path / "export" / "q4.csv"
    export.parent.mkdir()
    export.write_bytes(b"user,removed\nj.doe,yes\n")
    code, output = invoke(
        "evidence", "add", str(export), "--repo", str(root), "--control", "IAM-01",
        "--requirement", "recert-signoff", "--period", "2026-07-01..2026-09-30",
        "--collected-on", "2026-10-05",
    )  # fmt: skip
    assert code == 2
    assert f"`{linked}` is a link that leads outside the repository; nothing was recorded" in (
        output
    )
    assert list(outside.iterdir()) == []


@needs_fifo
def test_a_fifo_that_takes_a_files_place_after_the_walk_is_never_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "swapped.yaml"
    os.mkfifo(fifo)
    data, finding = read_yaml_bytes("controls/swapped.yaml", fifo)
    assert data is None
    assert finding is not None
    assert (finding.code, finding.message) == (
        "LD013",
        "this is not a regular file (a FIFO, a device or a socket) and was not read",
    )
    with pytest.raises(OSError, match="not a regular file"):
        sha256_file(fifo)


def test_a_cache_folder_linked_outside_is_neither_read_nor_written(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    outside = tmp_path / "outside-cache"
    outside.mkdir()
    (root / ".ciptool-cache").symlink_to(outside, target_is_directory=True)
    args = ("check", "--repo", str(root), "--as-of", "2026-11-15")
    code, output = invoke(*args, "--no-cache")
    note = (
        f"ciptool: {root / '.ciptool-cache'} is a link leading outside the repository;"
        " the run goes on without a cache\n"
    )
    assert invoke(*args) == (code, note + output)
    assert list(outside.iterdir()) == []


@needs_fifo
def test_a_fifo_in_place_of_a_cache_file_is_never_waited_on(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    args = ("check", "--repo", str(root), "--as-of", "2026-11-15")
    expected = invoke(*args)
    cache_files = sorted((root / ".ciptool-cache").glob("*.cache"))
    assert cache_files
    for path in cache_files:
        path.unlink()
        os.mkfifo(path)
    assert invoke(*args) == expected


def test_a_device_among_record_files_is_a_finding_never_opened(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    try:  # a new node for the null device, in the test's own folder: no real device is touched
        os.mknod(root / "controls" / "zz.yaml", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (AttributeError, OSError):
        pytest.skip("cannot make a device node here")
    assert brief(run(root, "LD")) == [("LD013", "controls/zz.yaml", 1, 1)]


def test_an_evidence_file_swapped_for_a_link_after_it_was_looked_at_is_never_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Between looking at a path and opening it, a link to a file outside can take its place:
    # the outside file holds the digest the record expects, so hashing it would call it intact.
    root = write_repo(tmp_path / "repo", {})
    secret = tmp_path / "secret.csv"
    secret.write_bytes(EVIDENCE_CSV)
    csv = root / "evidence/2026/files/q.csv"
    real = sha256_file

    def swapped(path: str | Path, *args: Any) -> tuple[str, int]:
        csv.unlink()
        csv.symlink_to(secret)
        return real(path, *args)

    monkeypatch.setattr(evidence_files, "sha256_file", swapped)
    code, output = invoke("evidence", "verify", "--repo", str(root))
    assert code == 1
    assert "EV003  evidence file `files/q.csv` cannot be read" in output
    assert output.endswith("1 files in 1 records; 0 intact, 1 problems\n")


def test_a_record_file_swapped_for_a_link_after_the_walk_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path / "repo", {})
    outside = tmp_path / "outside.yaml"
    outside.write_text("controls:\n  - id: IAM-01\n    api_key: s3cret\n", encoding="utf-8")
    record = root / "controls/iam.yaml"
    real = read_yaml_bytes

    def swapped(rel: str, path: str | Path, *args: Any) -> tuple[bytes | None, Any]:
        if rel == "controls/iam.yaml":
            record.unlink()
            record.symlink_to(outside)
        return real(rel, path, *args)

    monkeypatch.setattr(reading, "read_yaml_bytes", swapped)
    result = run(root)
    assert [(f.code, f.location.file if f.location else "") for f in result.findings] == [
        ("LD013", "controls/iam.yaml"),
        ("RF006", "evidence/2026/iam-01.yaml"),
    ]
    assert result.findings[0].message == (
        "the file changed while it was read (another file took its place); it was not read"
    )
    assert not any("api_key" in f.message or "s3cret" in f.message for f in result.findings)


def test_an_evidence_file_hashed_ahead_through_a_folder_swapped_for_a_link_is_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker hashing ahead opened the path while its folder was a link leading outside (a
    # folder swapped after the walk): what it hashed is not taken as the repository's file.
    root = write_repo(tmp_path / "repo", {})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "q.csv").write_bytes(EVIDENCE_CSV)
    files = root / "evidence/2026/files"

    def hashed_through_a_swapped_folder(ahead: object) -> dict[str, Any]:
        shutil.rmtree(files)
        files.symlink_to(outside, target_is_directory=True)
        info = (outside / "q.csv").stat()
        ident = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        digest = hashlib.sha256(EVIDENCE_CSV).hexdigest()
        return {"evidence/2026/files/q.csv": (ident, digest, len(EVIDENCE_CSV))}

    monkeypatch.setattr(source, "collect", hashed_through_a_swapped_folder)
    code, output = invoke("evidence", "verify", "--repo", str(root))
    assert code == 1
    assert (
        "EV003  evidence file `files/q.csv` is a link that leads outside the repository" in output
    )
    assert output.endswith("1 files in 1 records; 0 intact, 1 problems\n")
