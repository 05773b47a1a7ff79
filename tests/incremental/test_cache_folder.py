"""The cache folder is ciptool's own: it is made by ciptool, or refused."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.fileio import marshalled
from conftest import MakeRepo

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


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
    code, err = invoke("check", "--repo", str(root), "--as-of", "2026-11-01")
    assert code == 0
    assert err.startswith(
        f"ciptool: {root / '.ciptool-cache'} is a link leading outside the repository;"
        " the run goes on without a cache\n"
    )
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


#: Commits two days after the evidence was collected: not back-dated (EV009), whatever the clock.
_COMMITTED = {
    "GIT_AUTHOR_DATE": "2026-10-05T12:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-10-05T12:00:00+00:00",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={**os.environ, **_COMMITTED},
    )


def _never_unmarshalled(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """Fail the test if the content of a file in ``cache`` is unmarshalled: such a cache is
    never read at all."""
    contents = {path.read_bytes()[len(b"ciptool-cache\n") + 4 :] for path in cache.iterdir()}
    real = marshal.loads

    def guarded(data: bytes, /) -> object:
        if bytes(data) in contents:
            raise AssertionError("a cache file was unmarshalled")
        return real(data)

    monkeypatch.setattr(marshalled, "marshal", SimpleNamespace(loads=guarded, dumps=marshal.dumps))


@needs_git
def test_a_cache_folder_git_tracks_is_neither_read_nor_written(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache committed to the repository (or received in a pull request) carries ciptool's
    # own CACHEDIR.TAG and intact files: it is still data the repository supplied.
    root = make_repo()
    args = ("check", "--repo", str(root), "--as-of", "2026-11-01", "-f", "json")
    fresh = CliRunner().invoke(app, [*args, "--no-cache"])
    assert invoke(*args)[0] == 0
    cache = root / ".ciptool-cache"
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "add", "-f", ".ciptool-cache")
    _git(root, "commit", "-q", "-m", "a repository with its cache")
    before = _tree(cache)
    assert any(name.endswith(".cache") for name in before)
    _never_unmarshalled(monkeypatch, cache)
    for _ in range(2):
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 0, result.output
        assert result.stdout == fresh.stdout
        assert result.stderr == (
            f"ciptool: {cache} holds files git tracks (it came with the repository);"
            " the run goes on without a cache\n"
        )
        assert _tree(cache) == before
    code, err = invoke(*args, "--cache-dir", str(cache))
    assert (code, err) == (
        2,
        f"ciptool: --cache-dir {cache} holds files git tracks (it came with the repository);"
        " name a new or empty folder\n",
    )
    assert _tree(cache) == before


@needs_git
def test_one_tracked_file_makes_the_cache_folder_unusable(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    args = ("check", "--repo", str(root), "--as-of", "2026-11-01")
    assert invoke(*args)[0] == 0
    _git(root, "init", "-q")
    _git(root, "add", "-f", ".ciptool-cache/CACHEDIR.TAG")  # in the index, not yet committed
    before = _tree(root / ".ciptool-cache")
    _never_unmarshalled(monkeypatch, root / ".ciptool-cache")
    code, err = invoke(*args)
    assert code == 0
    assert err.startswith(f"ciptool: {root / '.ciptool-cache'} holds files git tracks")
    assert _tree(root / ".ciptool-cache") == before


@needs_git
def test_an_untracked_cache_in_a_git_checkout_is_used(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "a repository")
    args = ("check", "--repo", str(root), "--as-of", "2026-11-01")
    assert invoke(*args)[0] == 0
    loaded: list[bytes] = []
    real = marshal.loads

    def counted(data: bytes, /, *rest: object, **options: object) -> object:
        loaded.append(bytes(data[:1]))
        return real(data, *rest, **options)

    monkeypatch.setattr(marshalled, "marshal", SimpleNamespace(loads=counted, dumps=marshal.dumps))
    code, err = invoke(*args)
    assert code == 0
    assert "git" not in err
    assert loaded  # the cache ciptool made itself is read


def test_a_cache_folder_in_a_work_tree_git_cannot_list_is_not_used(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Where git is missing or refuses the repository (safe.directory), whether the cache came
    # with the repository cannot be told: it is not read.
    root = make_repo()
    args = ("check", "--repo", str(root), "--as-of", "2026-11-01")
    assert invoke(*args)[0] == 0
    (root / ".git").mkdir()
    before = _tree(root / ".ciptool-cache")
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    _never_unmarshalled(monkeypatch, root / ".ciptool-cache")
    code, err = invoke(*args)
    assert code == 0
    assert err.startswith(
        f"ciptool: {root / '.ciptool-cache'} lies in a git work tree whose index git cannot"
        " list; the run goes on without a cache\n"
    )
    assert _tree(root / ".ciptool-cache") == before
