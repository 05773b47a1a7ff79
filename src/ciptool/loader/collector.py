"""Pausing Python's cyclic garbage collector while many long-lived objects are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many long-lived objects are made.

    Parsing allocates millions of small objects that all live until the run ends; the
    collector would scan them again and again for nothing (measured: 1.4x slower loading,
    and composing a large file again 7x slower). On the way out they are moved out of the
    collector's sight (``gc.freeze``): its next pass would otherwise scan every one of them
    once more (0.6 s on corpus L). They are still freed when nothing refers to them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
