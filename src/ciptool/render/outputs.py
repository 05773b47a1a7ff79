"""Every format of ``ciptool check`` and its renderer.

Each renderer is imported only when its format is asked for: a check whose result was kept
from an earlier run prints it without loading the rule catalogue that SARIF and JUnit need.
"""

from __future__ import annotations

from ciptool.render import CheckFormat
from ciptool.results import RunResult


def render_check(output_format: CheckFormat, result: RunResult) -> str:
    """``result`` written in ``output_format``; the terminal format as plain text."""
    if output_format is CheckFormat.json:
        from ciptool.render.json import render_json

        return render_json(result)
    if output_format is CheckFormat.sarif:
        from ciptool.render.sarif import render_sarif

        return render_sarif(result)
    if output_format is CheckFormat.junit:
        from ciptool.render.junit import render_junit

        return render_junit(result)
    if output_format is CheckFormat.github:
        from ciptool.render.github import render_github

        return render_github(result)
    from ciptool.render.terminal import render_text

    return render_text(result)
