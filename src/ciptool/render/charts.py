"""Charts as inline SVG, drawn from the data: no scripts, no fonts or images fetched."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ciptool.reports.frameworks import Tally

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
