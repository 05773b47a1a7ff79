"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs).

Results carry the rule, level, message (with the suggestion), the file and region, the YAML
path as a logical location, a partial fingerprint that survives line moves, and a suppression
when a live exception covers the finding. Each rule carries its documentation as Markdown and
a link to its section of docs/rules.md.

URIs are relative to ``%SRCROOT%``, the top of the git work tree that holds the repository
(the repository itself outside git), as code scanning expects, percent-encoded, so that the
log names no machine's folders and every file name is a valid URI reference. A finding about a
whole file is placed on its first line, as code scanning needs a region.

The run's invocation says whether it is complete: ``executionSuccessful`` is false, with an
error notification, when ciptool.yaml could not be used (nothing else was read), and rules
that ``--select``/``--ignore`` left out are listed as disabled, with a warning notification.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

from ciptool import HOMEPAGE, __version__
from ciptool.checks import ALL_RULES, Check, LoaderRule
from ciptool.findings import Finding, Location
from ciptool.loader.places import CONFIG_FILE
from ciptool.render.indented import Items, indented_json
from ciptool.render.rules import help_uri, rule_markdown
from ciptool.render.run_scope import UNUSABLE_CONFIG_NOTE, RunScope, exit_code
from ciptool.results import RunResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}
_ROOT = "%SRCROOT%"


def render_sarif(result: RunResult, scope: RunScope | None = None) -> str:
    """The run as a SARIF 2.1.0 log, with a trailing newline."""
    scope = scope if scope is not None else RunScope()
    index = {rule.code: position for position, rule in enumerate(ALL_RULES)}
    log: dict[str, Any] = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ciptool",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": [_rule(rule) for rule in ALL_RULES],
                    }
                },
                "invocations": [_invocation(result, scope)],
                "originalUriBaseIds": {
                    _ROOT: {
                        "description": {
                            "text": "The top of the git work tree that holds the compliance"
                            " repository; the repository itself when it is in none."
                        }
                    }
                },
                "automationDetails": {"id": f"ciptool/check/{result.today.isoformat()}"},
                "columnKind": "unicodeCodePoints",
                "results": Items(
                    (_result(f, index, result.baselined, scope) for f in result.findings),
                    one_per_line=True,
                ),
            }
        ],
    }
    return indented_json(log, end="\n")


def _rule(rule: Check | LoaderRule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.slug.split("-")),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.documentation()},
        "helpUri": help_uri(rule.code),
        "help": {"text": rule.documentation(), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
        "properties": {"tags": [rule.family]},
    }


def _invocation(result: RunResult, scope: RunScope) -> dict[str, Any]:
    """Whether the run did all it should, and what it left out."""
    invocation: dict[str, Any] = {
        "executionSuccessful": result.config_usable,
        "exitCode": exit_code(result),
    }
    if not result.config_usable:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": UNUSABLE_CONFIG_NOTE},
                "locations": [_location(Location(CONFIG_FILE), scope)],
            }
        ]
        return invocation
    left_out = scope.left_out(result)
    if left_out:
        invocation["ruleConfigurationOverrides"] = [
            {
                "descriptor": {"id": rule.code, "index": position},
                "configuration": {"enabled": False},
            }
            for position, rule in left_out
        ]
        invocation["toolConfigurationNotifications"] = [
            {
                "level": "warning",
                "message": {"text": scope.left_out_note(left_out)},
            }
        ]
    return invocation


def _result(
    finding: Finding, index: dict[str, int], in_baseline: bool | None, scope: RunScope
) -> dict[str, Any]:
    text = finding.message + (f" {finding.suggestion}" if finding.suggestion else "")
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVELS[finding.severity.value],
        "message": {"text": text},
        "locations": [_location(finding.location, scope)] if finding.location else [],
        "partialFingerprints": {"ciptoolFindingHash/v1": finding.fingerprint},
    }
    if in_baseline is not None:
        out["baselineState"] = "unchanged" if finding.in_baseline else "new"
    if finding.related:
        out["relatedLocations"] = [
            {"id": number, **_location(loc, scope)} for number, loc in enumerate(finding.related, 1)
        ]
    if finding.excepted:
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"exception {finding.excepted_by}, until {finding.excepted_until}",
            }
        ]
    return out


@functools.lru_cache(maxsize=4096)  # a file has many findings
def artifact_uri(path: str) -> str:
    """A repository path as a relative URI reference: every byte but unreserved characters
    and ``/`` percent-encoded (UTF-8), so spaces, ``%``, ``#``, ``?`` and ``:`` stay in the
    file's name.
    """
    # A name that is not UTF-8 is held with surrogate escapes: its own bytes are encoded.
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _location(location: Location, scope: RunScope) -> dict[str, Any]:
    uri = artifact_uri(scope.prefix + location.file)
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": _ROOT}}
    # A finding about a whole file (an unlisted evidence file) points at its first line:
    # code scanning places every result in a region.
    physical["region"] = {"startLine": location.line or 1, "startColumn": location.column or 1}
    out: dict[str, Any] = {"physicalLocation": physical}
    if location.yaml_path:
        out["logicalLocations"] = [{"fullyQualifiedName": location.yaml_path, "kind": "member"}]
    return out
