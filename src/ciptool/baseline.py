"""Baselines: the findings a repository already had, so that CI fails only on new ones.

A baseline file is JSON written by ``ciptool check --write-baseline FILE``: a version and, for
every finding, its fingerprint with its code, file and message for people reading the file.
Fingerprints leave out line numbers and list positions, so a baseline survives edits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ciptool.atomic import write_product
from ciptool.errors import UsageError
from ciptool.findings import Finding

BASELINE_VERSION = 1


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file holds; a usage error when it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"baseline {path} does not exist; write one with --write-baseline"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"baseline {path} cannot be read: {exc}") from None
    if not isinstance(document, dict) or document.get("baseline_version") != BASELINE_VERSION:
        raise UsageError(f"{path} is not a ciptool baseline (version {BASELINE_VERSION})")
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise UsageError(f"{path} is not a ciptool baseline: `findings` should be a list")
    return frozenset(str(entry.get("fingerprint")) for entry in entries if isinstance(entry, dict))


def write_baseline(path: Path, findings: tuple[Finding, ...]) -> int:
    """Write every finding's fingerprint to ``path``; the number of distinct entries."""
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
    write_product(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(ordered)
