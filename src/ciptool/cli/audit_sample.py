"""``ciptool audit sample``: draw each SOC 2 control's sample into a workpaper."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ciptool.cli import RepoOption, audit_app, echo, reports_errors
from ciptool.cli.commands import ListFormat, _repository, parse_date, parse_period

if TYPE_CHECKING:
    from ciptool.app.sampling import SampleRun


@audit_app.command("sample", short_help="Draw each SOC 2 control's sample into a workpaper.")
@reports_errors
def audit_sample(
    seed: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="The seed of the draw: the same seed and populations give the same samples.",
        ),
    ],
    period: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="START..END", help="SOC 2 audit period (default: soc2.period in ciptool.yaml)."
        ),
    ] = None,
    as_of: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Count the evidence as of this date, YYYY-MM-DD (default: today).",
        ),
    ] = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ListFormat.terminal,
    repo: RepoOption = None,
) -> None:
    """Select each SOC 2 control's sample for the period and write it as a workpaper.

    For every control mapped to SOC 2 with evidence requirements, the population is what its
    evidence shows occurred in the period (the occurrences its records list, else the records
    themselves); the sample size follows the control's frequency, and the items are chosen
    reproducibly from --seed. Each sample is written to a new file,
    workpapers/START..END/<control>.yaml, for the tester to fill in. A workpaper that exists
    for the control and period is never modified: it is kept (and said when its population
    changed). Controls with no population are listed without a sample. docs/audit.md has the
    sample-size table and the selection rule. Exit 2, writing nothing, for bad usage, a
    workpapers/ folder (or its period's) that is a link out of the repository or into another
    folder of it, or a file, and a file of the repository that cannot be read or holds a
    record with errors.
    """
    from ciptool.app.sampling import draw_samples

    if seed < 0:
        from ciptool.errors import UsageError

        raise UsageError(f"--seed takes a whole number 0 or more, not {seed}")
    today = parse_date(as_of, "--as-of") if as_of else dt.date.today()
    root = _repository(repo)
    run = draw_samples(root, parse_period(period) if period else None, seed, today)
    if output_format is ListFormat.json:
        sys.stdout.write(json.dumps(as_json(run), indent=2, ensure_ascii=False) + "\n")
        return
    for line in table(run):
        echo(line)


HEADINGS = ("control", "frequency", "basis", "population", "sample", "workpaper")


def table(run: SampleRun) -> list[str]:
    """The sample table: a line per control, then the totals and any changed populations."""
    rows = [
        (
            row.control,
            row.frequency,
            row.basis,
            str(row.population),
            str(row.sample),
            f"{row.outcome} {row.file}" if row.file else "no population: no sample",
        )
        for row in run.controls
    ]
    widths = [max(len(cells[i]) for cells in (HEADINGS, *rows)) for i in range(len(HEADINGS))]
    numeric = {3, 4}

    def line(cells: tuple[str, ...]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    lines = [
        f"SOC 2 samples for {run.period.start}..{run.period.end}, seed {run.seed}",
        "",
        line(HEADINGS),
        *(line(cells) for cells in rows),
        "",
        f"{len(run.controls)} controls: {run.population} occurrences or records in the"
        f" populations, {run.sampled} sampled; {run.count('written')} workpapers written,"
        f" {run.count('kept')} kept, {run.count('none')} controls with no population",
    ]
    changed = [row for row in run.controls if row.changed]
    if changed:
        lines += ["", "Populations changed since a kept workpaper was drawn:"]
        lines += [f"  {row.control} ({row.file}): {row.changed}" for row in changed]
    return lines


def as_json(run: SampleRun) -> dict[str, object]:
    """The run as plain data, for ``--format json``."""
    return {
        "period": {"start": run.period.start.isoformat(), "end": run.period.end.isoformat()},
        "seed": run.seed,
        "controls": [
            {
                "control": row.control,
                "frequency": row.frequency,
                "basis": row.basis,
                "population": row.population,
                "sample": row.sample,
                "workpaper": row.file or None,
                "outcome": row.outcome,
                "population_changed": row.changed or None,
            }
            for row in run.controls
        ],
        "totals": {
            "controls": len(run.controls),
            "population": run.population,
            "sampled": run.sampled,
            "written": run.count("written"),
            "kept": run.count("kept"),
            "no_population": run.count("none"),
        },
    }
