"""The installed package: a wheel installed outside the source tree finds its catalogs."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with ciptool installed from a freshly built wheel."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--outdir",
            str(work / "dist"),
            str(PROJECT_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("ciptool-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # ciptool's dependencies come from the test environment, ciptool itself from the wheel.
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(target) / "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            "--target",
            target,
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env_dir


def _ciptool(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "ciptool", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )


def test_wheel_carries_the_catalogs(installed: Path, tmp_path: Path) -> None:
    result = _ciptool(installed, "frameworks", "list", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    counts = {row["id"]: row["counts"] for row in json.loads(result.stdout)}
    assert counts["nist-csf-2.0"] == {"functions": 6, "categories": 22, "subcategories": 106}
    assert counts["nist-csf-1.1"]["subcategories"] == 108
    assert counts["iso27001-2022"]["Annex A controls"] == 93
    assert counts["soc2-2017"]["criteria"] == 61


def test_installed_ciptool_is_not_reading_the_source_tree(installed: Path, tmp_path: Path) -> None:
    code = "import ciptool.loader.catalogs as c; print(c.bundled_frameworks_dir())"
    found = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found).is_relative_to(installed)
    assert len(list(Path(found).glob("*.yaml"))) == 7


def test_installed_ciptool_checks_and_scaffolds(installed: Path, tmp_path: Path) -> None:
    assert _ciptool(installed, "init", "repo", cwd=tmp_path).returncode == 0
    result = _ciptool(installed, "check", cwd=tmp_path / "repo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.endswith("- passed\n")
