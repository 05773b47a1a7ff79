"""Every machine-readable format of ``ciptool check`` and its renderer."""

from __future__ import annotations

from collections.abc import Callable

from ciptool.engine import RunResult
from ciptool.render import CheckFormat
from ciptool.render.github import render_github
from ciptool.render.json import render_json
from ciptool.render.junit import render_junit
from ciptool.render.sarif import render_sarif
from ciptool.render.terminal import render_text

#: The terminal format prints with colours to a console; ``render_text`` is its plain form.
CHECK_RENDERERS: dict[CheckFormat, Callable[[RunResult], str]] = {
    CheckFormat.terminal: render_text,
    CheckFormat.json: render_json,
    CheckFormat.sarif: render_sarif,
    CheckFormat.junit: render_junit,
    CheckFormat.github: render_github,
}
