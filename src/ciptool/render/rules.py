"""The rules' documentation as Markdown: SARIF's rule help, and ``docs/rules.md``.

Both are the text ``ciptool rules explain CODE`` prints, so the page a SARIF viewer links to,
the help it shows and the command line say the same. ``docs/rules.md`` is this module's
:func:`rules_page`; a test keeps the two equal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ciptool import HOMEPAGE

if TYPE_CHECKING:
    from ciptool.checks import Check, LoaderRule

#: Where the page lives in ciptool's repository, for SARIF's ``helpUri``.
RULES_PAGE = f"{HOMEPAGE}/blob/main/docs/rules.md"
#: A line that must start a line of its own in Markdown too, not join the one before.
_OWN_LINE = re.compile(r"(?<!\n)\n(?=(?:Passes|Fails):)")


def help_uri(code: str) -> str:
    """The address of ``code``'s section of the rules page."""
    return f"{RULES_PAGE}#{code.lower()}"


def rule_markdown(rule: Check | LoaderRule) -> str:
    """The rule's documentation as Markdown, after a line naming it."""
    heading = f"**{rule.code}** `{rule.slug}` ({rule.family}, {rule.severity.value} by default)"
    body = _OWN_LINE.sub(lambda _: "\\\n", rule.documentation())  # a hard line break
    return f"{heading}\n\n{body}"


def rules_page() -> str:
    """``docs/rules.md``: every rule, in code order, each under an anchor named by its code."""
    from ciptool.checks import ALL_RULES

    lines = [
        "# Rules",
        "",
        "Every code `ciptool check` can report, in code order. `ciptool rules explain CODE`",
        "prints the same text, and SARIF logs link each result's rule to its section here.",
        "Severities can be changed per code in `ciptool.yaml` (`check: {severity: {CODE: ...}}`).",
        "",
        "This page is written from the rules' own documentation; the tests keep it so.",
        "",
        "| code | name | default severity | what it finds |",
        "|---|---|---|---|",
    ]
    for rule in ALL_RULES:
        anchor = rule.code.lower()
        summary = rule.summary().replace("|", "\\|")
        lines.append(
            f"| [{rule.code}](#{anchor}) | `{rule.slug}` | {rule.severity.value} | {summary} |"
        )
    for rule in ALL_RULES:
        lines += ["", f'<a id="{rule.code.lower()}"></a>', "", f"## {rule.code} {rule.slug}", ""]
        lines.append(rule_markdown(rule).split("\n\n", 1)[1])
    return "\n".join(lines) + "\n"
