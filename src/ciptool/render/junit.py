"""``--format junit``: JUnit XML (the Ant dialect) for CI test reports.

One test case per finding, named by its check and subject: a failure when it fails the run, a
skipped case (with the reason) when it is below ``--fail-on`` or excepted; and one passing case
for every check that found nothing. The timestamp is the as-of date, so output is
reproducible.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from ciptool.checks import ALL_RULES
from ciptool.findings import Finding
from ciptool.results import RunResult


def render_junit(result: RunResult) -> str:
    """The run as a JUnit XML document, with a trailing newline."""
    failing = {id(f) for f in result.failing()}
    suite = ET.Element("testsuite")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="as_of", value=result.today.isoformat())
    ET.SubElement(properties, "property", name="fail_on", value=result.fail_on)
    cases = 0
    failures = 0
    skipped = 0
    reported = Counter(f.code for f in result.findings)
    for finding in result.findings:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_classname(finding.code),
            name=_xml(_name(finding)),
            time="0",
        )
        cases += 1
        detail = _detail(finding)
        if id(finding) in failing:
            failures += 1
            failure = ET.SubElement(
                case, "failure", message=_xml(finding.message), type=finding.severity.value
            )
            failure.text = _xml(detail)
        else:
            skipped += 1
            if finding.excepted:
                reason = f"excepted by {finding.excepted_by} until {finding.excepted_until}"
            elif finding.in_baseline:
                reason = "in the baseline"
            else:
                reason = f"{finding.severity.value} below --fail-on {result.fail_on}"
            ET.SubElement(case, "skipped", message=_xml(f"{reason}: {finding.message}"))
    for rule in ALL_RULES:
        if rule.code not in reported:
            ET.SubElement(
                suite,
                "testcase",
                classname=_classname(rule.code),
                name=f"{rule.slug}: no findings",
                time="0",
            )
            cases += 1
    ET.SubElement(suite, "system-out")
    ET.SubElement(suite, "system-err")
    suite.attrib.update(
        {
            "name": "ciptool check",
            "package": "ciptool",
            "id": "0",
            "timestamp": f"{result.today.isoformat()}T00:00:00",
            "hostname": "ciptool",
            "tests": str(cases),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
            "time": "0",
        }
    )
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


#: Characters XML 1.0 cannot hold, even escaped; they are shown as U+FFFD.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _classname(code: str) -> str:
    rule = next(rule for rule in ALL_RULES if rule.code == code)
    return f"ciptool.{rule.family}.{code}"


def _name(finding: Finding) -> str:
    if finding.subject:
        return f"{finding.code} {finding.subject}"
    return f"{finding.code} {finding.location}" if finding.location else finding.code


def _detail(finding: Finding) -> str:
    where = str(finding.location) if finding.location else "(repository)"
    lines = [f"{where}: {finding.message}"]
    if finding.suggestion:
        lines.append(finding.suggestion)
    lines.extend(f"see also {loc}" for loc in finding.related)
    return "\n".join(lines)
