"""The briefing's narrative: a Markdown file the CISO writes in the repository, named by
``briefing.narrative`` in ``ciptool.yaml``.

It is looked at and hashed with the evidence files (through the file source, so that the inputs
digest holds it and a cached run notices a change), then read as evidence files are read: a
regular file only, inside the repository, at most :data:`NARRATIVE_LIMIT` bytes, UTF-8 text.
What it says reaches the briefing as text, never as markup.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ciptool.fileio.regular import FileReplaced, FileTooLarge, NotRegularFile, read_regular_file
from ciptool.findings import Finding, Location, Severity
from ciptool.loader.identities import evidence_signature
from ciptool.loader.places import CONFIG_FILE
from ciptool.models.filefacts import EvidenceFileFacts, FileState

#: The most bytes a narrative may hold: a page of text is a few kilobytes.
NARRATIVE_LIMIT = 64 * 1024

#: Characters no text file holds: C0 controls other than tab and line breaks, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def narrative_text(
    root: Path, key: str | None, facts: EvidenceFileFacts | None
) -> tuple[str | None, str]:
    """The narrative's text, or None and why it cannot be used, in words.

    ``key`` is its repository path (None when the path as written leaves the repository) and
    ``facts`` what the file source found there.
    """
    if key is None or facts is None or facts.state is FileState.OUTSIDE:
        return None, "leads outside the repository"
    if facts.state is FileState.MISSING:
        return None, "does not exist"
    if facts.state is FileState.NOT_A_FILE:
        return None, "is not a regular file (a folder, a FIFO or a device)"
    if facts.state is not FileState.PRESENT:
        return None, "cannot be read"
    # Looked at again for the inode to open: a link swapped in since (which could lead
    # anywhere) is another file, and is never read.
    looked = evidence_signature(root, key)
    if isinstance(looked, str):
        return None, "changed while it was read"
    try:
        data = read_regular_file(root / key, NARRATIVE_LIMIT, inode=looked[2])
    except FileReplaced:
        return None, "changed while it was read"
    except FileTooLarge as error:
        return None, f"holds {error.size:,} bytes, over the {NARRATIVE_LIMIT // 1024} KiB allowed"
    except NotRegularFile:
        return None, "is not a regular file (a folder, a FIFO or a device)"
    except OSError:
        return None, "cannot be read"
    if hashlib.sha256(data).hexdigest() != facts.sha256:
        return None, "changed while it was read"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    if _CONTROL.search(text):
        return None, "is not text (it holds NUL or other control characters)"
    return text, ""


def narrative_problem(written: str, why: str) -> Finding:
    """LD016 at ``briefing.narrative`` in ``ciptool.yaml``: the narrative cannot be used."""
    return Finding(
        "LD016",
        Severity.WARNING,
        f"the briefing's narrative `{written}` {why}; the briefing is made without it",
        Location(CONFIG_FILE, yaml_path="briefing.narrative", path=("briefing", "narrative")),
        "Name a Markdown file inside the repository (a path from its top folder), of at most"
        f" {NARRATIVE_LIMIT // 1024} KiB of UTF-8 text, or remove `narrative:`.",
    )
