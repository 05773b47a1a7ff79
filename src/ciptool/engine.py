"""Runs the checks over a loaded repository and applies the run's settings to the findings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ciptool.checks import ALL_CHECKS
from ciptool.findings import Finding, Severity, sorted_findings
from ciptool.graph import Graph
from ciptool.loader import load_repository, locate_findings


@dataclass(frozen=True)
class RunResult:
    """The outcome of ``ciptool check``: findings in reading order and what they add up to."""

    root: Path
    program: str
    findings: tuple[Finding, ...]
    files_read: int
    config_usable: bool
    fail_on: str = "error"
    counts: dict[str, int] = field(default_factory=dict)

    def failing(self) -> list[Finding]:
        """Findings at or above the run's ``fail_on`` threshold."""
        if self.fail_on == "never":
            return []
        threshold = Severity(self.fail_on)
        return [f for f in self.findings if f.severity.at_least(threshold)]


def check_repository(root: Path, fail_on: str | None = None) -> tuple[RunResult, Graph | None]:
    """Load ``root``, run every check, and return the result with the graph it was run on."""
    repository = load_repository(root)
    config = repository.config
    if config is None:
        findings = tuple(sorted_findings(repository.findings))
        result = RunResult(
            root, "", findings, repository.files_read, False, counts=_count(findings)
        )
        return result, None
    graph = Graph(repository)
    found = list(repository.findings) + graph.duplicate_findings
    for check in ALL_CHECKS:
        found.extend(check.run(graph))
    overrides = config.record.check.severity
    located = [
        replace(f, severity=Severity(overrides[f.code])) if f.code in overrides else f
        for f in locate_findings(root, found)
    ]
    ordered = tuple(sorted_findings(located))
    result = RunResult(
        root,
        config.record.program,
        ordered,
        repository.files_read,
        True,
        fail_on or config.record.check.fail_on,
        _count(ordered),
    )
    return result, graph


def load_graph(root: Path) -> tuple[Graph | None, list[Finding]]:
    """The repository's graph for commands that read it (explain, reports), and load findings."""
    repository = load_repository(root)
    if repository.config is None:
        return None, repository.findings
    return Graph(repository), repository.findings


def _count(findings: tuple[Finding, ...]) -> dict[str, int]:
    tally = Counter(f.severity.value for f in findings)
    return {severity.value: tally.get(severity.value, 0) for severity in Severity}
