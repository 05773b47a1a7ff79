"""The registry of the formats of ``ciptool report``: each format, its renderer, and what it
needs of a report.

Markdown and HTML are rendered from a kind's templates (a repository's own report too), PDF
from the same HTML laid out for print, CSV and XLSX from its tables. Each renderer is imported
only when its format is asked for (a deferred import, for start-up: openpyxl and WeasyPrint
load only for their formats).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ciptool.render import ReportFormat

if TYPE_CHECKING:
    from ciptool.reports.view import Table


@dataclass(frozen=True)
class Document:
    """A report as its formats take it."""

    #: The repository, whose ``templates/`` are searched before ciptool's own.
    root: Path
    #: The report's name, which names its templates (``soc2`` -> ``soc2.md.j2``).
    name: str
    #: What its templates read: ``meta`` and the rest of the report's content.
    context: Mapping[str, Any]
    #: Its tables, in sheet order, for the formats made of tables.
    tables: Sequence[Table] = ()
    #: Whether the tables show coverage statuses, so that a workbook says what each means.
    shows_statuses: bool = False


@dataclass(frozen=True)
class ReportOutput:
    """A format of ``ciptool report``, and what it needs to be written."""

    format: ReportFormat
    #: Writes the document in this format.
    render: Callable[[Document], bytes]
    #: Written to a file only, never to standard output.
    binary: bool = False
    #: Made of the report's tables, which only some of ciptool's report kinds have; the other
    #: formats are made from templates.
    from_tables: bool = False
    #: The template a format made from templates renders: ``KIND.TEMPLATE.j2`` (PDF is the
    #: HTML document laid out for print); by default the format's own name.
    template: str | None = None

    @property
    def template_format(self) -> str:
        """The ``FMT`` of the ``KIND.FMT.j2`` template this format is made from."""
        return self.template or self.format.value


def _markdown(document: Document) -> bytes:
    from ciptool.render.documents import render_document

    return render_document(document.root, document.name, "md", document.context).encode("utf-8")


def _html(document: Document) -> bytes:
    from ciptool.render.documents import render_document

    text = render_document(document.root, document.name, "html", document.context)
    return text.encode("utf-8")


def _csv(document: Document) -> bytes:
    from ciptool.render.spreadsheets import render_csv

    return render_csv(document.tables)


def _xlsx(document: Document) -> bytes:
    from ciptool.render.spreadsheets import render_xlsx

    statuses = document.context["statuses"] if document.shows_statuses else ()
    return render_xlsx(document.tables, document.context["meta"], statuses)


def _pdf(document: Document) -> bytes:
    from ciptool.render.pdf import render_pdf

    return render_pdf(document.name, document.context, document.root)


#: Every format of ``ciptool report``; a test proves each :class:`ReportFormat` is here and
#: nothing else is.
REPORT_OUTPUTS: dict[ReportFormat, ReportOutput] = {
    output.format: output
    for output in (
        ReportOutput(ReportFormat.md, _markdown),
        ReportOutput(ReportFormat.html, _html),
        ReportOutput(ReportFormat.csv, _csv, from_tables=True),
        ReportOutput(ReportFormat.xlsx, _xlsx, binary=True, from_tables=True),
        ReportOutput(ReportFormat.pdf, _pdf, binary=True, template="html"),
    )
}
