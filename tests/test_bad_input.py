"""Bad input of every kind becomes exact, located findings: never a crash, never a silent pass.

Text cases are fixture repositories under ``fixtures/bad_input/<case>/``, each with an
``expected.yaml`` listing every finding as ``[code, file, line, column]``. Cases that git
cannot hold well (binary, non-UTF-8, links, huge files) are built in a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import ciptool.loader.files
from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.findings import Finding, Location, Severity
from conftest import FIXTURES, MINIMAL_POLICY, SETTINGS, MakeRepo, brief, run, write_repo

#: The fixture repositories are about reading files: their findings are these families'.
LOADING = ("LD", "SC", "RF")
BAD_INPUT = FIXTURES / "bad_input"
CASES = sorted(path.name for path in BAD_INPUT.iterdir() if path.is_dir())

#: The yaml_path of each expected finding, in the same order as expected.yaml.
YAML_PATHS = {
    "alias-bomb": [""],
    "deep-nesting": [""],
    "duplicate-id": ["controls[1].id"],
    "duplicate-key": ["controls[0].title"],
    "evidence-period-and-effective-on": ["evidence[0]"],
    "extra-top-level-key": ["policies"],
    "invalid-date": ["policies[0].approved_on"],
    "invalid-duration": ["policies[0].review_every"],
    "missing-required-field": ["controls[0]"],
    "syntax-error": [""],
    "top-level-not-mapping": [""],
    "unknown-key": ["controls[0].descripton"],
    "unquoted-number-id": [],
    "wrong-top-level-key": [""],
    "wrong-type": ["controls[0].title"],
    "yes-for-boolean": ["applicability.nist-csf-2.0.GV.OC-01.applicable"],
}

Brief = list[tuple[str, str, int, int]]


def expected_findings(case: str) -> Brief:
    rows: Any = yaml.safe_load((BAD_INPUT / case / "expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(rows, list), f"{case}/expected.yaml must be a list"
    out: Brief = []
    for row in rows:
        code, file, line, column = row
        out.append((str(code), str(file), int(line), int(column)))
    return out


def case_param(case: str) -> Any:
    return case


def invoke_check(root: Path) -> tuple[int, str]:
    """``ciptool check --repo ROOT``: the exit code and all the output, checked for crashes."""
    result = CliRunner().invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    output = result.output  # stdout and stderr both (click mixes them into output)
    assert "Traceback" not in output
    return result.exit_code, output


def codes(findings: tuple[Finding, ...] | list[Finding]) -> list[str]:
    return [finding.code for finding in findings]


def location(finding: Finding) -> Location:
    assert finding.location is not None
    return finding.location


# --- the fixture repositories --------------------------------------------------------------


def test_every_bad_input_class_has_a_case() -> None:
    assert set(YAML_PATHS) == set(CASES)
    for case in CASES:
        assert (BAD_INPUT / case / "expected.yaml").is_file(), case
        assert (BAD_INPUT / case / "ciptool.yaml").is_file(), case


@pytest.mark.parametrize("case", [case_param(case) for case in CASES])
def test_bad_input_case(case: str) -> None:
    assert brief(run(BAD_INPUT / case, *LOADING)) == expected_findings(case)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_yaml_paths(case: str) -> None:
    result = run(BAD_INPUT / case, *LOADING)
    assert [location(f).yaml_path for f in result.findings] == YAML_PATHS[case]
    assert all(f.message for f in result.findings)


def test_unknown_key_suggests_the_right_key() -> None:
    (finding,) = run(BAD_INPUT / "unknown-key", *LOADING).findings
    assert finding.code == "SC001"
    assert finding.suggestion == "Did you mean `description`?"
    assert "`descripton`" in finding.message


def test_duplicate_id_names_both_locations() -> None:
    (finding,) = run(BAD_INPUT / "duplicate-id", *LOADING).findings
    assert finding.code == "SC004"
    assert finding.subject == "IAM-01"
    assert (location(finding).file, location(finding).line, location(finding).column) == (
        "controls/network.yaml",
        6,
        9,
    )
    (first,) = finding.related
    assert (first.file, first.line, first.column, first.yaml_path) == (
        "controls/iam.yaml",
        2,
        9,
        "controls[0].id",
    )


def test_unquoted_number_and_no_are_text() -> None:
    result, graph = check_repository(BAD_INPUT / "unquoted-number-id", SETTINGS)
    assert result.findings == ()
    assert graph is not None
    control = graph.controls["5.10"].record
    assert control.id == "5.10"
    assert control.title == "NO"


def test_yes_where_a_boolean_is_expected_makes_the_config_unusable() -> None:
    result = run(BAD_INPUT / "yes-for-boolean", *LOADING)
    assert result.config_usable is False
    assert codes(result.findings) == ["SC005"]
    assert location(result.findings[0]).file == "ciptool.yaml"
    assert "yes" in result.findings[0].message
    exit_code, _ = invoke_check(BAD_INPUT / "yes-for-boolean")
    assert exit_code == 2


def test_invalid_date_says_why() -> None:
    (finding,) = run(BAD_INPUT / "invalid-date", *LOADING).findings
    assert finding.message == "`2026-02-30` is not a real calendar date"


def test_evidence_with_both_dates_says_which() -> None:
    (finding,) = run(BAD_INPUT / "evidence-period-and-effective-on", *LOADING).findings
    assert "`period` or `effective_on`" in finding.message


@pytest.mark.parametrize(
    "case", [case for case in CASES if case not in ("unquoted-number-id", "yes-for-boolean")]
)
def test_bad_content_fails_the_cli_with_exit_1(case: str) -> None:
    exit_code, output = invoke_check(BAD_INPUT / case)
    assert exit_code == 1
    for code, file, _line, _column in expected_findings(case):
        assert code in output
        assert file in output


def test_clean_case_passes_the_cli() -> None:
    assert invoke_check(BAD_INPUT / "unquoted-number-id")[0] == 0


# --- cases built on the fly ----------------------------------------------------------------


def test_binary_file(make_repo: MakeRepo) -> None:
    root = make_repo({"controls/scan.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"})
    assert brief(run(root)) == [("LD009", "controls/scan.yaml", 1, 1)]


def test_nul_byte_after_the_binary_sniff_is_a_forbidden_character(make_repo: MakeRepo) -> None:
    text = b"controls: []\n# " + b"x" * 9000 + b"\x00\n"
    root = make_repo({"controls/late.yaml": text})
    assert brief(run(root)) == [("LD002", "controls/late.yaml", 2, 9003)]


def test_non_utf8_bytes(make_repo: MakeRepo) -> None:
    latin1 = "controls:\n  - id: IAM-09\n    title: Café review\n".encode("latin-1")
    root = make_repo({"controls/latin.yaml": latin1})
    result = run(root)
    assert brief(result) == [("LD010", "controls/latin.yaml", 3, 15)]
    assert "0xE9" in result.findings[0].message


def test_non_utf8_column_counts_characters(make_repo: MakeRepo) -> None:
    text = "controls:\n  - id: IAM-09\n    title: Zürich ".encode() + b"\xff\n"
    root = make_repo({"controls/mixed.yaml": text})
    assert brief(run(root)) == [("LD010", "controls/mixed.yaml", 3, 19)]


def test_byte_order_mark_is_accepted(make_repo: MakeRepo) -> None:
    root = make_repo({"policies/access.yaml": b"\xef\xbb\xbf" + MINIMAL_POLICY.encode()})
    assert brief(run(root)) == []


def test_symlink_to_a_file_outside_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("controls: []\n", encoding="utf-8")
    root = write_repo(tmp_path / "repo", {})
    (root / "controls" / "shared.yaml").symlink_to(outside)
    result = run(root)
    assert brief(result) == [("LD007", "controls/shared.yaml", 1, 1)]
    assert result.findings[0].severity is Severity.ERROR


def test_symlink_to_a_folder_outside_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "more.yaml").write_text("controls: [", encoding="utf-8")
    root = write_repo(tmp_path / "repo", {})
    (root / "controls" / "linked").symlink_to(outside, target_is_directory=True)
    result = run(root)
    assert brief(result) == [("LD007", "controls/linked", 1, 1)]
    assert result.findings[0].severity is Severity.ERROR


def test_symlink_to_a_folder_inside_the_repository_is_a_note(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"shared/other.yaml": "controls: [\n"})
    (root / "controls" / "shared").symlink_to(root / "shared", target_is_directory=True)
    result = run(root)
    assert brief(result) == [("LD007", "controls/shared", 1, 1)]
    assert result.findings[0].severity is Severity.NOTE
    assert not result.failing()


def test_symlink_to_a_file_inside_the_repository_is_read(tmp_path: Path) -> None:
    control = """\
        controls:
          - id: NET-01
            title: Firewall review
            owner: Network lead
            frequency: monthly
            process: application-infrastructure-security
    """
    root = write_repo(tmp_path / "repo", {"shared/net.yaml": control})
    (root / "controls" / "net.yaml").symlink_to(root / "shared" / "net.yaml")
    result, graph = check_repository(root, SETTINGS)
    assert brief(result) == []
    assert graph is not None
    assert graph.controls["NET-01"].file == "controls/net.yaml"


def test_dangling_symlink_is_unreadable(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    (root / "controls" / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    assert brief(run(root)) == [("LD013", "controls/gone.yaml", 1, 1)]


def test_symlink_loop_is_unreadable(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    (root / "controls" / "a.yaml").symlink_to(root / "controls" / "b.yaml")
    (root / "controls" / "b.yaml").symlink_to(root / "controls" / "a.yaml")
    assert brief(run(root)) == [
        ("LD013", "controls/a.yaml", 1, 1),
        ("LD013", "controls/b.yaml", 1, 1),
    ]


def test_oversized_file(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ciptool.loader.files, "MAX_FILE_BYTES", 1024)
    exactly = "controls: []\n" + "#" * (1024 - len("controls: []\n") - 1) + "\n"
    assert len(exactly.encode()) == 1024
    root = make_repo(
        {"controls/big.yaml": "controls: []\n" + "# padding\n" * 200, "controls/edge.yaml": exactly}
    )
    result = run(root)
    assert brief(result) == [("LD008", "controls/big.yaml", 1, 1)]
    assert result.files_read == 6


def test_one_broken_file_does_not_stop_the_others(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "controls/a-broken.yaml": "controls:\n  - id: [IAM-02\n",
            "controls/b-dangling.yaml": """\
                controls:
                  - id: IAM-03
                    title: Joiner-mover-leaver
                    owner: IAM lead
                    policy: POL-ACCES
                    frequency: monthly
                    process: identity-and-access-management
            """,
            "controls/c-binary.yaml": b"\x00\x01",
            "policies/bad.yaml": "policies: {",
        }
    )
    result = run(root)
    assert brief(result) == [
        ("LD001", "controls/a-broken.yaml", 3, 1),
        ("RF004", "controls/b-dangling.yaml", 5, 13),
        ("LD009", "controls/c-binary.yaml", 1, 1),
        ("LD001", "policies/bad.yaml", 2, 1),  # libyaml ends the stream on a new line
    ]
    assert result.findings[1].suggestion == "Did you mean `POL-ACCESS`?"


def test_null_optional_value_means_absent(make_repo: MakeRepo) -> None:
    control = "controls:\n  - id: IAM-05\n    title: T\n    owner: O\n    policy: ~\n"
    root = make_repo(
        {"controls/null.yaml": control + "    frequency: daily\n    process: governance\n"}
    )
    assert brief(run(root)) == []


# --- the command line -----------------------------------------------------------------------


def test_cli_exit_0_for_a_clean_repository(make_repo: MakeRepo) -> None:
    assert invoke_check(make_repo())[0] == 0


def test_cli_exit_1_for_content_errors(make_repo: MakeRepo) -> None:
    root = make_repo({"controls/x.yaml": "controls:\n  - id: X\n    title: [\n"})
    exit_code, output = invoke_check(root)
    assert exit_code == 1
    assert "LD001" in output


@pytest.mark.parametrize(
    "config",
    [
        "program: [unclosed\n",
        "frameworks: [nist-csf-2.0]\n",
        "- program: Test\n",
        "",
        b"program: \xff\n",
        b"\x00",
        "program: Test\nprogram: Again\n",
        "program: Test\nfail_on: never\n",
    ],
    ids=[
        "syntax",
        "missing-program",
        "list",
        "empty",
        "not-utf8",
        "binary",
        "duplicate-key",
        "unknown-key",
    ],
)
def test_cli_exit_2_for_an_unusable_config(make_repo: MakeRepo, config: str | bytes) -> None:
    root = make_repo({"ciptool.yaml": config, "controls/x.yaml": "controls: ["})
    result = run(root)
    assert result.config_usable is False
    assert result.findings
    assert all(location(f).file == "ciptool.yaml" for f in result.findings)
    exit_code, output = invoke_check(root)
    assert exit_code == 2
    assert "ciptool.yaml" in output


def test_cli_handles_every_on_the_fly_case(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path / "repo",
        {
            "controls/bin.yaml": b"\x00",
            "controls/latin.yaml": "controls: [é]\n".encode("latin-1"),
            "controls/deep.yaml": "controls: " + "[" * 50_000,
        },
    )
    (root / "controls" / "gone.yaml").symlink_to(tmp_path / "nowhere")
    exit_code, output = invoke_check(root)
    assert exit_code == 1
    for code in ("LD009", "LD010", "LD005", "LD013"):
        assert code in output


def test_a_reference_to_an_invalid_record_is_not_called_unknown(make_repo: MakeRepo) -> None:
    """The invalid record's own findings say what is wrong; no second "unknown id" follows."""
    root = make_repo(
        {
            "controls/broken.yaml": "controls:\n  - id: OPS-01\n    title: Logging\n",
            "evidence/2026/ops.yaml": (
                "evidence:\n  - control: OPS-01\n    requirement: log-review\n"
                "    collected_on: 2026-02-01\n    effective_on: 2026-01-31\n"
            ),
        }
    )
    assert brief(run(root)) == [
        ("SC003", "controls/broken.yaml", 2, 5),
        ("SC003", "controls/broken.yaml", 2, 5),
    ]


#: Every command that writes a file the user names, with that file under ``{out}``.
WRITERS = {
    "check -o": ["check", "--as-of", "2026-11-15", "-f", "json", "-o", "{out}/check.json"],
    "check --write-baseline": ["check", "--as-of", "2026-11-15", "--write-baseline", "{out}/b"],
    "report -o": [
        "report", "evidence-index", "--as-of", "2026-11-15", "--generated-at",
        "2026-11-16T00:00:00Z", "-o", "{out}/index.md",
    ],
    "schema --write": ["schema", "--write", "{out}/schemas"],
    "init": ["init", "{out}/new"],
    "evidence add": [
        "evidence", "add", "{tmp}/outside.txt", "--control", "IAM-01",
        "--requirement", "recert-signoff", "--collected-on", "2026-11-10",
    ],
}  # fmt: skip


@pytest.mark.parametrize("argv", WRITERS.values(), ids=WRITERS.keys())
def test_an_output_that_cannot_be_written_is_a_usage_error(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """A file where the output's folder should be: exit 2 naming the path, never a traceback."""
    root = make_repo()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("evidence\n", encoding="utf-8")
    if argv[0] == "evidence":
        # evidence add copies an outside file beside the record: make that folder a file.
        (root / "evidence" / "2026" / "files").rename(root / "evidence" / "2026" / "was-files")
        (root / "evidence" / "2026" / "files").write_text("a file\n", encoding="utf-8")
    monkeypatch.chdir(root)
    args = [p.replace("{out}", str(blocker)).replace("{tmp}", str(tmp_path)) for p in argv]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert outcome.exit_code == 2, outcome.output
    assert "ciptool: cannot write " in outcome.output


#: A command for each kind of writer, its output named ``{out}``.
PIPE_WRITERS = {
    "check": ["check", "--as-of", "2026-11-15", "-f", "json", "-o", "{out}"],
    "report": [
        "report", "evidence-index", "--as-of", "2026-11-15",
        "--generated-at", "2026-11-16T00:00:00Z", "-o", "{out}",
    ],
}  # fmt: skip


@pytest.mark.parametrize("argv", PIPE_WRITERS.values(), ids=PIPE_WRITERS.keys())
def test_an_output_that_is_a_pipe_is_written_to_not_replaced(
    make_repo: MakeRepo, tmp_path: Path, argv: list[str]
) -> None:
    """``-o`` naming a FIFO (as ``/dev/stdout`` or a device would) writes into it; renaming a
    file over it would turn the pipe, or ``/dev/null``, into a regular file."""
    root = make_repo()
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    args = [a.replace("{out}", str(fifo)) for a in argv]
    outcome = CliRunner().invoke(app, [*args, "--repo", str(root)])
    # Should the command not have written, open and close the pipe so the reader ends.
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(timeout=30)
    assert outcome.exit_code in (0, 1), outcome.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received
    assert received[0].startswith(b"{" if argv[0] == "check" else b"#")


def test_a_file_stops_being_checked_past_ten_thousand_problems(make_repo: MakeRepo) -> None:
    # 10,001 records that are each one problem (SC002), then one that would be read
    items = ["[]"] * 10_001 + ["{id: IAM-09, title: T, owner: O}"]
    root = make_repo({"controls/zz.yaml": "controls: [" + ", ".join(items) + "]\n"})
    result = run(root, "LD", "SC")
    found = brief(result)
    assert len(found) == 10_001
    assert found[:2] == [("SC002", "controls/zz.yaml", 1, 12), ("SC002", "controls/zz.yaml", 1, 16)]
    assert found[-1] == ("LD015", "controls/zz.yaml", 1, 40_012)
    assert result.findings[-1].message == (
        "more than 10,000 problems in this file; its records from here on are not read"
    )


def test_a_record_of_more_than_ten_thousand_keys_is_not_read(make_repo: MakeRepo) -> None:
    keys = "".join(f"    k{n}: 1\n" for n in range(10_001))
    root = make_repo({"controls/zz.yaml": "controls:\n  - id: IAM-09\n" + keys})
    assert brief(run(root, "LD", "SC")) == [("LD015", "controls/zz.yaml", 2, 5)]
