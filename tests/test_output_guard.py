"""No writer replaces a file the repository reads: outputs inside its record folders, or
ciptool.yaml itself, are refused (exit 2) and the input is left byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.fileio.atomic import INPUT_FOLDERS
from ciptool.loader.source import RECORD_FOLDER_NAMES
from conftest import MakeRepo
from incremental.conftest import settled  # noqa: F401 - a fixture

INPUTS = [
    "controls/iam.yaml",
    "ciptool.yaml",
    "evidence/2026/iam-01.yaml",
    "evidence/2026/files/q.csv",
    "policies/new.sarif",
]


def _files(root: Path) -> dict[Path, bytes]:
    """Every file of the repository, with its bytes; the cache left out."""
    return {
        path: path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".ciptool-cache" not in path.parts
    }


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("target", INPUTS)
@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
def test_check_refuses_to_write_over_an_input(
    make_repo: MakeRepo, target: str, option: str
) -> None:
    root = make_repo()
    before = _files(root)
    code, _, err = invoke(
        "check", "--repo", str(root), "--as-of", "2026-11-01", "--format", "sarif",
        option, str(root / target),
    )  # fmt: skip
    assert code == 2
    assert err == (f"ciptool: {root / target} is an input of the repository; choose another path\n")
    assert _files(root) == before


def test_a_link_to_an_input_is_refused(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo()
    link = tmp_path / "out.sarif"
    link.symlink_to(root / "controls/iam.yaml")
    before = (root / "controls/iam.yaml").read_bytes()
    code, _, err = invoke("check", "--repo", str(root), "--format", "sarif", "-o", str(link))
    assert code == 2
    assert err == f"ciptool: {link} is an input of the repository; choose another path\n"
    assert (root / "controls/iam.yaml").read_bytes() == before


def test_report_and_schema_refuse_inputs(make_repo: MakeRepo) -> None:
    root = make_repo()
    before = (root / "controls/iam.yaml").read_bytes()
    target = root / "controls/iam.yaml"
    code, _, err = invoke(
        "report", "evidence-index", "--repo", str(root), "--format", "md", "-o", str(target)
    )
    assert code == 2
    assert err.splitlines()[-1] == (
        f"ciptool: {target} is an input of the repository; choose another path"
    )
    assert target.read_bytes() == before
    code, _, err = invoke("schema", "--write", str(root / "templates"))
    assert (code, err) == (
        2,
        f"ciptool: {root / 'templates/config.schema.json'} is an input of the repository;"
        " choose another path\n",
    )


def test_outputs_beside_the_records_are_written(make_repo: MakeRepo) -> None:
    root = make_repo()
    code, _, _ = invoke(
        "check", "--repo", str(root), "--as-of", "2026-11-01", "--format", "sarif",
        "-o", str(root / "out/ciptool.sarif"),
    )  # fmt: skip
    assert code == 0
    assert (root / "out/ciptool.sarif").read_text().startswith("{")


MINUTES = b"%PDF-1.4 board minutes\n"
#: An evidence record listing files outside the record folders: minutes kept in docs/, one
#: of them through a link, and one not collected yet.
OUTSIDE_EVIDENCE = f"""\
evidence:
  - control: IAM-01
    requirement: recert-signoff
    collected_on: 2026-10-03
    period: {{start: 2026-07-01, end: 2026-09-30}}
    files:
      - {{path: ../../docs/minutes.pdf, sha256: "{hashlib.sha256(MINUTES).hexdigest()}"}}
      - {{path: ../../docs/latest.pdf, sha256: "{hashlib.sha256(MINUTES).hexdigest()}"}}
      - {{path: ../../docs/next.pdf, sha256: "{"0" * 64}"}}
"""


def _with_evidence_outside(make_repo: MakeRepo) -> Path:
    root = make_repo({"evidence/2026/iam-02.yaml": OUTSIDE_EVIDENCE, "docs/minutes.pdf": MINUTES})
    (root / "docs/latest.pdf").symlink_to("minutes.pdf")
    (root / "docs/elsewhere").mkdir()
    (root / "docs/pointer").symlink_to("elsewhere")
    return root


@pytest.mark.parametrize(
    "target", ["docs/minutes.pdf", "docs/latest.pdf", "docs/next.pdf", "docs/pointer/../next.pdf"]
)
@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
@pytest.mark.parametrize("cache", ["--no-cache", "cached"])
@pytest.mark.usefixtures("settled")
def test_check_refuses_to_write_over_an_evidence_file_outside_the_folders(
    make_repo: MakeRepo, target: str, option: str, cache: str
) -> None:
    root = _with_evidence_outside(make_repo)
    args = ["check", "--repo", str(root), "--as-of", "2026-11-01", "--format", "sarif"]
    if cache == "cached":  # the second run prints the kept result without loading anything
        assert invoke(*args)[0] == 1
        assert invoke(*args)[0] == 1
    else:
        args.append(cache)
    before = _files(root)
    code, out, err = invoke(*args, option, str(root / target))
    assert (code, out) == (2, "")
    assert err == f"ciptool: {root / target} is an input of the repository; choose another path\n"
    assert _files(root) == before


def test_no_output_is_written_when_another_is_refused(make_repo: MakeRepo) -> None:
    root = _with_evidence_outside(make_repo)
    before = _files(root)
    code, _, err = invoke(
        "check", "--repo", str(root), "--as-of", "2026-11-01", "--format", "sarif",
        "--write-baseline", str(root / "baseline.json"), "-o", str(root / "docs/minutes.pdf"),
    )  # fmt: skip
    assert code == 2
    assert err.endswith("is an input of the repository; choose another path\n")
    assert _files(root) == before


def test_report_refuses_to_write_over_an_evidence_file_outside_the_folders(
    make_repo: MakeRepo,
) -> None:
    root = _with_evidence_outside(make_repo)
    before = _files(root)
    target = root / "docs/latest.pdf"
    code, _, err = invoke(
        "report", "evidence-index", "--repo", str(root), "--as-of", "2026-11-01",
        "--format", "md", "-o", str(target),
    )  # fmt: skip
    assert code == 2
    assert err.splitlines()[-1] == (
        f"ciptool: {target} is an input of the repository; choose another path"
    )
    assert _files(root) == before


def test_an_output_beside_evidence_outside_the_folders_is_written(make_repo: MakeRepo) -> None:
    root = _with_evidence_outside(make_repo)
    code, _, err = invoke(
        "check", "--repo", str(root), "--as-of", "2026-11-01", "--format", "sarif",
        "-o", str(root / "docs/ciptool.sarif"),
    )  # fmt: skip
    assert code == 1, err
    assert (root / "docs/ciptool.sarif").read_text().startswith("{")
    assert (root / "docs/minutes.pdf").read_bytes() == MINUTES


def test_schema_refuses_to_write_over_an_evidence_file_outside_the_folders(
    make_repo: MakeRepo,
) -> None:
    listed = OUTSIDE_EVIDENCE.replace("../../docs/next.pdf", "../../docs/controls.schema.json")
    root = make_repo({"evidence/2026/iam-02.yaml": listed, "docs/controls.schema.json": "{}\n"})
    before = _files(root)
    code, out, err = invoke("schema", "--write", str(root / "docs"))
    assert (code, out) == (2, "")
    assert err == (
        f"ciptool: {root / 'docs/controls.schema.json'} is an input of the repository;"
        " choose another path\n"
    )
    assert _files(root) == before
    code, out, err = invoke("schema", "--write", str(root / "schemas"))
    assert code == 0, err
    assert out.splitlines()[0] == f"wrote {root / 'schemas/config.schema.json'}"


def test_every_record_folder_is_an_input_folder() -> None:
    assert set(RECORD_FOLDER_NAMES) <= set(INPUT_FOLDERS)


@pytest.mark.parametrize(
    "target", ["risks/new.md", "third-parties/x.md", "apps/list.md", "incidents/new/x.md"]
)
def test_a_report_is_never_written_into_a_register_folder(make_repo: MakeRepo, target: str) -> None:
    root = make_repo()
    code, _, err = invoke(
        "report", "evidence-index", "--repo", str(root), "--format", "md", "-o", str(root / target)
    )
    assert code == 2
    assert err.splitlines()[-1] == (
        f"ciptool: {root / target} is an input of the repository; choose another path"
    )
    assert not (root / target).exists()
