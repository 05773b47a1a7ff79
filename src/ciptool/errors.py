"""Errors that stop a run: an unusable configuration or bad usage (exit code 2)."""

from __future__ import annotations


class CiptoolError(Exception):
    """Base class for errors ciptool reports to the user without a traceback."""


class UsageError(CiptoolError):
    """The command line asks for something that cannot be done."""


class RepositoryNotFound(CiptoolError):
    """No ``ciptool.yaml`` was found."""
