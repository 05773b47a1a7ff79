"""The PDF of every report kind: the HTML document laid out for print, read back as a reader's
viewer shows it (poppler's pdftotext and pdffonts, installed by .ci/run).

The PDF is made by WeasyPrint, which needs the system's Pango, and Chinese, Japanese and Korean
text needs the system's Noto Sans CJK (.ci/run installs both); a test whose tool or font is
missing is skipped locally and fails in CI.
"""

from __future__ import annotations

import html
import http.server
import re
import shutil
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.reports import REPORT_KINDS
from conftest import PROJECT_ROOT, MakeRepo, require_pdf_engine, unavailable

FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]


@pytest.fixture(scope="module")
def poppler() -> dict[str, str]:
    """pdftotext, pdffonts and pdfinfo; and the PDF engine with its system library."""
    tools = {name: shutil.which(name) for name in ("pdftotext", "pdffonts", "pdfinfo")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        unavailable(
            f"{', '.join(missing)} not installed"
            " (.ci/run installs them: apt-get install poppler-utils)"
        )
    require_pdf_engine()
    return {name: path for name, path in tools.items() if path is not None}


def render(kind: str, fmt: str, out: Path, root: Path = PROJECT_ROOT, *extra: str) -> Path:
    result = CliRunner().invoke(
        app, ["report", kind, "--repo", str(root), "-f", fmt, "-o", str(out), *FIXED, *extra]
    )
    assert result.exit_code == 0, result.output
    return out


def text_of(tools: dict[str, str], pdf: Path, *options: str) -> str:
    return subprocess.run(
        [tools["pdftotext"], *options, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def flat(text: str) -> str:
    """``text`` as one line: soft hyphens gone, every run of white space one space."""
    return " ".join(text.replace("\u00ad", "").split())


def embedded(tools: dict[str, str], pdf: Path) -> list[tuple[str, str]]:
    """Each font of ``pdf``, with pdffonts' "emb" column."""
    listing = subprocess.run(
        [tools["pdffonts"], str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    return [(line.split()[0], line.split()[-5]) for line in listing]


@pytest.mark.parametrize("kind", list(REPORT_KINDS))
def test_every_kind_comes_as_pdf_within_its_pages_fonts_embedded_every_page_marked(
    kind: str, example_pdf: Callable[[str], Path], poppler: dict[str, str]
) -> None:
    pdf = example_pdf(kind)
    fonts = embedded(poppler, pdf)
    assert fonts
    assert all(emb == "yes" for _name, emb in fonts), fonts
    # The Latin text is set in the bundled DejaVu Sans Condensed.
    assert any(name.split("+")[-1].startswith("ciptool-DejaVu-Sans") for name, _ in fonts)
    assert words_past_the_right_margin(poppler, pdf) == []
    pages = text_of(poppler, pdf).split("\f")[:-1]
    assert pages
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == "CONFIDENTIAL", (number, lines[:3])
        text = flat(page)
        assert f"Page {number} of {len(pages)}" in text, number
        assert (
            "Larkspur Mutual Health Information Protection Program \u2014 As of 2026-11-15" in text
        ), number


def test_the_marking_comes_from_the_configuration(
    make_repo: MakeRepo, tmp_path: Path, poppler: dict[str, str]
) -> None:
    root = make_repo(
        {"ciptool.yaml": "program: Test Program\nbriefing: {classification: Board only}\n"}
    )
    html_text = render("evidence-index", "html", tmp_path / "e.html", root).read_text()
    assert '<div class="marking">Board only</div>' in html_text
    page = text_of(poppler, render("evidence-index", "pdf", tmp_path / "e.pdf", root))
    assert page.split("\n", 1)[0] == "BOARD ONLY"


class _Figures(HTMLParser):
    """The section headings (h2, h3) of an HTML document, and the figures of its table cells
    and of its summary: every number written there."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.figures: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, inside a summary)
        self._heading: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        inside = bool(self._open and self._open[-1][1])
        if tag in ("svg", "style", "script", "title"):
            self._skip += 1
        if tag in ("br", "img", "meta", "link", "hr", "input", "col", "wbr"):
            return
        self._open.append((tag, inside or "summary" in classes or tag in ("td", "th")))
        if tag in ("h2", "h3"):
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("svg", "style", "script", "title"):
            self._skip -= 1
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break
        if tag in ("h2", "h3") and self._heading is not None:
            self.headings.append(flat("".join(self._heading)))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._heading is not None:
            self._heading.append(data)
        if self._open and self._open[-1][1]:
            self.figures += re.findall(r"\d+(?:[.,:/-]\d+)*%?", data)


def test_the_briefing_pdf_holds_every_heading_and_figure_of_its_html(
    tmp_path: Path, poppler: dict[str, str]
) -> None:
    source = render("audit-committee", "html", tmp_path / "ac.html").read_text()
    parsed = _Figures()
    parsed.feed(source)
    assert len(parsed.headings) >= 5
    assert len(parsed.figures) >= 50
    text = flat(text_of(poppler, render("audit-committee", "pdf", tmp_path / "ac.pdf")))
    missing = [h for h in parsed.headings if h not in text]
    assert missing == []
    # Each figure as a word of its own (a date, a share, a count), as often as the HTML has it.
    words = re.findall(r"\d+(?:[.,:/-]\d+)*%?", text)
    for figure in set(parsed.figures):
        assert words.count(figure) >= parsed.figures.count(figure), figure


def test_the_soc2_pdf_has_every_section_of_its_html_and_the_type_ii_deviation(
    tmp_path: Path, poppler: dict[str, str]
) -> None:
    source = render("soc2", "html", tmp_path / "s.html").read_text()
    parsed = _Figures()
    parsed.feed(source)
    text = flat(text_of(poppler, render("soc2", "pdf", tmp_path / "s.pdf")))
    for heading in ("Readiness", "Exceptions", "Occurrence testing"):
        assert any(h.startswith(heading) for h in parsed.headings), heading
    assert [h for h in parsed.headings if h not in text] == []
    # PHY-01 missed the second quarter: the only deviation of the Type II period.
    assert "2026-Q1: ok; 2026-Q2: missing; 2026-Q3: ok" in text
    assert "covered-with-deviations" in text


def test_the_soa_pdf_has_every_annex_a_control_and_the_additional_ones(
    tmp_path: Path, poppler: dict[str, str]
) -> None:
    source = render("soa", "html", tmp_path / "soa.html").read_text()
    controls = re.findall(r"<tr><td>(A\.\d+\.\d+|LMH-\d+)</td>", source)
    assert len(controls) == 95
    assert controls[93:] == ["LMH-1", "LMH-2"]
    text = flat(text_of(poppler, render("soa", "pdf", tmp_path / "soa.pdf")))
    words = set(text.split())
    assert [c for c in controls if c not in words] == []
    assert "Version 2026.1, approved by Cyber and Privacy Council on 2026-10-20." in text
    assert "Additional controls" in text


def test_the_evidence_index_pdf_has_every_file_on_landscape_pages_with_nothing_cut(
    tmp_path: Path, poppler: dict[str, str], example_pdf: Callable[[str], Path]
) -> None:
    source = render("evidence-index", "html", tmp_path / "e.html").read_text()
    digests = re.findall(r"<code>([0-9a-f]{64})</code>", source)
    assert len(digests) > 300
    pdf = example_pdf("evidence-index")
    info = subprocess.run(
        [poppler["pdfinfo"], str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert "841.89 x 595.276 pts (A4)" in info  # landscape
    # A digest wraps within its cell; read in order, its pieces make it whole again.
    joined = "".join(text_of(poppler, pdf).split())
    assert [d for d in digests if d not in joined] == []


#: The page margin at the left and right (``_layout.html.j2``: 14 mm), in points.
SIDE_MARGIN = 14 / 25.4 * 72


def words_past_the_right_margin(tools: dict[str, str], pdf: Path) -> list[str]:
    """Each word of ``pdf`` that reaches past its page's right margin, as pdftotext places it:
    a table cut at the edge would leave its last columns there or beyond the page."""
    boxes = text_of(tools, pdf, "-bbox")
    past: list[str] = []
    for number, (width, page) in enumerate(
        re.findall(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', boxes, re.DOTALL), 1
    ):
        edge = float(width) - SIDE_MARGIN + 0.5
        for right, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', page):
            if float(right) > edge:
                past.append(f"page {number}: {html.unescape(word)} ends at {right}")
    return past


def test_the_margin_check_sees_a_table_cut_at_the_edge(
    make_repo: MakeRepo, tmp_path: Path, poppler: dict[str, str]
) -> None:
    cells = "".join(f"<td>column-{n}-of-a-table-too-wide</td>" for n in range(12))
    template = (
        '{% extends "_layout.html.j2" %}{% block body %}'
        f'<table style="white-space: nowrap"><tr>{cells}</tr></table>{{% endblock %}}\n'
    )
    root = make_repo({"templates/wide.html.j2": template})
    pdf = render("wide", "pdf", tmp_path / "w.pdf", root)
    past = words_past_the_right_margin(poppler, pdf)
    assert any(word.startswith("page 1: column-3-of-a-table-too-wide") for word in past), past
    assert "column-11" not in text_of(poppler, pdf)  # cut off: what the check keeps away


def test_the_same_inputs_give_the_same_bytes_dated_when_generated(
    tmp_path: Path, poppler: dict[str, str]
) -> None:
    first = render("audit-committee", "pdf", tmp_path / "a.pdf").read_bytes()
    second = render("audit-committee", "pdf", tmp_path / "b.pdf").read_bytes()
    assert first == second
    info = subprocess.run(
        [poppler["pdfinfo"], "-isodates", str(tmp_path / "a.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert re.search(r"^CreationDate:\s+2026-11-15T12:00:00Z$", info, re.MULTILINE), info
    assert re.search(r"^ModDate:\s+2026-11-15T12:00:00Z$", info, re.MULTILINE), info
    later = render(
        "audit-committee", "pdf", tmp_path / "c.pdf", PROJECT_ROOT, "--generated-at",
        "2026-11-16T08:00:00Z",
    ).read_bytes()  # fmt: skip
    assert later != first


#: A name in each script the example's insurer writes in: Latin with accents, Greek, Cyrillic,
#: Japanese, Korean and Chinese (simplified and traditional).
PROGRAM = "Dvořák & Ångström Mutual Ελληνικά"
NAMES = {
    "control": "Ежеквартальная проверка доступа",
    "owner": "情報セキュリティ部 部長",
    "second control": "Ανασκόπηση πρόσβασης",
    "second owner": "정보보호팀 팀장",
    "risk": "勒索软件导致理赔中断",
    "third party": "臺灣理賠服務股份有限公司",
}
SCRIPTS_CONTROLS = f"""\
controls:
  - id: IAM-01
    title: {NAMES["control"]}
    owner: {NAMES["owner"]}
    process: governance
    frequency: quarterly
    mappings:
      soc2-2017: [CC6.2]
    evidence:
      - id: recert-signoff
        description: Signed recertification results
  - id: IAM-02
    title: {NAMES["second control"]}
    owner: {NAMES["second owner"]}
    process: incident-response
    frequency: quarterly
    mappings:
      soc2-2017: [CC6.3]
    evidence:
      - id: review
        description: Review record
"""
SCRIPTS_RISKS = f"""\
risks:
  - id: RSK-001
    title: {NAMES["risk"]}
    owner: {NAMES["owner"]}
    category: cyber
    inherent: {{likelihood: 4, impact: 5}}
    residual: {{likelihood: 2, impact: 3}}
    treatment: mitigate
    controls: [IAM-01]
    reviewed_on: 2026-06-01
    review_every: 12mo
"""
SCRIPTS_THIRD_PARTIES = f"""\
third_parties:
  - id: TP-TW
    name: {NAMES["third party"]}
    arrangement: direct-provider
    services: Claims services
    data: [pii]
    tier: medium
    owner: {NAMES["second owner"]}
    controls: [IAM-02]
"""


def _cjk_fonts() -> None:
    found = shutil.which("fc-list")
    listing = "" if found is None else subprocess.run(
        [found, ":lang=ja"], capture_output=True, text=True, check=False
    ).stdout  # fmt: skip
    if "Noto Sans CJK" not in listing:
        unavailable(
            "Noto Sans CJK is not installed (.ci/run installs it: apt-get install fonts-noto-cjk)"
        )


def test_names_in_every_script_are_intact_in_the_pdfs(
    make_repo: MakeRepo, tmp_path: Path, poppler: dict[str, str]
) -> None:
    _cjk_fonts()
    root = make_repo(
        {
            "ciptool.yaml": f"program: {PROGRAM}\nframeworks: [soc2-2017]\n",
            "controls/iam.yaml": SCRIPTS_CONTROLS,
            "risks/cyber.yaml": SCRIPTS_RISKS,
            "third-parties/tw.yaml": SCRIPTS_THIRD_PARTIES,
        }
    )
    wanted = {
        "audit-committee": [PROGRAM, NAMES["control"], NAMES["owner"], NAMES["second control"]],
        "risk-register": [PROGRAM, NAMES["risk"], NAMES["owner"]],
        "third-parties": [PROGRAM, NAMES["third party"], NAMES["second owner"]],
        "soc2": [PROGRAM, NAMES["control"], NAMES["second control"]],
    }
    for kind, names in wanted.items():
        pdf = render(kind, "pdf", tmp_path / f"{kind}.pdf", root)
        # Every character in order; a name may wrap in a narrow cell (CJK anywhere).
        text = "".join(text_of(poppler, pdf).split())
        assert [name for name in names if "".join(name.split()) not in text] == [], kind
        fonts = embedded(poppler, pdf)
        assert all(emb == "yes" for _name, emb in fonts), fonts
        if kind != "soc2":
            assert any("CJK" in name for name, _ in fonts), (kind, fonts)


SECRET = "the content of a file a template must not read"


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A web server on this machine, and the paths it was asked for."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = SECRET.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    finally:
        httpd.shutdown()
        httpd.server_close()


def _every_byte(pdf: bytes) -> bytes:
    """The PDF's bytes with each of its compressed streams inflated."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            inflated.append(zlib.decompressobj().decompress(stream))
        except zlib.error:
            continue
    return b"".join(inflated)


def test_a_template_that_names_files_and_urls_gets_a_pdf_that_fetched_none(
    make_repo: MakeRepo,
    tmp_path: Path,
    poppler: dict[str, str],
    server: tuple[str, list[str]],
) -> None:
    url, asked = server
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    svg_png = "data:image/svg+xml," + html.escape(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4"'
        ' height="4"/></svg>'
    )
    names = [secret.as_uri(), "file:///etc/passwd", "../secret.txt", "secret.txt", url + "/x"]
    links = "".join(
        f'<link rel="stylesheet" href="{n}"><img src="{n}" alt="">'
        f'<a rel="attachment" href="{n}">a</a><object data="{n}"></object>'
        f'<svg><image href="{n}" width="9" height="9"/></svg>'
        f"<style>@import url({n!r}); p {{ background: url({n!r}) }}"
        f" @font-face {{ font-family: x; src: url({n!r}) }}</style>"
        for n in names
    )
    template = (
        "<!DOCTYPE html><html><head><base href='file:///etc/'></head><body>"
        f"<p style='font-family: x'>Weekly for {{{{ meta.program }}}}</p>{links}"
        f"<img src='{svg_png}' alt='drawn inline'></body></html>\n"
    )
    root = make_repo({"templates/weekly.html.j2": template, "secret.txt": SECRET})
    out = tmp_path / "weekly.pdf"
    made = CliRunner().invoke(
        app, ["report", "weekly", "--repo", str(root), "-f", "pdf", "-o", str(out), *FIXED]
    )
    assert made.exit_code == 0, made.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert "Weekly for Test Program" in flat(text_of(poppler, out))
    everything = _every_byte(data)
    assert SECRET.encode() not in everything
    assert b"root:x:0:0" not in everything
    assert b"/EmbeddedFile" not in data  # no attachment was read
    assert asked == []


def test_without_pango_pdf_is_a_usage_error_naming_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins
    import sys

    real_import = builtins.__import__

    def no_pango(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            print("WeasyPrint could not import some external libraries.")  # as it does
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_pango)
    out = tmp_path / "ac.pdf"
    result = CliRunner().invoke(
        app, ["report", "audit-committee", "--repo", str(PROJECT_ROOT), "-f", "pdf", "-o",
              str(out), *FIXED],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_the_bundled_fonts_keep_their_licence() -> None:
    fonts = PROJECT_ROOT / "src" / "ciptool" / "render" / "fonts"
    from ciptool.render.pdf import FACES

    assert sorted(p.name for p in fonts.glob("*.ttf")) == sorted(FACES.values())
    licence = (fonts / "LICENSE").read_text()
    assert "Bitstream Vera" in licence
    assert "DejaVu changes are in the public domain" in licence
    # Whole, as DejaVu 2.37 ships them: every Greek and Cyrillic letter is there.
    assert min(p.stat().st_size for p in fonts.glob("*.ttf")) > 500_000


def test_a_document_too_long_to_lay_out_is_refused_with_what_to_write_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poppler: dict[str, str]
) -> None:
    from ciptool.render import pdf

    monkeypatch.setattr(pdf, "MAX_PDF_HTML_CHARS", 1000)
    out = tmp_path / "e.pdf"
    result = CliRunner().invoke(
        app, ["report", "evidence-index", "--repo", str(PROJECT_ROOT), "-f", "pdf", "-o",
              str(out), *FIXED],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert re.fullmatch(
        r"ciptool: `evidence-index` is [\d,]+ characters of HTML, too long to lay out as PDF"
        r" \(at most 1,000, some 400 pages\): write it as html \(and print that\), or as csv"
        r" or xlsx where the kind has tables\n",
        result.stderr.splitlines(keepends=True)[-1],
    ), result.stderr
    assert not out.exists()
