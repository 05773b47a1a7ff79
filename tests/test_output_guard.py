"""No writer replaces a file the repository reads: outputs inside its record folders, or
ciptool.yaml itself, are refused (exit 2) and the input is left byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import MakeRepo

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
