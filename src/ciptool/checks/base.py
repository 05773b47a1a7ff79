"""What every check is: a code, a slug, a default severity, a scope, documentation, and a pure
run."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from ciptool.checks.loading import first_paragraph
from ciptool.findings import Finding, Location, Severity
from ciptool.graph import Graph
from ciptool.models.records import Period


@dataclass(frozen=True)
class Context:
    """What a check may read: the graph, the run's "today", the codes of every rule (which the
    exception checks hold an exception's check code against), and the run's settings."""

    graph: Graph
    today: dt.date
    known_codes: frozenset[str]
    soc2_period: Period | None = None
    expiry_warning_days: int = 30


class Scope(Enum):
    """What a change to the repository can affect of a check's findings.

    A check after evidence records changed (:mod:`ciptool.incremental.recheck`) runs again
    only the checks whose findings those records can change, and keeps the others' findings:
    a check that says less than it depends on is reported with ``--no-cache`` and missing
    from a kept result. When unsure, say ``REPOSITORY``: it is never wrong, only slower.
    """

    #: Each finding is about one record and located in its file; it depends on that record,
    #: the files it lists, the program settings and, for an evidence record, the control it
    #: names (whether it exists, and its evidence requirements). A change to a record changes
    #: only the findings located in its file. (A check that reads no evidence record says
    #: ``DEFINITIONS``, even when each of its findings is about one control or policy.)
    RECORD = "record"
    #: Each finding is about one control (its ``control``) and depends on the control, the
    #: program settings and every evidence record that names the control (and, when it is
    #: located in a risk, on the risks that name the control; when located in a workpaper or
    #: a request, on the workpapers of the control or the requests whose evidence references
    #: name it: a check after changed evidence records reads those again).
    CONTROL = "control"
    #: Each finding is about one file under ``evidence/`` (its ``subject``) and depends on
    #: whether any record lists it.
    EVIDENCE_FILE = "evidence-file"
    #: Each finding is about one third party or a third party's evidence record, and depends
    #: on the third parties, the minimum standards, the program settings and the third
    #: parties' evidence records, never on a control's. A check after changed evidence records
    #: keeps these findings, and declines when a changed file holds a third party's evidence
    #: record, before or after the change.
    THIRD_PARTY = "third-party"
    #: Findings depend on the program's definitions (settings, catalogs, crosswalks, controls,
    #: policies, exceptions), never on an evidence record: a change to evidence records
    #: changes none of them.
    DEFINITIONS = "definitions"
    #: A finding may depend on anything in the repository: any change may change any
    #: finding, so a check after a change runs it over the whole repository.
    REPOSITORY = "repository"


class Check:
    """Base of every check. The class docstring is the check's documentation.

    A check is a pure generator over the context: it reads no files and no clock (the run's
    "today" is in the context), and keeps no state between runs. Each check says its
    :class:`Scope`; there is no default, so that a new check cannot be wrong under a kept
    result by saying nothing.
    """

    code: ClassVar[str]
    slug: ClassVar[str]
    family: ClassVar[str]
    scope: ClassVar[Scope]
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
