"""PDF of every report kind, made from the very document its ``html`` format writes.

One document model: the PDF is the kind's HTML template (a repository's own too) laid out for
print by WeasyPrint, so it has the same sections, tables and charts (inline SVG) as the HTML.
The print stylesheet is in ``_layout.html.j2``: A4 pages with the classification marking at the
top, the program, "As of DATE" and "Page N of M" at the bottom, and a landscape page for a table
marked ``wide``.

WeasyPrint was chosen by measurement against fpdf2 (the engine before it) and Chromium's print
to PDF (the numbers are in ``docs/reports.md``): fpdf2 lays out only a small subset of HTML
(no SVG, no CSS, so each kind needed a second template and lost sections and columns), and
Chromium is a browser to install, does not carry the header's marking to every page (no
``string-set``), cannot be kept from reading ``file:`` URLs without a driver, and stamps each
PDF with the time it was made. WeasyPrint installs with pip and needs the
Pango library of the system (``libpango-1.0-0`` and ``libpangoft2-1.0-0`` on Debian and
Ubuntu; ``brew install pango`` on macOS).

Fonts: the text is set in DejaVu Sans Condensed, shipped whole in ``fonts/`` (Latin, Greek,
Cyrillic and more) and embedded subset in each PDF; Chinese, Japanese and Korean come from the
system's Noto Sans CJK (Debian's ``fonts-noto-cjk``), embedded the same way.

A repository's templates are untrusted, so the converter fetches nothing: every URL a document
names (``file:``, ``http:``, a relative path) is refused except a ``data:`` URI, which holds its
content itself, and the fonts above, which are read from the package. The PDF's dates are the
report's generation time (``--generated-at``), so the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Mapping
from importlib import resources
from typing import Any
from xml.etree import ElementTree

from ciptool.errors import UsageError
from ciptool.render.documents import render_document

#: The family the print stylesheet names (``_layout.html.j2``), served from ``fonts/``: a name
#: of its own, so that a font of the system's by the same name never stands in for it.
FAMILY = "ciptool DejaVu Sans"
#: The faces of :data:`FAMILY`: (weight, style) -> file in ``fonts/``.
FACES = {
    ("normal", "normal"): "DejaVuSansCondensed.ttf",
    ("bold", "normal"): "DejaVuSansCondensed-Bold.ttf",
    ("normal", "italic"): "DejaVuSansCondensed-Oblique.ttf",
    ("bold", "italic"): "DejaVuSansCondensed-BoldOblique.ttf",
}
#: The fonts of a chart's text in the PDF, as the print stylesheet names them for the rest.
PRINT_FONTS = (
    f'"{FAMILY}", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK SC",'
    ' "Noto Sans CJK TC", sans-serif'
)
_SVG = "http://www.w3.org/2000/svg"
#: The URL scheme under which the fonts are served to the converter, and nothing else is.
_FONT_SCHEME = "ciptool-font:"

#: The longest HTML document laid out as PDF. Layout takes time and memory in proportion:
#: the evidence index takes about 30 ms of CPU and 0.3 MB of memory a file, so its PDF at the
#: benchmark's M corpus (10,000 files, 4.2 MB of HTML) would take five minutes and 3 GB. The
#: bound also keeps a repository's own template from making a PDF that never ends.
MAX_PDF_HTML_CHARS = 2 * 1024 * 1024

PANGO_MISSING = (
    "PDF output needs the Pango text layout library of the system, which was not found:"
    " apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian, Ubuntu),"
    " dnf install pango (Fedora), brew install pango (macOS)"
    " (or write html and print it from a browser)"
)
EXTRA_MISSING = (
    "PDF output needs the pdf extra: pip install 'ciptool[pdf]'"
    " (or write html and print it from a browser)"
)


def _engine() -> Any:
    """The ``weasyprint`` module; a usage error naming what to install when it cannot load."""
    # WeasyPrint prints its own advice to standard output when the system library is missing:
    # standard output may be the document itself (-o -), so that advice is replaced by ours.
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            import weasyprint
        except ImportError:
            raise UsageError(EXTRA_MISSING) from None
        except OSError:
            raise UsageError(PANGO_MISSING) from None
    return weasyprint


def _font_faces() -> str:
    """The ``@font-face`` rules of :data:`FAMILY`."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: {style};'
        f' src: url("{_FONT_SCHEME}{name}"); }}'
        for (weight, style), name in FACES.items()
    )


def _set_svg_text(root: Any) -> None:
    """Give the text of every inline SVG (the charts) the document's fonts: the document's
    stylesheet does not reach into an SVG, whose ``font-family`` names screen fonts."""
    for svg in root.iter(f"{{{_SVG}}}svg"):
        style = ElementTree.Element(f"{{{_SVG}}}style")
        style.text = f"text {{ font-family: {PRINT_FONTS}; }}"
        svg.insert(0, style)


def _fetcher() -> Any:
    """A URL fetcher that fetches nothing outside the document: a ``data:`` URI and ciptool's
    own fonts only; any other URL (``file:``, ``http:``, ...) is refused before it is opened.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fonts = resources.files("ciptool.render") / "fonts"

    class Fetcher(URLFetcher):  # type: ignore[misc]
        """Refuses every URL but ``data:`` and :data:`_FONT_SCHEME`."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(_FONT_SCHEME):
                name = url[len(_FONT_SCHEME) :]
                if name not in FACES.values():
                    raise ValueError(f"no font {name} in ciptool")
                return URLFetcherResponse(url, (fonts / name).read_bytes())
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            raise ValueError(f"{url} is not fetched: a report's PDF reads nothing outside it")

    return Fetcher(timeout=1, allow_redirects=False)


def _w3c(moment: dt.datetime) -> str:
    """``moment`` in UTC as W3C date and time, which WeasyPrint writes into the PDF."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def html_to_pdf(html: str, meta: Any) -> bytes:
    """The PDF of ``html`` (a document ciptool rendered), dated from ``meta.generated_at``."""
    weasyprint = _engine()
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher()
    font_config = FontConfiguration()
    fonts = weasyprint.CSS(string=_font_faces(), font_config=font_config, url_fetcher=fetcher)
    parsed = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    _set_svg_text(parsed.etree_element)
    document = parsed.render(stylesheets=[fonts], font_config=font_config)
    moment = _w3c(meta.generated_at)
    document.metadata.created = moment
    document.metadata.modified = moment
    # The file identifier is a digest of the content: equal inputs, equal bytes.
    return bytes(document.write_pdf(pdf_identifier=True))


def render_pdf(kind: str, context: Mapping[str, Any], root: Any = None) -> bytes:
    """The document of ``kind`` as PDF bytes: its HTML, laid out for print; a usage error for
    a document longer than :data:`MAX_PDF_HTML_CHARS`."""
    _engine()  # says what to install before any rendering
    html = render_document(root, kind, "html", context)
    if len(html) > MAX_PDF_HTML_CHARS:
        raise UsageError(
            f"`{kind}` is {len(html):,} characters of HTML, too long to lay out as PDF (at most"
            f" {MAX_PDF_HTML_CHARS:,}, some 400 pages): write it as html (and print that), or"
            " as csv or xlsx where the kind has tables"
        )
    return html_to_pdf(html, context["meta"])
