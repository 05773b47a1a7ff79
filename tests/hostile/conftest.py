"""The hostile-repository suite's harness: every case runs ciptool as a real process against a
small repository an attacker prepared, beside an "outside world" of files the repository's
links point at, and asserts what a reviewer relies on:

- the exit code is the one expected (never 3, a crash), within a time limit (a hang fails);
- the child's peak memory (``ru_maxrss`` from ``os.wait4``) stays under 1 GiB;
- no secret of the outside world appears in what ciptool printed or wrote;
- the outside world is unchanged, file for file and link for link, and no marker a planted
  command would leave there exists;
- every file of the repository is unchanged except those the case expects to be written.

Time is recorded, never asserted: speed figures belong in ``bench/``. At the end of the run a
line per class gives the cases, their outcomes and the exit codes seen.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import unavailable, write_repo

HERE = Path(__file__).resolve().parent
#: A line no output of ciptool may ever hold: it lives only outside the repository.
SECRET = "SECRET-OUTSIDE"
#: The outside world: files a hostile repository links to, or a planted command would touch.
OUTSIDE_FILES = {
    "passwd": f"root:x:0:0:root:/root:/bin/sh\napi_key: {SECRET}\n",
    "secret.yaml": f"controls:\n  - id: OUT-01\n    api_key: {SECRET}\n    password: {SECRET}\n",
    "etc/passwd": f"root:x:0:0:{SECRET}\n",
}
#: The file a command planted by the repository would create (see ``Hostile.trap``).
MARKER = "pwned"
PEAK_LIMIT_KIB = 1024 * 1024  # 1 GiB
#: A hang fails the case; the largest inputs of the suite take well under this.
TIMEOUT_S = 120.0
#: A safety net for the machine running the suite: a child that asks for more address space
#: than this fails with MemoryError (exit 3, so the case fails) instead of exhausting memory.
ADDRESS_SPACE_LIMIT = 6 * 1024**3
AS_OF = ("--as-of", "2026-11-15")
GENERATED = ("--generated-at", "2026-11-15T12:00:00Z")

CLASSES = {
    "code_execution": "code execution",
    "escape": "escape",
    "hang": "hang",
    "data_loss": "data loss",
    "crash": "crash",
    "wrong_answer": "wrong answer",
    "injection": "injection",
}


@dataclass
class Figures:
    """What the cases of one class did, for the summary at the end of the run."""

    outcomes: Counter[str] = field(default_factory=Counter)
    exit_codes: Counter[int] = field(default_factory=Counter)
    runs: int = 0
    seconds: float = 0.0
    peak_kib: int = 0


FIGURES: defaultdict[str, Figures] = defaultdict(Figures)


@dataclass(frozen=True)
class Outcome:
    """One finished run of ciptool."""

    code: int
    stdout: str
    stderr: str
    peak_kib: int
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def findings(output: Outcome | Path, *families: str) -> list[tuple[str, str, int, int]]:
    """(code, file, line, column) of each finding of a ``--format json`` run (its standard
    output, or the file it wrote), in order; only the given families (LD, EV...) if named."""
    text = output.read_text("utf-8") if isinstance(output, Path) else output.stdout
    document = json.loads(text)
    return [
        (f["code"], f["file"], f["line"], f["column"])
        for f in document["findings"]
        if not families or f["code"].startswith(families)
    ]


#: A file's kind, permission bits and what it holds: its digest, link target or nothing.
Entry = tuple[str, int, str | None]


def snapshot(folder: Path, skip: Iterable[str] = ()) -> dict[str, Entry]:
    """Every entry under ``folder`` (links not followed, special files never opened)."""
    skipped = set(skip)
    entries: dict[str, Entry] = {}
    if not folder.exists():
        return entries
    for parent, dirs, files in os.walk(folder):
        here = Path(parent)
        dirs[:] = [d for d in dirs if (here / d).relative_to(folder).as_posix() not in skipped]
        for name in [*dirs, *files]:
            path = here / name
            rel = path.relative_to(folder).as_posix()
            info = path.lstat()
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                entries[rel] = ("link", mode, str(path.readlink()))
            elif stat.S_ISDIR(info.st_mode):
                entries[rel] = ("folder", mode, None)
            elif stat.S_ISREG(info.st_mode):
                entries[rel] = ("file", mode, _digest(path, info))
            else:
                entries[rel] = ("special", mode, str(stat.S_IFMT(info.st_mode)))
    return entries


def _digest(path: Path, info: os.stat_result) -> str:
    """A file's SHA-256; for a file over 64 MiB its size and modification time stand for it."""
    if info.st_size > 64 * 1024**2:
        return f"size {info.st_size}, mtime {info.st_mtime_ns}"
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def regular_files(folder: Path, skip: Iterable[str] = ()) -> Iterator[Path]:
    """The regular files under ``folder`` of at most 64 MiB, links not followed."""
    for rel, (kind, _, digest) in snapshot(folder, skip).items():
        if kind == "file" and digest is not None and not digest.startswith("size "):
            yield folder / rel


class Hostile:
    """A repository to attack, the world outside it, and a way to run ciptool on them."""

    def __init__(self, tmp_path: Path, figures: Figures) -> None:
        self.tmp = tmp_path
        self.repo = write_repo(tmp_path / "repo", {})
        self.outside = tmp_path / "outside"
        for name, text in OUTSIDE_FILES.items():
            (self.outside / name).parent.mkdir(parents=True, exist_ok=True)
            (self.outside / name).write_text(text, encoding="utf-8")
        self.marker = self.outside / MARKER
        self.out = tmp_path / "out"  # where a case's outputs go, outside the repository
        self.out.mkdir()
        home = tmp_path / "home"
        home.mkdir()
        self.env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            # Two days after the minimal evidence was collected: not back-dated (EV009).
            "GIT_AUTHOR_DATE": "2026-10-05T12:00:00+00:00",
            "GIT_COMMITTER_DATE": "2026-10-05T12:00:00+00:00",
        }
        self.figures = figures
        self._streams = 0

    # --- building the repository ---------------------------------------------------------

    def write(self, files: dict[str, str | bytes]) -> None:
        """Write files into the repository (over the minimal one)."""
        write_repo(self.repo, files, minimal=False)

    def link(self, rel: str, target: Path | str) -> Path:
        """Make ``rel`` in the repository a link to ``target``, replacing what was there."""
        path = self.repo / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
        return path

    def git(self, *args: str, check: bool = True) -> str:
        """Run git in the repository with the test's own identity and no global config."""
        completed = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
        )
        return completed.stdout

    def commit(self) -> None:
        """Make the repository a git repository with everything in it committed."""
        if not (self.repo / ".git").exists():
            self.git("init", "-q")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "records")

    def trap(self) -> Path:
        """A script that leaves the marker outside: what a planted command would do."""
        script = self.tmp / "trap.sh"
        script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{self.marker}"\ncat\n')
        script.chmod(0o755)
        return script

    # --- running ciptool -----------------------------------------------------------------

    def template_error(self, outcome: Outcome, message: str) -> None:
        """A run a repository template stopped ends with one usage error: ``message``, which
        names the template (from the repository) and, where jinja2 knows it, its line."""
        assert outcome.stderr.splitlines()[-1] == f"ciptool: {message}"
        assert not (self.out / "soc2.md").exists()

    def run(
        self,
        *args: str | Path,
        code: int,
        writes: Sequence[str] = (),
        prefix: Sequence[str] = (),
        cwd: Path | None = None,
        cache_is_input: bool = False,
    ) -> Outcome:
        """Run ``ciptool ARGS`` in the repository and assert everything the harness promises.

        ``writes`` are the repository paths (or folders) the run may add or change; the cache
        folder is ciptool's own and may always change, unless ``cache_is_input``.
        """
        return self.run_many(
            [list(args)],
            code=code,
            writes=writes,
            prefix=prefix,
            cwd=cwd,
            cache_is_input=cache_is_input,
        )[0]

    def run_many(
        self,
        commands: Sequence[Sequence[str | Path]],
        *,
        code: int,
        writes: Sequence[str] = (),
        prefix: Sequence[str] = (),
        cwd: Path | None = None,
        cache_is_input: bool = False,
    ) -> list[Outcome]:
        """Run several ciptool commands at once; each must end with ``code``."""
        skip = [".git"] if cache_is_input else [".git", ".ciptool-cache"]
        outside_before = snapshot(self.outside)
        repo_before = snapshot(self.repo, skip)
        started = [self._start(command, prefix, cwd) for command in commands]
        try:
            outcomes = [self._reap(*one) for one in started]
        finally:  # a run past its time limit fails the case: end the others it started too
            for process, _, _ in started:
                if process.returncode is None:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        for outcome in outcomes:
            self.figures.runs += 1
            self.figures.seconds += outcome.seconds
            self.figures.exit_codes[outcome.code] += 1
        for outcome in outcomes:
            assert "Traceback" not in outcome.output, outcome.output[-3000:]
            assert outcome.code == code, (outcome.code, outcome.output[-3000:])
            assert outcome.peak_kib < PEAK_LIMIT_KIB, f"peak memory {outcome.peak_kib} KiB"
            assert SECRET not in outcome.output
        assert not self.marker.exists(), self.marker.read_text()
        assert snapshot(self.outside) == outside_before
        changed = _changes(repo_before, snapshot(self.repo, skip))
        unexpected = [
            rel for rel in changed if not any(rel == w or rel.startswith(w + "/") for w in writes)
        ]
        assert unexpected == [], f"repository files changed: {unexpected}"
        for path in [*regular_files(self.repo, [".git"]), *regular_files(self.out)]:
            assert SECRET.encode() not in path.read_bytes(), path
        for outcome in outcomes:  # the largest peak of a run that did what was expected
            self.figures.peak_kib = max(self.figures.peak_kib, outcome.peak_kib)
        return outcomes

    def _start(
        self, args: Sequence[str | Path], prefix: Sequence[str], cwd: Path | None
    ) -> tuple[subprocess.Popen[bytes], Path, float]:
        self._streams += 1
        streams = self.tmp / "streams" / str(self._streams)
        streams.mkdir(parents=True)
        argv = [*prefix, sys.executable, "-m", "ciptool", *map(str, args)]
        with (streams / "out").open("wb") as out, (streams / "err").open("wb") as err:
            process = subprocess.Popen(
                argv,
                cwd=cwd or self.repo,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
                # Cases start children from the test's own thread only.
                preexec_fn=_limit_address_space,  # noqa: PLW1509
            )
        return process, streams, time.monotonic()

    def _reap(self, process: subprocess.Popen[bytes], streams: Path, began: float) -> Outcome:
        """Wait for the process (killing it past the time limit) and read its peak memory."""
        deadline = began + TIMEOUT_S
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                os.wait4(process.pid, 0)
                process.returncode = -signal.SIGKILL
                pytest.fail(f"ciptool {process.args!r} ran past {TIMEOUT_S:.0f} s: a hang")
            time.sleep(0.01)
        seconds = time.monotonic() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        return Outcome(
            code=process.returncode,
            stdout=(streams / "out").read_bytes().decode("utf-8", "backslashreplace"),
            stderr=(streams / "err").read_bytes().decode("utf-8", "backslashreplace"),
            peak_kib=usage.ru_maxrss,  # KiB on Linux
            seconds=seconds,
        )


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def _changes(before: dict[str, Entry], after: dict[str, Entry]) -> list[str]:
    """Paths added, removed or changed between two snapshots."""
    return sorted(rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel))


def class_of(node: pytest.Item | str) -> str:
    """The hostile class of a case: its file's name without ``test_``."""
    name = node if isinstance(node, str) else node.nodeid
    stem = name.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_")
    return CLASSES.get(stem, stem)


@pytest.fixture
def hostile(tmp_path: Path, request: pytest.FixtureRequest) -> Hostile:
    """A minimal valid repository at ``tmp_path/repo`` and the outside world beside it."""
    return Hostile(tmp_path, FIGURES[class_of(request.node)])


@pytest.fixture
def git_available() -> None:
    """git, for the cases that commit the repository or plant git configuration."""
    if shutil.which("git") is None:
        unavailable("git is not installed")


@pytest.fixture
def fifos_available() -> None:
    """FIFOs, for the cases that put one where a file is read."""
    if not hasattr(os, "mkfifo"):
        unavailable("no FIFOs on this system")


needs_git = pytest.mark.usefixtures("git_available")
needs_fifo = pytest.mark.usefixtures("fifos_available")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count each case of this suite once, by its outcome (an expected failure as xfailed)."""
    if Path(report.nodeid.split("::")[0]).parent.name != HERE.name:
        return  # a test of the rest of the suite
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome
        FIGURES[class_of(report.nodeid)].outcomes[outcome] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per class: cases and outcomes, exit codes, time, and the largest peak memory
    of a run that did what its case expects."""
    if not FIGURES:
        return
    parts = []
    for name in CLASSES.values():
        figures = FIGURES.get(name)
        if figures is None:
            continue
        outcomes = ", ".join(f"{n} {what}" for what, n in sorted(figures.outcomes.items()))
        codes = ", ".join(f"{c} in {n}" for c, n in sorted(figures.exit_codes.items()))
        parts.append(
            f"  {name}: {outcomes}; {figures.runs} runs, exit code {codes or 'none'};"
            f" {figures.seconds:.1f} s, peak {figures.peak_kib / 1024:.0f} MiB"
        )
    terminalreporter.write_line("hostile suite:")
    for part in parts:
        terminalreporter.write_line(part)
