"""``--format sarif``: SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs).

Results carry the rule, level, message (with the suggestion), the file and region, the YAML
path as a logical location, a partial fingerprint that survives line moves, and a suppression
when a live exception covers the finding. Paths are relative to the repository (``%SRCROOT%``),
so the log names no machine's folders.
"""

from __future__ import annotations

import json
from typing import Any

from ciptool import __version__
from ciptool.checks import ALL_RULES
from ciptool.findings import Finding, Location
from ciptool.results import RunResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def render_sarif(result: RunResult) -> str:
    """The run as a SARIF 2.1.0 log, with a trailing newline."""
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
                        "rules": [_rule(rule) for rule in ALL_RULES],
                    }
                },
                "automationDetails": {"id": f"ciptool/check/{result.today.isoformat()}"},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index, result.baselined) for f in result.findings],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.slug.split("-")),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.documentation()},
        "help": {"text": rule.documentation()},
        "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
        "properties": {"tags": [rule.family]},
    }


def _result(finding: Finding, index: dict[str, int], in_baseline: bool | None) -> dict[str, Any]:
    text = finding.message + (f" {finding.suggestion}" if finding.suggestion else "")
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVELS[finding.severity.value],
        "message": {"text": text},
        "locations": [_location(finding.location)] if finding.location else [],
        "partialFingerprints": {"ciptoolFindingHash/v1": finding.fingerprint},
    }
    if in_baseline is not None:
        out["baselineState"] = "unchanged" if finding.in_baseline else "new"
    if finding.related:
        out["relatedLocations"] = [
            {"id": number, **_location(loc)} for number, loc in enumerate(finding.related, 1)
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


def _location(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": location.file, "uriBaseId": "%SRCROOT%"}
    }
    if location.line:
        physical["region"] = {"startLine": location.line, "startColumn": location.column or 1}
    out: dict[str, Any] = {"physicalLocation": physical}
    if location.yaml_path:
        out["logicalLocations"] = [{"fullyQualifiedName": location.yaml_path, "kind": "member"}]
    return out
