"""Worker processes for the heavy part of a cold run: parsing YAML and hashing evidence files.

The workers start on first use, by fork, so they begin at once with everything imported;
only on Linux with two or more processors (elsewhere the one process does everything). Each
job's result comes back as marshalled bytes: plain data, cheap to send.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType
from typing import Any

_MAX_WORKERS = 4


class Workers:
    """A pool of worker processes, started when first given work and stopped on exit."""

    def __init__(self) -> None:
        cpus = os.cpu_count() or 1
        self.count = min(cpus, _MAX_WORKERS) if sys.platform == "linux" else 1
        self._pool: Pool | None = None

    @property
    def available(self) -> bool:
        """True when work can be spread over two or more processes."""
        return self.count >= 2

    def imap(self, function: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[Any]:
        """``function(job)`` for every job, computed by the workers, in the order of ``jobs``.

        The jobs are given to the workers at once; their results are waited for one by one.
        """
        results = self._started().imap(partial(_marshalled, function), jobs)
        return (marshal.loads(result) for result in results)

    def later(self, function: Callable[[Any], Any], jobs: list[Any]) -> Pending:
        """Start ``function(job)`` for every job after the work already given; collect later."""
        return Pending(self._started().map_async(partial(_marshalled, function), jobs))

    def _started(self) -> Pool:
        # fork: the parent runs no threads at this point, and the children need no imports.
        if self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self.count)
        return self._pool

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None


class Pending:
    """Results that workers are computing while the run goes on."""

    def __init__(self, result: AsyncResult[list[bytes]]) -> None:
        self._result = result

    def get(self) -> list[Any]:
        """Every job's result, in the order of the jobs; waits for those still running."""
        return [marshal.loads(result) for result in self._result.get()]


def _marshalled(function: Callable[[Any], Any], job: Any) -> bytes:
    return marshal.dumps(function(job))
