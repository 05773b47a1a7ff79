"""What every check is: a code, a slug, a default severity, documentation, and a pure run."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from ciptool.checks.loading import first_paragraph
from ciptool.findings import Finding, Location, Severity
from ciptool.graph import Graph
from ciptool.models.records import Period


@dataclass(frozen=True)
class Context:
    """What a check may read: the graph, the run's "today", and the run's settings."""

    graph: Graph
    today: dt.date
    soc2_period: Period | None = None
    expiry_warning_days: int = 30


class Check:
    """Base of every check. The class docstring is the check's documentation.

    A check is a pure generator over the context: it reads no files and no clock (the run's
    "today" is in the context), and keeps no state between runs.
    """

    code: ClassVar[str]
    slug: ClassVar[str]
    family: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR

    def run(self, ctx: Context) -> Iterator[Finding]:
        """Yield this check's findings for the context's graph."""
        raise NotImplementedError

    def finding(
        self,
        message: str,
        location: Location | None,
        suggestion: str = "",
        *,
        subject: str = "",
        related: tuple[Location, ...] = (),
        control: str = "",
        requirement: str = "",
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
            control=control,
            requirement=requirement,
        )

    @classmethod
    def documentation(cls) -> str:
        """The check's documentation, from its docstring, with code in single backticks."""
        return inspect.cleandoc(cls.__doc__ or "").replace("``", "`")

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of the documentation, on one line."""
        return first_paragraph(cls.documentation())
