"""What every check is: a code, a slug, a default severity, documentation, and a pure run."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import ClassVar

from ciptool.findings import Finding, Location, Severity
from ciptool.graph import Graph


class Check:
    """Base of every check. The class docstring is the check's documentation.

    A check is a pure generator over the graph: it reads no files and no clock, and keeps no
    state between runs.
    """

    code: ClassVar[str]
    slug: ClassVar[str]
    family: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR

    def run(self, graph: Graph) -> Iterator[Finding]:
        """Yield this check's findings for ``graph``."""
        raise NotImplementedError

    def finding(
        self,
        message: str,
        location: Location | None,
        suggestion: str = "",
        *,
        subject: str = "",
        related: tuple[Location, ...] = (),
    ) -> Finding:
        """A finding of this check with its code and default severity."""
        return Finding(
            self.code,
            self.severity,
            message,
            location,
            suggestion,
            subject=subject,
            related=related,
        )

    @classmethod
    def documentation(cls) -> str:
        """The check's documentation, from its docstring."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation."""
        return cls.documentation().splitlines()[0] if cls.__doc__ else ""
