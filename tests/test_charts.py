"""Charts a greyscale print loses nothing of: every status in a chart has a marking of its own
(solid, hatching, dots, cross-hatching...) as well as a colour, the legend shows the same
swatches with the statuses' names, and the figures are written out, on the bars where there
is room and in words in each chart's description.

The charts are read back as XML, as a browser or a PDF converter parses them.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.render.charts import _LEVEL_FILLS, _lightness, coverage_bars, heat_map, status_bar
from ciptool.reports.frameworks import Tally
from ciptool.reports.risk_register import HeatCell
from conftest import PROJECT_ROOT

SVG = "{http://www.w3.org/2000/svg}"
FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]

#: A tally with every status a coverage bar draws, and requirements not applicable.
EVERY_STATUS = Tally(
    "GV",
    "GOVERN",
    total=59,
    covered=30,
    with_deviations=6,
    declared=1,
    excepted=4,
    not_applicable=10,
    gap=8,
)


def _swatches(svg: str) -> dict[str, tuple[str | None, str]]:
    """Each status the chart draws -> (its colour, its marking in shapes, colour left out):
    a status's box is a group titled with its name, its colour and, unless it is solid, a
    ``<pattern>`` of the chart over it; bars and legend must draw a status alike."""
    root = ET.fromstring(svg)
    patterns = {
        pattern.get("id"): "".join(f"{mark.tag}{_shape(mark)}" for mark in pattern)
        for pattern in root.iter(f"{SVG}pattern")
    }
    drawn: dict[str, set[tuple[str | None, str]]] = {}
    for group in root.iter(f"{SVG}g"):
        name = group.findtext(f"{SVG}title", "").split(":")[0]
        base, *over = group.findall(f"{SVG}rect")
        marking = over[0].get("fill", "")[5:-1] if over else None
        assert not base.get("fill", "").startswith("url")
        drawn.setdefault(name, set()).add(
            (base.get("fill"), patterns[marking] if marking else "solid")
        )
    assert all(len(looks) == 1 for looks in drawn.values()), drawn
    return {name: looks.pop() for name, looks in drawn.items()}


def _shape(mark: ET.Element) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in mark.attrib.items() if k not in {"fill", "stroke"})


def _legend(svg: str) -> list[str]:
    """The statuses the legend names: the text after each swatch."""
    root = ET.fromstring(svg)
    children = list(root)
    named = []
    for index, element in enumerate(children):
        if element.tag == f"{SVG}g" and element.find(f"{SVG}rect[@height='16.0']") is not None:
            named.append(children[index + 1].text or "")
    return named


def test_each_status_of_a_coverage_bar_has_its_own_marking_and_legend_entry() -> None:
    svg = coverage_bars([EVERY_STATUS], "Subcategories by function")
    looks = _swatches(svg)
    assert sorted(looks) == ["covered", "covered-with-deviations", "declared", "excepted", "gap"]
    assert len({marking for _, marking in looks.values()}) == 5  # apart without colour
    assert _legend(svg) == ["covered", "covered with deviations", "excepted", "declared", "gap"]


def test_each_status_of_an_evidence_bar_has_its_own_marking_and_legend_entry() -> None:
    counts = [("current", 120), ("stale", 9), ("missing", 4), ("broken", 1), ("future", 2)]
    svg = status_bar(counts, "Evidence requirements by status (136)")
    looks = _swatches(svg)
    assert sorted(looks) == ["broken", "current", "future", "missing", "stale"]
    assert len({marking for _, marking in looks.values()}) == 5
    assert _legend(svg) == ["current (120)", "stale (9)", "missing (4)", "broken (1)", "future (2)"]


def test_names_ciptool_does_not_know_get_markings_no_known_status_in_the_chart_uses() -> None:
    counts = [("critical", 1), ("open", 3), ("closed", 7), ("accepted", 2), ("high", 4)]
    looks = _swatches(status_bar(counts, "Findings"))
    assert len({marking for _, marking in looks.values()}) == 5
    assert len({colour for colour, _ in looks.values()}) == 5
    mixed = [("covered", 3), ("current", 2), ("low", 1)]  # all three solid on their own
    assert len({marking for _, marking in _swatches(status_bar(mixed, "M")).values()}) == 3
    nine = [(f"status {n}", 1) for n in range(9)]  # more names than markings: none is lost
    assert len(_swatches(status_bar(nine, "Nine"))) == 9


def test_a_segment_carries_its_count_where_it_is_wide_enough_and_beside_the_bar_otherwise() -> None:
    svg = coverage_bars([EVERY_STATUS], "t")
    # 49 applicable over 400 px: covered 245 px, with deviations 49, excepted 33, declared 8
    # (too narrow for its count), gap 65
    chips = re.findall(r'text-anchor="middle" fill="#212121" aria-hidden="true">(\d+)<', svg)
    assert chips == ["30", "6", "4", "8"]
    assert ">61%; 1 declared (10 not applicable)</text>" in svg
    desc = ET.fromstring(svg).findtext(f"{SVG}desc")
    assert desc == (
        "GV GOVERN: 61% covered (30 covered, 6 covered with deviations, 4 excepted, 1 declared,"
        " 8 gap of 49 applicable; 10 not applicable)."
    )


def test_a_bar_with_no_requirement_applicable_says_so() -> None:
    svg = coverage_bars([Tally("", "Privacy", 3, 0, 0, 0, 0, 3, 0)], "t")
    assert ET.fromstring(svg).findtext(f"{SVG}desc") == (
        "Privacy: no requirement applicable (3 not applicable)."
    )
    assert "<g>" not in svg  # nothing drawn


def test_a_chart_is_the_same_in_every_run_and_its_pattern_ids_are_its_own() -> None:
    first = coverage_bars([EVERY_STATUS], "A")
    assert coverage_bars([EVERY_STATUS], "A") == first
    ids = set(re.findall(r'<pattern id="([^"]+)"', first))
    other = set(re.findall(r'<pattern id="([^"]+)"', coverage_bars([EVERY_STATUS], "B")))
    assert len(ids) == 4 and not ids & other  # covered is solid: its colour, no pattern


def test_no_two_charts_of_the_briefing_share_an_id(tmp_path: Path) -> None:
    out = tmp_path / "briefing.html"
    args = ["report", "audit-committee", "--repo", str(PROJECT_ROOT), "-f", "html"]
    result = CliRunner().invoke(app, [*args, "-o", str(out), *FIXED])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    svgs = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    assert len(svgs) >= 3
    ids = Counter(re.findall(r' id="([^"]+)"', html))
    assert [name for name, seen in ids.items() if seen > 1] == []
    patterned = 0
    for svg in svgs:  # each chart fills only with patterns it defines itself
        ET.fromstring(svg)
        used = set(re.findall(r"url\(#([^)]+)\)", svg))
        assert used <= set(re.findall(r'<pattern id="([^"]+)"', svg))
        patterned += bool(used)
    assert patterned >= 2


def test_a_heat_map_says_each_cells_level_and_darkens_with_it_in_greyscale() -> None:
    cells = [
        HeatCell(3, 4, 12, "high", True, ("RSK-001",), ()),
        HeatCell(1, 2, 2, "low", False, (), ("RSK-001",)),
    ]
    svg = heat_map(cells, "Where the risks sit", 8)
    root = ET.fromstring(svg)
    tops = [t.text for t in root.iter(f"{SVG}text") if t.get("font-size") == "10"]
    assert tops == ["12 high", "2 low", "12 high", "2 low"]
    greys = [_lightness(_LEVEL_FILLS[level]) for level in ("low", "medium", "high", "critical")]
    assert greys == sorted(greys, reverse=True)
    assert min(a - b for a, b in itertools.pairwise(greys)) > 25  # steps a print keeps apart
    assert root.findtext(f"{SVG}desc") == (
        "Inherent: RSK-001 at likelihood 3, impact 4 (score 12). Residual: RSK-001 at"
        " likelihood 1, impact 2 (score 2). The appetite is a score of 8."
    )
