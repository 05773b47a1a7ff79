"""``--format github``: workflow commands that GitHub Actions shows as annotations on the diff.

Files are named from the top of the git work tree, as GitHub names them, so annotations land
on the right file when the compliance repository is a sub-folder.
"""

from __future__ import annotations

from ciptool.findings import Finding
from ciptool.loader.places import CONFIG_FILE
from ciptool.render.printable import undecodable_escaped
from ciptool.render.run_scope import UNUSABLE_CONFIG_NOTE, RunScope
from ciptool.results import RunResult

_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def render_github(result: RunResult, scope: RunScope | None = None) -> str:
    """One ``::error``/``::warning``/``::notice`` line per finding, and a last one when checks
    did not run: every check, for an unusable ciptool.yaml; those a selection left out.
    """
    scope = scope if scope is not None else RunScope()
    lines = [_line(finding, scope.prefix) for finding in result.findings]
    if not result.config_usable:
        where = f"file={_property(scope.prefix + CONFIG_FILE)},line=1,col=1,"
        title = _property("ciptool did not run its checks")
        lines.append(f"::error {where}title={title}::{_data(UNUSABLE_CONFIG_NOTE)}\n")
    elif left_out := scope.left_out(result):
        title = _property("ciptool did not run every check")
        lines.append(f"::warning title={title}::{_data(scope.left_out_note(left_out))}\n")
    return "".join(lines)


def _line(finding: Finding, prefix: str) -> str:
    command = _COMMANDS[finding.severity.value]
    if finding.excepted:
        command = "notice"
    properties = [f"title={_property(f'{finding.code} (ciptool)')}"]
    location = finding.location
    if location is not None:
        properties.insert(0, f"file={_property(prefix + location.file)}")
        if location.line:
            properties[1:1] = [f"line={location.line}", f"col={location.column or 1}"]
    message = finding.message
    if finding.suggestion:
        message += f"\n{finding.suggestion}"
    if finding.excepted:
        message += f"\nexcepted by {finding.excepted_by} until {finding.excepted_until}"
    return f"::{command} {','.join(properties)}::{_data(message)}\n"


def _data(text: str) -> str:
    text = undecodable_escaped(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
