"""Charts as inline SVG, drawn from the data: no scripts, no fonts or images fetched."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ciptool.reports.frameworks import Tally
from ciptool.reports.risk_register import HeatCell


@dataclass(frozen=True)
class _Look:
    """How one status is drawn: a colour, and a marking over it that tells it apart in a
    greyscale print (see :data:`_MARKINGS`)."""

    colour: str
    marking: str


#: Markings on an 8 x 8 tile, drawn over the status's colour in white or near-black, whichever
#: stands out from it: eight, so that up to eight statuses in one chart each have their own.
_MARKINGS = {
    "solid": "",
    "hatch": "M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6",
    "dots": "",
    "cross": "M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6 M0,0 L8,8 M-2,6 L2,10 M6,-2 L10,2",
    "back-hatch": "M0,0 L8,8 M-2,6 L2,10 M6,-2 L10,2",
    "horizontal": "M0,4 H8",
    "vertical": "M4,0 V8",
    "grid": "M0,4 H8 M4,0 V8",
}

#: The statuses ciptool draws, each with its own look; in any one chart no two statuses share
#: a marking (coverage: covered, with deviations, not applicable, excepted, declared, gap;
#: evidence: current, stale, missing, broken, future; severities: critical to low).
_LOOKS = {
    "covered": _Look("#2e7d32", "solid"),
    "covered-with-deviations": _Look("#9e9d24", "hatch"),
    "not-applicable": _Look("#90a4ae", "vertical"),
    "excepted": _Look("#f9a825", "dots"),
    "declared": _Look("#ef6c00", "back-hatch"),
    "gap": _Look("#c62828", "cross"),
    "current": _Look("#2e7d32", "solid"),
    "stale": _Look("#f9a825", "hatch"),
    "missing": _Look("#c62828", "cross"),
    "broken": _Look("#6a1b9a", "grid"),
    "future": _Look("#1565c0", "dots"),
    "critical": _Look("#b71c1c", "cross"),
    "high": _Look("#ef6c00", "back-hatch"),
    "medium": _Look("#f9a825", "dots"),
    "low": _Look("#7cb342", "solid"),
}

#: Looks for names ciptool does not know, taken in turn, skipping markings the chart's known
#: statuses already use.
_SPARE_LOOKS = (
    _Look("#1565c0", "solid"),
    _Look("#6a1b9a", "hatch"),
    _Look("#00838f", "dots"),
    _Look("#ad1457", "cross"),
    _Look("#4e342e", "back-hatch"),
    _Look("#558b2f", "horizontal"),
    _Look("#37474f", "vertical"),
    _Look("#ff8f00", "grid"),
)


class _Swatches:
    """The fills of one chart: one SVG ``<pattern>`` per status, with ids unique in a page
    that holds several charts (a prefix digested from what the chart draws) and the same in
    every run."""

    def __init__(self, names: Sequence[str], *drawn: object) -> None:
        digest = hashlib.sha256(repr((tuple(names), drawn)).encode()).hexdigest()
        self.prefix = f"chart-{digest[:10]}"
        self.looks: dict[str, _Look] = {}
        for name in names:  # a known status keeps its look unless the chart has it already
            look = _LOOKS.get(name)
            taken = {each.marking for each in self.looks.values()}
            if name not in self.looks and look is not None and look.marking not in taken:
                self.looks[name] = look
        taken = {each.marking for each in self.looks.values()}
        spare = [look for look in _SPARE_LOOKS if look.marking not in taken]
        spare += [look for look in _SPARE_LOOKS if look.marking in taken]
        for name in dict.fromkeys(names):
            if name not in self.looks:
                self.looks[name] = spare.pop(0) if spare else _SPARE_LOOKS[len(self.looks) % 8]
        self.order = list(dict.fromkeys(names))

    def box(  # noqa: PLR0917 - a box is its place, its status and its outline
        self, name: str, x: float, y: float, width: float, height: float, outline: str, said: str
    ) -> str:
        """A box in ``name``'s look, titled ``said``: its colour, the marking over it (a
        pattern without a background of its own, so that where a viewer leaves a seam
        between two tiles the colour shows through, not the paper), then the ``outline``."""
        look = self.looks[name]
        place = f'x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"'
        if look.marking == "solid":
            return (
                f'<g><title>{escape(said)}</title><rect {place} fill="{look.colour}"{outline}/></g>'
            )
        return (
            f'<g><title>{escape(said)}</title><rect {place} fill="{look.colour}"/>'
            f'<rect {place} fill="url(#{self.prefix}-{self.order.index(name)})"{outline}/></g>'
        )

    def defs(self, names: Sequence[str]) -> str:
        """The patterns of ``names``, to put in the chart's ``<defs>``."""
        parts = ["<defs>"]
        for name in dict.fromkeys(names):
            look = self.looks[name]
            if look.marking == "solid":
                continue
            ink = "#ffffff" if _lightness(look.colour) < 150 else "#212121"
            parts.append(
                f'<pattern id="{self.prefix}-{self.order.index(name)}"'
                ' patternUnits="userSpaceOnUse" width="8" height="8">'
            )
            if look.marking == "dots":
                parts.append(f'<circle cx="4" cy="4" r="1.9" fill="{ink}"/>')
            elif _MARKINGS[look.marking]:
                parts.append(
                    f'<path d="{_MARKINGS[look.marking]}" stroke="{ink}" stroke-width="1.6"/>'
                )
            parts.append("</pattern>")
        parts.append("</defs>")
        return "".join(parts)


def _lightness(colour: str) -> float:
    """The grey (0-255) ``#rrggbb`` prints as (Rec. 709 weights, as CSS grayscale uses)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


#: The statuses a coverage bar shows, in order; not-applicable requirements are left out of
#: the bar, which is drawn over the applicable ones like the share beside it.
_BAR_STATUSES = ("covered", "covered-with-deviations", "excepted", "declared", "gap")


def coverage_bars(tallies: list[Tally], title: str) -> str:
    """One horizontal stacked bar per tally over its applicable requirements, one segment per
    status, each filled with its status's colour and marking and labelled with its count where
    it is wide enough (the counts of narrower ones follow the share covered, beside the bar,
    with how many requirements are not applicable, not drawn). The legend names the statuses
    the bars show with the same swatches; the description says every figure in words.
    """
    row, label_width, bar_width = 26, 190, 400
    height = 40 + row * len(tallies) + 30
    swatches = _Swatches(_BAR_STATUSES, title, tuple(tallies))
    parts = [_text(4, 18, title, weight="bold")]
    shown: list[str] = []
    said = []
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
        narrow = []
        for name, count in counts.items():
            if not count or not tally.applicable:
                continue
            width = bar_width * count / tally.applicable
            parts.append(_segment(swatches, x, y, width, row - 8, name, count))
            if not _fits(str(count), width):
                narrow.append(f"{count} {name.replace('-', ' ')}")
            shown.append(name)
            x += width
        share = tally.covered_percent
        if narrow:
            share += f"; {', '.join(narrow)}"
        if tally.not_applicable:
            share += f" ({tally.not_applicable} not applicable)"
        parts.append(_text(label_width + bar_width + 6, y + 15, share))
        said.append(_tally_words(label, tally, counts))
    legend = [name for name in _BAR_STATUSES if name in shown]
    parts.append(_legend(30 + row * len(tallies) + 8, legend, swatches))
    parts.append("</svg>")
    opening = open_svg(label_width + bar_width + 250, height, title, " ".join(said))
    return opening + swatches.defs(legend) + "".join(parts)


def _tally_words(label: str, tally: Tally, counts: dict[str, int]) -> str:
    """One bar in words: "CSF 2.0: 97% covered (103 covered, 2 excepted, 1 gap of 106
    applicable)."."""
    if not tally.applicable:
        return f"{label}: no requirement applicable ({tally.not_applicable} not applicable)."
    figures = ", ".join(
        f"{count} {name.replace('-', ' ')}" for name, count in counts.items() if count
    )
    words = f"{label}: {tally.covered_percent} covered ({figures} of {tally.applicable} applicable"
    if tally.not_applicable:
        words += f"; {tally.not_applicable} not applicable"
    return words + ")."


def status_bar(counts: list[tuple[str, int]], title: str) -> str:
    """One stacked bar of counts by status, each segment in its status's colour and marking
    and labelled with its count where it is wide enough, with a legend of the same swatches
    and every count."""
    total = sum(count for _, count in counts) or 1
    width, height = 600, 90
    names = [name for name, _ in counts]
    swatches = _Swatches(names, title, tuple(counts))
    parts = [_text(4, 18, title, weight="bold")]
    x = 4.0
    for name, count in counts:
        if not count:
            continue
        segment = (width - 8) * count / total
        parts.append(_segment(swatches, x, 28, segment, 22, name, count))
        x += segment
    parts.append(_legend(62, names, swatches, counts=dict(counts)))
    parts.append("</svg>")
    said = ", ".join(f"{count} {name.replace('-', ' ')}" for name, count in counts) + "."
    return open_svg(width, height, title, said) + swatches.defs(names) + "".join(parts)


def open_svg(width: int, height: int, title: str, desc: str) -> str:
    """The opening of an inline SVG chart: its size, and its title and description, which a
    screen reader says and a test reads."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" aria-label={quoteattr(title)}'
        ' font-family="Helvetica, Arial, sans-serif" font-size="12">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


def _text(x: float, y: float, text: str, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-weight="{weight}" fill="#212121">{escape(text)}</text>'
    )


def _fits(label: str, width: float) -> bool:
    """Whether a segment ``width`` wide has room for ``label`` on a chip."""
    return width >= _chip_width(label) + 2


def _chip_width(label: str) -> float:
    return 6.5 * len(label) + 6


def _segment(  # noqa: PLR0917 - a segment is its box, its status and its count
    swatches: _Swatches, x: float, y: float, width: float, height: float, name: str, count: int
) -> str:
    """One segment of a stacked bar: its swatch, outlined so that two segments of light
    colours stay apart, and its count on a white chip in the middle where there is room."""
    outline = ' stroke="#ffffff" stroke-width="1"'
    parts = [swatches.box(name, x, y, width, height, outline, f"{name}: {count}")]
    label = str(count)
    if _fits(label, width):
        chip = _chip_width(label)
        middle = x + width / 2
        parts.append(
            f'<rect x="{middle - chip / 2:.1f}" y="{y + height / 2 - 7:.1f}" width="{chip:.1f}"'
            ' height="14" rx="2" fill="#ffffff" aria-hidden="true"/>'
            f'<text x="{middle:.1f}" y="{y + height / 2 + 4:.1f}" font-size="11"'
            f' text-anchor="middle" fill="#212121" aria-hidden="true">{label}</text>'
        )
    return "".join(parts)


def _legend(
    y: float, names: list[str], swatches: _Swatches, counts: dict[str, int] | None = None
) -> str:
    """The swatches the bars use, with the statuses in words ("covered with deviations"),
    spaced by their length."""
    parts = []
    x = 4.0
    for name in names:
        words = name.replace("-", " ")
        label = f"{words} ({counts[name]})" if counts is not None else words
        outline = ' stroke="#212121" stroke-width="0.5"'
        parts.append(swatches.box(name, x, y - 3, 24, 16, outline, name))
        parts.append(_text(x + 28, y + 9, label))
        x += 44 + 6.5 * len(label)
    return "".join(parts)


#: The fill of a heat-map cell by the level of its score: light enough for the text on it to
#: read, and darker the higher the level in a greyscale print too (greys 241, 212, 176, 139),
#: where every cell also says its level in words.
_LEVEL_FILLS = {
    "low": "#e8f5e9",
    "medium": "#ffd54f",
    "high": "#ffa726",
    "critical": "#e57373",
}
_LEVEL_RANGES = (("low", "1-4"), ("medium", "5-9"), ("high", "10-16"), ("critical", "20-25"))


def heat_map(cells: Sequence[HeatCell], title: str, appetite: int | None) -> str:
    """Two 5 x 5 grids side by side, before controls (inherent) and with them (residual): in
    each cell its score, how many risks sit there and their ids (all of them in the cell's
    title). Cells above the ``appetite`` have a heavy outline; the legend says the levels and
    the outline in words, so that nothing is told by colour alone.
    """
    cell_w, cell_h, left, top, gap = 76, 58, 56, 64, 60
    width = left + 2 * 5 * cell_w + gap + 12
    height = top + 5 * cell_h + 124
    parts = [open_svg(width, height, title, _heat_desc(cells, appetite))]
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
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{_LEVEL_FILLS[name]}"'
            f' stroke="#90a4ae" stroke-width="0.5"><title>{name}</title></rect>'
        )
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
            "In each cell: its score and level (top left), how many risks sit there (top"
            " right, bold) and their ids.",
        )
    )
    parts.append("</svg>")
    return "".join(parts)


def _heat_cell(  # noqa: PLR0917 - a cell is its risks and its box
    cell: HeatCell, ids: tuple[str, ...], x: float, y: float, width: int, height: int
) -> str:
    """One cell of a heat map: its fill, outline, score and level, count and up to three ids."""
    where = (
        f"likelihood {cell.likelihood}, impact {cell.impact}: score {cell.score}"
        f" ({cell.level}{', above the appetite' if cell.above_appetite else ''})"
    )
    tip = f"{where}; " + (", ".join(ids) if ids else "no risk")
    stroke = ' stroke="#212121" stroke-width="2.5"' if cell.above_appetite else ""
    parts = [
        f'<g><title>{escape(tip)}</title><rect x="{x + 1}" y="{y + 1}" width="{width - 2}"'
        f' height="{height - 2}" fill="{_LEVEL_FILLS[cell.level]}"{stroke}/>'
        f'<text x="{x + 5}" y="{y + 14}" font-size="10" fill="#37474f">'
        f"{cell.score} {cell.level}</text>"
    ]
    if ids:
        parts.append(
            f'<text x="{x + width - 5}" y="{y + 16}" font-size="15" font-weight="bold"'
            f' text-anchor="end" fill="#212121">{len(ids)}</text>'
        )
        shown = ids if len(ids) <= 3 else (*ids[:2], f"+{len(ids) - 2} more")
        for line, text in enumerate(shown):
            parts.append(
                f'<text x="{x + 5}" y="{y + 30 + 11.5 * line}" font-size="11"'
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
