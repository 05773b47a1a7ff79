"""Documents from templates: Markdown and self-contained HTML through jinja2.

Templates use ``StrictUndefined``, so a mistyped name fails instead of printing nothing. A
repository can override any template, or add a report of its own, from its ``templates/``
folder (``KIND.md.j2``, ``KIND.html.j2``); ciptool's own templates are found after it.

A repository is data, often received from someone else (an auditor runs the reports of the
program they audit), so its templates are untrusted code: they are read from ``templates/``
and nowhere else (:mod:`.template_files`), and render in an immutable sandbox with limits on
what they may build, write, take and use (:mod:`.sandbox`). Whatever goes wrong in one is a
usage error naming the template and its line.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ciptool.errors import UsageError
from ciptool.render import charts, line_charts
from ciptool.render.sandbox import RenderingLimits, TemplateSandbox, render_bounded
from ciptool.render.template_files import TEMPLATES_DIR, RepositoryTemplates

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#~])")
RECURSES = (
    "the templates call themselves without end (a macro, an include or an extends that"
    " recurses too deeply)"
)


def environment(root: Path | None, *, html: bool) -> TemplateSandbox:
    """The template environment: the repository's templates first, then ciptool's."""
    loaders: list[jinja2.BaseLoader] = []
    if root is not None:
        folder = root / TEMPLATES_DIR
        if folder.is_dir() or folder.is_symlink():
            loaders.append(RepositoryTemplates(root))
    loaders.append(jinja2.PackageLoader("ciptool", "templates"))
    env = TemplateSandbox(
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
    env.globals["heat_map_chart"] = _markup(charts.heat_map, html)
    env.globals["line_chart"] = _markup(line_charts.line_chart, html)
    return env


def _repository_templates(env: jinja2.Environment) -> RepositoryTemplates | None:
    loader = env.loader
    if isinstance(loader, jinja2.ChoiceLoader):
        for each in loader.loaders:
            if isinstance(each, RepositoryTemplates):
                return each
    return None


def render_document(root: Path | None, kind: str, fmt: str, context: Mapping[str, Any]) -> str:
    """Render ``KIND.FMT.j2`` with ``context``; HTML (which the PDF is laid out from) escapes
    every value, so user text is printed, never read as markup.

    Where the repository has templates, rendering is bounded in output, time and memory;
    any error of a template it served is a usage error at the template's line.
    """
    env = environment(root, html=fmt.endswith("html"))
    values = dict(context)  # jinja2 takes a dict: a view-model's fields become its names
    name = f"{kind}.{fmt}.j2"
    repository = _repository_templates(env)
    limits = RenderingLimits()
    try:
        with limits.applied() if repository else contextlib.nullcontext(limits):
            template = env.get_template(name)
            text = render_bounded(template, values) if repository else template.render(values)
    except UsageError:
        raise
    except jinja2.TemplateNotFound as exc:
        where = _template_place(exc)
        raise UsageError(
            f"{where + ': ' if where else ''}no template {exc.name}"
            f" (in {TEMPLATES_DIR}/ or ciptool's own)"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
    except Exception as exc:
        if not isinstance(exc, jinja2.TemplateError) and not (repository and repository.served):
            raise  # an error in ciptool's own templates is a bug
        where = _template_place(exc) or _shown(name, repository)
        raise UsageError(f"{where}: {_what_went_wrong(exc, limits)}") from None
    return text if text.endswith("\n") else text + "\n"


def _what_went_wrong(exc: Exception, limits: RenderingLimits) -> str:
    if isinstance(exc, jinja2.TemplateError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return RECURSES
    if isinstance(exc, MemoryError):
        if limits.memory_limited:
            return (
                f"rendering needed more than the {limits.memory_bytes // (1024 * 1024)} MiB"
                " of memory a template may use"
            )
        return "rendering ran out of memory"
    return f"{type(exc).__name__}: {exc}"


def _shown(name: str, repository: RepositoryTemplates | None) -> str:
    """``name`` as errors show it: the repository's path when it served the template."""
    rel = f"{TEMPLATES_DIR}/{name}"
    return rel if repository is not None and rel in repository.served else name


def _template_place(exc: BaseException) -> str:
    """file:line of the template line that failed, from the traceback jinja2 rewrites: the
    repository's path (``templates/x.md.j2``) or ``ciptool's x.md.j2``.
    """
    place = ""
    trace = exc.__traceback__
    while trace is not None:
        if "__jinja_exception__" in trace.tb_frame.f_globals:  # a template's line
            filename = trace.tb_frame.f_code.co_filename
            if not filename.startswith(f"{TEMPLATES_DIR}/"):
                filename = f"ciptool's {Path(filename).name}"
            place = f"{filename}:{trace.tb_lineno}"
        trace = trace.tb_next
    return place


def has_template(root: Path | None, kind: str, fmt: str) -> bool:
    """True when a template for ``kind`` in ``fmt`` exists (the repository's or ciptool's);
    the template is read, not compiled (a refusal to read it is a usage error).
    """
    env = environment(root, html=False)
    assert env.loader is not None
    try:
        env.loader.get_source(env, f"{kind}.{fmt}.j2")
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
