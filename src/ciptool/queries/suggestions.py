"""Suggestions for an id that names nothing: "did you mean" the closest known id or framework.

Shared by the reference and exception checks, ``ciptool evidence add`` and the command line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: Names people commonly write for a bundled framework.
FRAMEWORK_ALIASES = {
    "csf": "nist-csf-2.0",
    "nist-csf": "nist-csf-2.0",
    "nist-csf-2": "nist-csf-2.0",
    "csf-2.0": "nist-csf-2.0",
    "csf2": "nist-csf-2.0",
    "nist-csf-1": "nist-csf-1.1",
    "csf-1.1": "nist-csf-1.1",
    "iso27001": "iso27001-2022",
    "iso-27001": "iso27001-2022",
    "iso27002": "iso27001-2022",
    "iso27002-2022": "iso27001-2022",
    "iso-27001-2022": "iso27001-2022",
    "iso-iec-27001-2022": "iso27001-2022",
    "soc2": "soc2-2017",
    "soc-2": "soc2-2017",
    "tsc": "soc2-2017",
    "tsc-2017": "soc2-2017",
}


def did_you_mean(written: str, known: list[str], otherwise: str) -> str:
    """ "Did you mean `X`?" for the closest of ``known``, or ``otherwise`` when none is close."""
    return Closest(known).hint(written, otherwise)


class Closest:
    """The closest of many known ids to each id written, looked for once per id written.

    Comparing one id with ten thousand takes about a tenth of a second, and a renamed control
    leaves the same unknown id in many records.
    """

    def __init__(self, known: Iterable[str]) -> None:
        self.known = list(known)
        # Compared without regard to case: `iam-01` is closest to IAM-01, which a comparison
        # of the letters as written scores below the cut-off.
        self._folded: dict[str, str] = {}
        for known_id in self.known:
            self._folded.setdefault(known_id.casefold(), known_id)
        self._found: dict[str, str | None] = {}

    def hint(self, written: str, otherwise: str) -> str:
        """ "Did you mean `X`?", or ``otherwise`` when no known id is close."""
        if written not in self._found:
            folded = written.strip().casefold()
            close = [folded] if folded in self._folded else []
            close = close or difflib.get_close_matches(folded, self._folded, n=1, cutoff=0.6)
            self._found[written] = self._folded[close[0]] if close else None
        found = self._found[written]
        return f"Did you mean `{found}`?" if found else otherwise


def suggest_framework(written: str, known: list[str]) -> str:
    """A "did you mean" for an unknown framework id, or a list of the known ones."""
    alias = FRAMEWORK_ALIASES.get(written.lower())
    if alias in known:
        return f"Did you mean `{alias}`?"
    close = difflib.get_close_matches(written.lower(), known, n=1, cutoff=0.6)
    if close:
        return f"Did you mean `{close[0]}`?"
    return "Known frameworks: " + ", ".join(sorted(known)) + " (see `ciptool frameworks list`)."
