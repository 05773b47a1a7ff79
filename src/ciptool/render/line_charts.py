"""Line charts as inline SVG, drawn from the data: no scripts, no fonts or images fetched.

Each line has its own marker shape and dash pattern as well as its colour, and every point
carries its value as text beside a small copy of its marker, so a greyscale print, or a reader
who does not tell the colours apart, loses nothing. The chart's ``<title>`` names it and its
``<desc>`` says every value in words, for a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from ciptool.render.charts import open_svg

#: A line: its name and, per point on the axis, its value (None: no point) and its label.
Series = tuple[str, Sequence[tuple[float | None, str]]]

_COLOURS = ("#0d47a1", "#b71c1c", "#1b5e20", "#e65100", "#4a148c", "#006064", "#3e2723", "#827717")
_DASHES = ("", "7 3", "2 3", "9 3 2 3", "4 4", "1 3", "12 4", "6 2 2 2")
_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "plus", "star")

_LEFT, _RIGHT, _TOP = 56, 96, 34
_PLOT_HEIGHT = 180
_STEP = 170
_LABEL_GAP = 13


def line_chart(
    title: str,
    axis: Sequence[str],
    series: Sequence[Series],
    percent: bool = False,
) -> str:
    """A line chart of ``series`` over the points of ``axis`` (each label's lines separated by
    ``|``); with ``percent`` the scale runs from 0 to 100 %, else from 0 to a round number
    above the highest value."""
    count = max(len(axis), 1)
    width = _LEFT + _RIGHT + _STEP * (count - 1) + 40
    axis_lines = max((len(label.split("|")) for label in axis), default=1)
    plot_bottom = _TOP + _PLOT_HEIGHT
    legend_top = plot_bottom + 18 + 14 * axis_lines + 8
    height = legend_top + 18 * len(series) + 6
    top = 100.0 if percent else _top(_values(series))
    parts = [open_svg(width, height, title, _describe(title, axis, series))]
    parts.append(_text(4, 18, title, weight="bold"))
    parts.extend(_grid(top, width, plot_bottom, percent))
    xs = [_LEFT + 20 + _STEP * index for index in range(count)]
    for index, label in enumerate(axis):
        for row, line in enumerate(label.split("|")):
            parts.append(_text(xs[index], plot_bottom + 20 + 14 * row, line, anchor="middle"))

    def y_of(value: float) -> float:
        return plot_bottom - _PLOT_HEIGHT * (value / top if top else 0.0)

    labels: list[list[tuple[float, int, str]]] = [[] for _ in xs]
    for number, (_, points) in enumerate(series):
        colour, dash, shape = _style(number)
        run: list[tuple[float, float]] = []
        runs = [run]
        for index, (value, text) in enumerate(points[: len(xs)]):
            if value is None:
                run = []
                runs.append(run)
                continue
            run.append((xs[index], y_of(value)))
            if text:
                labels[index].append((y_of(value), number, text))
        for each in runs:
            if len(each) > 1:
                parts.append(_polyline(each, colour, dash))
            for x, y in each:
                parts.append(_marker(shape, x, y, 4.5, colour))
    for index, column in enumerate(labels):
        parts.extend(_point_labels(xs[index], column, plot_bottom))
    for number, (name, _) in enumerate(series):
        colour, dash, shape = _style(number)
        y = legend_top + 18 * number
        parts.append(_polyline([(8.0, y), (36.0, y)], colour, dash))
        parts.append(_marker(shape, 22, y, 4.5, colour))
        parts.append(_text(44, y + 4, name))
    parts.append("</svg>")
    return "".join(parts)


def _style(number: int) -> tuple[str, str, str]:
    """A line's colour, dash pattern and marker shape, each different for the first eight."""
    return (
        _COLOURS[number % len(_COLOURS)],
        _DASHES[number % len(_DASHES)],
        _SHAPES[number % len(_SHAPES)],
    )


def _values(series: Sequence[Series]) -> list[float]:
    return [value for _, points in series for value, _ in points if value is not None]


def _top(values: list[float]) -> float:
    """The top of the scale: for counts a multiple of four, so that every tick is a whole
    number; else a round number at or above the highest value."""
    highest = max(values, default=0.0)
    if all(value == int(value) for value in values):
        return float(max(4, -(-int(highest) // 4) * 4))
    return _round_up(highest)


def _round_up(value: float) -> float:
    """A round number at or above ``value`` for the top of the scale (at least 1)."""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    while scale > value * 10:
        scale /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale  # pragma: no cover - the loop above always returns


def _grid(top: float, width: int, bottom: float, percent: bool) -> list[str]:
    parts = []
    for tick in range(5):
        value = top * tick / 4
        y = bottom - _PLOT_HEIGHT * tick / 4
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{width - _RIGHT + 40}" y2="{y:.1f}"'
            ' stroke="#cfd8dc" stroke-width="1"/>'
        )
        text = f"{value:g}%" if percent else f"{value:g}"
        parts.append(_text(_LEFT - 6, y + 4, text, anchor="end"))
    return parts


def _point_labels(x: float, column: list[tuple[float, int, str]], bottom: float) -> list[str]:
    """Each point's label to the right of its column, as near its point as the labels above
    and below it allow, none below the axis, each led by its line's marker."""
    ordered = sorted(column)
    places: list[float] = []
    for y, _, _ in ordered:
        places.append(max(y, places[-1] + _LABEL_GAP) if places else y)
    limit = bottom - 2
    for index in range(len(places) - 1, -1, -1):
        places[index] = min(places[index], limit)
        limit = places[index] - _LABEL_GAP
    parts = []
    for (_, number, text), at in zip(ordered, places, strict=True):
        colour, _, shape = _style(number)
        parts.append(_marker(shape, x + 11, at - 1, 3, colour))
        parts.append(_text(x + 17, at + 3, text, size=10, halo=True))
    return parts


def _marker(shape: str, x: float, y: float, r: float, colour: str) -> str:
    """A filled (or, for the cross and plus, stroked) marker of ``shape`` centred on x, y."""
    stroke = f'stroke="{colour}" stroke-width="1.6" fill="none"'
    fill = f'fill="{colour}"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {fill}/>'
    if shape == "square":
        side = 2 * r
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{side:.1f}" height="{side:.1f}" {fill}/>'
        )
    if shape == "triangle":
        return _polygon([(x, y - r * 1.2), (x + r * 1.1, y + r), (x - r * 1.1, y + r)], fill)
    if shape == "triangle-down":
        return _polygon([(x, y + r * 1.2), (x + r * 1.1, y - r), (x - r * 1.1, y - r)], fill)
    if shape == "diamond":
        return _polygon(
            [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)], fill
        )
    if shape == "cross":
        return (
            f'<path d="M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}'
            f'M{x - r:.1f},{y + r:.1f}L{x + r:.1f},{y - r:.1f}" {stroke}/>'
        )
    if shape == "plus":
        return (
            f'<path d="M{x - r:.1f},{y:.1f}L{x + r:.1f},{y:.1f}'
            f'M{x:.1f},{y - r:.1f}L{x:.1f},{y + r:.1f}" {stroke}/>'
        )
    outer, inner = r * 1.4, r * 0.6
    corners = []
    for point in range(10):
        radius = outer if point % 2 == 0 else inner
        dx, dy = _STAR[point]
        corners.append((x + radius * dx, y + radius * dy))
    return _polygon(corners, fill)


#: The unit directions of a five-pointed star's ten corners, the first pointing up.
_STAR = (
    (0.0, -1.0),
    (0.588, -0.809),
    (0.951, -0.309),
    (0.951, 0.309),
    (0.588, 0.809),
    (0.0, 1.0),
    (-0.588, 0.809),
    (-0.951, 0.309),
    (-0.951, -0.309),
    (-0.588, -0.809),
)


def _polygon(points: list[tuple[float, float]], paint: str) -> str:
    listed = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polygon points="{listed}" {paint}/>'


def _polyline(points: list[tuple[float, float]], colour: str, dash: str) -> str:
    listed = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline points="{listed}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>'


def _describe(title: str, axis: Sequence[str], series: Sequence[Series]) -> str:
    """Every value of the chart in words."""
    names = [label.replace("|", " ") for label in axis]
    lines = []
    for name, points in series:
        values = [
            f"{names[index]}: {_said(value, text)}"
            for index, (value, text) in enumerate(points)
            if index < len(names)
        ]
        lines.append(f"{name}: " + "; ".join(values))
    return f"{title}. " + ". ".join(lines) + "."


def _said(value: float | None, text: str) -> str:
    if value is None:
        return "none"
    return text or f"{value:g}"


def _text(
    x: float,
    y: float,
    text: str,
    *,
    weight: str = "normal",
    anchor: str = "start",
    size: int = 12,
    halo: bool = False,
) -> str:
    # A white outline painted under the letters keeps a label legible over the lines.
    outline = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"' if halo else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-weight="{weight}" font-size="{size}"'
        f' text-anchor="{anchor}" fill="#212121"{outline}>{escape(text)}</text>'
    )
