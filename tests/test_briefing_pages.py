"""Every page of the Audit Committee briefing as a picture, in colour and in greyscale.

The HTML is printed by Chromium (print media, A4, backgrounds on: what a board member gets
from the browser's Print), the PDF is the report's own; both go through poppler's
``pdftoppm``, once in colour and once with ``-gray`` (a greyscale print). The pictures are
kept in ``test-artifacts/briefing/`` for a person to look at; the test proves that every page
is there and that none is blank, reading the PNG files back with a small reader of its own.

Chromium and poppler come from the system's packages (``.ci/run`` installs them). Where one
is missing the test is skipped, except in CI, where it fails.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import PROJECT_ROOT, unavailable
from test_browser import BROWSER_FLAGS, CHROMIUM

PAGES = PROJECT_ROOT / "test-artifacts" / "briefing"
FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]
#: Resolution of the pictures: an A4 page is 827 x 1169 pixels, enough to read 9 pt text.
DPI = "100"


def _poppler() -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None:
        unavailable("poppler-utils is not installed (.ci/run installs it)")


def _briefing(fmt: str, out: Path) -> Path:
    args = ["report", "audit-committee", "--repo", str(PROJECT_ROOT), "--format", fmt]
    result = CliRunner().invoke(app, [*args, "-o", str(out), *FIXED])
    assert result.exit_code == 0, result.output
    return out


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)$", info.stdout, re.MULTILINE)
    assert found, info.stdout
    return int(found.group(1))


def _pictures(pdf: Path, name: str) -> dict[str, list[Path]]:
    """Every page of ``pdf`` as ``NAME-colour-N.png`` and ``NAME-grey-N.png``, replacing the
    pictures of an earlier run (which may have had more pages)."""
    PAGES.mkdir(parents=True, exist_ok=True)
    made = {}
    for tone, flags in (("colour", []), ("grey", ["-gray"])):
        prefix = PAGES / f"{name}-{tone}"
        for old in PAGES.glob(f"{prefix.name}-*.png"):
            old.unlink()
        command = ["pdftoppm", "-png", "-r", DPI, *flags, str(pdf), str(prefix)]
        subprocess.run(command, check=True, capture_output=True)
        made[tone] = sorted(PAGES.glob(f"{prefix.name}-*.png"), key=_page_number)
    return made


def _page_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def _png_pixels(path: Path) -> tuple[int, int, int, bytes]:
    """Width, height, samples per pixel and the pixels of an 8-bit, non-interlaced PNG (what
    pdftoppm writes): the chunks' data joined, inflated and unfiltered row by row."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    at, compressed, header = 8, bytearray(), b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            compressed += body
        at += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0), f"{path.name}: {depth}-bit or interlaced"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    raw = zlib.decompress(bytes(compressed))
    stride = width * channels
    assert len(raw) == height * (stride + 1), f"{path.name}: truncated"
    previous = bytearray(stride)
    pixels = bytearray()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, channels)
        pixels += line
        previous = line
    return width, height, channels, bytes(pixels)


def _unfilter(kind: int, line: bytearray, up: bytearray, step: int) -> None:
    """Undo the PNG filter ``kind`` on ``line`` in place (``up`` is the row above)."""
    if kind == 0:
        return
    if kind == 2:
        line[:] = bytes((a + b) & 0xFF for a, b in zip(line, up, strict=True))
        return
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        above = up[i]
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + above) // 2) & 0xFF
        else:  # 4, Paeth: of left, above and their corner, the nearest to left + above - corner
            corner = up[i - step] if i >= step else 0
            near_left, near_above = abs(above - corner), abs(left - corner)
            near_corner = abs(left + above - 2 * corner)
            if near_left <= near_above and near_left <= near_corner:
                predicted = left
            elif near_above <= near_corner:
                predicted = above
            else:
                predicted = corner
            line[i] = (line[i] + predicted) & 0xFF


def _ink(path: Path) -> float:
    """The share of the samples (a pixel's grey, or its red, green or blue) of a page's body
    that are not paper white: its middle 80%, so that a page with nothing but a running head
    and a page number counts as blank."""
    width, height, channels, pixels = _png_pixels(path)
    row = width * channels
    body = pixels[row * (height // 10) : row * (height - height // 10)]
    return 1 - body.count(255) / len(body)


def _check_pictures(made: dict[str, list[Path]], pages: int) -> None:
    for tone, pictures in made.items():
        assert [_page_number(p) for p in pictures] == list(range(1, pages + 1)), tone
        for picture in pictures:
            ink = _ink(picture)
            assert ink > 0.002, f"{picture.name} is blank ({ink:.2%} of its body inked)"


@pytest.mark.browser
def test_every_page_of_the_html_briefing_printed_by_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        unavailable("Chromium is not installed (.ci/run installs it: apt-get install chromium)")
    _poppler()
    document = _briefing("html", tmp_path / "audit-committee.html")
    printed = tmp_path / "printed.pdf"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(document.as_uri())
        page.wait_for_load_state("load")
        page.emulate_media(media="print")
        page.pdf(path=str(printed), format="A4", print_background=True)
        browser.close()
    pages = _page_count(printed)
    assert pages >= 2
    _check_pictures(_pictures(printed, "html"), pages)


def test_every_page_of_the_pdf_briefing(tmp_path: Path) -> None:
    _poppler()
    document = _briefing("pdf", tmp_path / "audit-committee.pdf")
    pages = _page_count(document)
    assert pages >= 2
    _check_pictures(_pictures(document, "pdf"), pages)
