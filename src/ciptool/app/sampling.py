"""``ciptool audit sample``: draw each SOC 2 control's sample for a period into a workpaper.

For every control a SOC 2 examination tests (:func:`ciptool.queries.populations.populations`),
the sample is selected from the control's population with the seed
(:func:`ciptool.queries.populations.select`) and written as a new workpaper record file,
``workpapers/START..END/<control>.yaml``, that the tester fills in: one ``Workpaper`` with the
population's size and digest and, per sample item, ``result: not-tested`` and empty tester,
tested_on, notes and management response fields. Comments in the file say what to fill in,
and the control's test procedure.

A workpaper that already exists for the control and the period, in any file under
``workpapers/``, is never modified: it is reported as kept, saying so when the population has
changed since it was drawn. A control with an empty population gets no workpaper and is
listed. Every new file is written the way a person would write it, read back and validated
before anything is written, and written atomically to a name no other file has; a run that
fails part way removes the files it made and nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from ciptool.app.evidence import free_record_name, remove_made, scalar, slug
from ciptool.app.explain import load_graph
from ciptool.errors import UsageError
from ciptool.fileio.atomic import CannotWrite, write_output
from ciptool.findings import Finding, Severity
from ciptool.graph import Graph
from ciptool.loader.validate import validate_record
from ciptool.loader.yamlparse import parse_yaml
from ciptool.models import Sourced
from ciptool.models.fieldwork import Workpaper
from ciptool.models.records import Period
from ciptool.queries.populations import (
    Basis,
    Population,
    PopulationItem,
    population_change,
    populations,
    select,
)

WORKPAPERS_DIR = "workpapers"

#: What happened to a control's workpaper: written now, kept as it was, or none (no population).
Outcome = Literal["written", "kept", "none"]


@dataclass(frozen=True)
class SampledControl:
    """One control's line of the sample table."""

    control: str
    frequency: str
    basis: Basis
    population: int
    sample: int
    outcome: Outcome
    #: The workpaper's repository path; empty when there is none.
    file: str = ""
    #: How the population changed since a kept workpaper was drawn; empty when it did not.
    #: (A kept workpaper's ``sample`` is the number of items it holds.)
    changed: str = ""


@dataclass(frozen=True)
class SampleRun:
    """What ``ciptool audit sample`` did for a period and seed."""

    period: Period
    seed: int
    controls: tuple[SampledControl, ...]

    def count(self, outcome: Outcome) -> int:
        """How many controls had ``outcome``."""
        return sum(1 for row in self.controls if row.outcome == outcome)

    @property
    def population(self) -> int:
        """Every control's occurrences, added up."""
        return sum(row.population for row in self.controls)

    @property
    def sampled(self) -> int:
        """Every control's sample size, added up (a kept workpaper's: the items it holds)."""
        return sum(row.sample for row in self.controls)


def folder_name(period: Period) -> str:
    """The folder under ``workpapers/`` of a period's workpapers."""
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def draw_samples(root: Path, period: Period | None, seed: int, today: dt.date) -> SampleRun:
    """Write the workpapers of ``period`` (default: ``soc2.period``) for ``seed`` under
    ``root``; raise UsageError, writing nothing, when they cannot all be written safely."""
    graph, findings = load_graph(root)
    if graph is None:
        raise UsageError("ciptool.yaml is not usable; run `ciptool check` to see why")
    if period is None:
        config = graph.repository.config
        period = config.record.soc2.period if config and config.record.soc2 else None
        if period is None:
            raise UsageError("give --period START..END: ciptool.yaml has no soc2.period")
    folder = root / WORKPAPERS_DIR / folder_name(period)
    _refuse_links_out(root, folder)
    _refuse_unread(findings)
    existing = _existing(graph, period)
    rows: list[SampledControl] = []
    planned: list[tuple[Path, str]] = []
    taken: set[Path] = set()
    for population in populations(graph, period, today):
        control = population.control.record
        row = SampledControl(
            control.id,
            control.frequency,
            population.basis,
            population.size,
            population.sample_size,
            "none",
        )
        kept = existing.get(control.id)
        if kept is not None:
            changed = population_change(kept.record, population)
            drawn = len(kept.record.samples)
            rows.append(replace(row, outcome="kept", file=kept.file, changed=changed, sample=drawn))
            continue
        if population.size == 0:
            rows.append(row)
            continue
        path = free_record_name(folder, slug(control.id, "workpaper"), taken)
        taken.add(path)
        rel = path.relative_to(root).as_posix()
        text = render_workpaper(population, seed, select(population, seed))
        _validate(text, rel)
        planned.append((path, text))
        rows.append(replace(row, outcome="written", file=rel))
    _write_all(root, planned)
    return SampleRun(period, seed, tuple(rows))


def _refuse_unread(findings: Sequence[Finding]) -> None:
    """Refuse when a file of the repository could not be read, or holds a record that failed
    validation: a control or evidence record left out would leave a control unsampled or its
    population short, and a workpaper left out would have its control drawn a second time."""
    broken = sorted(
        {
            finding.location.file if finding.location is not None else "ciptool.yaml"
            for finding in findings
            if finding.severity is Severity.ERROR
        }
    )
    if broken:
        raise UsageError(
            f"{', '.join(broken)}: could not be read, or holds records with errors (run `ciptool"
            " check` for details); fix them first, so that every population is whole and no"
            " control is sampled twice; nothing was written"
        )


def _existing(graph: Graph, period: Period) -> dict[str, Sourced[Workpaper]]:
    """The first workpaper, in file order, of each control for ``period``."""
    found: dict[str, Sourced[Workpaper]] = {}
    for sourced in graph.repository.workpapers:
        if sourced.record.period == period:
            found.setdefault(sourced.record.control, sourced)
    return found


_ONE_LINE = re.compile(r"\s+")


def _comment(text: str) -> str:
    """``text`` on one line, fit for a YAML comment."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return _ONE_LINE.sub(" ", cleaned).strip()


def render_workpaper(population: Population, seed: int, sample: Sequence[PopulationItem]) -> str:
    """The workpaper as YAML, with comments that tell the tester what to fill in."""
    control = population.control.record
    period = population.period
    lines = [
        f"# SOC 2 Type II workpaper: {_comment(control.id)} {_comment(control.title)}",
        f"# Period {period.start}..{period.end}. Drawn by `ciptool audit sample` with seed {seed}:"
        f" {len(sample)} of {population.size} {population.basis} ({control.frequency}).",
        "#",
        "# Test each sample item and fill in:",
        "#   result: pass, or deviation when the control did not operate as described",
        "#   tester: who tested it; tested_on: the day it was tested (YYYY-MM-DD)",
        "#   notes: what was inspected and what it showed",
        "#   management_response: for a deviation, what management says and will do about it",
        "# Leave control, period, seed, population and each item and occurred_on as drawn:",
        "# `ciptool check` compares them with the population as it is now.",
    ]
    if control.test_procedure:
        lines += ["#", "# Test procedure:"]
        lines += [
            f"#   {number}. {_comment(step)}"
            for number, step in enumerate(control.test_procedure, start=1)
        ]
    lines += [
        "workpapers:",
        f"  - control: {scalar(control.id)}",
        f"    period: {{start: {period.start}, end: {period.end}}}",
        f"    seed: {seed}",
        f'    population: {{size: {population.size}, digest: "{population.digest}"}}',
        "    samples:",
    ]
    for item in sample:
        shown = item.record.file
        about = _item_description(item)
        lines += [
            f"      # {_comment(shown)}{': ' + about if about else ''}",
            f"      - item: {scalar(item.id)}",
            f"        occurred_on: {item.occurred_on.isoformat()}",
            "        result: not-tested",
            '        tester: ""',
            "        tested_on:",
            '        notes: ""',
            '        management_response: ""',
        ]
    return "\n".join(lines) + "\n"


def _item_description(item: PopulationItem) -> str:
    for listed in item.record.record.items:
        if listed.id == item.id and listed.occurred_on == item.occurred_on:
            return _comment(listed.description)
    return ""


def _validate(text: str, rel: str) -> None:
    """Read ``text`` back as ``ciptool check`` will, and refuse it unless it is one valid
    workpaper (a bug guard: what is written is always read back the same)."""
    parsed = parse_yaml(text)
    data = parsed.data
    entries = data.get("workpapers") if isinstance(data, dict) else None
    if parsed.problems or not isinstance(entries, list) or len(entries) != 1:
        raise UsageError(f"{rel} could not be written as valid YAML; nothing was written")
    _record, problems = validate_record(Workpaper, entries[0], rel, ("workpapers", 0))
    if problems:
        raise UsageError("; ".join(finding.message for finding in problems))


def _refuse_links_out(root: Path, folder: Path) -> None:
    """Refuse a ``workpapers/`` (or its period's folder) that is a link leading outside
    ``root`` or elsewhere in it (into an input folder such as ``evidence/``), or that is not a
    folder: a received repository's may be a link to anywhere, or a file."""
    real_root = os.path.realpath(root)
    expected = Path(real_root)
    for path in (root / WORKPAPERS_DIR, folder):
        rel = path.relative_to(root).as_posix()
        expected = expected / path.name
        real = os.path.realpath(path)  # links on the way followed, the last one included
        if real != real_root and not real.startswith(real_root + os.sep):
            raise UsageError(
                f"`{rel}` is a link that leads outside the repository; nothing was written"
            )
        if real != str(expected):
            elsewhere = Path(os.path.relpath(real, real_root)).as_posix()
            raise UsageError(
                f"`{rel}` is a link to `{elsewhere}`: workpapers are written only in the"
                f" repository's own {WORKPAPERS_DIR}/ folder; nothing was written"
            )
        if os.path.lexists(path) and not path.is_dir():
            raise UsageError(f"`{rel}` is in the way: it is not a folder; nothing was written")


def _write_all(root: Path, planned: Sequence[tuple[Path, str]]) -> None:
    """Write each new file, never over another; on failure remove what was made."""
    made: list[Path] = []
    try:
        for path, text in planned:
            for folder in reversed((path.parent, *path.parent.parents)):
                if folder == root or root not in folder.parents:
                    continue
                if not os.path.lexists(folder):
                    try:
                        folder.mkdir()
                    except OSError as exc:
                        rel = folder.relative_to(root).as_posix()
                        raise CannotWrite(f"cannot make {rel}: {exc.strerror}") from None
                    made.append(folder)
            try:
                write_output(path, text.encode("utf-8"), overwrite=False)
            except CannotWrite:
                if os.path.lexists(path):
                    raise CannotWrite(
                        f"{path.relative_to(root).as_posix()} appeared while the samples were"
                        " written; run the command again"
                    ) from None
                raise
            made.append(path)
    except CannotWrite as exc:
        remove_made(made)
        raise CannotWrite(f"{exc}; nothing was written") from None
    except BaseException:
        remove_made(made)
        raise
