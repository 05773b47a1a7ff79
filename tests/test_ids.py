"""Requirement ids with more than one reading: named, never read silently, the same everywhere."""

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


def test_an_iso_id_that_is_also_a_clause_is_refused_whatever_the_spaces(
    make_repo: MakeRepo,
) -> None:
    root = _repo(make_repo, '      iso27001-2022: ["7.3", " 7.3 ", "5.3", "7.8 "]')
    assert _findings(root) == [
        (
            "RF010",
            8,
            23,
            SEVEN_THREE,
            "Write `Clause 7.3` or `A.7.3`, whichever is meant; `Clause 7.3` would count toward no"
            " requirement's coverage.",
        ),
        (
            "RF009",
            8,
            30,
            "control IAM-01 already maps iso27001-2022 7.3 (written `7.3`) at"
            " entry 1; ` 7.3 ` repeats it",
            "Remove this entry: keep one entry per requirement.",
        ),
        (
            "RF010",
            8,
            30,
            SEVEN_THREE,
            "Write `Clause 7.3` or `A.7.3`, whichever is meant; `Clause 7.3` would count toward no"
            " requirement's coverage.",
        ),
        (
            "RF010",
            8,
            39,
            "`5.3` has 3 readings in ISO/IEC 27001:2022: clause 5.3 Organizational roles,"
            " responsibilities and authorities, Annex A control A.5.3 Segregation of duties,"
            " or Annex A control A.5.30 ICT readiness for business continuity; ciptool reads"
            " it as none of them",
            "Write `Clause 5.3`, `A.5.3` or `A.5.30`, whichever is meant; `Clause 5.3` would"
            " count toward no requirement's coverage.",
        ),
        ("RF003", 8, 46, "`7.8 ` was read as A.7.8 (iso27001-2022)", "Write `A.7.8`."),
    ]


def test_each_reading_written_unambiguously_passes(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, "      iso27001-2022: [A.7.3, Clause 7.3, '4.1', A.5.30]")
    # Read as written; the clauses are noted as counting toward no Annex A coverage (RF005).
    assert [(code, column) for code, _, column, _, _ in _findings(root)] == [
        ("RF005", 30),
        ("RF005", 42),
    ]


def test_the_other_reading_of_a_2013_id_suggests_no_mapping_that_counts_for_nothing(
    make_repo: MakeRepo,
) -> None:
    """`9.3.1` under 2013 is read as A.9.3.1; its other reading, 2022's clause 9.3.1, is no
    requirement coverage counts, so it is not offered as a mapping (before, it was); nor is
    2022's clause 9.3.2 for `9.3.2`, which 2013 does not have."""
    unknown = _repo(make_repo, "      iso27001-2013: ['9.3.2']")
    assert [(code, suggestion) for code, _, _, _, suggestion in _findings(unknown)] == [
        (
            "RF002",
            "ISO/IEC 27001:2022 9.3.2 is a subclause, which ciptool's coverage does not count (it"
            " counts the Annex A controls); choose the ISO/IEC 27001:2013 requirement that fits"
            " (see `ciptool frameworks show iso27001-2013`).",
        )
    ]
    root = _repo(make_repo, "      iso27001-2013: ['9.3.1']")
    assert [(code, message, suggestion) for code, _, _, message, suggestion in _findings(root)] == [
        (
            "RF011",
            "`9.3.1` is ISO/IEC 27001:2022's id 9.3.1; it was read as ISO/IEC 27001:2013"
            " A.9.3.1, whose text differs (ISO/IEC 27001:2013 A.9.3.1: no crosswalk links it"
            " to ISO/IEC 27001:2022)",
            "Write `A.9.3.1` for ISO/IEC 27001:2013 A.9.3.1; ISO/IEC 27001:2022 9.3.1 is a"
            " subclause, which ciptool's coverage does not count (it counts the Annex A"
            " controls).",
        )
    ]


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


def test_a_csf_11_id_whose_number_csf_20_has_names_both_readings(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, "      nist-csf-2.0: [ID.AM-1, DE.AE-3]")
    assert _findings(root) == [
        (
            "RF011",
            8,
            22,
            "`ID.AM-1` is CSF 1.1's id ID.AM-1; it was read as CSF 2.0 ID.AM-01, whose text"
            " differs (CSF 1.1 ID.AM-1: crosswalk nist-csf-1.1_to_nist-csf-2.0 links it to"
            " ID.AM-01)",
            "Write `ID.AM-01` for CSF 2.0 ID.AM-01; for CSF 1.1 ID.AM-1, map `ID.AM-1` under"
            " `nist-csf-1.1`.",
        ),
        (
            "RF011",
            8,
            31,
            "`DE.AE-3` is CSF 1.1's id DE.AE-3; it was read as CSF 2.0 DE.AE-03, whose text"
            " differs (CSF 1.1 DE.AE-3: crosswalk nist-csf-1.1_to_nist-csf-2.0 links it to"
            " DE.AE-03, DE.AE-07)",
            "Write `DE.AE-03` for CSF 2.0 DE.AE-03; for CSF 1.1 DE.AE-3, map DE.AE-03 and"
            " DE.AE-07 here or `DE.AE-3` under `nist-csf-1.1`.",
        ),
    ]


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


def test_a_csf_20_id_under_csf_11_is_named_as_csf_20(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, "      nist-csf-1.1: [GV.OC-01, ID.AM-01]")
    found = _findings(root)
    assert found[0] == (
        "RF002",
        8,
        22,
        "`GV.OC-01` is not in CSF 1.1: it is CSF 2.0 GV.OC-01",
        "Map `GV.OC-01` under `nist-csf-2.0`, or choose the CSF 1.1 requirement that fits"
        " (see `ciptool frameworks show nist-csf-1.1`).",
    )
    assert found[1][:3] == ("RF011", 8, 32)
    assert found[1][3].startswith(
        "`ID.AM-01` is CSF 2.0's id ID.AM-01; it was read as CSF 1.1 ID.AM-1, whose text differs"
    )
    assert len(found) == 2


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


def test_a_2013_iso_id_under_2022_is_named_as_2013_numbering(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, "      iso27001-2022: [A.10.1.1]")
    assert _findings(root) == [
        (
            "RF002",
            8,
            23,
            "`A.10.1.1` is not in ISO/IEC 27001:2022: it is ISO/IEC 27001:2013 A.10.1.1 (Policy"
            " on the use of cryptographic controls); no crosswalk links it to ISO/IEC"
            " 27001:2022",
            "Map `A.10.1.1` under `iso27001-2013`, or choose the ISO/IEC 27001:2022 requirement"
            " that fits (see `ciptool frameworks show iso27001-2022`).",
        )
    ]


# Duplicates and suggestions.


def test_a_requirement_mapped_twice_is_a_finding_naming_the_first(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, "      soc2-2017: [CC6.1, cc6.1, CC6.1]")
    result = run(root, "RF009")
    assert brief(result) == [
        ("RF009", "controls/iam.yaml", 8, 26),
        ("RF009", "controls/iam.yaml", 8, 33),
    ]
    assert [f.message for f in result.findings] == [
        "control IAM-01 already maps soc2-2017 CC6.1 (written `CC6.1`) at entry 1; `cc6.1`"
        " repeats it",
        "control IAM-01 already maps soc2-2017 CC6.1 at entry 1; `CC6.1` repeats it",
    ]
    first = result.findings[0].related[0]
    assert (first.file, first.line, first.column) == ("controls/iam.yaml", 8, 19)


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


def test_suggestions_are_requirements_never_headings(make_repo: MakeRepo) -> None:
    root = _repo(make_repo, "      nist-csf-2.0: [GV.PO-3]")
    assert _findings(root) == [
        (
            "RF002",
            8,
            22,
            "`GV.PO-3` is not a requirement of CSF 2.0",
            "Did you mean `GV.PO-02` or `GV.PO-01` or `GV.OV-03`?",
        )
    ]


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


def test_another_versions_id_is_named_in_applicability_and_exceptions_too(
    make_repo: MakeRepo,
) -> None:
    config = """\
program: Test
frameworks: [nist-csf-2.0]
applicability:
  nist-csf-2.0:
    ID.RA-1: {applicable: false, justification: "Assessed by the parent company."}
"""
    exception = """\
exceptions:
  - id: EXC-001
    applies_to: {requirement: "nist-csf-2.0:ID.AM-2"}
    reason: The software inventory is rebuilt this year.
    risk: medium
    approved_by: CISO
    approved_on: 2026-01-15
    expires_on: 2027-06-30
"""
    root = make_repo(
        {
            "ciptool.yaml": config,
            "controls/iam.yaml": CONTROL % "      nist-csf-2.0: [PR.AA-05]",
            "evidence/2026/iam-01.yaml": "evidence: []\n",
            "exceptions/2026.yaml": exception,
        }
    )
    result = run(root, "RF011")
    assert brief(result) == [
        ("RF011", "ciptool.yaml", 5, 5),
        ("RF011", "exceptions/2026.yaml", 3, 31),
    ]
    assert result.findings[0].message.startswith(
        "`ID.RA-1` is CSF 1.1's id ID.RA-1; it was read as CSF 2.0 ID.RA-01"
    )


def test_a_catalog_without_a_prefix_word_says_so(make_repo: MakeRepo) -> None:
    catalog = """\
catalog:
  id: acme-iss
  name: Acme Information Security Standard
  levels:
    - {type: section, label: sections}
    - {type: rule, label: rules, requirement: true}
  optional_prefixes: [R.]
  items:
    - {id: "1", type: section, title: Access}
    - {id: R.1, type: rule, parent: "1", title: Accounts are reviewed}
"""
    root = make_repo(
        {
            "frameworks/acme-iss.yaml": catalog,
            "controls/iam.yaml": CONTROL % '      acme-iss: ["1"]',
            "evidence/2026/iam-01.yaml": "evidence: []\n",
        }
    )
    assert _findings(root) == [
        (
            "RF010",
            8,
            18,
            "`1` has 2 readings in acme-iss: section 1 Access, or rule R.1 Accounts are"
            " reviewed; ciptool reads it as none of them",
            "Write `R.1` if that is meant. acme-iss gives no unambiguous way to write 1: its"
            " catalog needs a `prefix` word on that level.",
        )
    ]


def test_a_variant_in_applicability_and_exceptions_is_noted_as_in_mappings(
    make_repo: MakeRepo,
) -> None:
    """`cc7.1`, `"A.8.1 "` and `GV.OC-1` as applicability keys, and `soc2-2017:cc6.1` as an
    exception's requirement, are read as in a mapping and noted where they are written (RF003);
    before, only mappings had the note."""
    config = """\
program: Test
frameworks: [nist-csf-2.0, iso27001-2022, soc2-2017]
applicability:
  soc2-2017:
    cc7.1: {applicable: false, justification: Not ours.}
  iso27001-2022:
    "A.8.1 ": {applicable: false, justification: No endpoints.}
  nist-csf-2.0:
    GV.OC-1: {applicable: false, justification: Not ours.}
    GV.OC-02: {applicable: false, justification: Not ours.}
"""
    exception = """\
exceptions:
  - id: EXC-1
    applies_to: {requirement: "soc2-2017:cc6.1"}
    reason: Rebuilt this year.
    risk: low
    approved_by: CISO
    approved_on: 2026-01-15
    expires_on: 2027-06-30
"""
    root = make_repo(
        {
            "ciptool.yaml": config,
            "controls/iam.yaml": CONTROL % "      nist-csf-2.0: [PR.AA-05]",
            "evidence/2026/iam-01.yaml": "evidence: []\n",
            "exceptions/2026.yaml": exception,
        }
    )
    result = run(root, "RF003")
    assert brief(result) == [
        ("RF003", "ciptool.yaml", 5, 5),
        ("RF003", "ciptool.yaml", 7, 5),
        ("RF003", "ciptool.yaml", 9, 5),
        ("RF003", "exceptions/2026.yaml", 3, 31),
    ]
    assert [(f.message, f.suggestion, f.subject) for f in result.findings] == [
        ("`cc7.1` was read as CC7.1 (soc2-2017)", "Write `CC7.1`.", "soc2-2017:cc7.1"),
        ("`A.8.1 ` was read as A.8.1 (iso27001-2022)", "Write `A.8.1`.", "iso27001-2022:A.8.1 "),
        (
            "`GV.OC-1` was read as GV.OC-01 (nist-csf-2.0)",
            "Write `GV.OC-01`.",
            "nist-csf-2.0:GV.OC-1",
        ),
        (
            "`cc6.1` was read as CC6.1 (soc2-2017)",
            "Write `soc2-2017:CC6.1`.",
            "EXC-1/soc2-2017:cc6.1",
        ),
    ]
