"""The registry of the formats of ``ciptool check``: each format and its renderer, one module
per format.

Each renderer is imported only when its format is asked for (a deferred import, for start-up):
a check whose result was kept from an earlier run prints it without loading the rule catalogue
that SARIF and JUnit need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ciptool.loader.collector import gc_paused
from ciptool.render import CheckFormat
from ciptool.render.run_scope import RunScope
from ciptool.results import RunResult

#: A renderer: the result, and what the run was asked for, written in one format.
Renderer = Callable[[RunResult, RunScope | None], str]


@dataclass(frozen=True)
class CheckOutput:
    """A format of ``ciptool check``, and what it needs to be written."""

    format: CheckFormat
    #: Imports the format's module and gives its renderer.
    renderer: Callable[[], Renderer]
    #: Printed to a terminal in colour, with the coverage and a summary on standard error,
    #: unless written to a file; every other format is written to standard output as it is.
    for_terminal: bool = False


def _terminal() -> Renderer:
    from ciptool.render.terminal import render_text

    return render_text


def _json() -> Renderer:
    from ciptool.render.json import render_json

    return render_json


def _sarif() -> Renderer:
    from ciptool.render.sarif import render_sarif

    return render_sarif


def _junit() -> Renderer:
    from ciptool.render.junit import render_junit

    return render_junit


def _github() -> Renderer:
    from ciptool.render.github import render_github

    return render_github


#: Every format of ``ciptool check``; a test proves each :class:`CheckFormat` is here and
#: nothing else is.
CHECK_OUTPUTS: dict[CheckFormat, CheckOutput] = {
    output.format: output
    for output in (
        CheckOutput(CheckFormat.terminal, _terminal, for_terminal=True),
        CheckOutput(CheckFormat.json, _json),
        CheckOutput(CheckFormat.sarif, _sarif),
        CheckOutput(CheckFormat.junit, _junit),
        CheckOutput(CheckFormat.github, _github),
    )
}


def render_check(
    output_format: CheckFormat, result: RunResult, scope: RunScope | None = None
) -> str:
    """``result`` written in ``output_format``; the terminal format as plain text."""
    renderer = CHECK_OUTPUTS[output_format].renderer()
    # Rendering makes objects that reference counting frees: the cyclic collector, left on,
    # would scan the findings again and again (a third of the time for 300,000 findings).
    with gc_paused():
        return renderer(result, scope if scope is not None else RunScope())
