"""Where a file an evidence record lists is in the repository: the one normalisation of a path
as written, relative to the record's folder, to a repository path (or None when it leaves the
repository).

The loader finds the files by it, the checks and reports name them by it. Its answers are kept
for the life of the process: every check and report asks again for the same pairs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from functools import cache

from ciptool.models.records import EvidenceRecord
from ciptool.models.sourced import Sourced
from ciptool.models.standards import ThirdPartyEvidenceRecord

#: A Windows drive (``C:``) at the start of a path: absolute on that system.
_DRIVE = re.compile(r"^[A-Za-z]:")
#: A relative path that is already normal: no ``.`` or ``..`` parts, no empty ones, no
#: backslashes. Nearly every path a record lists is one, and joins without normalising.
_PLAIN_PATH = re.compile(r"(?:[\w-][\w.-]*/)*[\w-][\w.-]*", re.ASCII)


@cache  # every check and report asks again for the same (record file, path) pairs
def evidence_file_key(record_file: str, written: str) -> str | None:
    """The repository path of a file a record lists, or None when the path leaves the repository.

    The path is relative to the record's folder; judged on the text alone, so absolute paths,
    drive letters and ``..`` above the top of the repository give None.
    """
    folder = record_file.rpartition("/")[0]  # a repository path, always normal
    if _PLAIN_PATH.fullmatch(written):
        return f"{folder}/{written}" if folder else written
    if written.startswith(("/", "\\")) or _DRIVE.match(written):
        return None
    joined = posixpath.normpath(posixpath.join(folder, written.replace("\\", "/")))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def document_key(written: str) -> str | None:
    """The repository path of a document written from the repository's top folder (an app's
    attestation), or None when the path leaves the repository; judged as
    :func:`evidence_file_key` judges a path."""
    return evidence_file_key("", written)


def listed_paths(
    records: Iterable[Sourced[EvidenceRecord] | Sourced[ThirdPartyEvidenceRecord]],
) -> Iterator[str]:
    """The repository path of every file ``records`` list, in order; paths that leave the
    repository are left out.
    """
    for sourced in records:
        for entry in sourced.record.files:
            key = evidence_file_key(sourced.file, entry.path)
            if key is not None:
                yield key
