"""What a report kind's module provides, and a report built by its kind.

A kind's module (``reports/soc2.py``) holds its view-model, a frozen dataclass derived from
:class:`ReportView`, and one :class:`KindContent` named ``CONTENT``: the function that builds the
view-model from a :class:`ReportSource`, and, for a kind that comes as spreadsheets, the function
that lays it out as tables.

Templates read a view-model by its fields' names, the same names a repository's own templates
read under the kind's name (``soc2.criteria``); a view-model is a read-only mapping of those
names too, so that a template may walk it as it walks any mapping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from importlib import import_module
from typing import Any, Generic, TypeVar

from ciptool.errors import UsageError
from ciptool.graph import Graph
from ciptool.reports import REPORT_KINDS, ReportKind
from ciptool.reports.changes import Changes
from ciptool.reports.common import ReportMeta
from ciptool.reports.frameworks import STATUS_MEANINGS
from ciptool.reports.trends import Trend
from ciptool.results import RunResult

#: A table of a report: (sheet name, header, rows).
Table = tuple[str, list[str], list[list[Any]]]


@dataclass(frozen=True)
class ReportSource:
    """What every report is built from."""

    graph: Graph
    result: RunResult
    meta: ReportMeta
    kind: ReportKind
    #: What changed since an earlier state of the repository (``--since``), if asked.
    changes: Changes | None = None
    #: The repository at the end of each of the last quarters (``--trend``), if asked.
    trend: Trend | None = None

    @property
    def today(self) -> dt.date:
        """The day the report is made as of."""
        return self.result.today


@dataclass(frozen=True, kw_only=True)
class ReportView(Mapping[str, Any]):
    """What every report says: its provenance, its kind, and what each status means."""

    meta: ReportMeta
    kind: ReportKind
    statuses: tuple[tuple[str, str], ...] = STATUS_MEANINGS

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __str__(self) -> str:
        # A template printing the view shows what it printed when views were dictionaries.
        return str(dict(self))

    def _names(self) -> tuple[str, ...]:
        return tuple(each.name for each in fields(self))


View = TypeVar("View", bound=ReportView)


@dataclass(frozen=True)
class KindContent(Generic[View]):
    """A report kind's content: how its view-model is built, and its tables if it has any."""

    build: Callable[[ReportSource], View]
    #: The view-model as tables, in sheet order (CSV and XLSX); None for a kind that comes
    #: as documents only.
    tables: Callable[[View], Sequence[Table]] | None = None
    #: Whether the tables show coverage statuses, so that a workbook says what each means.
    shows_statuses: bool = False

    def sheets(self, view: View) -> Sequence[Table]:
        """The view-model's tables; a LookupError for a kind that has none."""
        if self.tables is None:
            raise LookupError(f"report `{view.kind.name}` has no tables")
        return self.tables(view)


def kind_content(kind: ReportKind) -> KindContent[Any]:
    """The content of ``kind``, from the module its registry line names."""
    content = getattr(import_module(kind.module), "CONTENT", None)
    if not isinstance(content, KindContent):
        raise LookupError(f"{kind.module} has no CONTENT for report `{kind.name}`")
    return content


def build_report(kind: ReportKind, source: ReportSource) -> ReportView:
    """The view-model of a report of ``kind``; a usage error when the framework it is about is
    not in scope."""
    framework = kind.about
    in_scope = _in_scope(source.graph)
    if framework is not None and framework not in in_scope:
        catalog = source.graph.catalogs.get(framework)
        name = catalog.display_name if catalog else framework
        raise UsageError(
            f"report {kind.name} is about {name} ({framework}), which is not in scope:"
            f" frameworks: in ciptool.yaml lists {', '.join(in_scope) or 'no framework'}; add"
            f" {framework} there to report on it"
        )
    view: ReportView = kind_content(kind).build(source)
    return view


def repository_report(
    graph: Graph, result: RunResult, meta: ReportMeta, changes: Changes | None = None
) -> dict[str, Any]:
    """What a repository's own report reads: ``meta``, ``graph`` and ``result``, and every
    report kind's view-model under its name with ``_`` for ``-`` (a kind about a framework
    only when that framework is in scope)."""
    context: dict[str, Any] = {"meta": meta, "graph": graph, "result": result}
    in_scope = _in_scope(graph)
    for kind in REPORT_KINDS.values():
        if kind.about is None or kind.about in in_scope:
            source = ReportSource(graph, result, meta, kind, changes)
            context[kind.name.replace("-", "_")] = kind_content(kind).build(source)
    return context


def _in_scope(graph: Graph) -> list[str]:
    return list(graph.config.frameworks) if graph.config else []
