"""Requirement ids with more than one reading: named, never read silently, the same everywhere.

The findings each reading gives are check cases (``checks/cases/RF002``, ``RF003``, ``RF009``,
``RF010``, ``RF011``); here are the readings themselves, coverage, `explain` and `frameworks show`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.loader import load_frameworks
from conftest import AS_OF, MakeRepo, brief, run

if TYPE_CHECKING:
    from ciptool.models.catalog import IdReader

CONTROL = """\
controls:
  - id: IAM-01
    title: Access
    owner: IAM lead
    policy: POL-ACCESS
    frequency: quarterly
    mappings:
%s
"""


def _repo(make_repo: MakeRepo, mappings: str, config: str = "program: Test\n") -> Path:
    return make_repo(
        {
            "ciptool.yaml": config,
            "controls/iam.yaml": CONTROL % mappings,
            "evidence/2026/iam-01.yaml": "evidence: []\n",
        }
    )


def _findings(root: Path) -> list[tuple[str, int, int, str, str]]:
    result = run(root, "RF")
    return [
        (f.code, loc.line, loc.column, f.message, f.suggestion)
        for f, loc in ((f, f.location) for f in result.findings)
        if loc is not None
    ]


@pytest.fixture(scope="module")
def reader() -> IdReader:
    from ciptool.models.catalog import IdReader

    frameworks = load_frameworks(None)
    return IdReader(
        {key: source.catalog for key, source in frameworks.catalogs.items()},
        [crosswalk.record for crosswalk in frameworks.crosswalks],
    )


# ISO/IEC 27001: an id without `A.` that is also a clause number.

SEVEN_THREE = (
    "`7.3` has 2 readings in ISO/IEC 27001:2022: clause 7.3 Awareness, or Annex A control"
    " A.7.3 Securing offices, rooms and facilities; ciptool reads it as none of them"
)


def test_an_ambiguous_applicability_key_is_refused_where_it_is_written(
    make_repo: MakeRepo,
) -> None:
    config = """\
program: Test
frameworks: [iso27001-2022]
applicability:
  iso27001-2022:
    "7.3": {applicable: false, justification: "No offices of our own."}
"""
    root = _repo(make_repo, "      iso27001-2022: [A.5.18]", config)
    result = run(root, "RF010")
    assert brief(result) == [("RF010", "ciptool.yaml", 5, 5)]
    assert result.findings[0].message == SEVEN_THREE
    # The refused decision excludes nothing: A.7.3 stays a gap, clause 7.3 is no requirement.
    coverage = {(c.framework, c.requirement): c.status.value for c in result.coverage}
    assert coverage[("iso27001-2022", "A.7.3")] == "gap"


# CSF 1.1 ids under CSF 2.0, and the other way.


def test_29_csf_11_subcategory_ids_have_a_csf_20_reading(reader: IdReader) -> None:
    csf11 = reader.catalogs["nist-csf-1.1"]
    both = {
        item.id: reader.read("nist-csf-2.0", item.id)
        for item in csf11.requirements
        if reader.read("nist-csf-2.0", item.id).item_id is not None
    }
    assert len(both) == 29
    assert all(r.other == ("nist-csf-1.1", key) for key, r in both.items())
    wider = {
        key: r.lineage.targets
        for key, r in both.items()
        if r.lineage and len(r.lineage.targets) > 1
    }
    assert wider == {
        "DE.AE-3": ("DE.AE-03", "DE.AE-07"),
        "RC.RP-1": ("RC.RP-01", "RC.RP-02"),
        "RS.AN-3": ("RS.AN-03", "RS.AN-06"),
        "RS.CO-2": ("RS.CO-02", "RC.CO-04"),
        "RS.CO-3": ("RS.CO-02", "RS.CO-03"),
    }


ID_GV_4 = (
    "`ID.GV-4` is not in CSF 2.0: ID.GV-4 is CSF 1.1; in CSF 2.0 it moved to GV.RM-04, and"
    " crosswalk nist-csf-1.1_to_nist-csf-2.0 links it to GV.RM-03"
)


def test_a_withdrawn_id_names_every_target_alike_in_check_show_and_explain(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = _repo(make_repo, "      nist-csf-2.0: [ID.GV-4]")
    assert _findings(root) == [
        ("RF002", 8, 22, ID_GV_4, "Map to GV.RM-03 or GV.RM-04 instead."),
    ]
    shown = cli.invoke(app, ["frameworks", "show", "nist-csf-2.0", "ID.GV-4"])
    assert shown.exit_code == 2
    assert shown.stderr == f"ciptool: {ID_GV_4}. Map to GV.RM-03 or GV.RM-04 instead.\n"
    earlier = cli.invoke(app, ["frameworks", "show", "nist-csf-1.1", "ID.GV-4"])
    assert earlier.exit_code == 0
    assert (
        "In CSF 2.0 it moved to GV.RM-04, and crosswalk nist-csf-1.1_to_nist-csf-2.0 links it"
        " to GV.RM-03." in earlier.stdout.splitlines()
    )
    explained = cli.invoke(
        app, ["explain", "nist-csf-2.0:ID.GV-4", "--repo", str(root), "--as-of", str(AS_OF)]
    )
    assert explained.exit_code == 0
    lines = explained.stdout.splitlines()
    assert lines[:3] == ["nist-csf-2.0:ID.GV-4", ID_GV_4, "Map to GV.RM-03 or GV.RM-04 instead."]
    assert "nist-csf-2.0:GV.RM-03" in lines
    assert "nist-csf-2.0:GV.RM-04" in lines


def test_two_target_crosswalk_rows_are_all_shown(cli: CliRunner) -> None:
    shown = cli.invoke(app, ["frameworks", "show", "nist-csf-1.1", "RS.CO-2"])
    assert shown.exit_code == 0
    assert (
        "Crosswalk nist-csf-1.1_to_nist-csf-2.0 links it to RS.CO-02, RC.CO-04."
        in shown.stdout.splitlines()
    )


# ISO/IEC 27001:2013 ids under 2022.


# Duplicates and suggestions.


def test_each_repeat_of_an_entry_is_a_finding_of_its_own(make_repo: MakeRepo) -> None:
    """Two findings never share a fingerprint: a baseline holding one does not hold a later
    repeat, and code scanning keeps an alert per entry. The first keeps its subject."""
    root = _repo(
        make_repo,
        "      soc2-2017: [cc6.1, cc6.1, cc6.1]\n      nist-csf-2.0: [ID.AM-1, ID.AM-1, A.9]",
    )
    result = run(root, "RF")
    found = [(f.code, f.subject) for f in result.findings]
    assert found == [
        ("RF003", "IAM-01/soc2-2017:cc6.1"),
        ("RF003", "IAM-01/soc2-2017:cc6.1#2"),
        ("RF009", "IAM-01/soc2-2017:CC6.1"),
        ("RF003", "IAM-01/soc2-2017:cc6.1#3"),
        ("RF009", "IAM-01/soc2-2017:CC6.1#2"),
        ("RF011", "IAM-01/nist-csf-2.0:ID.AM-1"),
        ("RF009", "IAM-01/nist-csf-2.0:ID.AM-01"),
        ("RF011", "IAM-01/nist-csf-2.0:ID.AM-1#2"),
        ("RF002", "IAM-01/nist-csf-2.0:A.9"),
    ]
    fingerprints = [f.fingerprint for f in result.findings]
    assert len(set(fingerprints)) == len(fingerprints)


# explain: every form check accepts, in the repository's scope.

CSF_20_ONLY = "program: Test\nframeworks: [nist-csf-2.0]\n"


def test_explain_answers_a_csf_11_id_under_csf_20_as_check_does(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = _repo(make_repo, "      nist-csf-2.0: [PR.AA-05]", CSF_20_ONLY)
    expected = [
        "nist-csf-2.0:PR.AC-1",
        "`PR.AC-1` is not in CSF 2.0: PR.AC-1 is CSF 1.1; in CSF 2.0 it was incorporated into"
        " PR.AA-01, PR.AA-05",
        "Map to PR.AA-01 or PR.AA-05 instead.",
        "",
        "nist-csf-2.0:PR.AA-01",
    ]
    for written in ("nist-csf-2.0:PR.AC-1", "PR.AC-1", " PR.AC-1 "):
        result = cli.invoke(app, ["explain", written, "--repo", str(root), "--as-of", str(AS_OF)])
        assert result.exit_code == 0, (written, result.stderr)
        assert result.stdout.splitlines()[:5] == expected, written
        assert "  IAM-01  Access" in result.stdout.splitlines()
    lower = cli.invoke(app, ["explain", "pr.ac-1", "--repo", str(root), "--as-of", str(AS_OF)])
    assert lower.stdout.splitlines()[:2] == [
        "nist-csf-2.0:pr.ac-1",
        "`pr.ac-1` is not in CSF 2.0: PR.AC-1 is CSF 1.1; in CSF 2.0 it was incorporated into"
        " PR.AA-01, PR.AA-05",
    ]
    scoped = cli.invoke(app, ["explain", "ID.AM-1", "--repo", str(root), "--as-of", str(AS_OF)])
    assert scoped.exit_code == 0
    assert scoped.stdout.splitlines()[2:4] == [
        "nist-csf-2.0:ID.AM-01",
        "Inventories of hardware managed by the organization are maintained",
    ]
    assert scoped.stdout.startswith("`ID.AM-1` is CSF 1.1's id ID.AM-1; it was read as CSF 2.0")


def test_explain_outside_scope_is_not_a_gap_and_ambiguous_ids_are_refused(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = _repo(make_repo, "      nist-csf-2.0: [PR.AA-05]", CSF_20_ONLY)
    earlier = cli.invoke(
        app, ["explain", "nist-csf-1.1:PR.AC-1", "--repo", str(root), "--as-of", str(AS_OF)]
    )
    assert earlier.exit_code == 0
    assert earlier.stdout.splitlines()[-1] == (
        "nist-csf-1.1 is not in scope (`frameworks:` in ciptool.yaml)"
    )
    assert "coverage gap" not in earlier.stdout
    ambiguous = cli.invoke(
        app, ["explain", "iso27001-2022: 7.3 ", "--repo", str(root), "--as-of", str(AS_OF)]
    )
    assert ambiguous.exit_code == 2
    assert ambiguous.stderr == (
        f"ciptool: {SEVEN_THREE}. Write `Clause 7.3` or `A.7.3`, whichever is meant;"
        " `Clause 7.3` would count toward no requirement's coverage.\n"
    )
    # Alone, out of scope, it has readings in both ISO versions; in scope, those of 2022.
    bare = cli.invoke(app, ["explain", " 7.3 ", "--repo", str(root), "--as-of", str(AS_OF)])
    assert bare.exit_code == 2
    assert bare.stderr == (
        "ciptool: `7.3` has a reading in several frameworks: iso27001-2013:7.3,"
        " iso27001-2022:7.3; name one as FRAMEWORK:ID\n"
    )
    iso = _repo(
        make_repo, "      iso27001-2022: [A.5.15]", "program: T\nframeworks: [iso27001-2022]\n"
    )
    for alone in ("7.3", " 7.3 "):
        bare = cli.invoke(app, ["explain", alone, "--repo", str(iso), "--as-of", str(AS_OF)])
        assert bare.exit_code == 2
        assert bare.stderr == ambiguous.stderr
    variant = cli.invoke(
        app, ["explain", " iso27001-2022:5.15", "--repo", str(root), "--as-of", str(AS_OF)]
    )
    assert variant.exit_code == 0
    assert variant.stdout.splitlines()[0] == "iso27001-2022:A.5.15"
