"""Crashes: what used to stop ciptool with a traceback (exit 3) is a located finding (exit 1)
or a usage error naming the path and why (exit 2)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ciptool.incremental import cachefiles
from ciptool.incremental import filecache as loader_cache
from conftest import EVIDENCE_CSV, MINIMAL_EVIDENCE, unavailable

from .conftest import AS_OF, GENERATED, Hostile, findings
from .test_code_execution import SOC2_CONFIG

ALL_FRAMEWORKS = "program: Test Program\nframeworks: [soc2-2017, iso27001-2022, nist-csf-2.0]\n"
BAD_NAME = os.fsdecode(b"controls/bad\xff.yaml")


@pytest.mark.parametrize("output_format", ["json", "sarif", "junit", "github", "terminal"])
def test_a_non_utf8_file_name_in_check_output(hostile: Hostile, output_format: str) -> None:
    hostile.write({BAD_NAME: b"controls: [\n"})
    out = hostile.out / f"check.{output_format}"
    hostile.run("check", *AS_OF, "--format", output_format, "-o", out, code=1)
    text = out.read_bytes().decode("utf-8")  # the whole document is UTF-8
    if output_format == "json":
        assert findings(out) == [("LD001", "controls/bad\\xff.yaml", 2, 1)]
    elif output_format == "sarif":
        assert "controls/bad%FF.yaml" in text
    elif output_format == "terminal":  # the byte, as in every other format
        assert text.startswith("controls/bad\\xff.yaml\n  2:1     error   LD001  ")
    else:
        assert "controls/bad\\xff.yaml" in text


REPORTS = [
    *(["evidence-index", f] for f in ("md", "html", "csv", "xlsx")),
    *([kind, "md"] for kind in ("audit-committee", "soc2", "soa", "csf-profile")),
]


@pytest.mark.parametrize("report", REPORTS, ids=["-".join(r) for r in REPORTS])
def test_a_non_utf8_file_name_in_every_report(hostile: Hostile, report: list[str]) -> None:
    kind, doc_format = report
    # Read, with a finding in it: a file that could not be read at all stops a report.
    hostile.write({"ciptool.yaml": ALL_FRAMEWORKS, BAD_NAME: b"controls:\n  - id: IAM-09\n"})
    (hostile.repo / "evidence/2026/files" / os.fsdecode(b"z\xfe.csv")).write_bytes(b"a\n")
    out = hostile.out / f"{kind}.{doc_format}"
    hostile.run("report", kind, "-f", doc_format, "-o", out, *AS_OF, *GENERATED, code=0)
    assert out.stat().st_size > 0


def test_an_evidence_path_holding_a_nul(hostile: Hostile) -> None:
    evidence = MINIMAL_EVIDENCE.replace("path: files/q.csv", 'path: "files/x\\0.csv"')
    hostile.write({"evidence/2026/iam-01.yaml": evidence})
    outcome = hostile.run("check", *AS_OF, "--format", "json", code=1)
    assert ("SC005", "evidence/2026/iam-01.yaml", 7, 16) in findings(outcome)
    verified = hostile.run("evidence", "verify", code=1)
    assert "7:16    error   SC005  a file path cannot hold a NUL character (\\0)" in verified.stdout


#: Cache bodies that are intact (header and CRC) but whose entries no run wrote.
CRAFTED = {
    "entries-not-tuples": lambda rels: dict.fromkeys(rels, 7),
    "empty-entries": lambda rels: dict.fromkeys(rels, ()),
    "bad-identity": lambda rels: dict.fromkeys(rels, ("x", None, False, ("0" * 64, b""))),
    "non-text-keys": lambda rels: {5: ((1, 2, 3, 4), None, False, ("0" * 64, b"")), None: 1},
}


@pytest.mark.parametrize("craft", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_cache_with_a_valid_header_and_crc(hostile: Hostile, craft: object) -> None:
    fresh = hostile.run("check", *AS_OF, "--format", "json", code=0)
    folder = hostile.repo / cachefiles.DEFAULT_DIR
    path = cachefiles.cache_file(folder, hostile.repo, "yaml.cache")
    made_by = loader_cache.made_by(hostile.repo)
    kept = cachefiles.read_cache_file(path, made_by)
    assert isinstance(kept, dict) and kept
    cachefiles.write_cache_file(path, made_by, craft(list(kept)))  # type: ignore[operator]
    for leftover in folder.glob("*.result"):
        leftover.unlink()  # the kept result would be printed without reading the cache
    for _ in range(2):  # and on every later run
        assert hostile.run("check", *AS_OF, "--format", "json", code=0).stdout == fresh.stdout


LONG_NAME = "a" * 300 + ".json"
#: Outputs the system refuses: (arguments, the message's end)
REFUSED = {
    "o-at-a-folder": (
        ["report", "evidence-index", *AS_OF, *GENERATED, "-o", "{out}"],
        "ciptool: cannot write {out}: Is a directory\n",
    ),
    "o-under-a-regular-file": (
        ["check", *AS_OF, "-f", "json", "-o", "{tmp}/regular/check.json"],
        "ciptool: cannot write {tmp}/regular/check.json: {tmp}/regular is a file, not a folder\n",
    ),
    "o-300-character-name": (
        ["check", *AS_OF, "-f", "json", "-o", f"{{out}}/{LONG_NAME}"],
        f"ciptool: cannot write {{out}}/{LONG_NAME}: File name too long\n",
    ),
    "init-into-a-regular-file": (
        ["init", "{tmp}/regular"],
        "ciptool: cannot write {tmp}/regular/ciptool.yaml: {tmp}/regular is a file, not a folder\n",
    ),
    "init-beside-a-dangling-ciptool-yaml": (
        ["init", "{tmp}/dangling"],
        "ciptool: cannot write {tmp}/dangling/ciptool.yaml: File exists\n",
    ),
    "full-disk-dev-full": (
        ["check", *AS_OF, "-f", "json", "-o", "/dev/full"],
        "ciptool: cannot write /dev/full: No space left on device\n",
    ),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_an_output_the_system_refuses_is_a_usage_error(
    hostile: Hostile, case: tuple[list[str], str]
) -> None:
    argv, message = case
    (hostile.tmp / "regular").write_text("a file\n", encoding="utf-8")
    (hostile.tmp / "dangling").mkdir()
    (hostile.tmp / "dangling/ciptool.yaml").symlink_to(hostile.tmp / "nowhere")
    if argv[-1] == "/dev/full" and not Path("/dev/full").is_char_device():
        unavailable("no /dev/full here")

    def fill(text: str) -> str:
        return text.replace("{out}", str(hostile.out)).replace("{tmp}", str(hostile.tmp))

    outcome = hostile.run(*map(fill, argv), code=2)
    assert outcome.stderr.endswith(fill(message))


def read_only(hostile: Hostile) -> list[str]:
    """Make the repository read-only; the command prefix that makes even root respect it."""
    if shutil.which("setpriv") is None and os.geteuid() == 0:
        unavailable("root ignores permissions and setpriv is not installed")
    for path in [hostile.repo, *hostile.repo.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    return ["setpriv", "--bounding-set=-all", "--inh-caps=-all"] if os.geteuid() == 0 else []


def test_a_read_only_repository_is_checked_without_a_cache(hostile: Hostile) -> None:
    prefix = read_only(hostile)
    fresh = hostile.run("check", *AS_OF, "--no-cache", code=0, prefix=prefix)
    assert hostile.run("check", *AS_OF, code=0, prefix=prefix).stderr == fresh.stderr
    assert not (hostile.repo / ".ciptool-cache").exists()


def test_evidence_add_into_a_read_only_repository_is_a_usage_error(hostile: Hostile) -> None:
    export = hostile.tmp / "export.csv"
    export.write_bytes(EVIDENCE_CSV)
    prefix = read_only(hostile)
    outcome = hostile.run(
        "evidence", "add", export, "--control", "IAM-01", "--requirement", "recert-signoff",
        "--collected-on", "2026-11-10", code=2, prefix=prefix,
    )  # fmt: skip
    assert outcome.stderr == (
        f"ciptool: cannot write {hostile.repo}/evidence/2026/files/export.csv:"
        " Permission denied; nothing was recorded\n"
    )


@pytest.mark.parametrize("runs", [4, 8], ids=["4-concurrent-adds", "8-concurrent-adds"])
def test_concurrent_evidence_adds_each_record(hostile: Hostile, runs: int) -> None:
    adds = []
    for n in range(runs):  # the same name and day, each its own export
        export = hostile.tmp / f"export-{n}" / "export.csv"
        export.parent.mkdir()
        export.write_text(f"user,removed\nuser-{n},yes\n")
        adds.append(
            [
                "evidence", "add", str(export), "--control", "IAM-01",
                "--requirement", "recert-signoff", "--collected-on", "2026-11-10",
            ]
        )  # fmt: skip
    hostile.run_many(adds, code=0, writes=["evidence/2026"])
    records = sorted(p.name for p in (hostile.repo / "evidence/2026").glob("*.yaml"))
    stem = "iam-01-recert-signoff-2026-11-10"
    assert records == sorted(
        ["iam-01.yaml", f"{stem}.yaml", *(f"{stem}-{n}.yaml" for n in range(2, runs + 1))]
    )
    copies = {p.read_bytes() for p in (hostile.repo / "evidence/2026/files").iterdir()}
    assert copies == {
        EVIDENCE_CSV,
        *(f"user,removed\nuser-{n},yes\n".encode() for n in range(runs)),
    }
    verified = hostile.run("evidence", "verify", code=0)
    assert verified.stderr == (
        f"ciptool evidence verify: {runs + 1} files in {runs + 1} records;"
        f" {runs + 1} intact, 0 problems\n"
    )


#: Templates that stopped `report soc2` with a traceback (exit 3), each with the usage error
#: (exit 2) that now names the template and its line.
BROKEN_TEMPLATES = {
    "syntax-error": (
        "{{ meta.program \n",
        "unexpected end of template, expected 'end of print statement'.",
    ),
    "division-by-zero": ("{{ 1/0 }}\n", "ZeroDivisionError: division by zero"),
    "non-utf8": (b"caf\xe9 {{ meta.program }}\n", "byte 0xE9 is not valid UTF-8"),
    "recursive-include": (
        "{% include 'soc2.md.j2' %}\n",
        "the templates call themselves without end (a macro, an include or an extends that"
        " recurses too deeply)",
    ),
}


@pytest.mark.parametrize("case", BROKEN_TEMPLATES.values(), ids=BROKEN_TEMPLATES.keys())
def test_a_broken_template_is_a_usage_error(
    hostile: Hostile, case: tuple[str | bytes, str]
) -> None:
    template, error = case
    hostile.write({"ciptool.yaml": SOC2_CONFIG, "templates/soc2.md.j2": template})
    outcome = hostile.run("report", "soc2", "-o", hostile.out / "soc2.md", *AS_OF, code=2)
    hostile.template_error(outcome, f"templates/soc2.md.j2:1: {error}")
