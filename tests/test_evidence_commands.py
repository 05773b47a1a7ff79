"""``ciptool evidence add`` and ``ciptool evidence verify`` end to end."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.app import evidence as recording
from ciptool.app.evidence import scalar
from ciptool.cli import app
from ciptool.fileio import atomic
from ciptool.fileio.atomic import CannotWrite
from ciptool.loader.yamlparse import parse_yaml
from conftest import MakeRepo, brief, run

IAM = ["--control", "IAM-01", "--requirement", "recert-signoff"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_add_copies_an_outside_file_and_writes_a_record(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo()
    export = tmp_path / "outside" / "iam-q3 export.csv"
    export.parent.mkdir()
    export.write_bytes(b"user,removed\nj.doe,yes\n")
    code, out, err = invoke(
        "evidence", "add", str(export), "--repo", str(root), "--control", "IAM-01",
        "--requirement", "recert-signoff", "--period", "2026-07-01..2026-09-30",
        "--collected-on", "2026-10-05", "--source", "IGA: quarterly export",
        "--collected-by", "yes",
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == [
        "copied evidence/2026/files/iam-q3 export.csv",
        "wrote evidence/2026/iam-01-recert-signoff-2026-09-30.yaml",
    ]
    digest = hashlib.sha256(export.read_bytes()).hexdigest()
    assert (root / "evidence/2026/iam-01-recert-signoff-2026-09-30.yaml").read_text() == (
        "evidence:\n"
        "  - control: IAM-01\n"
        "    requirement: recert-signoff\n"
        "    collected_on: 2026-10-05\n"
        "    period: {start: 2026-07-01, end: 2026-09-30}\n"
        '    collected_by: "yes"\n'
        '    source: "IGA: quarterly export"\n'
        "    files:\n"
        f'      - {{path: files/iam-q3 export.csv, sha256: "{digest}"}}\n'
    )
    assert brief(run(root, "EV", "RF")) == []


def test_add_references_a_file_inside_the_repository(make_repo: MakeRepo) -> None:
    root = make_repo({"evidence/2025/files/old.csv": "a\n"})
    code, out, _ = invoke(
        "evidence", "add", str(root / "evidence/2025/files/old.csv"), "--repo", str(root),
        "--control", "IAM-01", "--requirement", "recert-signoff", "--effective-on", "2026-11-01",
        "--collected-on", "2026-11-02",
    )  # fmt: skip
    assert code == 0
    assert out == "wrote evidence/2026/iam-01-recert-signoff-2026-11-01.yaml\n"
    record = (root / "evidence/2026/iam-01-recert-signoff-2026-11-01.yaml").read_text()
    assert 'path: "../2025/files/old.csv"' in record
    assert brief(run(root, "EV", "RF")) == []


def test_add_never_overwrites(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo()
    first = tmp_path / "a.csv"
    first.write_text("one\n")
    args = ["--repo", str(root), "--control", "IAM-01", "--requirement", "recert-signoff"]
    dates = ["--effective-on", "2026-11-01", "--collected-on", "2026-11-02"]
    assert invoke("evidence", "add", str(first), *args, *dates)[0] == 0
    first.write_text("two\n")  # same name, other bytes: copied beside, not over
    code, out, _ = invoke("evidence", "add", str(first), *args, *dates)
    assert code == 0
    assert out.splitlines() == [
        "copied evidence/2026/files/a-2.csv",
        "wrote evidence/2026/iam-01-recert-signoff-2026-11-01-2.yaml",
    ]
    assert (root / "evidence/2026/files/a.csv").read_text() == "one\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--control", "IAM-9", "--requirement", "recert-signoff"], "no control `IAM-9`"),
        (
            ["--control", "IAM1", "--requirement", "recert-signoff"],
            "ciptool: no control `IAM1`. Did you mean `IAM-01`?\n",
        ),
        (
            ["--control", "iam-01", "--requirement", "recert-signoff"],
            "ciptool: no control `iam-01`. Did you mean `IAM-01`?\n",
        ),
        (
            ["--control", "IAM-01", "--requirement", "recert"],
            "ciptool: control IAM-01 has no evidence requirement `recert` (it has:"
            " recert-signoff). Did you mean `recert-signoff`?\n",
        ),
        (
            [*IAM, "--effective-on", "2026-11-05", "--collected-on", "2026-11-02"],
            "ciptool: --effective-on 2026-11-05 is after --collected-on 2026-11-02: evidence"
            " speaks for a day no later than the day it was collected\n",
        ),
        (
            [*IAM, "--period", "2026-10-01..2026-12-31", "--collected-on", "2026-11-02"],
            "ciptool: --period ends 2026-12-31, after --collected-on 2026-11-02: evidence"
            " speaks for a day no later than the day it was collected\n",
        ),
        (
            [*IAM, "--collected-on", "2999-12-31"],
            "ciptool: --collected-on 2999-12-31 is after today",
        ),
        (
            [*IAM, "--effective-on", "9999-12-31", "--collected-on", "2026-11-02"],
            "ciptool: --effective-on: dates must lie between 1900-01-01 and 2999-12-31,"
            " not `9999-12-31`\n",
        ),
        (
            [*IAM, "--period", "2026-09-30..2026-07-01"],
            "ends (2026-07-01) before it starts",
        ),
        (
            [*IAM, "--effective-on", "2026-11-01", "--period", "2026-07-01..2026-09-30"],
            "not both",
        ),
    ],
)  # fmt: skip
def test_add_refuses_bad_input_clearly(
    make_repo: MakeRepo, tmp_path: Path, args: list[str], message: str
) -> None:
    root = make_repo()
    evidence = tmp_path / "e.csv"
    evidence.write_text("x\n")
    code, _, err = invoke("evidence", "add", str(evidence), "--repo", str(root), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert sorted(p.name for p in (root / "evidence/2026").iterdir()) == ["files", "iam-01.yaml"]


def test_the_same_file_twice_is_refused_naming_the_record(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo()
    export = tmp_path / "a.csv"
    export.write_text("one\n")
    args = [str(export), "--repo", str(root), *IAM]
    dates = ["--effective-on", "2026-11-01", "--collected-on", "2026-11-02"]
    assert invoke("evidence", "add", *args, *dates)[0] == 0
    before = sorted(p.name for p in (root / "evidence/2026").iterdir())
    code, out, err = invoke("evidence", "add", *args, *dates)
    assert (code, out) == (2, "")
    assert err == (
        "ciptool: evidence/2026/iam-01-recert-signoff-2026-11-01.yaml already records this"
        " evidence for IAM-01 / recert-signoff effective 2026-11-01 (the same digests);"
        " nothing was written\n"
    )
    assert sorted(p.name for p in (root / "evidence/2026").iterdir()) == before
    # Another day's evidence may list the same file (a document that still holds).
    code, out, _ = invoke("evidence", "add", *args, "--collected-on", "2026-11-10")
    assert code == 0
    assert out == "wrote evidence/2026/iam-01-recert-signoff-2026-11-10.yaml\n"


def test_a_control_with_errors_is_named_as_such(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo({"controls/ops.yaml": "controls:\n  - {id: OPS-01, title: Logging}\n"})
    export = tmp_path / "a.csv"
    export.write_text("one\n")
    code, _, err = invoke(
        "evidence", "add", str(export), "--repo", str(root), "--control", "OPS-01",
        "--requirement", "log-review",
    )  # fmt: skip
    assert (code, err) == (2, "ciptool: control OPS-01 has errors; `ciptool check` shows them\n")


def test_a_missing_file_is_refused(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo()
    code, _, err = invoke(
        "evidence", "add", str(tmp_path / "nope.csv"), "--repo", str(root),
        "--control", "IAM-01", "--requirement", "recert-signoff",
    )  # fmt: skip
    assert code == 2
    assert "is not a file" in err


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("IAM-03", "IAM-03"),
        ("Identity governance platform export", "Identity governance platform export"),
        ("yes", '"yes"'),
        ("NO", '"NO"'),
        ("5.10", '"5.10"'),
        ("2026-01-01", '"2026-01-01"'),
        ("a: b", '"a: b"'),
        ("- x", '"- x"'),
        ("# x", '"# x"'),
        ('quote " and ünïcode', '"quote \\" and ünïcode"'),
        ("trailing ", '"trailing "'),
        ("line\n", '"line\\n"'),
    ],
)
def test_scalars_read_back_as_the_same_text(text: str, written: str) -> None:
    assert scalar(text) == written
    assert parse_yaml(f"k: {scalar(text)}\n").data == {"k": text}


def test_verify_reports_a_changed_byte_at_the_record(make_repo: MakeRepo) -> None:
    root = make_repo()
    code, _, err = invoke("evidence", "verify", "--repo", str(root))
    assert code == 0
    assert err == "ciptool evidence verify: 1 files in 1 records; 1 intact, 0 problems\n"
    csv = root / "evidence/2026/files/q.csv"
    data = bytearray(csv.read_bytes())
    data[-2] ^= 0x20
    csv.write_bytes(bytes(data))
    code, out, err = invoke("evidence", "verify", "--repo", str(root))
    assert code == 1
    assert out.startswith("evidence/2026/iam-01.yaml\n  7:37    error   EV004")
    assert err == "ciptool evidence verify: 1 files in 1 records; 0 intact, 1 problems\n"


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under ``root``."""
    return {
        path.relative_to(root).as_posix(): None if path.is_dir() else path.read_bytes()
        for path in sorted(root.rglob("*"))
    }


def _two_exports(tmp_path: Path) -> list[str]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.csv").write_text("user,removed\nj.doe,yes\n")
    (outside / "b.csv").write_text("user,removed\nm.roe,no\n")
    return [str(outside / "a.csv"), str(outside / "b.csv")]


#: Evidence for 2025, whose folder the minimal repository does not have.
DAYS_2025 = ["--period", "2025-07-01..2025-09-30", "--collected-on", "2025-10-05"]


def test_add_that_cannot_write_its_record_leaves_nothing_behind(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copies, and the folders made for them, go when the record cannot be written;
    what was there before stays, byte for byte."""
    root = make_repo({"evidence/2025/keep.txt": "not ours\n"})
    exports = _two_exports(tmp_path)
    before = _tree(root)
    real = atomic.write_output

    def full_disk(path: Path, data: bytes | str, *, overwrite: bool = True) -> None:
        if path.suffix == ".yaml":
            raise CannotWrite(f"cannot write {path}: No space left on device")
        real(path, data, overwrite=overwrite)

    monkeypatch.setattr(recording, "write_output", full_disk)
    code, out, err = invoke("evidence", "add", *exports, "--repo", str(root), *IAM, *DAYS_2025)
    assert code == 2
    assert out == ""
    record = root / "evidence/2025/iam-01-recert-signoff-2025-09-30.yaml"
    assert err == (
        f"ciptool: cannot write {record}: No space left on device; nothing was recorded\n"
    )
    assert _tree(root) == before  # evidence/2025/files/ and its two copies are gone
    monkeypatch.undo()
    assert brief(run(root, "EV006")) == [("EV006", "evidence/2025/keep.txt", 0, 0)]


def test_add_whose_file_changes_while_copying_leaves_nothing_behind(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second file changes after the first was copied: the first copy goes too, and a
    folder that was there before stays."""
    root = make_repo({"evidence/2025/files/other.csv": "not ours\n"})
    exports = _two_exports(tmp_path)
    before = _tree(root)
    real = atomic.write_output

    def meanwhile(path: Path, data: bytes | str, *, overwrite: bool = True) -> None:
        real(path, data, overwrite=overwrite)
        Path(exports[1]).write_text("changed\n")

    monkeypatch.setattr(recording, "write_output", meanwhile)
    code, out, err = invoke("evidence", "add", *exports, "--repo", str(root), *IAM, *DAYS_2025)
    assert (code, out) == (2, "")
    assert err == (
        f"ciptool: {exports[1]} changed while it was being recorded; run the command again\n"
    )
    assert _tree(root) == before


def test_verify_checks_the_files_of_a_record_that_fails_validation(
    make_repo: MakeRepo,
) -> None:
    from conftest import MINIMAL_EVIDENCE

    misspelt = MINIMAL_EVIDENCE.replace("    files:", "    colected_by: someone\n    files:")
    root = make_repo({"evidence/2026/iam-01.yaml": misspelt})
    csv = root / "evidence/2026/files/q.csv"
    csv.write_bytes(csv.read_bytes() + b"changed\n")
    code, out, err = invoke("evidence", "verify", "--repo", str(root))
    assert code == 1
    assert [line[:29] for line in out.splitlines() if "error" in line] == [
        "  6:5     error   SC001  unkn",
        "  8:37    error   EV004  `fil",
    ]
    assert err == "ciptool evidence verify: 1 files in 1 records; 0 intact, 2 problems\n"


def test_verify_fails_a_record_it_cannot_read(make_repo: MakeRepo) -> None:
    from conftest import MINIMAL_EVIDENCE

    digest = hashlib.sha256(b"x").hexdigest()
    upper = MINIMAL_EVIDENCE.split('sha256: "')[0] + f'sha256: "{digest.upper()}"}}\n'
    root = make_repo({"evidence/2026/iam-01.yaml": upper})
    code, out, err = invoke("evidence", "verify", "--repo", str(root))
    assert code == 1
    assert out.startswith("evidence/2026/iam-01.yaml\n  7:37    error   SC")
    assert err == "ciptool evidence verify: 0 files in 1 records; 0 intact, 1 problems\n"


def test_concurrent_adds_each_write_their_own_record(make_repo: MakeRepo, tmp_path: Path) -> None:
    import subprocess
    import sys

    root = make_repo()
    exports = []
    for n in range(4):
        export = tmp_path / f"outside-{n}" / "export.csv"
        export.parent.mkdir()
        export.write_text(f"user,removed\nuser-{n},yes\n")
        exports.append(export)
    command = [sys.executable, "-m", "ciptool", "evidence", "add"]
    options = ["--repo", str(root), *IAM, *DAYS_2025]
    runs = [
        subprocess.Popen([*command, str(export), *options], stderr=subprocess.PIPE, text=True)
        for export in exports
    ]
    outcomes = [(run.communicate(timeout=60)[1], run.returncode) for run in runs]
    assert outcomes == [("", 0)] * 4
    records = sorted(p.name for p in (root / "evidence/2025").glob("*.yaml"))
    assert records == [
        "iam-01-recert-signoff-2025-09-30-2.yaml",
        "iam-01-recert-signoff-2025-09-30-3.yaml",
        "iam-01-recert-signoff-2025-09-30-4.yaml",
        "iam-01-recert-signoff-2025-09-30.yaml",
    ]
    copies = {p.read_bytes() for p in (root / "evidence/2025/files").iterdir()}
    assert copies == {export.read_bytes() for export in exports}
    code, _, err = invoke("evidence", "verify", "--repo", str(root))
    assert (code, err) == (
        0,
        "ciptool evidence verify: 5 files in 5 records; 5 intact, 0 problems\n",
    )


def test_add_copies_a_file_in_pieces_never_whole(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 3 GB export was read whole into memory to be copied (3.2 GB at the peak).
    root = make_repo()
    export = tmp_path / "large.bin"
    export.write_bytes(bytes(range(256)) * 20_000)  # 5 MB: several pieces
    read_whole = Path.read_bytes

    def refuse(path: Path) -> bytes:
        assert path != export, "the export was read whole"
        return read_whole(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, out, err = invoke("evidence", "add", str(export), "--repo", str(root), *IAM, *DAYS_2025)
    monkeypatch.undo()
    assert code == 0, err
    assert out.splitlines()[0] == "copied evidence/2025/files/large.bin"
    assert (root / "evidence/2025/files/large.bin").read_bytes() == export.read_bytes()


def test_a_copy_never_points_at_other_bytes_that_took_its_name_meanwhile(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    export = tmp_path / "export.csv"
    export.write_text("user,removed\nj.doe,yes\n")
    files = root / "evidence/2025/files"
    refuse_a_repeat = recording._refuse_a_repeat

    def and_another_run_copies_first(*args: object) -> None:
        refuse_a_repeat(*args)  # type: ignore[arg-type]
        files.mkdir(parents=True, exist_ok=True)  # between the plan and the copy
        (files / "export.csv").write_text("user,removed\nsomeone,else\n")

    monkeypatch.setattr(recording, "_refuse_a_repeat", and_another_run_copies_first)
    code, _, err = invoke("evidence", "add", str(export), "--repo", str(root), *IAM, *DAYS_2025)
    assert code == 0, err
    assert (files / "export.csv").read_text() == "user,removed\nsomeone,else\n"
    assert (files / "export-2.csv").read_bytes() == export.read_bytes()
    record = (root / "evidence/2025/iam-01-recert-signoff-2025-09-30.yaml").read_text()
    assert "path: files/export-2.csv" in record


THIRD_PARTY = """\
third_parties:
  - id: TP-ACME-CLAIMS
    name: Acme Claims Services
    arrangement: delegated-provider
    services: Claims adjudication
    data: [pii]
    tier: critical
    owner: Director, Third Party Management
"""


def test_add_records_a_third_partys_minimum_standard(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo({"third-parties/claims.yaml": THIRD_PARTY})
    memo = tmp_path / "annual-review.txt"
    memo.write_bytes(b"Annual review held; continue.\n")
    code, out, err = invoke(
        "evidence", "add", str(memo), "--repo", str(root), "--third-party", "TP-ACME-CLAIMS",
        "--requirement", "annual-review", "--effective-on", "2026-09-22",
        "--collected-on", "2026-09-22", "--collected-by", "Third Party Management Office",
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == [
        "copied evidence/2026/files/annual-review.txt",
        "wrote evidence/2026/tp-acme-claims-annual-review-2026-09-22.yaml",
    ]
    digest = hashlib.sha256(memo.read_bytes()).hexdigest()
    assert (root / "evidence/2026/tp-acme-claims-annual-review-2026-09-22.yaml").read_text() == (
        "evidence:\n"
        "  - third_party: TP-ACME-CLAIMS\n"
        "    requirement: annual-review\n"
        "    collected_on: 2026-09-22\n"
        "    effective_on: 2026-09-22\n"
        "    collected_by: Third Party Management Office\n"
        "    files:\n"
        f'      - {{path: files/annual-review.txt, sha256: "{digest}"}}\n'
    )
    # The file is listed, and intact; the five other standards are missing.
    findings = brief(run(root, "EV", "RF", "TP"))
    assert [code for code, *_ in findings] == ["TP001"] * 5
    code, _, err = invoke("evidence", "verify", "--repo", str(root))
    assert (code, err) == (
        0,
        "ciptool evidence verify: 2 files in 2 records; 2 intact, 0 problems\n",
    )
    again = ["--effective-on", "2026-09-22", "--collected-on", "2026-09-22"]
    code, out, err = invoke(
        "evidence", "add", str(memo), "--repo", str(root), "--third-party", "TP-ACME-CLAIMS",
        "--requirement", "annual-review", *again,
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "ciptool: evidence/2026/tp-acme-claims-annual-review-2026-09-22.yaml already records"
        " this evidence for TP-ACME-CLAIMS / annual-review effective 2026-09-22 (the same"
        " digests); nothing was written\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--third-party", "TP-ACME-CLAIM", "--requirement", "annual-review"],
            "ciptool: no third party `TP-ACME-CLAIM`. Did you mean `TP-ACME-CLAIMS`?\n",
        ),
        (
            ["--third-party", "TP-NOBODY-AT-ALL", "--requirement", "annual-review"],
            "ciptool: no third party `TP-NOBODY-AT-ALL`. Its id is in third-parties/.\n",
        ),
        (
            ["--third-party", "TP-ACME-CLAIMS", "--requirement", "yearly-review"],
            "ciptool: `yearly-review` is not a minimum standard of the Third Party Management"
            " Program (they are: confidentiality-agreement, due-diligence, risk-assessment,"
            " contract-review, performance-metrics, annual-review). Did you mean"
            " `annual-review`?\n",
        ),
        (
            ["--third-party", "TP-ACME-CLAIMS", *IAM],
            "ciptool: give --control or --third-party, one of the two\n",
        ),
        (
            ["--requirement", "annual-review"],
            "ciptool: give --control or --third-party, one of the two\n",
        ),
    ],
)
def test_add_refuses_an_unknown_third_party_or_standard(
    make_repo: MakeRepo, tmp_path: Path, args: list[str], message: str
) -> None:
    root = make_repo({"third-parties/claims.yaml": THIRD_PARTY})
    memo = tmp_path / "memo.txt"
    memo.write_text("x\n")
    code, out, err = invoke("evidence", "add", str(memo), "--repo", str(root), *args)
    assert (code, out, err) == (2, "", message)
    assert sorted(p.name for p in (root / "evidence/2026").iterdir()) == ["files", "iam-01.yaml"]


def test_verify_reports_a_changed_third_party_evidence_file(make_repo: MakeRepo) -> None:
    memo = b"Annual review held; continue.\n"
    record = (
        "evidence:\n"
        "  - third_party: TP-ACME-CLAIMS\n"
        "    requirement: annual-review\n"
        "    collected_on: 2026-09-22\n"
        "    effective_on: 2026-09-22\n"
        "    files:\n"
        f'      - {{path: files/review.txt, sha256: "{hashlib.sha256(memo).hexdigest()}"}}\n'
    )
    root = make_repo(
        {
            "third-parties/claims.yaml": THIRD_PARTY,
            "evidence/2026/tp.yaml": record,
            "evidence/2026/files/review.txt": "Annual review held; end it.\n",
        }
    )
    code, out, err = invoke("evidence", "verify", "--repo", str(root))
    assert code == 1
    assert out.startswith("evidence/2026/tp.yaml\n  7:42    error   EV004")
    assert err == "ciptool evidence verify: 2 files in 2 records; 1 intact, 1 problems\n"
