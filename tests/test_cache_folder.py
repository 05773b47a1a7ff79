"""The cache folder is ciptool's own: it is made by ciptool, or refused."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ciptool.cli import app
from conftest import MakeRepo


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


def _tree(folder: Path) -> dict[str, bytes | None]:
    return {
        path.relative_to(folder).as_posix(): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


def test_a_folder_holding_other_files_is_refused(make_repo: MakeRepo) -> None:
    root = make_repo({".gitignore": "out/\n"})
    before = _tree(root)
    code, err = invoke(
        "check", "--repo", str(root), "--as-of", "2026-11-01", "--cache-dir", str(root)
    )
    assert code == 2
    assert err == (
        f"ciptool: --cache-dir {root} holds other files and no CACHEDIR.TAG made by ciptool;"
        " name a new or empty folder\n"
    )
    assert _tree(root) == before


def test_a_link_is_refused_as_the_cache_folder(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "cache-link"
    link.symlink_to(elsewhere)
    code, err = invoke(
        "check", "--repo", str(root), "--as-of", "2026-11-01", "--cache-dir", str(link)
    )
    assert code == 2
    assert err == f"ciptool: --cache-dir {link} is a link; name a new or empty folder\n"
    assert _tree(elsewhere) == {}


def test_a_committed_cache_link_is_never_written_through(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".gitignore").write_text("keep\n")
    (root / ".ciptool-cache").symlink_to(elsewhere)
    code, _ = invoke("check", "--repo", str(root), "--as-of", "2026-11-01")
    assert code == 0
    assert _tree(elsewhere) == {".gitignore": b"keep\n"}


def test_an_empty_folder_becomes_the_cache_and_is_used_again(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo()
    cache = tmp_path / "cache"
    cache.mkdir()
    for _ in range(2):
        code, err = invoke(
            "check", "--repo", str(root), "--as-of", "2026-11-01", "--cache-dir", str(cache)
        )
        assert code == 0, err
    assert {".gitignore", "CACHEDIR.TAG"} < set(_tree(cache))
