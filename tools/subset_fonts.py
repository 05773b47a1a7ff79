"""Write the fonts the PDF reports embed: DejaVu Sans Condensed, cut to what they print.

A PDF that only names Helvetica looks different in every viewer that substitutes it, and an
archive copy cannot be checked for what it showed. The PDF reports embed DejaVu Sans Condensed
instead (about as wide as Helvetica, so table headings keep their words whole), subset here to
Latin-1 and the punctuation ciptool writes, with hinting dropped, so the three faces together
take 92 KB in the package:

    python tools/subset_fonts.py /usr/share/fonts/truetype/dejavu

The folder is where Debian's fonts-dejavu-core puts the fonts (DejaVu Sans 2.37). The output
goes to src/ciptool/render/fonts/, beside the fonts' licence.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]

#: Printable ASCII and Latin-1, and the punctuation and signs ciptool's documents use.
CHARACTERS = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x100),
    *(0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2192, 0x2264, 0x2265),
]
FACES = (
    "DejaVuSansCondensed.ttf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansCondensed-Oblique.ttf",
)
TARGET = Path(__file__).resolve().parents[1] / "src" / "ciptool" / "render" / "fonts"


def main(argv: list[str] | None = None) -> int:
    """Subset each face from the given folder into the package."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder that holds DejaVu Sans")
    args = parser.parse_args(argv)
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]  # keep the copyright and licence names
    options.notdef_outline = True
    for face in FACES:
        source = args.folder / face
        if not source.is_file():
            print(f"no {source}", file=sys.stderr)
            return 1
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=CHARACTERS)
        subsetter.subset(font)
        subset.save_font(font, str(TARGET / face), options)
        print(f"{face}: {(TARGET / face).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
