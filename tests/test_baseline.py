"""Baselines: CI fails only on findings that are new since the baseline was written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.app import baseline as baseline_module
from ciptool.cli import app
from conftest import MINIMAL_CONTROL, MakeRepo

UNKNOWN_POLICY = MINIMAL_CONTROL.replace("IAM-01", "OPS-01").replace("POL-ACCESS", "POL-LOGS")


def check(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", "--repo", str(root), "--as-of", "2026-11-15", *args])
    return result.exit_code, result.stdout, result.stderr


def test_baseline_ratchet(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo({"controls/ops.yaml": UNKNOWN_POLICY.split("    evidence:")[0]})
    baseline = tmp_path / "baseline.json"
    code, _, err = check(root, "--write-baseline", str(baseline))
    assert code == 1
    assert f"wrote {baseline} (1 findings)" in err
    document = json.loads(baseline.read_text())
    assert document["baseline_version"] == 1
    assert [entry["code"] for entry in document["findings"]] == ["RF004"]

    code, out, err = check(root, "--baseline", str(baseline))
    assert code == 0
    assert "in the baseline" in out

    # Records move: a control inserted above keeps the old finding baselined.
    moved = "controls:\n  - id: OPS-00\n    title: New\n    owner: O\n    frequency: daily\n" + (
        UNKNOWN_POLICY.split("    evidence:")[0].replace("controls:\n", "")
    )
    (root / "controls/ops.yaml").write_text(moved)
    code, out, _ = check(root, "--baseline", str(baseline), "--select", "RF")
    assert code == 0, out

    # A new problem fails, and only it.
    (root / "controls/new.yaml").write_text(
        UNKNOWN_POLICY.replace("OPS-01", "OPS-02")
        .split("    evidence:")[0]
        .replace("POL-LOGS", "POL-X")
    )
    code, out, _ = check(root, "--baseline", str(baseline), "--format", "json")
    assert code == 1
    findings = json.loads(out)["findings"]
    assert [
        (f["code"], f["subject"], f["in_baseline"]) for f in findings if f["code"] == "RF004"
    ] == [
        ("RF004", "OPS-02/POL-X", False),
        ("RF004", "OPS-01/POL-LOGS", True),
    ]
    sarif = json.loads(check(root, "--baseline", str(baseline), "-f", "sarif")[1])
    states = {
        r["message"]["text"].split(" cites")[0]: r["baselineState"]
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "RF004"
    }
    assert states == {"control OPS-02": "new", "control OPS-01": "unchanged"}


def test_fingerprints_do_not_change_with_the_day(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo()
    result = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--as-of", "2027-02-01", "--format", "json"]
    )
    later = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--as-of", "2027-03-01", "--format", "json"]
    )
    first = {f["code"]: f["fingerprint"] for f in json.loads(result.stdout)["findings"]}
    second = {f["code"]: f["fingerprint"] for f in json.loads(later.stdout)["findings"]}
    assert "EV002" in first  # the message counts days, the fingerprint does not
    assert first["EV002"] == second["EV002"]


def test_a_broken_baseline_is_a_usage_error(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo()
    missing = check(root, "--baseline", str(tmp_path / "none.json"))
    assert missing[0] == 2
    assert "does not exist" in missing[2]
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    assert check(root, "--baseline", str(junk))[0] == 2


def test_a_hostile_baseline_is_a_usage_error(make_repo: MakeRepo, tmp_path: Path) -> None:
    # Each of these ended in a traceback (exit 3) before.
    root = make_repo()
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = check(root, "--baseline", str(deep))
    assert code == 2
    assert f"baseline {deep} cannot be read: nested too deeply" in err
    digits = tmp_path / "digits.json"
    digits.write_text('{"baseline_version": ' + "9" * 100_000 + ', "findings": []}')
    code, _, err = check(root, "--baseline", str(digits))
    assert code == 2
    assert f"baseline {digits} cannot be read: a number longer than" in err


def test_a_baseline_that_is_not_a_regular_file_is_a_usage_error(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    # /dev/zero was read until memory ran out, and a FIFO waited for a writer forever.
    root = make_repo()
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        code, _, err = check(root, "--baseline", str(path))
        assert code == 2
        assert f"baseline {path} cannot be read: it is not a regular file" in err


def test_a_baseline_over_the_size_limit_is_a_usage_error(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(baseline_module, "MAX_BASELINE_BYTES", 1_000)
    root = make_repo()
    big = tmp_path / "big.json"
    big.write_text('{"baseline_version": 1, "findings": [' + " " * 1_000 + "]}")
    code, _, err = check(root, "--baseline", str(big))
    assert code == 2
    assert f"baseline {big} cannot be read: it is larger than 1,000 bytes" in err
    big.write_text('{"baseline_version": 1, "findings": [' + " " * 900 + "]}")
    assert check(root, "--baseline", str(big))[0] == 0
