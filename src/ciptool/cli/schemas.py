"""Printing ``ciptool schema``: one kind's JSON Schema, the list of kinds, the files written."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path


def print_kinds(kinds: Iterable[tuple[str, str]]) -> None:
    """List the kinds and the files each describes."""
    for kind, files in kinds:
        sys.stdout.write(f"{kind:<11} {files}\n")
    sys.stdout.write(
        "\nPrint one with `ciptool schema KIND`, or all with `ciptool schema --write DIR`.\n"
    )


def print_written(written: Iterable[Path]) -> None:
    """Name each file as it is written."""
    for target in written:
        sys.stdout.write(f"wrote {target}\n")
