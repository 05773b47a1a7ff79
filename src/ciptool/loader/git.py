"""The compliance repository's git state, for the provenance line of every report.

A repository may come from a pull request, and git reads its ``.git/config`` whatever we do;
every git run here is disarmed so that no setting there can make git start a program:
no fsmonitor, hooks, pager, external diff or textconv, no network (a partial clone's lazy
fetch would run ``core.sshCommand``), no signature verification, and every filter driver the
configuration defines emptied (``filter.<name>.clean``, ``smudge`` and ``process``), so git
compares and exports files as they are. The user's own system and global configuration are
read as git reads them (``safe.directory``, ignore files); only the settings above are
overridden, at command-line precedence.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_TIMEOUT = 10

#: Settings no repository may choose: each could make git run a program or write.
_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.untrackedCache", "false"),
    ("log.showSignature", "false"),
    ("status.submoduleSummary", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
)
#: A filter driver's commands and whether git must refuse to work without them.
_FILTER_KEYS = ("clean", "smudge", "process")


@dataclass(frozen=True)
class GitState:
    """The commit the repository is at and whether its tree differs from it.

    ``commit`` is None outside git; ``dirty`` is None when git could not say, or when the only
    differences are in files a filter driver converts (filters are never run, so whether those
    really changed is unknown).
    """

    commit: str | None
    dirty: bool | None


def git_state(root: Path) -> GitState:
    """The repository's HEAD and whether the working tree is dirty, or unknowns outside git."""
    head = git_output(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None:
        return GitState(None, None)
    return GitState(head.strip() or None, _dirty(root))


def _dirty(root: Path) -> bool | None:
    """True when the work tree under ``root`` differs from HEAD, None when that is unknown."""
    status = git_output(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=normal",
        "--ignore-submodules=dirty",
        "--",
        ".",
    )
    if status is None:
        return None
    items = iter(status.split("\0"))
    worktree_only: list[str] = []
    for item in items:
        if len(item) < 4:
            continue
        staged, unstaged, path = item[0], item[1], item[3:]
        if staged in "RC":
            next(items, None)  # the path it was renamed or copied from
        if staged == " " and unstaged in "MT":
            worktree_only.append(path)  # content compared without the filters git would run
        else:
            return True
    if not worktree_only:
        return False
    return None if _all_filtered(root, worktree_only) else True


def _all_filtered(root: Path, paths: list[str]) -> bool:
    """True when every one of ``paths`` (from the work tree's top) selects a configured filter."""
    drivers = _filter_drivers(root)
    top = git_output(root, "rev-parse", "--show-toplevel") if drivers else None
    if top is None:
        return False
    listed = git_output(
        Path(top.strip()), "check-attr", "-z", "--stdin", "filter", stdin="\0".join(paths)
    )
    if listed is None:
        return True  # git could not say which files it filters: do not claim they changed
    fields = listed.split("\0")
    return all(value in drivers for value in fields[2::3])


def git_output(
    root: Path, *args: str, timeout: float = _TIMEOUT, stdin: str | None = None
) -> str | None:
    """What ``git -C root ARGS`` prints, disarmed, or None when git is missing or fails.

    Bytes that are not UTF-8 (a file name, say) are kept as surrogate escapes.
    """
    data = _git(root, args, timeout, None if stdin is None else os.fsencode(stdin))
    return None if data is None else data.decode("utf-8", "surrogateescape")


def _git(root: Path, args: tuple[str, ...], timeout: float, stdin: bytes | None) -> bytes | None:
    """What disarmed ``git -C root ARGS`` writes to stdout, or None when it cannot run or fails."""
    executable = shutil.which("git")
    if executable is None:
        return None
    env = _disarmed_env(executable, root)
    if env is None:
        return None
    try:
        completed = subprocess.run(
            [executable, "--no-pager", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout if completed.returncode == 0 else None


def _base_env() -> dict[str, str]:
    """The environment every git run gets: no network, no prompts, no external diff, no locks."""
    env = {key: value for key, value in os.environ.items() if key != "GIT_EXTERNAL_DIFF"}
    # An empty allow-list refuses every transport, so a partial clone's lazy fetch (which
    # would run core.sshCommand or a remote helper) fails instead.
    env.update(
        GIT_ALLOW_PROTOCOL="",
        GIT_NO_LAZY_FETCH="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_NO_REPLACE_OBJECTS="1",
    )
    return env


def _with_settings(env: dict[str, str], settings: list[tuple[str, str]]) -> dict[str, str]:
    """``env`` with ``settings`` added at command-line precedence (``GIT_CONFIG_COUNT``).

    The key and value travel apart, so a driver name holding ``=`` or ``.`` stays one name.
    """
    try:
        count = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        count = 0
    out = dict(env)
    for offset, (key, value) in enumerate(settings):
        out[f"GIT_CONFIG_KEY_{count + offset}"] = key
        out[f"GIT_CONFIG_VALUE_{count + offset}"] = value
    out["GIT_CONFIG_COUNT"] = str(count + len(settings))
    return out


def _disarmed_env(executable: str, root: Path) -> dict[str, str] | None:
    """The environment for a git run in ``root``: fixed settings and every filter emptied.

    None when the configuration cannot be read, as git would then not run anyway.
    """
    env = _with_settings(_base_env(), list(_OVERRIDES))
    drivers = _configured_drivers(executable, root, env)
    if drivers is None:
        return None
    emptied = [(f"filter.{name}.{key}", "") for name in sorted(drivers) for key in _FILTER_KEYS]
    emptied += [(f"filter.{name}.required", "false") for name in sorted(drivers)]
    return _with_settings(env, emptied)


def _configured_drivers(executable: str, root: Path, env: dict[str, str]) -> set[str] | None:
    """The filter drivers git's configuration for ``root`` defines, None when unreadable.

    Reading configuration runs nothing; includes are followed, as every other git run does.
    """
    pattern = r"^filter\..*\.(clean|smudge|process)$"
    try:
        listed = subprocess.run(
            [executable, "-C", str(root), "config", "-z", "--name-only", "--get-regexp", pattern],
            capture_output=True,
            env=env,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode not in (0, 1):  # 1: no such setting
        return None
    names = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {name[len("filter.") :].rpartition(".")[0] for name in names if name}


def _filter_drivers(root: Path) -> set[str]:
    """The filter drivers configured for ``root`` (none when git cannot say)."""
    executable = shutil.which("git")
    if executable is None:
        return set()
    return _configured_drivers(executable, root, _base_env()) or set()


def in_work_tree(path: Path) -> bool:
    """Whether ``path`` may be in a git work tree: a ``.git`` in it or a folder above it, or
    ``GIT_DIR`` set. False means git need not be asked (and is not: a repository outside git
    costs no process)."""
    real = path.resolve()
    return "GIT_DIR" in os.environ or any(
        os.path.lexists(folder / ".git") for folder in (real, *real.parents)
    )


def head_commit(root: Path) -> str | None:
    """The commit HEAD names, None outside git, without commits, or when git cannot say."""
    if not in_work_tree(root):
        return None
    head = git_output(root, "rev-parse", "--verify", "--quiet", "HEAD")
    return head.strip() or None if head is not None else None


def tracked(path: Path) -> bool | None:
    """Whether git's index holds ``path`` (links followed) or anything under it: False too
    outside a git work tree, None when git cannot say there (git missing, or refusing the
    repository, as ``safe.directory`` does).
    """
    real = path.resolve()
    if not in_work_tree(real):
        return False
    listed = git_output(
        real.parent,
        "--literal-pathspecs",
        "--no-optional-locks",
        "ls-files",
        "-z",
        "--cached",
        "--",
        real.name,
    )
    return None if listed is None else bool(listed)


@dataclass(frozen=True)
class Revision:
    """A commit of the repository and the day it speaks for."""

    commit: str
    day: str  # YYYY-MM-DD


def looks_like_date(since: str) -> bool:
    """True when ``since`` is written as a date (YYYY-MM-DD), not as a revision."""
    return len(since) == 10 and since[4] == "-" and since[7] == "-"


def resolve_revision(root: Path, since: str) -> Revision | None:
    """The commit ``since`` names: a revision, or the last commit on or before a date."""
    if looks_like_date(since):
        commit = git_output(root, "rev-list", "-1", f"--before={since} 23:59:59", "HEAD")
        if commit is None or not commit.strip():
            return None
        return Revision(commit.strip(), since)
    commit = git_output(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{since}^{{commit}}"
    )
    if commit is None or not commit.strip():
        return None
    day = git_output(root, "show", "-s", "--no-show-signature", "--format=%cs", commit.strip())
    return Revision(commit.strip(), (day or "").strip())


def export_revision(root: Path, commit: str, target: Path) -> Path | None:
    """Write the files under ``root`` as they were committed at ``commit`` into ``target``.

    Returns ``target``, which then stands for ``root``, or None when git cannot list them.
    Files are written byte for byte as committed: no filter, no attribute-driven substitution
    (``git archive`` would run both), and regular files only, never outside ``target``.
    """
    listing = _git(root, ("ls-tree", "-r", "-z", "--end-of-options", commit), 600, None)
    if listing is None:
        return None
    files: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        meta, _, raw_name = entry.partition(b"\t")
        mode, kind, blob = [*meta.split(), b"", b"", b""][:3]
        if kind == b"blob" and mode in (b"100644", b"100755"):
            files.append((blob.decode("ascii"), os.fsdecode(raw_name)))
    wanted = b"".join(blob.encode("ascii") + b"\n" for blob, _ in files)
    contents = _git(root, ("cat-file", "--batch"), 600, wanted)
    if contents is None:
        return None
    base = target.resolve()
    offset = 0
    for _, name in files:
        header_end = contents.index(b"\n", offset)
        header = contents[offset:header_end].split()
        if len(header) != 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        data = contents[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1
        destination = (target / name).resolve()
        if not destination.is_relative_to(base) or destination == base:
            continue
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        except OSError:
            continue  # a name both a file and a folder in a crafted tree: keep the first
    return target
