"""A repository's record files walked, and their reading begun, before the models load.

Importing pydantic, the models and the checks takes about 0.2 s, in which one of two cores
would have nothing to do. So a run that will load a whole repository first walks its record
folders, gives the YAML files to parse to worker processes and queues the evidence files new to
the cache for hashing behind them; then it imports the rest while the workers work. Nothing
here needs the models. The loader takes what was found and read (see
:func:`ciptool.loader.repository.load_repository`) in the order a load without it would.
"""

from __future__ import annotations

from pathlib import Path

from ciptool.incremental.filecache import FileCache
from ciptool.incremental.reading import Reading
from ciptool.incremental.signatures import Inputs
from ciptool.incremental.source import CachedSource, hash_later
from ciptool.incremental.workers import Pending, Workers
from ciptool.loader.collector import gc_paused
from ciptool.loader.source import RecordFiles, walk_records

#: Hashing evidence files ahead pays for starting workers from this many files that the cache
#: has no entry for (a first run, or a cache folder newly made).
HASH_AHEAD_MIN_FILES = 512


class ReadAhead(CachedSource):
    """The record files of ``root`` found, and their parsing and the hashing of new evidence
    files begun, through the cache in ``cache_dir`` (none: everything is read afresh); what
    is read is recorded in ``inputs``. The workers stop when the load is done or
    :meth:`close` is called (use it with :func:`contextlib.closing`).
    """

    def __init__(self, root: Path, cache_dir: Path | None, inputs: Inputs | None = None) -> None:
        root = root.resolve()
        # The walk is recorded apart: it joins what the load reads when the loader asks for
        # the record files, in the order of a load without read-ahead.
        super().__init__(root, FileCache(root, cache_dir), Inputs(), Workers())
        with gc_paused():
            self._records = walk_records(self)
            files = [found for items in self._records.found.values() for found in items]
            self._reading = Reading(files, self.cache, self.workers)
        self._walked, self.inputs = self.inputs, inputs if inputs is not None else Inputs()
        self.hashing = self._hash_ahead()

    def record_files(self) -> RecordFiles:
        """The record files found and read ahead; the parsed files are saved now."""
        self.inputs.folders.update(self._walked.folders)
        self.inputs.files.update(self._walked.files)
        records = self._records
        records.read = self._reading.finish()
        self.cache.finish("yaml")
        return records

    def _hash_ahead(self) -> Pending | None:
        """Evidence files new to the cache, queued for the workers behind the parsing.

        They are all the files in ``evidence/`` but records: nearly always the files the
        records list, which are only known once the records are validated.
        """
        workers = self.workers
        if workers is None or not workers.available:
            return None
        new = [path for path in self._records.artifacts if not self.cache.knows("files", path)]
        if len(new) < HASH_AHEAD_MIN_FILES:
            return None
        return hash_later(workers, self.root, new)
