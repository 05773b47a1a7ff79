"""Data loss: no writer replaces a file the repository reads, a device, or anything beyond
the target it was given; the cache folder is ciptool's own."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import unavailable

from .conftest import AS_OF, GENERATED, Hostile, needs_git

INPUTS = [
    "controls/iam.yaml",
    "ciptool.yaml",
    "evidence/2026/iam-01.yaml",
    "evidence/2026/files/q.csv",
]
WRITERS = {
    "check-o-sarif": ["check", *AS_OF, "--format", "sarif", "-o"],
    "check-write-baseline": ["check", *AS_OF, "--write-baseline"],
    "report-o": ["report", "evidence-index", *AS_OF, *GENERATED, "-o"],
}


def refusal(target: str) -> str:
    return f"ciptool: {target} is an input of the repository; choose another path\n"


@pytest.mark.parametrize("target", INPUTS)
@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_a_writer_never_replaces_an_input(hostile: Hostile, writer: list[str], target: str) -> None:
    outcome = hostile.run(*writer, target, code=2)
    assert outcome.stderr.endswith(refusal(target))


def test_schema_write_never_replaces_a_template(hostile: Hostile) -> None:
    hostile.write({"templates/config.schema.json": "{}\n"})
    outcome = hostile.run("schema", "--write", "templates", code=2)
    assert outcome.stderr == refusal("templates/config.schema.json")


def test_a_link_to_an_input_is_refused_as_an_output(hostile: Hostile) -> None:
    link = hostile.out / "out.sarif"
    link.symlink_to(hostile.repo / "controls/iam.yaml")
    outcome = hostile.run("check", *AS_OF, "--format", "sarif", "-o", link, code=2)
    assert outcome.stderr == refusal(str(link))


def test_a_device_named_as_the_output_stays_a_device(hostile: Hostile) -> None:
    device = hostile.out / "null"
    try:  # a new node for the null device in the test's own folder, never /dev/null itself
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        unavailable("cannot make a device node here")
    hostile.run("check", *AS_OF, "--format", "sarif", "-o", device, code=0)
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert device.lstat().st_rdev == os.makedev(1, 3)


def test_cache_dir_dot_is_refused(hostile: Hostile) -> None:
    hostile.write({".gitignore": "out/\n"})
    outcome = hostile.run("check", *AS_OF, "--cache-dir", ".", code=2)
    assert outcome.stderr == (
        "ciptool: --cache-dir . holds other files and no CACHEDIR.TAG made by ciptool;"
        " name a new or empty folder\n"
    )


@needs_git
def test_a_committed_cache_link_is_never_written_through(hostile: Hostile) -> None:
    elsewhere = hostile.outside / "cache"
    elsewhere.mkdir()
    (elsewhere / ".gitignore").write_text("keep\n")
    hostile.link(".ciptool-cache", elsewhere)
    hostile.commit()
    fresh = hostile.run("check", *AS_OF, "--no-cache", code=0)
    assert hostile.run("check", *AS_OF, code=0).stdout == fresh.stdout
    assert sorted(p.name for p in elsewhere.iterdir()) == [".gitignore"]


@needs_git
def test_a_committed_cache_folder_is_neither_read_nor_written(hostile: Hostile) -> None:
    hostile.run("check", *AS_OF, code=0)  # ciptool's own cache, as a run leaves it
    (hostile.repo / ".ciptool-cache/.gitignore").unlink()  # so that git takes it
    hostile.commit()
    hostile.write(
        {"controls/iam.yaml": (hostile.repo / "controls/iam.yaml").read_text() + "    extra: 1\n"}
    )
    fresh = hostile.run("check", *AS_OF, "--no-cache", code=1, cache_is_input=True)
    cached = hostile.run("check", *AS_OF, code=1, cache_is_input=True)
    assert cached.stdout == fresh.stdout
    assert ".ciptool-cache holds files git tracks" in cached.stderr.splitlines()[0]


def test_an_evidence_file_outside_the_record_folders_is_never_replaced(hostile: Hostile) -> None:
    record = (hostile.repo / "evidence/2026/iam-01.yaml").read_text(encoding="utf-8")
    hostile.write(
        {"evidence/2026/iam-01.yaml": record.replace("files/q.csv", "../../exports/q.csv")}
    )
    (hostile.repo / "exports").mkdir()
    (hostile.repo / "evidence/2026/files/q.csv").rename(hostile.repo / "exports/q.csv")
    hostile.run("check", *AS_OF, code=0)  # the path is a valid evidence file
    outcome = hostile.run("check", *AS_OF, "--format", "sarif", "-o", "exports/q.csv", code=2)
    assert outcome.stderr == refusal("exports/q.csv")
