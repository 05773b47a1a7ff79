"""``--format junit``: JUnit XML (the Ant dialect) for CI test reports.

A test case per finding, named by its check and subject, and one per rule that ran and found
nothing. The test cases mirror the gate: a finding that fails the run (at or above
``--fail-on``, not excepted, not in the baseline) is a failure; any other finding is a passing
test case whose ``system-out`` says what was found and why it does not fail the run. A rule
that did not run (left out by ``--select``/``--ignore``, or because ciptool.yaml cannot be
used) is a skipped test case with the reason, never a passing one.

Beyond the Ant dialect, test cases carry ``file`` and ``line`` (GitLab's and pytest's
attributes, relative to the top of the git work tree) and may hold a ``system-out`` (as the
Surefire dialect allows). The timestamp is the as-of date, so output is reproducible.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from ciptool.checks import ALL_RULES
from ciptool.findings import Finding, Location
from ciptool.render.printable import undecodable_escaped
from ciptool.render.run_scope import RunScope
from ciptool.results import RunResult


def render_junit(result: RunResult, scope: RunScope | None = None) -> str:
    """The run as a JUnit XML document, with a trailing newline."""
    scope = scope if scope is not None else RunScope()
    failing = {id(f) for f in result.failing()}
    suite = ET.Element("testsuite")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="as_of", value=result.today.isoformat())
    ET.SubElement(properties, "property", name="fail_on", value=result.fail_on)
    counts: Counter[str] = Counter()
    reported = Counter(f.code for f in result.findings)
    # The findings' test cases are written as text, as ElementTree writes them: built and
    # written by it, 300,000 findings took 5.6 s and 650 MB. They take this element's place.
    ET.SubElement(suite, _FINDINGS)
    cases = []
    for finding in result.findings:
        counts["tests"] += 1
        failed = id(finding) in failing
        counts["failures"] += failed
        cases.append(_case(finding, scope, result, failed=failed))
    for rule in ALL_RULES:
        if rule.code in reported:
            continue
        counts["tests"] += 1
        reason = scope.not_run(result, rule)
        if reason:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_classname(rule.code),
                name=f"{rule.slug}: not run",
                time="0",
            )
            ET.SubElement(case, "skipped", message=f"not run: {reason}")
            counts["skipped"] += 1
        else:
            ET.SubElement(
                suite,
                "testcase",
                classname=_classname(rule.code),
                name=f"{rule.slug}: no findings",
                time="0",
            )
    ET.SubElement(suite, "system-out")
    ET.SubElement(suite, "system-err")
    suite.attrib.update(
        {
            "name": "ciptool check",
            "package": "ciptool",
            "id": "0",
            "timestamp": f"{result.today.isoformat()}T00:00:00",
            "hostname": "ciptool",
            "tests": str(counts["tests"]),
            "failures": str(counts["failures"]),
            "errors": "0",
            "skipped": str(counts["skipped"]),
            "time": "0",
        }
    )
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    head, _, tail = ET.tostring(root, encoding="unicode").partition(f"    <{_FINDINGS} />\n")
    return "".join(('<?xml version="1.0" encoding="UTF-8"?>\n', head, *cases, tail, "\n"))


#: The element whose place the findings' test cases take: no text from the repository can
#: look like it, as every ``<`` in it is escaped.
_FINDINGS = "ciptool-findings"


def _case(finding: Finding, scope: RunScope, result: RunResult, *, failed: bool) -> str:
    """A finding's test case, indented and escaped as ``ET.indent`` and ``ET.tostring`` write
    it inside the test suite.
    """
    attributes = {
        "classname": _classname(finding.code),
        "name": _xml(_name(finding, scope)),
        "time": "0",
        **_place(finding.location, scope),
    }
    head = " ".join(f'{name}="{_attribute(value)}"' for name, value in attributes.items())
    detail = _detail(finding, scope)
    if failed:
        message = _attribute(_xml(finding.message))
        inner = f'<failure message="{message}" type="{finding.severity.value}">'
        inner += f"{_text(_xml(detail))}</failure>"
    else:
        inner = f"<system-out>{_text(_xml(f'{_why_passing(finding, result)}: {detail}'))}"
        inner += "</system-out>"
    return f"    <testcase {head}>\n      {inner}\n    </testcase>\n"


def _text(text: str) -> str:
    """Text as ElementTree escapes it between tags."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    """Text as ElementTree escapes it in an attribute's value."""
    text = _text(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


#: Characters XML 1.0 cannot hold, even escaped; they are shown as U+FFFD.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", undecodable_escaped(text))


def _classname(code: str) -> str:
    return _CLASSNAMES[code]


_CLASSNAMES = {rule.code: f"ciptool.{rule.family}.{rule.code}" for rule in ALL_RULES}


def _where(location: Location, scope: RunScope) -> str:
    return scope.prefix + str(location)


def _place(location: Location | None, scope: RunScope) -> dict[str, str]:
    """The ``file`` and ``line`` attributes of a finding's test case."""
    if location is None:
        return {}
    place = {"file": _xml(scope.prefix + location.file)}
    if location.line:
        place["line"] = str(location.line)
    return place


def _name(finding: Finding, scope: RunScope) -> str:
    if finding.subject:
        return f"{finding.code} {finding.subject}"
    return f"{finding.code} {_where(finding.location, scope)}" if finding.location else finding.code


def _why_passing(finding: Finding, result: RunResult) -> str:
    """Why a finding does not fail the run, after its severity."""
    severity = finding.severity.value
    if finding.excepted:
        return f"{severity}, excepted by {finding.excepted_by} until {finding.excepted_until}"
    if finding.in_baseline:
        return f"{severity}, in the baseline"
    if result.fail_on == "never":
        return f"{severity}, with --fail-on never"
    return f"{severity}, below --fail-on {result.fail_on}"


def _detail(finding: Finding, scope: RunScope) -> str:
    where = _where(finding.location, scope) if finding.location else "(repository)"
    lines = [f"{where}: {finding.message}"]
    if finding.suggestion:
        lines.append(finding.suggestion)
    lines.extend(f"see also {_where(loc, scope)}" for loc in finding.related)
    return "\n".join(lines)
