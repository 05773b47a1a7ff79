"""``ciptool audit``: the commands of audit fieldwork, registered on :data:`audit_app`."""

from __future__ import annotations

from ciptool.cli import audit_app

__all__ = ["audit_app"]
