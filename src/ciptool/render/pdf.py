"""PDF for the documents that are read on paper: the Audit Committee briefing and SOC 2 package.

Needs the optional ``pdf`` extra (``pip install 'ciptool[pdf]'``, which brings fpdf2, pure
Python). The layout comes from ``KIND.pdf.html.j2``, a simple HTML template that fpdf2 lays
out; the creation date is the generation time, so the bytes are reproducible.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ciptool.errors import UsageError
from ciptool.render.documents import render_document

#: Characters outside Latin-1 (the PDF core fonts' range), written the nearest way it allows.
_NEAREST = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u2192": "->",
        "\u2022": "*",
    }
)


def render_pdf(kind: str, context: dict[str, Any], root: Any = None) -> bytes:
    """The document as PDF bytes; a usage error when the ``pdf`` extra is not installed."""
    try:
        from fpdf import FPDF
    except ImportError:
        raise UsageError(
            "PDF output needs the pdf extra: pip install 'ciptool[pdf]'"
            " (or write html and print it from a browser)"
        ) from None
    html = render_document(root, kind, "pdf.html", context)
    text = html.translate(_NEAREST).encode("latin-1", errors="replace").decode("latin-1")
    meta = context["meta"]
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(meta.generated_at.astimezone(dt.timezone.utc))
    pdf.set_title(f"{meta.title} - {meta.program}".translate(_NEAREST))
    pdf.set_author("ciptool")
    pdf.set_creator(f"ciptool {meta.tool_version}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(14, 14, 14)
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    pdf.write_html(text)
    return bytes(pdf.output())
