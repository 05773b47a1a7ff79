"""``ciptool audit sample``: reproducible SOC 2 samples written as workpapers, kept once written,
never written outside the repository; and the workpaper checks on filled-in workpapers."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner, Result

import conftest
from ciptool.app.schema import schema_for
from ciptool.cli import app
from conftest import AS_OF, EVIDENCE_CSV, MakeRepo
from yaml12 import load_yaml12

GOLDEN = Path(__file__).parent / "golden" / "audit-sample.txt"
PERIOD = "2026-01-01..2026-09-30"
FOLDER = f"workpapers/{PERIOD}"


def copy_example(root: Path) -> Path:
    """A copy of the example program at ``root``, without its workpapers and requests."""
    return conftest.copy_example(root, without=("workpapers", "requests"))


def sample(root: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["audit", "sample", "--repo", str(root), "--as-of", AS_OF.isoformat(), *args]
    )


def files_under(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (not following links), by its path relative to it."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def workpapers(root: Path) -> dict[str, bytes]:
    folder = root / "workpapers"
    return files_under(folder) if folder.is_dir() else {}


def test_the_same_seed_gives_the_same_workpapers_and_output(tmp_path: Path) -> None:
    first, second = copy_example(tmp_path / "a"), copy_example(tmp_path / "b")
    one, two = sample(first, "--seed", "7"), sample(second, "--seed", "7")
    assert one.exit_code == two.exit_code == 0, one.output
    assert one.stdout == two.stdout
    written = workpapers(first)
    assert written == workpapers(second)
    assert len(written) == one.stdout.count(" written ") > 40
    as_json = [
        json.loads(sample(copy_example(tmp_path / name), "--seed", "7", "-f", "json").stdout)
        for name in ("c", "d")
    ]
    assert as_json[0] == as_json[1]
    totals = as_json[0]["totals"]
    assert totals["written"] == len(written)
    assert totals["sampled"] == sum(row["sample"] for row in as_json[0]["controls"])
    assert totals["population"] == sum(row["population"] for row in as_json[0]["controls"])


def test_a_different_seed_gives_a_different_sample(tmp_path: Path) -> None:
    seven, eight = copy_example(tmp_path / "a"), copy_example(tmp_path / "b")
    assert sample(seven, "--seed", "7").exit_code == 0
    assert sample(eight, "--seed", "8").exit_code == 0

    def drawn(root: Path) -> dict[str, list[tuple[str, str]]]:
        found = {}
        for name, data in workpapers(root).items():
            paper = yaml.safe_load(data)["workpapers"][0]
            found[name] = [(s["item"], str(s["occurred_on"])) for s in paper["samples"]]
        return found

    first, second = drawn(seven), drawn(eight)
    assert first.keys() == second.keys()
    assert any(first[name] != second[name] for name in first)
    # The same sizes: only which items differs.
    assert all(len(first[name]) == len(second[name]) for name in first)


def test_the_population_and_sample_table(tmp_path: Path) -> None:
    result = sample(copy_example(tmp_path / "example"), "--seed", "7")
    assert result.exit_code == 0, result.output
    if os.environ.get("CIPTOOL_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_a_workpaper_is_written_as_a_person_would(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    assert sample(root, "--seed", "7").exit_code == 0
    text = (root / FOLDER / "chg-01.yaml").read_text(encoding="utf-8")
    assert text.startswith("# SOC 2 Type II workpaper: CHG-01 ")
    assert "#   management_response: for a deviation" in text
    paper = yaml.safe_load(text)["workpapers"][0]
    assert paper["control"] == "CHG-01"
    assert paper["seed"] == 7
    assert re.fullmatch(r"[0-9a-f]{64}", paper["population"]["digest"])
    assert {s["result"] for s in paper["samples"]} == {"not-tested"}
    assert all(s["tester"] == "" and s["tested_on"] is None for s in paper["samples"])
    # Every workpaper also meets the file schema editors validate with.
    validator = jsonschema.Draft202012Validator(schema_for("workpapers"))
    for path in (root / FOLDER).iterdir():
        validator.validate(load_yaml12(path.read_text(encoding="utf-8")))


def test_a_kept_workpaper_is_never_modified(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    assert sample(root, "--seed", "7").exit_code == 0
    chg = root / FOLDER / "chg-01.yaml"
    edited = chg.read_text(encoding="utf-8").replace("population: {size: ", "population: {size: 1")
    chg.write_text(edited, encoding="utf-8")  # as if the population had changed since
    before = workpapers(root)
    again = sample(root, "--seed", "8")
    assert again.exit_code == 0, again.output
    assert workpapers(root) == before
    assert " written " not in again.stdout
    assert re.search(rf"^CHG-01 .* kept {re.escape(FOLDER)}/chg-01\.yaml$", again.stdout, re.M)
    assert "Populations changed since a kept workpaper was drawn:" in again.stdout
    changed = r"^  CHG-01 \(.*\): 1\d occurrences when sampled, \d+ now$"
    assert re.search(changed, again.stdout, re.M)


def test_a_control_with_no_population_is_listed_without_a_sample(make_repo: MakeRepo) -> None:
    root = make_repo()
    result = sample(root, "--seed", "1", "--period", "2025-01-01..2025-12-31")
    assert result.exit_code == 0, result.output
    row = r"^IAM-01 +quarterly +records +0 +0  no population: no sample$"
    assert re.search(row, result.stdout, re.M)
    assert "0 workpapers written, 0 kept, 1 controls with no population" in result.stdout
    assert not (root / "workpapers").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "1", "--period", "2026-09-30..2026-01-01"], "ends (2026-01-01) before"),
        (["--seed", "1", "--period", "2026"], "--period takes START..END"),
        (["--seed", "-1"], "--seed takes a whole number"),
        (["--seed", "1"], "ciptool.yaml has no soc2.period"),
    ],
)
def test_usage_errors_exit_2(make_repo: MakeRepo, args: list[str], message: str) -> None:
    root = make_repo()
    result = sample(root, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not (root / "workpapers").exists()


def test_workpapers_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "workpapers").symlink_to(outside, target_is_directory=True)
    result = sample(root, "--seed", "7")
    assert result.exit_code == 2
    assert "`workpapers` is a link that leads outside the repository" in result.output
    assert list(outside.iterdir()) == []


def test_a_period_folder_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "workpapers").mkdir()
    (root / FOLDER).symlink_to(outside, target_is_directory=True)
    result = sample(root, "--seed", "7")
    assert result.exit_code == 2
    assert f"`{FOLDER}` is a link that leads outside the repository" in result.output
    assert list(outside.iterdir()) == []


def test_a_link_into_another_folder_of_the_repository_is_refused(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    (root / "workpapers").symlink_to(root / "evidence", target_is_directory=True)
    before = files_under(root / "evidence")
    result = sample(root, "--seed", "7")
    assert result.exit_code == 2
    assert "`workpapers` is a link to `evidence`" in result.output
    assert files_under(root / "evidence") == before


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    (root / "workpapers").write_text("not a folder\n", encoding="utf-8")
    result = sample(root, "--seed", "7")
    assert result.exit_code == 2
    assert "`workpapers` is in the way: it is not a folder" in result.output
    assert (root / "workpapers").read_text(encoding="utf-8") == "not a folder\n"


def test_a_period_file_in_the_way_is_refused(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    (root / "workpapers").mkdir()
    (root / FOLDER).write_text("not a folder\n", encoding="utf-8")
    result = sample(root, "--seed", "7")
    assert result.exit_code == 2
    assert f"`{FOLDER}` is in the way: it is not a folder" in result.output
    assert workpapers(root) == {PERIOD: b"not a folder\n"}


def check_wp(root: Path) -> list[tuple[str, str, int]]:
    result = CliRunner().invoke(
        app,
        [
            *("check", "--repo", str(root), "--as-of", AS_OF.isoformat(), "--no-cache"),
            *("--select", "WP", "--format", "json"),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    return [(f["code"], f["file"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def fill_in(text: str, *, deviation: bool) -> str:
    """Every sample item of a workpaper tested: the first a deviation when asked, with
    management's response; the rest passed."""
    text = text.replace('tester: ""', "tester: A. Tester").replace(
        "tested_on:\n", "tested_on: 2026-10-20\n"
    )
    if deviation:
        text = text.replace("result: not-tested", "result: deviation", 1)
        text = text.replace(
            'management_response: ""',
            "management_response: The approval was given by chat; approvals are now recorded"
            " in the ticket.",
            1,
        )
    return text.replace("result: not-tested", "result: pass")


def test_filled_in_workpapers_are_clean_until_a_response_is_removed(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    assert sample(root, "--seed", "7").exit_code == 0
    assert check_wp(root) == []
    for path in (root / FOLDER).iterdir():
        text = path.read_text(encoding="utf-8")
        path.write_text(fill_in(text, deviation=path.name == "chg-01.yaml"), encoding="utf-8")
    assert check_wp(root) == []
    chg = root / FOLDER / "chg-01.yaml"
    lines = chg.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines, 1) if "management_response: The" in text)
    lines[line - 1] = '        management_response: ""\n'
    chg.write_text("".join(lines), encoding="utf-8")
    assert check_wp(root) == [("WP002", f"{FOLDER}/chg-01.yaml", line)]


def test_evidence_changed_after_sampling_is_reported_with_a_kept_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check after changed evidence records, with a kept result, says WP003 as a full
    check does: a workpaper's population depends on every record of its control, and the
    recheck reads the workpapers of the controls the changed records name."""
    from ciptool.incremental import cachefiles, recheck
    from ciptool.incremental import filecache as loader_cache

    # Files written moments before a run count as settled (as tests/incremental does).
    monkeypatch.setattr(loader_cache, "RACY_NS", 0)
    monkeypatch.setattr(cachefiles, "RACY_NS", 0)
    calls: list[object] = []
    real = recheck.recheck

    def counted(*args: object, **kwargs: object) -> object:
        outcome = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(outcome)
        return outcome

    monkeypatch.setattr(recheck, "recheck", counted)
    root = copy_example(tmp_path / "example")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert sample(root, "--seed", "7").exit_code == 0
    assert check_wp(root) == []
    CliRunner().invoke(app, ["check", "--repo", str(root), "--as-of", AS_OF.isoformat(), *cache])
    record = root / "evidence" / "2026" / "chg-01.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("end: 2026-01-31}", "end: 2026-01-30}", 1), encoding="utf-8")
    args = ["check", "--repo", str(root), "--as-of", AS_OF.isoformat(), "-f", "json"]
    kept = CliRunner().invoke(app, [*args, *cache]).stdout
    assert len(calls) == 1 and calls[0] is not None  # only what the edit can change was checked
    assert kept == CliRunner().invoke(app, [*args, "--no-cache"]).stdout
    found = [(f["code"], f["file"]) for f in json.loads(kept)["findings"] if f["code"] == "WP003"]
    assert found == [("WP003", f"{FOLDER}/chg-01.yaml")]
    again = sample(root, "--seed", "7")
    assert "  CHG-01 (workpapers/" in again.stdout
    assert "the same size (9) but other occurrences or dates" in again.stdout


def _tickets(count: int, *, start: int = 1) -> str:
    return "".join(
        f"      - {{id: CHG-{number}, occurred_on: 2026-03-{number:02d},"
        f" description: 'Release {number}'}}\n"
        for number in range(start, start + count)
    )


def _change_repo(make_repo: MakeRepo, tickets: str) -> Path:
    digest = hashlib.sha256(EVIDENCE_CSV).hexdigest()
    return make_repo(
        {
            "ciptool.yaml": "program: Test Program\n"
            "soc2: {period: {start: 2026-01-01, end: 2026-09-30}}\n",
            "controls/chg.yaml": """\
            controls:
              - id: CHG-01
                title: Change approval
                owner: Change manager
                policy: POL-ACCESS
                frequency: event-driven
                mappings:
                  soc2-2017: [CC8.1]
                evidence:
                  - id: tickets
                    description: Approved change tickets
                test_procedure:
                  - Open the ticket in the change system.
                  - Confirm an approver other than the requester approved it before release.
            """,
            "evidence/2026/chg-01.yaml": "evidence:\n"
            "  - control: CHG-01\n"
            "    requirement: tickets\n"
            "    collected_on: 2026-10-02\n"
            "    period: {start: 2026-01-01, end: 2026-09-30}\n"
            f'    files: [{{path: files/q.csv, sha256: "{digest}"}}]\n'
            "    items:\n" + tickets,
        }
    )


def test_an_event_driven_control_is_sampled_from_its_occurrences(make_repo: MakeRepo) -> None:
    root = _change_repo(make_repo, _tickets(14))
    result = sample(root, "--seed", "3")
    assert result.exit_code == 0, result.output
    assert re.search(r"^CHG-01 +event-driven +occurrences +14 +5  written ", result.stdout, re.M)
    text = (root / FOLDER / "chg-01.yaml").read_text(encoding="utf-8")
    assert "#   1. Open the ticket in the change system.\n" in text
    assert "#   2. Confirm an approver other than the requester" in text
    paper = yaml.safe_load(text)["workpapers"][0]
    items = [s["item"] for s in paper["samples"]]
    assert len(items) == len(set(items)) == 5
    assert set(items) <= {f"CHG-{n}" for n in range(1, 15)}
    first = items[0]
    number = int(first.split("-")[1])
    assert f"      # evidence/2026/chg-01.yaml: Release {number}\n      - item: {first}\n" in text


def test_an_occurrence_listed_with_two_dates_is_ambiguous(make_repo: MakeRepo) -> None:
    tickets = _tickets(3) + "      - {id: CHG-2, occurred_on: 2026-04-02}\n"
    root = _change_repo(make_repo, tickets)
    assert check_wp(root) == [("WP005", "evidence/2026/chg-01.yaml", 11)]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("evidence/2026/broken.yaml", "evidence: [\n"),  # a population would be short
        ("evidence/2026/odd.yaml", "evidence:\n  - control: CHG-01\n    colour: red\n"),
        (f"{FOLDER}/odd.yaml", "workpapers:\n  - control: CHG-01\n    colour: red\n"),
    ],
)
def test_a_file_that_cannot_be_read_stops_the_draw(tmp_path: Path, name: str, text: str) -> None:
    root = copy_example(tmp_path / "example")
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    result = sample(root, "--seed", "7")
    assert result.exit_code == 2
    assert f"ciptool: {name}: could not be read, or holds records with errors" in result.output
    assert workpapers(root) == (
        {} if name.startswith("evidence") else {f"{PERIOD}/odd.yaml": text.encode()}
    )
