"""What the loader finds at an evidence file's path: its state and, when present, its digest.

A leaf (no pydantic): the read-ahead hashes evidence files before the models load.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class FileState(str, Enum):
    """What is found at an evidence file's path."""

    PRESENT = "present"
    MISSING = "missing"
    NOT_A_FILE = "not-a-file"
    OUTSIDE = "outside"  # a link that leads outside the repository
    UNREADABLE = "unreadable"


class EvidenceFileFacts(NamedTuple):
    """An evidence file as found on disk: its state and, when present, its digest and size.

    A named tuple: a large program has a hundred thousand of them, made in every run.
    """

    path: str
    state: FileState
    sha256: str | None = None
    size: int = 0
