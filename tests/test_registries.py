"""Every extension point is a registry, and every member of each is served: no format or kind
falls through to another's output."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ciptool.reports
from ciptool.cli import app
from ciptool.render import CheckFormat, ReportFormat
from ciptool.render.documents import has_template
from ciptool.render.outputs import CHECK_OUTPUTS, render_check
from ciptool.render.report_formats import REPORT_OUTPUTS
from ciptool.reports import REPORT_KINDS
from ciptool.reports.view import kind_content
from ciptool.results import RunResult
from conftest import AS_OF, MakeRepo, require_pdf_engine


def test_every_check_format_is_served_by_its_own_renderer_and_nothing_else_is() -> None:
    assert list(CHECK_OUTPUTS) == list(CheckFormat)
    result = RunResult(
        root=Path(),
        program="Registry",
        findings=(),
        files_read=0,
        config_usable=True,
        today=AS_OF,
    )
    written = set()
    for output_format, output in CHECK_OUTPUTS.items():
        assert output.format is output_format
        renderer = output.renderer()
        assert renderer.__module__ == f"ciptool.render.{output_format.value}"
        written.add(render_check(output_format, result))
    assert len(written) == len(CheckFormat)


def test_only_the_terminal_format_is_printed_for_a_terminal() -> None:
    assert [f for f, output in CHECK_OUTPUTS.items() if output.for_terminal] == [
        CheckFormat.terminal
    ]


# --- report formats and report kinds ------------------------------------------------------

#: The formats each report kind comes in, as the command line offers them: every kind as PDF.
SERVED = {
    "soc2": ["md", "html", "csv", "xlsx", "pdf"],
    "soa": ["md", "html", "csv", "xlsx", "pdf"],
    "csf-profile": ["md", "html", "pdf"],
    "audit-committee": ["md", "html", "pdf"],
    "evidence-index": ["md", "html", "csv", "xlsx", "pdf"],
    "risk-register": ["md", "html", "csv", "xlsx", "pdf"],
    "approved-apps": ["md", "html", "csv", "xlsx", "pdf"],
    "third-parties": ["md", "html", "csv", "xlsx", "pdf"],
    "pbc": ["md", "html", "csv", "xlsx", "pdf"],
}
FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]
ALL_FRAMEWORKS = "program: Test Program\nframeworks: [nist-csf-2.0, iso27001-2022, soc2-2017]\n"


def test_every_report_format_is_served_and_nothing_else_is() -> None:
    assert list(REPORT_OUTPUTS) == list(ReportFormat)
    for report_format, output in REPORT_OUTPUTS.items():
        assert output.format is report_format
    assert [f.value for f, output in REPORT_OUTPUTS.items() if output.binary] == ["xlsx", "pdf"]
    assert [f.value for f, output in REPORT_OUTPUTS.items() if output.from_tables] == [
        "csv",
        "xlsx",
    ]


def test_every_report_kind_is_served_by_its_own_module_and_nothing_else_is() -> None:
    assert {name: list(kind.formats) for name, kind in REPORT_KINDS.items()} == SERVED
    package = Path(ciptool.reports.__file__).parent
    with_content = {
        f"ciptool.reports.{module.name}"
        for module in pkgutil.iter_modules([str(package)])
        if hasattr(importlib.import_module(f"ciptool.reports.{module.name}"), "CONTENT")
    }
    assert with_content == {kind.module for kind in REPORT_KINDS.values()}
    for name, kind in REPORT_KINDS.items():
        assert kind.name == name
        assert kind.module == f"ciptool.reports.{name.replace('-', '_')}"
        content = kind_content(kind)
        assert content.build.__module__ == kind.module
        # A kind comes as CSV and XLSX exactly when it has tables; every kind comes as PDF,
        # its HTML laid out for print.
        assert (content.tables is not None) == ("csv" in kind.formats) == ("xlsx" in kind.formats)
        assert "pdf" in kind.formats
        for fmt in ("md", "html"):
            assert has_template(None, name, fmt) and fmt in kind.formats


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [(kind, fmt.value) for kind in SERVED for fmt in ReportFormat if fmt.value not in SERVED[kind]],
)
def test_a_kind_in_a_format_it_does_not_come_in_is_refused(
    kind: str, fmt: str, make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo({"ciptool.yaml": ALL_FRAMEWORKS})
    refused = cli.invoke(app, ["report", kind, "--repo", str(root), "-f", fmt, *FIXED])
    assert refused.exit_code == 2
    assert refused.stderr == f"ciptool: `{kind}` comes as {', '.join(SERVED[kind])}, not {fmt}\n"


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_a_report_of_your_own_is_served_in_every_format_made_from_templates(
    fmt: str, make_repo: MakeRepo, cli: CliRunner, tmp_path: Path
) -> None:
    weekly = "<p>{{ meta.program }}: {{ evidence_index.files | length }} files</p>\n"
    # PDF is the report's HTML (templates/KIND.html.j2) laid out for print.
    name = {"md": "md", "html": "html", "pdf": "html"}[fmt]
    if fmt == "pdf":
        require_pdf_engine()
    root = make_repo({f"templates/weekly.{name}.j2": weekly})
    out = tmp_path / f"weekly.{fmt}"
    made = cli.invoke(app, ["report", "weekly", "--repo", str(root), "-f", fmt, "-o", str(out)])
    assert made.exit_code == 0, made.output
    if fmt == "pdf":
        assert out.read_bytes().startswith(b"%PDF-")
    else:
        assert out.read_text() == "<p>Test Program: 1 files</p>\n"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_report_of_your_own_is_refused_as_tables_even_with_a_template_of_that_name(
    fmt: str, make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo({f"templates/weekly.{fmt}.j2": "{{ meta.program }}\n"})
    refused = cli.invoke(app, ["report", "weekly", "--repo", str(root), "-f", fmt, *FIXED])
    assert refused.exit_code == 2, refused.output
    assert refused.stderr == (
        f"ciptool: `weekly` is a report of your own, made from templates: {fmt} is made from"
        " the tables of ciptool's reports (soc2, soa, evidence-index, risk-register,"
        " approved-apps, third-parties, pbc), which it"
        " has not\n"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_report_of_your_own_without_its_template_is_unknown(
    fmt: str, make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo({"templates/weekly.md.j2": "{{ meta.program }}\n"})
    refused = cli.invoke(app, ["report", "weekly", "--repo", str(root), "-f", fmt, *FIXED])
    assert refused.exit_code == 2
    assert refused.stderr == (
        "ciptool: unknown report `weekly`: use one of soc2, soa, csf-profile, audit-committee,"
        f" evidence-index, risk-register, approved-apps, third-parties, pbc, or add"
        f" templates/weekly.{fmt}.j2 to the repository\n"
    )


#: The names a template reads in each kind's content, in order: a repository's own report
#: walks them as it walks any mapping.
NAMES = {
    "soc2": "meta kind statuses categories period tally criteria controls evidence exceptions"
    " occurrences testing criterion_testing testing_statuses backdated in_scope",
    "soa": "meta kind statuses rows additional tally statement",
    "csf_profile": "meta kind statuses functions categories groups tally in_scope",
    "audit_committee": "meta kind statuses briefing iso soc2 risk program trend",
    "evidence_index": "meta kind statuses files evidence",
    "risk_register": "meta kind statuses summary risks heat_map",
    "approved_apps": "meta kind statuses apps mark mark_text mark_meaning approval_meaning",
    "third_parties": "meta kind statuses standards standard_statuses in_program out_of_program"
    " tally",
    "pbc": "meta kind statuses requests tally overdue unresolved round_trip",
}


def test_a_report_of_your_own_reads_every_kind_as_a_mapping_of_its_names(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    assert list(NAMES) == [name.replace("-", "_") for name in REPORT_KINDS]
    walk = "".join(
        f"{name}: {{{{ {name} | join(' ') }}}} {{{{ {name} | length }}}}"
        f" {{{{ {name}['meta'] == {name}.meta }}}} {{{{ {name}.items() | list | length }}}}\n"
        for name in NAMES
    )
    root = make_repo({"ciptool.yaml": ALL_FRAMEWORKS, "templates/walk.md.j2": walk})
    walked = cli.invoke(app, ["report", "walk", "--repo", str(root), "-o", "-", *FIXED])
    assert walked.exit_code == 0, walked.output
    assert walked.stdout == "".join(
        f"{name}: {names} {len(names.split())} True {len(names.split())}\n"
        for name, names in NAMES.items()
    )


def test_the_command_line_offers_every_format_and_kind_without_importing_one() -> None:
    """``--help`` and ``--version`` stay fast: the registries' names load, no renderer does."""
    shown = subprocess.run(
        [sys.executable, "-c", "import sys, ciptool.cli; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    formats = ("terminal", "json", "sarif", "junit", "github", "documents", "spreadsheets", "pdf")
    served = [f"ciptool.render.{name}" for name in formats]
    served += ["ciptool.render.outputs", "ciptool.render.report_formats", "ciptool.reports.view"]
    served += [kind.module for kind in REPORT_KINDS.values()]
    assert "ciptool.render" in shown and "ciptool.reports" in shown
    assert [module for module in served if module in shown] == []
