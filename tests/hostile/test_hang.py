"""Hangs and memory: no input, however small or large, makes ciptool wait forever or take
more than 1 GiB (the harness kills a run past its time limit and asserts the peak memory).

The large inputs are the issue's own: 20,000 findings in one file, 5,000 anchors, a list of
300,000 items (900 KB) in every output format, aliases of a 900 KB scalar, a 3 GB file added
as evidence (sparse: it takes no disk space until copied).
"""

from __future__ import annotations

import os
import stat

import pytest

from conftest import unavailable

from .conftest import AS_OF, GENERATED, Hostile, findings, needs_fifo
from .test_code_execution import SOC2_CONFIG

CHECK = ("check", "--format", "json", *AS_OF)
FIFO_FOLDERS = ["controls", "policies", "evidence/2026", "exceptions", "frameworks"]


@needs_fifo
@pytest.mark.parametrize("folder", FIFO_FOLDERS, ids=[f"fifo-in-{f}" for f in FIFO_FOLDERS])
def test_a_fifo_named_yaml_is_never_opened(hostile: Hostile, folder: str) -> None:
    (hostile.repo / folder).mkdir(parents=True, exist_ok=True)
    os.mkfifo(hostile.repo / folder / "zz.yaml")
    outcome = hostile.run(*CHECK, code=1)
    assert findings(outcome, "LD") == [("LD013", f"{folder}/zz.yaml", 1, 1)]


#: Every command that reads the repository, each with a FIFO among the files it reads.
FIFO_COMMANDS = {
    "report": ("controls", ["report", "soc2", "-o", "{out}/soc2.md", *AS_OF, *GENERATED], 1),
    "explain": ("controls", ["explain", "IAM-01", *AS_OF], 1),
    "frameworks-list": ("frameworks", ["frameworks", "list"], 1),
    "evidence-verify": ("evidence/2026", ["evidence", "verify"], 1),
    "evidence-add": (
        "evidence/2026",
        [
            "evidence", "add", "{tmp}/export.csv", "--control", "IAM-01",
            "--requirement", "recert-signoff", "--collected-on", "2026-11-10",
        ],
        0,
    ),
}  # fmt: skip


@needs_fifo
@pytest.mark.parametrize("case", FIFO_COMMANDS.values(), ids=FIFO_COMMANDS.keys())
def test_no_command_waits_on_a_fifo(hostile: Hostile, case: tuple[str, list[str], int]) -> None:
    folder, argv, code = case
    hostile.write({"ciptool.yaml": SOC2_CONFIG})
    (hostile.tmp / "export.csv").write_bytes(b"user,removed\nj.doe,yes\n")
    (hostile.repo / folder).mkdir(parents=True, exist_ok=True)
    os.mkfifo(hostile.repo / folder / "zz.yaml")
    args = [a.replace("{out}", str(hostile.out)).replace("{tmp}", str(hostile.tmp)) for a in argv]
    outcome = hostile.run(*args, code=code, writes=["evidence/2026"])
    if argv[:2] == ["evidence", "verify"]:
        assert f"{folder}/zz.yaml" in outcome.stdout
    elif argv[0] != "evidence":  # the answer would lack what the file holds: it is named
        assert f"{folder}/zz.yaml:1:1: error LD013 " in outcome.stderr
        assert not (hostile.out / "soc2.md").exists()


def test_a_character_device_named_yaml_is_never_read(hostile: Hostile) -> None:
    try:  # a new node for /dev/zero in the test's own folder: no real device is touched
        os.mknod(hostile.repo / "controls/zz.yaml", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except OSError:
        unavailable("cannot make a device node here")
    outcome = hostile.run(*CHECK, code=1)
    assert findings(outcome, "LD") == [("LD013", "controls/zz.yaml", 1, 1)]


def record_with(keys: str) -> str:
    """The minimal control with ``keys`` (lines at the record's indentation) added."""
    return (
        "controls:\n  - id: IAM-02\n    title: T\n    owner: O\n    policy: POL-ACCESS\n"
        "    frequency: quarterly\n" + keys
    )


#: Files whose findings, each placed in the file, cost the square of their number before.
MANY_FINDINGS = {
    "20000-unknown-keys-in-one-file": (
        "".join(f"k{i}: v\n" for i in range(20_000)),
        1, ("LD011", "controls/zz.yaml", 1, 1),  # unknown top-level keys: one finding
    ),
    # past 10,000 problems in a file, or keys in a record, the rest is not read (LD015)
    "20000-keys-inside-one-record": (
        record_with("".join(f"    k{i}: v\n" for i in range(20_000))),
        1, ("LD015", "controls/zz.yaml", 2, 5),
    ),
    "10000-keys-inside-one-record": (
        record_with("".join(f"    k{i}: v\n" for i in range(9_990))),
        9_990, ("SC001", "controls/zz.yaml", 7, 5),
    ),
    "5000-anchors": (
        record_with("".join(f"    k{i}: &a{i} v\n" for i in range(5_000))),
        5_000, ("SC001", "controls/zz.yaml", 7, 5),
    ),
    "20000-duplicate-keys": (
        "controls: []\n" + "".join(f"controls: [{i}]\n" for i in range(20_000)),
        1, ("LD015", "controls/zz.yaml", 10_002, 1),
    ),
    "10000-duplicate-keys": (
        "controls: []\n" + "".join(f"controls: [{i}]\n" for i in range(10_000)),
        10_000, ("LD003", "controls/zz.yaml", 2, 1),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", MANY_FINDINGS.values(), ids=MANY_FINDINGS.keys())
def test_many_findings_in_one_file_are_placed_in_one_pass(
    hostile: Hostile, case: tuple[str, int, tuple[str, str, int, int]]
) -> None:
    text, count, first = case
    hostile.write({"controls/zz.yaml": text})
    out = hostile.out / "check.json"
    hostile.run(*CHECK, "--select", "LD,SC", "-o", out, code=1)
    placed = [f for f in findings(out) if f[1] == "controls/zz.yaml"]
    assert len(placed) == count
    assert placed[0] == first


FORMATS = ["terminal", "json", "sarif", "junit", "github"]


@pytest.mark.parametrize("output_format", FORMATS, ids=[f"300000-items-{f}" for f in FORMATS])
def test_300000_findings_in_one_file_in_every_format(hostile: Hostile, output_format: str) -> None:
    hostile.write({"controls/zz.yaml": "controls: [" + ",".join(["[]"] * 300_000) + "]\n"})
    out = hostile.out / f"check.{output_format}"
    hostile.run("check", *AS_OF, "--format", output_format, "-o", out, code=1)
    text = out.read_text(encoding="utf-8")
    # past 10,000 problems the file is not checked further: 10,000 SC002, then LD015
    assert text.count("SC002") >= 10_000
    assert "LD015" in text
    if output_format == "json":
        assert findings(out)[-2:] == [
            ("SC002", "controls/zz.yaml", 1, 30_009),
            ("LD015", "controls/zz.yaml", 1, 30_012),
        ]


def test_a_file_of_16_mib_of_empty_lists_is_refused_before_parsing(hostile: Hostile) -> None:
    count = (16 * 1024 * 1024 - 20) // 3  # 5.6 million lists, each a problem
    hostile.write({"controls/zz.yaml": "controls: [" + ",".join(["[]"] * count) + "]\n"})
    outcome = hostile.run(*CHECK, code=1)
    assert findings(outcome, "LD") == [("LD008", "controls/zz.yaml", 1, 1)]


#: Aliases whose expansion is small in nodes and huge in bytes, or many aliases of nothing.
ALIASES = {
    "900kb-scalar-aliased-500-times": (
        "a: &s " + "x" * 900_000 + "\nb: [" + ", ".join(["*s"] * 500) + "]\n"
    ),
    "200000-aliases-of-an-empty-list": "a: &e []\nb: [" + ", ".join(["*e"] * 200_000) + "]\n",
}  # fmt: skip


@pytest.mark.parametrize("text", ALIASES.values(), ids=ALIASES.keys())
def test_an_alias_expansion_is_bounded(hostile: Hostile, text: str) -> None:
    hostile.write({"controls/zz.yaml": text})
    outcome = hostile.run(*CHECK, code=1)
    assert findings(outcome, "LD") == [("LD006", "controls/zz.yaml", 1, 4)]


def test_evidence_add_of_a_3_gb_file_streams_it(hostile: Hostile) -> None:
    big = hostile.tmp / "export" / "dump.bin"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.truncate(3_000_000_000)  # sparse: no disk space until ciptool copies it
    try:
        outcome = hostile.run(
            "evidence", "add", big, "--control", "IAM-01", "--requirement", "recert-signoff",
            "--collected-on", "2026-11-10", code=0, writes=["evidence/2026"],
        )  # fmt: skip
        copy = hostile.repo / "evidence/2026/files/dump.bin"
        assert copy.stat().st_size == 3_000_000_000
        assert "iam-01-recert-signoff-2026-11-10.yaml" in outcome.output
    finally:
        for path in (big, hostile.repo / "evidence/2026/files/dump.bin"):
            path.unlink(missing_ok=True)


#: Baselines that ended in a traceback, filled memory or waited forever.
BASELINES = {
    "nested-100000-deep": ("{tmp}/deep.json", "nested too deeply"),
    "100000-digit-number": ("{tmp}/digits.json", "a number longer than"),
    "dev-zero": ("/dev/zero", "it is not a regular file"),
    "fifo": ("{tmp}/fifo.json", "it is not a regular file"),
}


@pytest.mark.parametrize("case", BASELINES.values(), ids=BASELINES.keys())
def test_a_hostile_baseline_is_a_usage_error(hostile: Hostile, case: tuple[str, str]) -> None:
    (hostile.tmp / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (hostile.tmp / "digits.json").write_text(
        '{"baseline_version": ' + "9" * 100_000 + ', "findings": []}'
    )
    os.mkfifo(hostile.tmp / "fifo.json")
    path = case[0].replace("{tmp}", str(hostile.tmp))
    outcome = hostile.run(*CHECK, "--baseline", path, code=2)
    assert f"ciptool: baseline {path} cannot be read: {case[1]}" in outcome.stderr


#: Templates that ran without bound, each with the usage error that now stops it.
RUNAWAY_TEMPLATES = {
    "range-10-9": (
        "{{ range(10**9) }}\n",
        "OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).",
    ),
    "nested-loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        "rendering took longer than the 5 seconds a template may take",
    ),
    "x-times-10-10": (
        "{{ 'x' * 10**10 }}\n",
        "this would make a value of 10,000,000,000 characters or items; a template may make at"
        " most 16,777,216",
    ),
}


@pytest.mark.parametrize("case", RUNAWAY_TEMPLATES.values(), ids=RUNAWAY_TEMPLATES.keys())
def test_a_runaway_template_is_a_usage_error(hostile: Hostile, case: tuple[str, str]) -> None:
    template, error = case
    hostile.write({"ciptool.yaml": SOC2_CONFIG, "templates/soc2.md.j2": template})
    outcome = hostile.run("report", "soc2", "-o", hostile.out / "soc2.md", *AS_OF, code=2)
    hostile.template_error(outcome, f"templates/soc2.md.j2:1: {error}")


@needs_fifo
def test_an_attestation_document_that_is_a_fifo_is_never_opened(hostile: Hostile) -> None:
    hostile.write(
        {
            "apps/members.yaml": "apps:\n  - id: APP-0042\n    name: Wallet\n"
            "    developer: Example Apps Inc.\n    status: approved\n    decided_on: 2026-04-02\n"
            "    carin_attestation: {attested_on: 2026-03-28, document: apps/app-0042.pdf}\n"
        }
    )
    os.mkfifo(hostile.repo / "apps/app-0042.pdf")
    for cache in (["--no-cache"], []):  # without the cache, then through it
        outcome = hostile.run(*CHECK, "--select", "AP002", *cache, code=1)
        assert findings(outcome) == [("AP002", "apps/members.yaml", 7, 60)]


@needs_fifo
def test_a_narrative_that_is_a_fifo_is_never_opened(hostile: Hostile) -> None:
    hostile.write({"ciptool.yaml": "program: Hostile\nbriefing:\n  narrative: briefing/te.md\n"})
    (hostile.repo / "briefing").mkdir()
    os.mkfifo(hostile.repo / "briefing/te.md")
    outcome = hostile.run(*CHECK, "--select", "LD016", code=0)
    assert findings(outcome) == [("LD016", "ciptool.yaml", 3, 14)]
    briefing = hostile.out / "briefing.md"
    hostile.run("report", "audit-committee", "-f", "md", "-o", briefing, *AS_OF, code=0)
    assert "The CISO's written commentary is not available" in briefing.read_text("utf-8")


def test_a_template_too_long_to_lay_out_as_pdf_is_refused_before_layout(
    hostile: Hostile,
) -> None:
    # 100,000 paragraphs (2.4 MB of HTML): it would lay out as some 2,000 pages.
    template = "{% for i in range(100000) %}<p>paragraph {{ '%06d' % i }}</p>\n{% endfor %}"
    hostile.write({"ciptool.yaml": SOC2_CONFIG, "templates/soc2.html.j2": template})
    out = hostile.out / "soc2.pdf"
    outcome = hostile.run("report", "soc2", "-f", "pdf", "-o", out, *AS_OF, *GENERATED, code=2)
    assert outcome.stderr.splitlines()[-1] == (
        "ciptool: `soc2` is 2,400,000 characters of HTML, too long to lay out as PDF (at most"
        " 2,097,152, some 400 pages): write it as html (and print that), or as csv or xlsx"
        " where the kind has tables"
    )
    assert not out.exists()
