"""What a narrowed run says in the terminal and in JSON: which rules did not run, and why;
and the category of each coverage row in JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ciptool.checks import ALL_RULES
from ciptool.cli import app
from conftest import AS_OF, MINIMAL_CONTROL, MakeRepo

ALL = len(ALL_RULES)


def _check(cli: CliRunner, root: Path, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, ["check", "--repo", str(root), "--as-of", str(AS_OF), *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_summary_line_says_how_many_rules_ran(make_repo: MakeRepo, cli: CliRunner) -> None:
    root = make_repo()
    files = "ciptool check: 4 files read; 0 errors, 0 warnings, 0 notes"
    code, _, err = _check(cli, root, "--select", "RF004")
    assert code == 0
    assert err.splitlines()[-1] == f"{files} - passed (only 1 of {ALL} rules ran: --select RF004)"
    code, _, err = _check(cli, root, "--select", "ev, rf004", "--ignore", "EV002")
    assert err.splitlines()[-1] == (
        f"{files} - passed (only 9 of {ALL} rules ran: --select EV,RF004 --ignore EV002)"
    )
    code, _, err = _check(cli, root)
    assert err.splitlines()[-1] == f"{files} - passed"


def test_a_failed_narrowed_run_says_both(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path
) -> None:
    misspelt = MINIMAL_CONTROL.replace("policy: POL-ACCESS", "policy: POL-ACCES")
    root = make_repo({"controls/iam.yaml": misspelt})
    code, _, err = _check(cli, root, "--ignore", "CV")
    assert code == 1
    summary = (
        "ciptool check: 4 files read; 1 error, 0 warnings, 0 notes - failed (fail on error;"
        f" only {ALL - 2} of {ALL} rules ran: --ignore CV)"
    )
    assert err.splitlines()[-1] == summary
    out = tmp_path / "check.txt"
    code, _, err = _check(cli, root, "--ignore", "CV", "-o", str(out))
    assert code == 1
    assert out.read_text(encoding="utf-8").splitlines()[-1] == summary
    assert err.splitlines() == [summary, f"wrote {out}"]


def test_json_names_each_rule_that_did_not_run(make_repo: MakeRepo, cli: CliRunner) -> None:
    root = make_repo()
    _, out, _ = _check(cli, root, "-f", "json")
    assert json.loads(out)["rules"] == {"select": [], "ignore": [], "not_run": []}
    _, out, _ = _check(cli, root, "-f", "json", "--select", "RF004,EV", "--ignore", "EV002")
    rules = json.loads(out)["rules"]
    assert (rules["select"], rules["ignore"]) == (["RF004", "EV"], ["EV002"])
    not_run = {row["code"]: row["reason"] for row in rules["not_run"]}
    assert list(not_run) == [
        rule.code
        for rule in ALL_RULES
        if rule.code != "RF004" and not (rule.code.startswith("EV") and rule.code != "EV002")
    ]
    assert not_run["CV001"] == "--select RF004,EV leaves CV001 out"
    assert not_run["EV002"] == "--ignore EV002 leaves EV002 out"


def test_json_says_no_rule_ran_when_the_configuration_is_unusable(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo({"ciptool.yaml": "program: [\n"})
    code, out, _ = _check(cli, root, "-f", "json")
    assert code == 2
    document = json.loads(out)
    found = {finding["code"] for finding in document["findings"]}
    assert found == {"LD001"}
    assert document["rules"]["not_run"] == [
        {"code": rule.code, "reason": "ciptool.yaml cannot be used"}
        for rule in ALL_RULES
        if rule.code not in found
    ]


def test_json_coverage_rows_name_their_category(make_repo: MakeRepo, cli: CliRunner) -> None:
    config = "program: P\nframeworks: [nist-csf-2.0, iso27001-2022, soc2-2017]\n"
    root = make_repo({"ciptool.yaml": config})
    _, out, _ = _check(cli, root, "-f", "json")
    coverage = json.loads(out)["coverage"]
    groups = {
        f"{framework}:{row['id']}": row["group"]
        for framework, table in coverage.items()
        for row in table["requirements"]
    }
    assert groups["nist-csf-2.0:PR.AA-05"] == "PR.AA"
    assert groups["iso27001-2022:A.5.18"] == "A.5"
    assert groups["soc2-2017:CC6.2"] == "CC6"
    assert all(group for group in groups.values())
    row = coverage["iso27001-2022"]["requirements"][0]
    assert list(row) == [
        "id",
        "status",
        "controls",
        "reason",
        "suggested_by_crosswalk",
        "group",
    ]
