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

from ciptool.findings import Finding
from ciptool.incremental.filecache import FileCache
from ciptool.incremental.signatures import Inputs
from ciptool.incremental.workers import Pending, Workers
from ciptool.loader.collector import gc_paused
from ciptool.loader.files import FoundFile, walk_yaml
from ciptool.loader.hashing import hash_later
from ciptool.loader.reading import Reading

#: The folders of record files, in the order they are loaded.
RECORD_FOLDER_NAMES = ("controls", "policies", "evidence", "exceptions")
#: Evidence artifacts live in folders of this name and are never read as records.
EVIDENCE_FILES_DIR = "files"
#: Hashing evidence files ahead pays for starting workers from this many files that the cache
#: has no entry for (a first run, or a cache folder newly made).
HASH_AHEAD_MIN_FILES = 512


class ReadAhead:
    """The record files of ``root`` found, and their parsing and the hashing of new evidence
    files begun; the workers stop when the load is done or :meth:`close` is called (use it
    with :func:`contextlib.closing`).
    """

    def __init__(self, root: Path, cache_dir: Path | None) -> None:
        self.root = root = root.resolve()
        self.cache = FileCache(root, cache_dir)
        #: What the walk listed and found, and its findings.
        self.inputs = Inputs()
        self.findings: list[Finding] = []
        #: The files under evidence/ that are not records.
        self.artifacts: list[str] = []
        self.workers = Workers()
        with gc_paused():
            self.found: dict[str, list[FoundFile]] = {
                folder: list(
                    walk_yaml(
                        root,
                        folder,
                        self.findings,
                        self.inputs,
                        skip_dir=EVIDENCE_FILES_DIR if folder == "evidence" else "",
                        others=self.artifacts if folder == "evidence" else None,
                    )
                )
                for folder in RECORD_FOLDER_NAMES
            }
            files = [found for files in self.found.values() for found in files]
            self.reading = Reading(files, self.cache, self.workers)
        self.hashing = self._hash_ahead()

    def _hash_ahead(self) -> Pending | None:
        """Evidence files new to the cache, queued for the workers behind the parsing.

        They are all the files in ``evidence/`` but records: nearly always the files the
        records list, which are only known once the records are validated.
        """
        if not self.workers.available:
            return None
        new = [path for path in self.artifacts if not self.cache.knows("files", path)]
        if len(new) < HASH_AHEAD_MIN_FILES:
            return None
        return hash_later(self.workers, self.root, new)

    def close(self) -> None:
        """Stop the workers; what they had not finished is dropped."""
        self.workers.__exit__(None, None, None)
