"""Text for a terminal: what it would act on is shown, never acted on.

The one function every line printed to a terminal goes through (findings, explanations,
catalogs, the paths ciptool wrote, its error messages); machine formats escape by their own
rules (JSON, SARIF, JUnit XML, GitHub workflow commands).
"""

from __future__ import annotations

import re

#: What a terminal would act on instead of showing: C0 controls, DEL, C1 controls, bidi
#: controls, and lone surrogates (bytes of a file name that are not UTF-8).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_IN_LINES = re.compile(f"[{_CONTROLS}]")
_IN_ONE_LINE = re.compile(f"[{_CONTROLS}\t\n]")


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` with every character a terminal would act on shown as an escape (``\\x1b``).

    Repository content may carry escape sequences that rewrite a reviewer's screen (hide a
    finding, fake "passed"); shown visibly, they can neither act nor hide. With ``lines``,
    newlines and tabs stay for layout; otherwise they are escaped too, so that one value
    cannot pass for lines of ciptool's own.
    """
    return (_IN_LINES if lines else _IN_ONE_LINE).sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return _escape_byte(match)


#: Lone surrogates: in a file name, the bytes that are not UTF-8 (held as U+DC80-U+DCFF).
_UNDECODABLE = re.compile("[\ud800-\udfff]")


def undecodable_escaped(text: str) -> str:
    """``text`` with each byte of a file name that is not UTF-8 shown as ``\\xff`` (other lone
    surrogates as ``\\udXXX``): a document holds only text that can be written as UTF-8.
    """
    return _UNDECODABLE.sub(_escape_byte, text)


def _escape_byte(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
