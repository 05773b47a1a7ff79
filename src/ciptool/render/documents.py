"""Documents from templates: Markdown and self-contained HTML through jinja2.

Templates use ``StrictUndefined``, so a mistyped name fails instead of printing nothing. A
repository can override any template, or add a report of its own, from its ``templates/``
folder (``KIND.md.j2``, ``KIND.html.j2``); ciptool's own templates are found after it.

Templates render in jinja2's sandbox: a repository is data, often received from someone else
(an auditor runs the reports of the program they audit), so its templates may read what they
are given but never reach Python's internals to run a command or open a file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ciptool.errors import UsageError
from ciptool.render import charts

TEMPLATES_DIR = "templates"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#~])")


def environment(root: Path | None, *, html: bool) -> jinja2.Environment:
    """The template environment: the repository's templates first, then ciptool's."""
    loaders: list[jinja2.BaseLoader] = []
    if root is not None and (root / TEMPLATES_DIR).is_dir():
        loaders.append(jinja2.FileSystemLoader(str(root / TEMPLATES_DIR)))
    loaders.append(jinja2.PackageLoader("ciptool", "templates"))
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_text
    env.filters["cell"] = markdown_cell
    env.globals["coverage_chart"] = _markup(charts.coverage_bars, html)
    env.globals["status_chart"] = _markup(charts.status_bar, html)
    return env


def render_document(root: Path | None, kind: str, fmt: str, context: dict[str, Any]) -> str:
    """Render ``KIND.FMT.j2`` with ``context``; HTML, including the PDF's layout
    (``pdf.html``), escapes every value, so user text is printed, never read as markup.
    """
    env = environment(root, html=fmt.endswith("html"))
    name = f"{kind}.{fmt}.j2"
    try:
        template = env.get_template(name)
        text = template.render(**context)
    except jinja2.TemplateNotFound as exc:
        raise UsageError(f"no template {exc.name} (in templates/ or ciptool's own)") from None
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise UsageError(f"{_template_place(exc) or name}: {exc}") from None
    return text if text.endswith("\n") else text + "\n"


def _template_place(exc: BaseException) -> str:
    """file:line of the template line that failed, from the traceback jinja2 rewrites."""
    place = ""
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            place = f"{filename}:{trace.tb_lineno}"
        trace = trace.tb_next
    return place


def has_template(root: Path | None, kind: str, fmt: str) -> bool:
    """True when a template for ``kind`` in ``fmt`` exists (the repository's or ciptool's)."""
    try:
        environment(root, html=False).get_template(f"{kind}.{fmt}.j2")
    except jinja2.TemplateNotFound:
        return False
    return True


def markdown_text(value: Any) -> str:
    """``value`` as Markdown text that renders literally: no markup, no raw HTML."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;")
    return _MD_SPECIAL.sub(
        lambda m: "&lt;" if m.group() == "<" else "&gt;" if m.group() == ">" else "\\" + m.group(),
        text,
    )


def markdown_cell(value: Any) -> str:
    """``value`` for a Markdown table cell: literal, on one line."""
    return " ".join(markdown_text(value).split())


def _markup(function: Any, html: bool) -> Any:
    def wrapped(*args: Any) -> Any:
        svg = function(*args)
        return Markup(svg) if html else svg

    return wrapped
