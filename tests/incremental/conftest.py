"""The cache tests' own fixtures: counting what a run really did, and files taken as settled.

They reach into the incremental room (its modules' attributes are patched for a test's
length), which the rest of the suite never does.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ciptool import engine
from ciptool.incremental import cachefiles, recheck
from ciptool.incremental import filecache as loader_cache

#: What each recheck returned: its result, or None where it declined.
Calls = list[object]


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """One entry each time the engine ran every check on a loaded repository."""
    ran: list[object] = []
    real = engine.run_checks

    def counted(*args: object) -> object:
        ran.append(args)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "run_checks", counted)
    return ran


@pytest.fixture
def rechecks(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """What each recheck after changed evidence records returned (see incremental.recheck)."""
    calls: Calls = []
    real = recheck.recheck

    def counted(*args: object, **kwargs: object) -> object:
        outcome = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(outcome)
        return outcome

    monkeypatch.setattr(recheck, "recheck", counted)
    return calls


def written_just_now(root: Path) -> None:
    """Stamp every file under ``root`` as modified at this process's now.

    Whether a file changed just before a run is judged against the process's clock; under a
    clock moved for a test run (libfaketime) the filesystem's own stamps stay on the real one.
    """
    now = time.time_ns()
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(now, now))


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written before a run count as settled, as if written long ago.

    The tests write files moments before each run; on a filesystem with coarse timestamps
    their entries would be racy and verified (see the coarse-timestamp test in test_cache.py);
    this one has nanosecond timestamps, so nothing is lost by trusting entries at once.
    """
    monkeypatch.setattr(loader_cache, "RACY_NS", 0)
    monkeypatch.setattr(cachefiles, "RACY_NS", 0)


@pytest.fixture
def git_for_every_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file the cache has no entry for is looked up in git's index, as a large fresh
    clone's first run does."""
    monkeypatch.setattr(loader_cache, "GIT_MIN_MISSES", 1)
