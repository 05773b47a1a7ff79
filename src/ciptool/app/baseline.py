"""Baselines: the findings a repository already had, so that CI fails only on new ones.

A baseline file is JSON written by ``ciptool check --write-baseline FILE``: a version and, for
every finding, its fingerprint with its code, file and message for people reading the file.
Fingerprints leave out line numbers and list positions, so a baseline survives edits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ciptool.errors import UsageError
from ciptool.fileio.atomic import ReadByTheRun, write_product
from ciptool.fileio.regular import FileTooLarge, NotRegularFile, read_regular_file
from ciptool.findings import Finding

BASELINE_VERSION = 1
#: Largest baseline read, as for a YAML file: about 60,000 findings (some 280 bytes each).
MAX_BASELINE_BYTES = 16 * 1024 * 1024
#: Longest number read; a baseline holds one, its version.
MAX_BASELINE_DIGITS = 20


class _Unreadable(Exception):
    """Why a baseline's bytes cannot be read as one, in words for its reader."""


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file holds; a usage error when it is not one."""
    try:
        document = _parse(_read(path))
    except FileNotFoundError:
        raise UsageError(
            f"baseline {path} does not exist; write one with --write-baseline"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, _Unreadable) as exc:
        raise UsageError(f"baseline {path} cannot be read: {exc}") from None
    if not isinstance(document, dict) or document.get("baseline_version") != BASELINE_VERSION:
        raise UsageError(f"{path} is not a ciptool baseline (version {BASELINE_VERSION})")
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise UsageError(f"{path} is not a ciptool baseline: `findings` should be a list")
    return frozenset(str(entry.get("fingerprint")) for entry in entries if isinstance(entry, dict))


def _read(path: Path) -> bytes:
    """The bytes of a regular file no larger than MAX_BASELINE_BYTES.

    A FIFO is opened without waiting for a writer, and neither it nor a device is read.
    """
    try:
        return read_regular_file(path, MAX_BASELINE_BYTES)
    except NotRegularFile:
        raise _Unreadable("it is not a regular file") from None
    except FileTooLarge:
        raise _Unreadable(f"it is larger than {MAX_BASELINE_BYTES:,} bytes") from None


def _parse(data: bytes) -> Any:
    """JSON ``data`` read with bounded nesting and numbers.

    Python's JSON reader recurses once per level up to the interpreter's limit (about a
    thousand levels), and refuses numbers over 4,300 digits only after converting them, each
    in its own words: both are worded here, and numbers are bounded lower.
    """
    try:
        return json.loads(data.decode("utf-8"), parse_int=_bounded_int)
    except RecursionError:
        raise _Unreadable("nested too deeply") from None


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_BASELINE_DIGITS:
        raise _Unreadable(f"a number longer than {MAX_BASELINE_DIGITS} digits")
    return int(digits)


def write_baseline(
    path: Path, findings: tuple[Finding, ...], read: ReadByTheRun | None = None
) -> int:
    """Write every finding's fingerprint to ``path``, never over a file the run ``read``; the
    number of distinct entries."""
    entries: dict[str, dict[str, Any]] = {}
    for finding in findings:
        entries.setdefault(
            finding.fingerprint,
            {
                "fingerprint": finding.fingerprint,
                "code": finding.code,
                "file": finding.location.file if finding.location else None,
                "message": finding.message,
            },
        )
    ordered = sorted(entries.values(), key=lambda e: (e["file"] or "", e["code"], e["fingerprint"]))
    document = {"baseline_version": BASELINE_VERSION, "findings": ordered}
    write_product(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n", read)
    return len(ordered)
