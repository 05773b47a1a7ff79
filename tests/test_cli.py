"""The command line: exit codes, formats, and every command end to end."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.app.init import scaffold_repository
from ciptool.cli import app
from conftest import AS_OF, MINIMAL_CONTROL, MakeRepo, write_repo


def test_version(cli: CliRunner) -> None:
    result = cli.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("ciptool ")


def test_clean_repository_exits_0(cli: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    result = cli.invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "ciptool check: 4 files read; 0 errors, 0 warnings, 0 notes - passed\n"


def test_findings_are_grouped_by_file_with_positions(cli: CliRunner, make_repo: MakeRepo) -> None:
    extra = "controls:\n  - id: X-1\n    title: T\n    owner: O\n    frequency: yearly\n"
    root = make_repo({"controls/extra.yaml": extra})
    result = cli.invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"])
    assert result.exit_code == 1
    assert result.stdout == (
        "controls/extra.yaml\n"
        "  5:16    error   SC005  `yearly` is not allowed for `frequency`; use one of: continuous,"
        " daily, weekly, monthly, quarterly, semiannual, annual, event-driven\n"
        "                         Did you mean `daily`?\n"
        "\n"
    )
    assert "1 error" in result.stderr


def test_fail_on(cli: CliRunner, make_repo: MakeRepo) -> None:
    # A mapping to a CSF category rather than a subcategory is a warning.
    root = make_repo({"controls/iam.yaml": MINIMAL_CONTROL.replace("[PR.AA-05]", "[PR.AA]")})
    assert cli.invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"]).exit_code == 0
    assert (
        cli.invoke(
            app, ["check", "--repo", str(root), "--as-of", "2026-11-15", "--fail-on", "warning"]
        ).exit_code
        == 1
    )
    assert (
        cli.invoke(
            app, ["check", "--repo", str(root), "--as-of", "2026-11-15", "--fail-on", "never"]
        ).exit_code
        == 0
    )


def test_severity_override_in_config(cli: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "ciptool.yaml": "program: P\ncheck:\n  severity: {RF004: warning}\n",
            "policies/access.yaml": "policies: []\n",
        }
    )
    result = cli.invoke(
        app, ["check", "--repo", str(root), "--as-of", "2026-11-15", "--format", "json"]
    )
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert [(f["code"], f["severity"]) for f in document["findings"]] == [("RF004", "warning")]


def test_json_output_is_versioned_and_deterministic(cli: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"policies/access.yaml": "policies: []\n"})
    first = cli.invoke(
        app, ["check", "--repo", str(root), "--as-of", "2026-11-15", "--format", "json"]
    )
    second = cli.invoke(
        app, ["check", "--repo", str(root), "--as-of", "2026-11-15", "--format", "json"]
    )
    assert first.exit_code == 1
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert document["schema_version"] == 1
    assert document["summary"] == {
        "files": 4,
        "errors": 1,
        "warnings": 0,
        "notes": 0,
        "fail_on": "error",
        "failed": True,
        "configuration_usable": True,
        "excepted": 0,
        "in_baseline": 0,
    }
    assert document["as_of"] == "2026-11-15"
    (finding,) = document["findings"]
    assert {k: finding[k] for k in ("code", "file", "line", "column", "yaml_path")} == {
        "code": "RF004",
        "file": "controls/iam.yaml",
        "line": 5,
        "column": 13,
        "yaml_path": "controls[0].policy",
    }
    assert str(root) not in first.stdout  # no machine paths in output


def test_unusable_config_exits_2(cli: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo({"ciptool.yaml": "program: [unclosed\n"})
    result = cli.invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15"])
    assert result.exit_code == 2
    assert "ciptool.yaml" in result.stdout
    assert "LD001" in result.stdout
    assert "not usable" in result.stderr


def test_missing_repository_exits_2(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["check", "--repo", str(tmp_path)])
    assert result.exit_code == 2
    assert "has no ciptool.yaml" in result.output
    assert "Traceback" not in result.output


def test_repository_is_found_by_walking_up(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo()
    monkeypatch.chdir(root / "controls")
    result = CliRunner().invoke(app, ["check", "--as-of", "2026-11-15"])
    assert result.exit_code == 0, result.output


def test_bad_usage_exits_2() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ciptool", "check", "--format", "xml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "Invalid value" in completed.stderr


def test_internal_error_exits_3_without_local_variables(
    monkeypatch: pytest.MonkeyPatch, make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    import ciptool.engine
    from ciptool.cli import main

    secret = "do-not-print-this-local"

    def broken(*args: object) -> None:
        local_value = secret  # noqa: F841 - must not appear in the report
        raise RuntimeError("boom")

    monkeypatch.setattr(ciptool.engine, "check_graph", broken)
    root = make_repo()
    monkeypatch.setattr(sys, "argv", ["ciptool", "check", "--repo", str(root)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert "internal error" in err
    assert "RuntimeError: boom" in err
    assert secret not in err


def test_frameworks_list(cli: CliRunner) -> None:
    result = cli.invoke(app, ["frameworks", "list", "--format", "json"])
    assert result.exit_code == 0
    rows = {row["id"]: row["requirements"] for row in json.loads(result.stdout)}
    assert rows == {
        "iso27001-2013": 114,
        "iso27001-2022": 93,
        "nist-csf-1.1": 108,
        "nist-csf-2.0": 106,
        "soc2-2017": 61,
    }
    text = cli.invoke(app, ["frameworks", "list"]).stdout
    assert (
        "nist-csf-2.0   CSF 2.0             6 functions, 22 categories, 106 subcategories" in text
    )


def test_frameworks_show(cli: CliRunner) -> None:
    result = cli.invoke(app, ["frameworks", "show", "iso27001-2022", "5.15"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "(`5.15` read as A.5.15)",
        "iso27001-2022:A.5.15",
        "in: A.5 Organizational controls",
    ]
    assert "title: Access control" in result.stdout
    outline = cli.invoke(app, ["frameworks", "show", "soc2-2017"])
    assert outline.exit_code == 0
    assert "    CC6.1" in outline.stdout
    unknown = cli.invoke(app, ["frameworks", "show", "soc2"])
    assert unknown.exit_code == 2
    assert unknown.stderr == "ciptool: unknown framework `soc2`. Did you mean `soc2-2017`?\n"


@pytest.mark.parametrize(
    ("framework", "written", "kind"),
    [
        ("iso27001-2022", "A.5.1", "Annex A control"),
        ("iso27001-2022", "A.5", "Annex A theme"),
        ("iso27001-2022", "Clause 7.3", "subclause"),
        ("iso27001-2022", "Clause 7", "clause"),
        ("iso27001-2013", "A.9.2", "Annex A control objective"),
        ("nist-csf-2.0", "GV.OC-01", "subcategory"),
        ("nist-csf-2.0", "GV", "function"),
        ("soc2-2017", "CC6", "common criteria series"),
        ("soc2-2017", "CC6.1", "criterion"),
    ],
)
def test_frameworks_show_names_the_level_as_the_catalog_does(
    cli: CliRunner, framework: str, written: str, kind: str
) -> None:
    """The level's name from the catalog ("Annex A control"), not its key (annex_a_control)."""
    result = cli.invoke(app, ["frameworks", "show", framework, written])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if line.startswith("type: ")] == [
        f"type: {kind}"
    ]


def test_explain_control_and_requirement(cli: CliRunner, make_repo: MakeRepo) -> None:
    root = make_repo()
    day = ["--as-of", str(AS_OF)]
    control = cli.invoke(app, ["explain", "IAM-01", "--repo", str(root), *day])
    assert control.exit_code == 0
    assert "IAM-01: Quarterly access recertification" in control.stdout
    assert "  not in scope  iso27001-2022:A.5.18  Access rights" in control.stdout
    assert control.stdout.splitlines()[-4:] == [
        "evidence as of 2026-11-15: current and intact for every evidence requirement",
        "  recert-signoff: current - newest effective 2026-09-30 (1 record), current through"
        " 2027-01-08: quarterly evidence may be 100 days old",
        "live exceptions on IAM-01: none",
        "test procedure: none recorded",
    ]
    requirement = cli.invoke(app, ["explain", "iso27001-2022:A.5.18", "--repo", str(root), *day])
    assert requirement.exit_code == 0
    assert requirement.stdout.splitlines() == [
        "iso27001-2022:A.5.18",
        "Access rights",
        "mapped by 1 control:",
        "  IAM-01  Quarterly access recertification",
        "iso27001-2022 is not in scope (`frameworks:` in ciptool.yaml)",
    ]
    outside = cli.invoke(app, ["explain", "CC7.4", "--repo", str(root), *day])
    assert outside.exit_code == 0
    assert outside.stdout.splitlines()[-1] == (
        "soc2-2017 is not in scope (`frameworks:` in ciptool.yaml)"
    )
    root = make_repo({"ciptool.yaml": "program: Test\nframeworks: [soc2-2017]\n"})
    gap = cli.invoke(app, ["explain", "CC7.4", "--repo", str(root), *day])
    assert gap.exit_code == 0
    assert gap.stdout.splitlines()[2:] == [
        "status as of 2026-11-15: gap",
        "  no control maps it",
        "mapped by 0 controls:",
    ]


def test_init_creates_a_repository_that_passes_check(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "new"
    created = cli.invoke(app, ["init", str(target), "--program", 'Acme "Secure" Program'])
    assert created.exit_code == 0, created.output
    checked = cli.invoke(app, ["check", "--repo", str(target)])
    assert checked.exit_code == 0, checked.output
    assert "0 errors" in checked.stderr
    again = cli.invoke(app, ["init", str(target)])
    assert again.exit_code == 2
    assert "never overwrites" in again.stderr


#: Days whose arithmetic a worked example could get wrong: a year's first and last day, a
#: quarter's last day (its value then due), the day after one, a leap day.
INIT_DAYS = ["2026-01-01", "2026-03-31", "2026-04-01", "2026-11-15", "2026-12-31", "2028-02-29"]


@pytest.mark.parametrize("day", INIT_DAYS)
def test_init_gives_a_worked_example_of_every_register_kind_that_check_passes(
    cli: CliRunner, tmp_path: Path, day: str
) -> None:
    """The new repository as of the day it is made: a risk, a third party, an app, a metric, a
    finding and an incident, all naming its control, and no finding but its coverage gaps."""
    target = tmp_path / "new"
    scaffold_repository(target, "P", dt.date.fromisoformat(day))
    checked = cli.invoke(app, ["check", "--repo", str(target), "-f", "json", "--as-of", day])
    assert checked.exit_code == 0, checked.output
    assert {f["code"] for f in json.loads(checked.stdout)["findings"]} == {"CV001"}
    year = day[:4]
    for ident in ("RSK-001", "TP-EXAMPLE-MAIL", "APP-0001", "KPI-RECERT", f"IA-{year}-01"):
        explained = cli.invoke(app, ["explain", ident, "--repo", str(target), "--as-of", day])
        assert explained.exit_code == 0, explained.output
    explained = cli.invoke(app, ["explain", "IAM-01", "--repo", str(target), "--as-of", day])
    assert explained.stdout.splitlines()[-5:] == [
        "named in the registers:",
        "  risk RSK-001  Former staff keep access to member data (residual likelihood 2 x impact"
        " 3 = 6)",
        "  metric KPI-RECERT  Access recertifications completed on time",
        f"  finding IA-{year}-01  Recertification of the CRM skipped service accounts (open)",
        f"  incident INC-{year}-001  Leaver's account used after departure",
    ]


def test_init_never_overwrites_a_users_file(tmp_path: Path) -> None:
    write_repo(tmp_path, {"controls/identity-access.yaml": "# mine\n"}, minimal=False)
    completed = subprocess.run(
        [sys.executable, "-m", "ciptool", "init", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "never overwrites" in completed.stderr
    assert (tmp_path / "controls/identity-access.yaml").read_text() == "# mine\n"
    assert not (tmp_path / "ciptool.yaml").exists()


def test_rules_list_and_explain(cli: CliRunner) -> None:
    listing = cli.invoke(app, ["rules", "list", "--format", "json"])
    rows = json.loads(listing.stdout)
    assert [row["code"] for row in rows] == sorted(row["code"] for row in rows)
    assert {
        "code": "EV004",
        "slug": "digest-mismatch",
        "family": "evidence",
        "severity": "error",
    }.items() <= next(row for row in rows if row["code"] == "EV004").items()
    explained = cli.invoke(app, ["rules", "explain", "stale-evidence"])
    assert explained.exit_code == 0
    assert explained.stdout.startswith("EV002 stale-evidence (evidence, warning by default)\n")
    assert "Fix:" in explained.stdout
    unknown = cli.invoke(app, ["rules", "explain", "ZZ001"])
    assert unknown.exit_code == 2
    assert "no rule `ZZ001`" in unknown.stderr


def test_readme_documents_every_code() -> None:
    from ciptool.checks import ALL_RULES
    from conftest import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text()
    for rule in ALL_RULES:
        if rule.code.startswith("LD"):
            continue  # documented together as LD001-LD015
        assert f"| {rule.code} | {rule.severity.value} |" in readme, rule.code
