"""Charts as inline SVG, drawn from the data: no scripts, no fonts or images fetched."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from ciptool.reports.frameworks import Tally
from ciptool.reports.risk_register import HeatCell

_COLOURS = {
    "covered": "#2e7d32",
    "covered-with-deviations": "#9e9d24",
    "not-applicable": "#90a4ae",
    "excepted": "#f9a825",
    "declared": "#ef6c00",
    "gap": "#c62828",
    "current": "#2e7d32",
    "stale": "#f9a825",
    "missing": "#c62828",
    "broken": "#6a1b9a",
    "future": "#1565c0",
}


#: The statuses a coverage bar shows, in order; not-applicable requirements are left out of
#: the bar, which is drawn over the applicable ones like the share beside it.
_BAR_STATUSES = ("covered", "covered-with-deviations", "excepted", "declared", "gap")


def coverage_bars(tallies: list[Tally], title: str) -> str:
    """One horizontal stacked bar per tally over its applicable requirements, one segment per
    status, labelled with the share covered (and how many are not applicable, not drawn).
    The legend names the statuses the bars show.
    """
    row, label_width, bar_width = 26, 190, 400
    height = 40 + row * len(tallies) + 30
    parts = [_open(label_width + bar_width + 190, height, title)]
    parts.append(_text(4, 18, title, weight="bold"))
    shown: set[str] = set()
    for index, tally in enumerate(tallies):
        y = 30 + index * row
        label = f"{tally.label} {tally.title}".strip()
        parts.append(_text(4, y + 15, label[:32]))
        x = float(label_width)
        counts = dict(
            zip(
                _BAR_STATUSES,
                (tally.covered, tally.with_deviations, tally.excepted, tally.declared, tally.gap),
                strict=True,
            )
        )
        for name, count in counts.items():
            if not count or not tally.applicable:
                continue
            width = bar_width * count / tally.applicable
            parts.append(_rect(x, y, width, row - 8, _COLOURS[name], f"{name}: {count}"))
            shown.add(name)
            x += width
        share = tally.covered_percent
        if tally.not_applicable:
            share += f" ({tally.not_applicable} not applicable)"
        parts.append(_text(label_width + bar_width + 6, y + 15, share))
    legend = [name for name in _BAR_STATUSES if name in shown]
    parts.append(_legend(30 + row * len(tallies) + 8, legend))
    parts.append("</svg>")
    return "".join(parts)


def status_bar(counts: list[tuple[str, int]], title: str) -> str:
    """One stacked bar of counts by status, with a legend."""
    total = sum(count for _, count in counts) or 1
    width, height = 600, 90
    parts = [_open(width, height, title), _text(4, 18, title, weight="bold")]
    x = 4.0
    for name, count in counts:
        if not count:
            continue
        segment = (width - 8) * count / total
        parts.append(_rect(x, 28, segment, 22, _COLOURS.get(name, "#607d8b"), f"{name}: {count}"))
        x += segment
    parts.append(_legend(62, [name for name, _ in counts], counts=dict(counts)))
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" aria-label={quoteattr(title)}'
        ' font-family="Helvetica, Arial, sans-serif" font-size="12">'
        f"<title>{escape(title)}</title>"
    )


def _text(x: float, y: float, text: str, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-weight="{weight}" fill="#212121">{escape(text)}</text>'
    )


def _rect(  # noqa: PLR0917 - a rectangle is its four numbers
    x: float, y: float, width: float, height: float, colour: str, title: str
) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{colour}">'
        f"<title>{escape(title)}</title></rect>"
    )


def _legend(y: float, names: list[str], counts: dict[str, int] | None = None) -> str:
    """Swatches with the statuses in words ("covered with deviations"), spaced by their length."""
    parts = []
    x = 4.0
    for name in names:
        words = name.replace("-", " ")
        label = f"{words} ({counts[name]})" if counts is not None else words
        parts.append(_rect(x, y, 10, 10, _COLOURS.get(name, "#607d8b"), name))
        parts.append(_text(x + 14, y + 9, label))
        x += 30 + 6.5 * len(label)
    return "".join(parts)


#: The fill of a heat-map cell by the level of its score: light, so that the text on it reads.
_LEVEL_FILLS = {
    "low": "#c8e6c9",
    "medium": "#fff59d",
    "high": "#ffcc80",
    "critical": "#ef9a9a",
}
_LEVEL_RANGES = (("low", "1-4"), ("medium", "5-9"), ("high", "10-16"), ("critical", "20-25"))


def heat_map(cells: Sequence[HeatCell], title: str, appetite: int | None) -> str:
    """Two 5 x 5 grids side by side, before controls (inherent) and with them (residual): in
    each cell its score, how many risks sit there and their ids (all of them in the cell's
    title). Cells above the ``appetite`` have a heavy outline; the legend says the levels and
    the outline in words, so that nothing is told by colour alone.
    """
    cell_w, cell_h, left, top, gap = 84, 58, 64, 64, 90
    width = left + 2 * 5 * cell_w + gap + 20
    height = top + 5 * cell_h + 124
    parts = [_open(width, height, title), f"<desc>{escape(_heat_desc(cells, appetite))}</desc>"]
    parts.append(_text(4, 18, title, weight="bold"))
    grids: tuple[tuple[str, Callable[[HeatCell], tuple[str, ...]]], ...] = (
        ("Inherent: before controls", lambda c: c.inherent),
        ("Residual: with controls", lambda c: c.residual),
    )
    for grid, (label, pick) in enumerate(grids):
        x0 = left + grid * (5 * cell_w + gap)
        parts.append(_text(x0, top - 22, label, weight="bold"))
        for cell in cells:
            parts.append(
                _heat_cell(
                    cell,
                    pick(cell),
                    x0 + (cell.likelihood - 1) * cell_w,
                    top + (5 - cell.impact) * cell_h,
                    cell_w,
                    cell_h,
                )
            )
        for step in range(1, 6):
            y = top + (5 - step) * cell_h + cell_h / 2 + 4
            parts.append(_text(x0 - 14, y, str(step)))
            x = x0 + (step - 1) * cell_w + cell_w / 2 - 3
            parts.append(_text(x, top + 5 * cell_h + 16, str(step)))
        parts.append(_text(x0 + 5 * cell_w / 2 - 30, top + 5 * cell_h + 34, "Likelihood"))
        middle = f"{top + 5 * cell_h / 2 + 20:.1f}"
        parts.append(
            f'<text x="{x0 - 30}" y="{middle}" fill="#212121"'
            f' transform="rotate(-90 {x0 - 30} {middle})">Impact</text>'
        )
    y = top + 5 * cell_h + 58
    x = 4.0
    parts.append(_text(x, y + 10, "Score (likelihood x impact):"))
    x += 176
    for name, span in _LEVEL_RANGES:
        parts.append(_rect(x, y, 12, 12, _LEVEL_FILLS[name], name))
        label = f"{name} {span}"
        parts.append(_text(x + 16, y + 10, label))
        x += 30 + 6.5 * len(label)
    y += 22
    if appetite is not None:
        parts.append(
            f'<rect x="4" y="{y}" width="12" height="12" fill="#ffffff" stroke="#212121"'
            ' stroke-width="2.5"/>'
        )
        parts.append(_text(22, y + 10, f"heavy outline: a score above the appetite of {appetite}"))
        y += 22
    parts.append(
        _text(
            4,
            y + 10,
            "In each cell: its score (top left), how many risks sit there (top right, bold)"
            " and their ids.",
        )
    )
    parts.append("</svg>")
    return "".join(parts)


def _heat_cell(  # noqa: PLR0917 - a cell is its risks and its box
    cell: HeatCell, ids: tuple[str, ...], x: float, y: float, width: int, height: int
) -> str:
    """One cell of a heat map: its fill, outline, score, count and up to three ids."""
    where = (
        f"likelihood {cell.likelihood}, impact {cell.impact}: score {cell.score}"
        f" ({cell.level}{', above the appetite' if cell.above_appetite else ''})"
    )
    tip = f"{where}; " + (", ".join(ids) if ids else "no risk")
    stroke = ' stroke="#212121" stroke-width="2.5"' if cell.above_appetite else ""
    parts = [
        f'<g><title>{escape(tip)}</title><rect x="{x + 1}" y="{y + 1}" width="{width - 2}"'
        f' height="{height - 2}" fill="{_LEVEL_FILLS[cell.level]}"{stroke}/>'
        f'<text x="{x + 5}" y="{y + 14}" font-size="10" fill="#37474f">{cell.score}</text>'
    ]
    if ids:
        parts.append(
            f'<text x="{x + width - 6}" y="{y + 16}" font-size="15" font-weight="bold"'
            f' text-anchor="end" fill="#212121">{len(ids)}</text>'
        )
        shown = ids if len(ids) <= 3 else (*ids[:2], f"+{len(ids) - 2} more")
        for line, text in enumerate(shown):
            parts.append(
                f'<text x="{x + 6}" y="{y + 29 + 11 * line}" font-size="10"'
                f' fill="#212121">{escape(text)}</text>'
            )
    parts.append("</g>")
    return "".join(parts)


def _heat_desc(cells: Sequence[HeatCell], appetite: int | None) -> str:
    """The heat map in words, for a reader who cannot see it."""

    def where(pick: Callable[[HeatCell], tuple[str, ...]]) -> str:
        placed = [
            f"{', '.join(pick(c))} at likelihood {c.likelihood}, impact {c.impact}"
            f" (score {c.score})"
            for c in cells
            if pick(c)
        ]
        return "; ".join(placed) or "no risk"

    said = f"Inherent: {where(lambda c: c.inherent)}. Residual: {where(lambda c: c.residual)}."
    if appetite is not None:
        said += f" The appetite is a score of {appetite}."
    return said
