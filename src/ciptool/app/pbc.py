"""``ciptool audit requests``: the auditor's requests for evidence (the PBC list) as records.

Generating: one request per evidence requirement of every control a SOC 2 examination tests
(:func:`ciptool.queries.populations.sampled_controls`), for one period, written as a new file
under ``requests/`` (never over another). A request that already exists for the same control,
evidence requirement and period is kept, not written again; new ones take the next free ids of
the period's year (``PBC-2026-001``, in control and requirement order). The file is written the
way a person would write it, read back and validated before it lands, atomically.

Updating from the auditor's workbook (``--update-from``): the sheet ``ciptool report pbc
--format xlsx`` wrote, edited, is read back and the columns in :data:`ROUND_TRIP` update the
request files in place, through a YAML round trip that keeps comments, order, quoting and every
other field. All or nothing: a row with an unknown or repeated id, a status that is not one of
the four, a date that is not a date, or a request that would not validate, is reported with its
sheet row, and no file is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ciptool.app.evidence import free_record_name, scalar, write_new
from ciptool.app.explain import load_graph
from ciptool.errors import UsageError
from ciptool.fileio.atomic import write_output
from ciptool.fileio.regular import FileTooLarge, read_regular_file
from ciptool.findings import Finding, Severity
from ciptool.graph import Graph
from ciptool.loader import roundtrip
from ciptool.loader.validate import validate_record
from ciptool.loader.yamlparse import parse_yaml
from ciptool.models import Control, Sourced
from ciptool.models.fieldwork import PbcRequest
from ciptool.models.records import Period
from ciptool.models.types import Duration
from ciptool.queries.evidence import counts_on, effective_date
from ciptool.queries.intervals import SOC2
from ciptool.queries.populations import sampled_controls
from ciptool.queries.requests import STATUSES, reference
from ciptool.reports.pbc import ROUND_TRIP as COLUMNS
from ciptool.reports.pbc import SHEET

REQUESTS_DIR = "requests"
OwnerFrom = Literal["control", "policy"]
#: The default time to provide a request.
DEFAULT_DUE_IN = Duration(14, "d")

#: The columns of the workbook that are read back (header: field), in sheet order. Every
#: other column is the repository's and is ignored when read back: edit it in the YAML.
ROUND_TRIP: dict[str, str] = dict(
    zip(COLUMNS, ("status", "provided_on", "provider", "auditor_comments"), strict=True)
)
ID_COLUMN = "Id"
#: Bounds on a workbook read back: its bytes, its unpacked bytes, its parts, rows and columns,
#: and the characters of one cell.
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PARTS = 1000
MAX_ROWS = 10_000
MAX_COLUMNS = 100
MAX_CELL = 10_000
#: The most bytes of a request file read and rewritten.
MAX_REQUEST_FILE = 8 * 1024 * 1024


@dataclass(frozen=True)
class Generation:
    """What the user asked to generate."""

    requested_on: dt.date
    #: The audit period; None: ``soc2.period`` in ciptool.yaml.
    period: Period | None = None
    due_on: dt.date | None = None
    due_in: Duration | None = None
    owner_from: OwnerFrom = "control"


@dataclass(frozen=True)
class Generated:
    """What :func:`generate_requests` did."""

    period: Period
    #: The file written; None when every request existed already.
    path: Path | None
    written: tuple[PbcRequest, ...]
    #: The ids of the requests that existed already for the same control, requirement and
    #: period, and were kept.
    kept: tuple[str, ...]
    #: The requests whose owner is the control's because its policy names none
    #: (``--owner-from policy``).
    owner_fallbacks: tuple[str, ...] = ()


def generate_requests(root: Path, asked: Generation) -> Generated:
    """Write the period's new requests under ``root``; raise UsageError on bad input."""
    graph = _usable_graph(root, "nothing was written")
    settings = graph.config.soc2 if graph.config else None
    period = asked.period or (settings.period if settings else None)
    if period is None:
        raise UsageError("give --period START..END, or set soc2.period in ciptool.yaml")
    due_on = asked.due_on or (asked.due_in or DEFAULT_DUE_IN).after(asked.requested_on)
    if due_on < asked.requested_on:
        raise UsageError(f"--due-on {due_on} is before --requested-on {asked.requested_on}")
    existing = {
        (sourced.record.control, sourced.record.requirement, sourced.record.period): ident
        for ident, sourced in graph.requests.items()
    }
    numbers = _next_numbers(graph, period.end.year)
    written: list[PbcRequest] = []
    kept: list[str] = []
    fallbacks: list[str] = []
    for control in sampled_controls(graph):
        for requirement in control.record.evidence:
            found = existing.get((control.record.id, requirement.id, period))
            if found is not None:
                kept.append(found)
                continue
            owner, fell_back = _owner(graph, control, asked.owner_from)
            ident = f"PBC-{period.end.year}-{next(numbers):03d}"
            if fell_back:
                fallbacks.append(ident)
            written.append(
                PbcRequest(
                    id=ident,
                    request=" ".join(requirement.description.split()),
                    references=[f"{SOC2}:{m.id}" for m in control.record.mappings.get(SOC2, [])],
                    control=control.record.id,
                    requirement=requirement.id,
                    period=period,
                    owner=owner,
                    requested_on=asked.requested_on,
                    due_on=due_on,
                    evidence=_answering(graph, control, requirement.id, period, asked),
                )
            )
    if not written:
        return Generated(period, None, (), tuple(kept))
    folder = root / REQUESTS_DIR
    _refuse_links_out(root, folder)
    text = render_requests(written, period, asked.requested_on)
    stem = f"pbc-{asked.requested_on.isoformat()}"
    path = free_record_name(folder, stem)
    _validate_new(text, path.relative_to(root).as_posix())
    made = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
        while not write_new(path, text.encode("utf-8")):
            path = free_record_name(folder, stem)  # another run took the name first
    except BaseException:
        if made:
            with contextlib.suppress(OSError):  # someone else put a file in it meanwhile
                folder.rmdir()
        raise
    return Generated(period, path, tuple(written), tuple(kept), tuple(fallbacks))


def _usable_graph(root: Path, consequence: str) -> Graph:
    """The repository's graph; a usage error when ciptool.yaml is not usable or a file under
    ``requests/`` has errors (its requests would be missed: duplicated, or not updated)."""
    graph, findings = load_graph(root)
    if graph is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    broken = sorted(
        {
            finding.location.file
            for finding in findings
            if finding.severity is Severity.ERROR
            and finding.location is not None
            and finding.location.file.startswith(f"{REQUESTS_DIR}/")
        }
    )
    if broken:
        raise UsageError(
            f"{', '.join(broken)} {'has' if len(broken) == 1 else 'have'} errors"
            f" (`ciptool check` shows them); {consequence}"
        )
    return graph


def _next_numbers(graph: Graph, year: int) -> Iterator[int]:
    """The numbers after the highest ``PBC-YEAR-NNN`` any request has, invalid ones too."""
    pattern = re.compile(rf"^PBC-{year}-(\d+)$")
    idents = [*graph.requests, *graph.repository.invalid_ids.get("requests", ())]
    numbers = [int(match.group(1)) for ident in idents if (match := pattern.match(ident))]
    number = max(numbers, default=0)
    while True:
        number += 1
        yield number


def _owner(graph: Graph, control: Sourced[Control], owner_from: OwnerFrom) -> tuple[str, bool]:
    """Who must provide the control's evidence, and whether the control's owner stood in for a
    policy owner that is not recorded."""
    if owner_from == "policy":
        policy = graph.policies.get(control.record.policy or "")
        if policy is not None and policy.record.owner.strip():
            return policy.record.owner.strip(), False
        return control.record.owner, True
    return control.record.owner, False


def _answering(
    graph: Graph, control: Sourced[Control], requirement: str, period: Period, asked: Generation
) -> list[str]:
    """The references of the requirement's evidence records that speak for a day in the period
    and count on the day of the request, by day, each once."""
    records = [
        sourced.record
        for sourced in graph.evidence_by_requirement.get((control.record.id, requirement), [])
        if counts_on(sourced.record, asked.requested_on)
        and period.start <= effective_date(sourced.record) <= period.end
    ]
    records.sort(key=effective_date)
    return list(dict.fromkeys(reference(record) for record in records))


def render_requests(requests: Sequence[PbcRequest], period: Period, requested_on: dt.date) -> str:
    """New requests as YAML, formatted as a person would write them."""
    lines = [
        f"# The auditor's requests for evidence for the SOC 2 period {period.start} to"
        f" {period.end},",
        f"# requested on {requested_on} (`ciptool audit requests`). Update `status`,"
        " `provided_on`, `provider`",
        "# and `auditor_comments` here or through `ciptool audit requests --update-from`.",
        "requests:",
    ]
    for request in requests:
        lines.append(f"  - id: {request.id}")
        lines.append(f"    request: {scalar(request.request)}")
        if request.references:
            listed = ", ".join(scalar(each) for each in request.references)
            lines.append(f"    references: [{listed}]")
        if request.control:
            lines.append(f"    control: {scalar(request.control)}")
        if request.requirement:
            lines.append(f"    requirement: {scalar(request.requirement)}")
        if request.period:
            lines.append(
                f"    period: {{start: {request.period.start}, end: {request.period.end}}}"
            )
        lines.append(f"    owner: {scalar(request.owner)}")
        lines.append(f"    requested_on: {request.requested_on}")
        lines.append(f"    due_on: {request.due_on}")
        lines.append(f"    status: {request.status}")
        if request.evidence:
            lines.append("    evidence:")
            lines.extend(f"      - {scalar(each)}" for each in request.evidence)
    return "\n".join(lines) + "\n"


def _validate_new(text: str, rel: str) -> None:
    parsed = parse_yaml(text)
    data = parsed.data
    if parsed.problems or not isinstance(data, dict) or not isinstance(data.get("requests"), list):
        raise UsageError("the requests could not be written as valid YAML")  # a bug guard
    for index, item in enumerate(data["requests"]):
        _record, problems = validate_record(PbcRequest, item, rel, ("requests", index))
        if problems:
            raise UsageError("; ".join(f.message for f in problems))


def _refuse_links_out(root: Path, path: Path) -> None:
    """Refuse a path that resolves outside ``root`` (a received repository's ``requests/``
    may be a link to anywhere)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root + os.sep):
        rel = path.relative_to(root).as_posix()
        raise UsageError(
            f"`{rel}` is a link that leads outside the repository; nothing was written"
        )


# Reading the auditor's workbook back.


@dataclass(frozen=True)
class Row:
    """One row of the workbook: the request's id and the round-trip columns it has."""

    number: int
    ident: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One field of one request the workbook changed."""

    request: str
    file: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Updated:
    """What :func:`update_from_workbook` did."""

    rows: int
    changes: tuple[Change, ...]
    files: tuple[str, ...] = field(default=())


class _Problems:
    """The problems of a workbook, each with its sheet row."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: list[str] = []

    def add(self, row: int, message: str) -> None:
        self.lines.append(f"row {row}: {message}")

    def raise_any(self) -> None:
        if self.lines:
            count = len(self.lines)
            raise UsageError(
                f"{self.name}: {count} problem{'' if count == 1 else 's'} in sheet {SHEET!r};"
                " nothing was written (all or nothing):\n  " + "\n  ".join(self.lines)
            )


def update_from_workbook(root: Path, workbook: Path) -> Updated:
    """Update the request files under ``root`` from the round-trip columns of ``workbook``."""
    name = str(workbook)
    header, raw_rows = read_workbook(workbook)
    graph = _usable_graph(root, "nothing was written")
    problems = _Problems(name)
    rows = list(_rows(header, raw_rows, problems))
    seen: dict[str, list[int]] = {}
    for row in rows:
        seen.setdefault(row.ident, []).append(row.number)
    by_id: dict[str, list[Sourced[PbcRequest]]] = {}
    for sourced in graph.repository.requests:
        by_id.setdefault(sourced.record.id, []).append(sourced)
    for row in rows:
        numbers = seen[row.ident]
        if len(numbers) > 1:
            others = ", ".join(str(n) for n in numbers if n != row.number)
            problems.add(row.number, f"{row.ident} is also on row {others}")
        elif row.ident not in by_id:
            problems.add(row.number, f"no request {row.ident} in {REQUESTS_DIR}/")
        elif len(by_id[row.ident]) > 1:
            files = ", ".join(sourced.file for sourced in by_id[row.ident])
            problems.add(row.number, f"request {row.ident} is in more than one place: {files}")
    problems.raise_any()
    changes: list[Change] = []
    planned: dict[str, list[tuple[Row, Sourced[PbcRequest]]]] = {}
    for row in rows:
        sourced = by_id[row.ident][0]
        record = sourced.record
        row_changes = [
            Change(record.id, sourced.file, key, getattr(record, key), value)
            for key, value in row.values.items()
            if getattr(record, key) != value
        ]
        if row_changes:
            changes.extend(row_changes)
            planned.setdefault(sourced.file, []).append((row, sourced))
    texts = {
        file: _rewrite(root, file, entries, problems) for file, entries in sorted(planned.items())
    }
    problems.raise_any()
    for file, (before, after) in texts.items():
        _replace(root, file, before, after)
    return Updated(len(rows), tuple(changes), tuple(texts))


def read_workbook(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the rows (with their sheet row numbers) of the workbook's request sheet,
    bounded; a usage error for a file that is not such a workbook."""
    name = str(path)
    try:
        data = read_regular_file(path, MAX_WORKBOOK_BYTES)
    except FileTooLarge as exc:
        raise UsageError(
            f"{name} is {exc.size:,} bytes; a PBC workbook may have {MAX_WORKBOOK_BYTES:,}"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    not_xlsx = f"{name} is not an XLSX workbook (write one with `ciptool report pbc -f xlsx`)"
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UsageError(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UsageError(not_xlsx) from None
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
        raise UsageError(
            f"{name} unpacks to {len(parts):,} parts and {unpacked:,} bytes; a PBC workbook"
            f" may have {MAX_PARTS:,} and {MAX_UNPACKED_BYTES:,}"
        )
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise UsageError(not_xlsx) from None
    try:
        return _request_sheet(book, name)
    except (KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{not_xlsx}: {exc}") from None
    finally:
        book.close()


def _request_sheet(book: Any, name: str) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The first sheet whose first row names the ``Id`` and ``Status`` columns."""
    for sheet in book.worksheets:
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        first = next(rows, None)
        header = [_text(cell) for cell in first or ()]
        if ID_COLUMN not in header or "Status" not in header:
            continue
        read: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                raise UsageError(f"{name}: sheet {sheet.title!r} has more than {MAX_ROWS:,} rows")
            read.append((number, list(values)))
        repeated = sorted({column for column in header if column and header.count(column) > 1})
        if repeated:
            raise UsageError(f"{name}: sheet {sheet.title!r} has two columns {repeated[0]!r}")
        return header, read
    raise UsageError(
        f"{name} has no sheet whose first row names the columns {ID_COLUMN!r} and 'Status'"
        f" (`ciptool report pbc -f xlsx` writes the sheet {SHEET!r})"
    )


def _rows(
    header: list[str], raw: list[tuple[int, list[Any]]], problems: _Problems
) -> Iterator[Row]:
    """The rows that name a request, their round-trip cells read; problems noted."""
    columns = {title: header.index(title) for title in (ID_COLUMN, *ROUND_TRIP) if title in header}
    for number, values in raw:
        cells = values + [None] * (len(header) - len(values))
        if all(_text(cell) == "" for cell in cells):
            continue
        ident = _text(cells[columns[ID_COLUMN]])
        if not ident:
            problems.add(number, "no Id")
            continue
        read: dict[str, Any] = {}
        for title, key in ROUND_TRIP.items():
            if title not in columns:
                continue
            cell = cells[columns[title]]
            try:
                read[key] = _cell_value(key, cell)
            except ValueError as exc:
                problems.add(number, f"{ident}: {title} {exc}")
        if len(read) == sum(title in columns for title in ROUND_TRIP):
            yield Row(number, ident, read)
        else:
            yield Row(number, ident, {})  # still counted for repeated ids


def _cell_value(key: str, cell: Any) -> Any:
    if key == "status":
        status = _text(cell).lower()
        if status not in STATUSES:
            raise ValueError(f"`{_text(cell)}` is not one of {', '.join(STATUSES)}")
        return status
    if key == "provided_on":
        if isinstance(cell, dt.datetime):
            if cell.time() != dt.time():
                raise ValueError(f"`{cell}` is a time, not a date")
            return cell.date()
        if isinstance(cell, dt.date):
            return cell
        text = _text(cell)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"`{text}` is not a date written YYYY-MM-DD") from None
    text = _text(cell, strip=False)
    if len(text) > MAX_CELL:
        raise ValueError(f"has {len(text):,} characters; a cell may have {MAX_CELL:,}")
    return text.strip()


def _text(cell: Any, *, strip: bool = True) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).replace("\r\n", "\n")
    return text.strip() if strip else text


# Rewriting a request file in place.

#: The fields of a request in the order a person writes them: a field the workbook adds goes
#: after the nearest one before it that the request has.
_ORDER = tuple(PbcRequest.model_fields)


def _rewrite(
    root: Path,
    file: str,
    entries: list[tuple[Row, Sourced[PbcRequest]]],
    problems: _Problems,
) -> tuple[bytes, str]:
    """The file's bytes now and its text with the rows' values, validated."""
    path = root / file
    if path.is_symlink():
        raise UsageError(f"{file} is a link; update the file it leads to instead")
    before = read_regular_file(path, MAX_REQUEST_FILE, follow_links=False)
    try:
        document = roundtrip.load(before.decode("utf-8"))
    except (roundtrip.RoundTripError, UnicodeDecodeError) as exc:
        raise UsageError(f"{file} cannot be read for a round trip: {exc}") from None
    for row, sourced in entries:
        index = sourced.path[-1]
        item = document["requests"][index]
        if item.get("id") != row.ident:
            raise UsageError(f"{file} changed while it was read; run the command again")
        for key, value in row.values.items():
            if getattr(sourced.record, key) == value:
                continue
            if value is None or value == "":
                if key in item:
                    del item[key]
                continue
            written = roundtrip.scalar(value)
            if key in item:
                item[key] = written
            else:
                item.insert(_position(item, key), key, written)
    after = roundtrip.dump(document)
    _check_rewrite(before.decode("utf-8"), after, file, entries, problems)
    return before, after


def _position(item: Any, key: str) -> int:
    """Where ``key`` goes among the keys ``item`` has: after the last one before it."""
    wanted = _ORDER.index(key)
    keys = list(item)
    position = 0
    for index, present in enumerate(keys):
        if present in _ORDER and _ORDER.index(present) < wanted:
            position = index + 1
    return position


def _check_rewrite(
    before: str,
    after: str,
    file: str,
    entries: list[tuple[Row, Sourced[PbcRequest]]],
    problems: _Problems,
) -> None:
    """Validate the changed requests, and make sure nothing else in the file changed."""
    old, new = parse_yaml(before).data, parse_yaml(after).data
    if not isinstance(new, dict) or not isinstance(old, dict):
        raise UsageError(f"{file} could not be written again as valid YAML")  # a bug guard
    changed = {sourced.path[-1]: row for row, sourced in entries}
    old_items, new_items = old.get("requests"), new.get("requests")
    if not isinstance(old_items, list) or not isinstance(new_items, list):
        raise UsageError(f"{file} could not be written again as valid YAML")  # a bug guard
    if {k: v for k, v in old.items() if k != "requests"} != {
        k: v for k, v in new.items() if k != "requests"
    } or len(old_items) != len(new_items):
        raise UsageError(f"{file} would change beyond the requests updated; nothing was written")
    for index, (was, now) in enumerate(zip(old_items, new_items, strict=True)):
        row = changed.get(index)
        if row is None:
            if was != now:
                raise UsageError(
                    f"{file} would change beyond the requests updated; nothing was written"
                )
            continue
        _record, found = validate_record(PbcRequest, now, file, ("requests", index))
        for finding in found:
            problems.add(row.number, f"{row.ident}: {_plain(finding)}")


def _plain(finding: Finding) -> str:
    where = finding.location.yaml_path if finding.location else ""
    return f"{finding.message}" + (f" (at {where})" if where else "")


def _replace(root: Path, file: str, before: bytes, after: str) -> None:
    """Replace the request file atomically, unless it changed since it was read."""
    path = root / file
    now = read_regular_file(path, MAX_REQUEST_FILE, follow_links=False)
    if now != before:
        raise UsageError(f"{file} changed while it was being updated; run the command again")
    write_output(path, after.encode("utf-8"))
