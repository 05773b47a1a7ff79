"""The dates ciptool reads, from records and from the command line alike.

A leaf module (see :mod:`ciptool.models`): the command line checks ``--as-of`` against it
without importing the models.
Python's dates end in the year 9999; with these ends and the longest durations the models
allow, no sum a check makes (a date plus a duration, a warning window or an occurrence
interval) can leave that calendar.
"""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)
DATE_RANGE = f"dates must lie between {EARLIEST} and {LATEST}"
