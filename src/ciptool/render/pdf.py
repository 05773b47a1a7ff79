"""PDF for the documents that are read on paper: the Audit Committee briefing and SOC 2 package.

Needs the optional ``pdf`` extra (``pip install 'ciptool[pdf]'``, which brings fpdf2, pure
Python). The layout comes from ``KIND.pdf.html.j2``, a simple HTML template that fpdf2 lays
out; the creation date is the generation time, so the bytes are reproducible. The text is set
in DejaVu Sans Condensed, embedded (``fonts/``, subset by tools/subset_fonts.py to Latin-1 and the
punctuation ciptool writes), so every viewer shows the same document and its text can be
extracted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from importlib import resources
from typing import Any

from ciptool.errors import UsageError
from ciptool.render.documents import render_document

#: The embedded faces: fpdf2 style -> file in ``fonts/``.
_FACES = {
    "": "DejaVuSansCondensed.ttf",
    "B": "DejaVuSansCondensed-Bold.ttf",
    "I": "DejaVuSansCondensed-Oblique.ttf",
}
_FAMILY = "dejavu"
_INK = "#1c2430"
_ACCENT = "#0d47a1"
#: Characters outside Latin-1 that the embedded subset has; any other is written as "?".
_EXTRA = frozenset("\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2192\u2264\u2265")


def _printable(text: str) -> str:
    """``text`` with each character the embedded fonts lack replaced by "?"."""
    return "".join(ch if ord(ch) < 0x100 or ch in _EXTRA else "?" for ch in text)


def render_pdf(kind: str, context: Mapping[str, Any], root: Any = None) -> bytes:
    """The document as PDF bytes; a usage error when the ``pdf`` extra is not installed."""
    try:
        from fpdf import FPDF, FontFace, TextStyle
    except ImportError:
        raise UsageError(
            "PDF output needs the pdf extra: pip install 'ciptool[pdf]'"
            " (or write html and print it from a browser)"
        ) from None
    text = _printable(render_document(root, kind, "pdf.html", context))
    meta = context["meta"]
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    fonts = resources.files("ciptool.render") / "fonts"
    for style, name in _FACES.items():
        with resources.as_file(fonts / name) as path:
            pdf.add_font(_FAMILY, style, str(path))
    pdf.set_creation_date(meta.generated_at.astimezone(dt.timezone.utc))
    pdf.set_title(f"{meta.title} - {meta.program}")
    pdf.set_author("ciptool")
    pdf.set_creator(f"ciptool {meta.tool_version}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(14, 14, 14)
    pdf.add_page()
    pdf.set_font(_FAMILY, size=9)
    # The HTML documents' ink and accent, not fpdf2's dark red headings and bullets; code in
    # the embedded face too, since fpdf2's default Courier is not embedded.
    styles = {
        "h1": TextStyle(font_style="B", font_size_pt=18, color=_INK, t_margin=2, b_margin=2),
        "h2": TextStyle(font_style="B", font_size_pt=13, color=_ACCENT, t_margin=5, b_margin=1),
        "h3": TextStyle(font_style="B", font_size_pt=11, color=_INK, t_margin=4, b_margin=1),
        "code": FontFace(family=_FAMILY),
        "pre": TextStyle(font_family=_FAMILY, t_margin=2),
    }
    pdf.write_html(text, font_family=_FAMILY, tag_styles=styles, li_prefix_color=_INK)
    return bytes(pdf.output())
