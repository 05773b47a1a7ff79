"""Marshalled data read back: ``marshal.loads`` refusing code objects where Python can."""

from __future__ import annotations

import marshal
import sys
from typing import Any


def unmarshal(data: bytes | memoryview) -> Any:
    """``marshal.loads``, refusing code objects where Python can (3.13 and later).

    What was marshalled is checked by its reader as well: marshal is not made to be safe
    against crafted data, and a cache folder may have been written by anyone who could write
    the repository's folder.
    """
    if sys.version_info >= (3, 13):
        return marshal.loads(data, allow_code=False)
    return marshal.loads(data)
