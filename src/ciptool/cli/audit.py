"""``ciptool audit``: the commands of audit fieldwork, registered on :data:`audit_app`."""

from __future__ import annotations

from ciptool.cli import (
    audit_app,
    audit_requests,  # noqa: F401 - registers `audit requests`
    audit_sample,  # noqa: F401 - registers `ciptool audit sample`
)

__all__ = ["audit_app"]
