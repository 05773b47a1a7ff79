"""Trends over the last quarters (``--trend``): the repository as it stood at the end of each
quarter, read from git history."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trend:
    """The posture, risk and metric lines over the quarters asked for."""
