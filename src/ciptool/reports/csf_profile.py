"""The NIST CSF 2.0 current profile: coverage by function and category, and the gaps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ciptool.reports.frameworks import (
    CSF,
    RequirementRow,
    Tally,
    by_group,
    framework_tally,
    group_tallies,
    requirement_rows,
)
from ciptool.reports.view import KindContent, ReportSource, ReportView


@dataclass(frozen=True, kw_only=True)
class CsfProfile(ReportView):
    """What the CSF profile says."""

    functions: Sequence[Tally]
    categories: Sequence[Tally]
    #: The subcategories by category: (category id, category title, rows).
    groups: Sequence[tuple[str, str, list[RequirementRow]]]
    tally: Tally | None
    #: Always true (the profile is refused otherwise); kept for templates that read it.
    in_scope: bool = True


def build(source: ReportSource) -> CsfProfile:
    """The CSF profile of ``source``."""
    graph, result = source.graph, source.result
    return CsfProfile(
        meta=source.meta,
        kind=source.kind,
        functions=group_tallies(result, graph, CSF, 0),
        categories=group_tallies(result, graph, CSF, 1),
        groups=by_group(requirement_rows(graph, result, CSF, 1)),
        tally=framework_tally(result, graph, CSF),
    )


CONTENT = KindContent(build)
