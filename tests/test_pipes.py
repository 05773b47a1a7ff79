"""A reader that stops reading (`ciptool check | head -1`) ends ciptool as it ends git or grep:
by SIGPIPE, quietly, with the status a shell reports as 141, never with exit 1 (findings) or a
traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from conftest import AS_OF, PROJECT_ROOT, MakeRepo

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE here")

COMMANDS = [
    ["check"],
    ["check", "-f", "json"],
    ["check", "-f", "sarif"],
    ["report", "audit-committee", "-o", "-"],
    ["frameworks", "show", "nist-csf-2.0"],
    ["frameworks", "list", "-f", "json"],
    ["rules", "list"],
]


def _into_closed_pipe(command: list[str], *, stderr_too: bool) -> subprocess.CompletedProcess[str]:
    """Run ciptool with its standard output (and error) a pipe nobody reads any more."""
    read, write = os.pipe()
    os.close(read)  # before ciptool starts: its first write finds no reader
    try:
        return subprocess.run(
            [sys.executable, "-m", "ciptool", *command],
            stdout=write,
            stderr=write if stderr_too else subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_closed_pipe_ends_ciptool_by_sigpipe_quietly(
    command: list[str], make_repo: MakeRepo
) -> None:
    root = make_repo({"evidence/2026/iam-01.yaml": "evidence: []\n"})  # EV001, EV006
    options = ["--repo", str(root), "--as-of", str(AS_OF), "--no-cache"]
    full = [*command, *options] if command[0] in ("check", "report") else command
    completed = _into_closed_pipe(full, stderr_too=False)
    assert completed.returncode == -signal.SIGPIPE
    for quiet in ("Traceback", "Exception ignored", "Broken pipe", "BrokenPipeError"):
        assert quiet not in completed.stderr


def test_stdout_and_stderr_into_one_closed_pipe(make_repo: MakeRepo) -> None:
    """`ciptool check 2>&1 | head -1`: the summary on stderr meets the closed pipe too."""
    root = make_repo({"evidence/2026/iam-01.yaml": "evidence: []\n"})
    completed = _into_closed_pipe(
        ["check", "--repo", str(root), "--as-of", str(AS_OF), "--no-cache"], stderr_too=True
    )
    assert completed.returncode == -signal.SIGPIPE


def test_a_shell_pipeline_sees_141() -> None:
    """The SARIF of the example program (about 110 KB) cannot fit in a pipe (64 KiB) that is
    never read, so ciptool meets the closed pipe whatever the timing."""
    script = '"$@" | true; echo "${PIPESTATUS[0]}"'
    options = ["--repo", str(PROJECT_ROOT), "--as-of", str(AS_OF), "--no-cache", "-f", "sarif"]
    command = [sys.executable, "-m", "ciptool", "check", *options]
    completed = subprocess.run(
        ["bash", "-c", script, "pipeline", *command], capture_output=True, text=True, check=True
    )
    assert completed.stdout == "141\n"
    assert completed.stderr == ""


def test_a_reader_that_reads_everything_sees_the_runs_own_exit_code(make_repo: MakeRepo) -> None:
    root = make_repo({"evidence/2026/iam-01.yaml": "evidence: []\n"})
    command = ["check", "--repo", str(root), "--as-of", str(AS_OF), "--no-cache", "-f", "json"]
    completed = subprocess.run(
        [sys.executable, "-m", "ciptool", *command], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 1  # EV001
    assert '"code": "EV001"' in completed.stdout
