"""Every extension point is a registry, and every member of each is served: no format or kind
falls through to another's output."""

from __future__ import annotations

from pathlib import Path

from ciptool.render import CheckFormat
from ciptool.render.outputs import CHECK_OUTPUTS, render_check
from ciptool.results import RunResult
from conftest import AS_OF


def test_every_check_format_is_served_by_its_own_renderer_and_nothing_else_is() -> None:
    assert list(CHECK_OUTPUTS) == list(CheckFormat)
    result = RunResult(
        root=Path(),
        program="Registry",
        findings=(),
        files_read=0,
        config_usable=True,
        today=AS_OF,
    )
    written = set()
    for output_format, output in CHECK_OUTPUTS.items():
        assert output.format is output_format
        renderer = output.renderer()
        assert renderer.__module__ == f"ciptool.render.{output_format.value}"
        written.add(render_check(output_format, result))
    assert len(written) == len(CheckFormat)


def test_only_the_terminal_format_is_printed_for_a_terminal() -> None:
    assert [f for f, output in CHECK_OUTPUTS.items() if output.for_terminal] == [
        CheckFormat.terminal
    ]
