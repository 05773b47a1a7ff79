"""CSV and XLSX for the reports an auditor works in: control matrix, request list, SoA, index.

In a workbook every table is a sheet with a frozen header row and an autofilter over its
columns; numbers are numbers and dates are dates (shown yyyy-mm-dd); in CSV a date is written
yyyy-mm-dd. No cell can run as a formula: text that begins with ``=``, ``+``, ``-``, ``@`` or
a control character is written with a leading apostrophe. XLSX files carry the generation
time and fixed archive timestamps, so the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from ciptool.reports.common import ReportMeta
from ciptool.reports.view import Table

#: How a date cell is shown.
DATE_FORMAT = "yyyy-mm-dd"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_W3CDTF = re.compile(
    r"(<dcterms:(?:created|modified)[^>]*>)([^<]*)(</dcterms:(?:created|modified)>)"
)


def safe_cell(value: Any) -> Any:
    """A cell value that a spreadsheet shows as written and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if text.startswith(_FORMULA_START) or (text and ord(text[0]) < 32):
        return "'" + text
    return text


def render_csv(sheets: Sequence[Table]) -> bytes:
    """A report's tables as one CSV table, its header on the first line.

    A report of several tables (SOC 2's control matrix and evidence request list) is one
    table whose first column, "Table", names the table each row belongs to; its columns are
    those of every table, a column the tables share (Control, Owner, Status...) once.
    """
    if len(sheets) == 1:
        _, header, rows = sheets[0]
    else:
        header = ["Table"]
        for _, columns, _ in sheets:
            header.extend(column for column in columns if column not in header)
        rows = []
        for name, columns, table in sheets:
            positions = [header.index(column) for column in columns]
            for row in table:
                line: list[Any] = [name] + [""] * (len(header) - 1)
                for position, value in zip(positions, row, strict=True):
                    line[position] = value
                rows.append(line)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[safe_cell(value) for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def render_xlsx(
    sheets: Sequence[Table], meta: ReportMeta, statuses: Sequence[tuple[str, str]] = ()
) -> bytes:
    """A report's tables as an XLSX workbook, one sheet per table, and an About sheet with
    its provenance and, for tables that show statuses, what each status means."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    moment = meta.generated_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "ciptool"
    workbook.properties.title = f"{meta.title} - {meta.program}"
    for name, header, rows in sheets:
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row_index, row in enumerate(rows, start=2):
            for column_index, value in enumerate(row, start=1):
                _set_cell(sheet.cell(row=row_index, column=column_index), value)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{len(rows) + 1}"
        for column, title in zip(sheet.columns, header, strict=False):
            width = max([len(title), *(len(str(c.value or "")) for c in column)])
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    provenance = workbook.create_sheet(title="About")
    for label, value in (
        ("Report", meta.title),
        ("Program", meta.program),
        ("As of", meta.as_of.isoformat()),
        ("Generated", meta.generated_text),
        ("Repository commit", meta.commit_text),
        ("ciptool version", meta.tool_version),
        ("Inputs digest (SHA-256)", meta.inputs_digest),
    ):
        # The program's name comes from the repository: it is a cell like any other.
        provenance.append([label])
        _set_cell(provenance.cell(row=provenance.max_row, column=2), value)
    if statuses:
        provenance.append([])
        provenance.append(["Status", "What it means"])
        for cell in provenance[provenance.max_row]:
            cell.font = Font(bold=True)
        for name, meaning in statuses:
            provenance.append([name, meaning])
            provenance.cell(row=provenance.max_row, column=2).alignment = Alignment(wrap_text=True)
    for column in ("A", "B"):
        longest = max(len(str(cell.value or "")) for cell in provenance[column])
        provenance.column_dimensions[column].width = min(longest + 2, 100)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_timestamps(buffer.getvalue(), moment)


def _set_cell(cell: Any, value: Any) -> None:
    """Numbers as numbers, dates as dates; everything else as text that is never a formula.

    Text that looks like a formula keeps its exact characters but is typed as a string with
    Excel's quote prefix, so it is shown, not evaluated.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return
    text = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
    text = "".join(ch if ch in "\t\n" or ord(ch) >= 32 else "\ufffd" for ch in text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True


def _fixed_timestamps(data: bytes, moment: dt.datetime) -> bytes:
    """The same archive with every entry stamped ``moment``, so the bytes are reproducible."""
    stamp = (
        max(moment.year, 1980),
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time as "modified"; the generation time replaces it.
                content = _W3CDTF.sub(
                    lambda m: m.group(1) + moment.strftime("%Y-%m-%dT%H:%M:%SZ") + m.group(3),
                    content.decode("utf-8"),
                ).encode("utf-8")
            target.writestr(entry, content)
    return out.getvalue()
