"""Bundled catalogs: complete, correct counts, id normalisation and suggestions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ciptool.loader import load_frameworks
from ciptool.models import Catalog
from ciptool.models.catalog import fold_id
from conftest import MINIMAL_CONTROL, MakeRepo, brief, run


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    frameworks = load_frameworks(None)
    assert frameworks.findings == []
    return {key: source.catalog for key, source in frameworks.catalogs.items()}


def test_five_bundled_catalogs_with_their_counts(catalogs: dict[str, Catalog]) -> None:
    counts = {key: dict(catalog.counts()) for key, catalog in catalogs.items()}
    assert counts == {
        "nist-csf-2.0": {"functions": 6, "categories": 22, "subcategories": 106},
        "nist-csf-1.1": {"functions": 5, "categories": 23, "subcategories": 108},
        "iso27001-2022": {
            "clauses": 7,
            "subclauses": 34,
            "Annex A themes": 4,
            "Annex A controls": 93,
        },
        "iso27001-2013": {
            "clauses": 7,
            "subclauses": 28,
            "Annex A domains": 14,
            "Annex A control objectives": 35,
            "Annex A controls": 114,
        },
        "soc2-2017": {
            "categories": 5,
            "common criteria series": 9,
            "privacy groups": 8,
            "criteria": 61,
        },
    }


def test_requirements_are_the_assessable_level(catalogs: dict[str, Catalog]) -> None:
    sizes = {key: len(catalog.requirements) for key, catalog in catalogs.items()}
    assert sizes == {
        "nist-csf-2.0": 106,
        "nist-csf-1.1": 108,
        "iso27001-2022": 93,
        "iso27001-2013": 114,
        "soc2-2017": 61,
    }
    annex_a = [item.id for item in catalogs["iso27001-2022"].requirements]
    assert annex_a[0] == "A.5.1"
    assert annex_a[-1] == "A.8.34"


def test_csf_2_keeps_full_text_and_implementation_examples(catalogs: dict[str, Catalog]) -> None:
    csf = catalogs["nist-csf-2.0"]
    item = csf.by_id["GV.OC-01"]
    assert item.text == (
        "The organizational mission is understood and informs cybersecurity risk management"
    )
    assert sum(len(i.examples) for i in csf.items) == 363
    assert len(csf.withdrawn) == 91


@pytest.mark.parametrize(
    ("framework", "written", "expected", "exact"),
    [
        ("nist-csf-2.0", "GV.OC-01", "GV.OC-01", True),
        ("nist-csf-2.0", "GV.OC-1", "GV.OC-01", False),
        ("nist-csf-2.0", "gv.oc-01", "GV.OC-01", False),
        ("iso27001-2022", "5.15", "A.5.15", False),
        ("iso27001-2022", "a.5.15", "A.5.15", False),
        ("iso27001-2022", "5.1", None, False),  # clause 5.1 or Annex A 5.1: refused
        ("iso27001-2022", "Clause 5.1", "5.1", True),
        ("iso27001-2022", " clause 5.1 ", "5.1", False),
        ("iso27001-2022", "4.1", "4.1", True),  # a clause only
        ("iso27001-2022", "A.5.10", "A.5.10", True),
        ("soc2-2017", "cc6.1", "CC6.1", False),
        ("nist-csf-1.1", "ID.AM-01", "ID.AM-1", False),
    ],
)
def test_known_variants_normalise(
    catalogs: dict[str, Catalog], framework: str, written: str, expected: str | None, exact: bool
) -> None:
    resolution = catalogs[framework].resolve(written)
    assert (resolution.item_id, resolution.exact) == (expected, exact)


def test_unknown_ids_get_the_closest_valid_ids(catalogs: dict[str, Catalog]) -> None:
    resolution = catalogs["iso27001-2022"].resolve("A.5.99")
    assert resolution.item_id is None
    assert resolution.suggestions == ("A.5.9", "A.5.29", "A.5.19")


INTERNAL_STANDARD = """\
catalog:
  id: acme-iss
  name: Acme Information Security Standard
  short_name: Acme ISS
  version: "3"
  levels:
    - {type: domain, label: domains, heading: true}
    - {type: requirement, label: requirements, requirement: true}
  items:
    - {id: ISS-1, type: domain, title: Access}
    - {id: ISS-1.1, type: requirement, parent: ISS-1, title: Accounts are reviewed quarterly}
    - {id: ISS-1.2, type: requirement, parent: ISS-1, title: Privileged access is approved}
"""


def test_a_repository_can_add_its_own_catalog(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo(
        {
            "frameworks/acme-iss.yaml": INTERNAL_STANDARD,
            "controls/iam.yaml": """\
            controls:
              - id: IAM-01
                title: Access
                owner: IAM lead
                policy: POL-ACCESS
                frequency: quarterly
                mappings:
                  acme-iss: [ISS-1.1, iss-1.2, ISS-1.3, ISS-1]
            """,
            "evidence/2026/iam-01.yaml": "evidence: []\n",
        }
    )
    result = run(root, "RF")
    assert brief(result) == [
        ("RF003", "controls/iam.yaml", 8, 27),
        ("RF002", "controls/iam.yaml", 8, 36),
        ("RF005", "controls/iam.yaml", 8, 45),
    ]
    frameworks = load_frameworks(root)
    assert frameworks.catalogs["acme-iss"].origin == "frameworks/acme-iss.yaml"
    assert dict(frameworks.catalogs["acme-iss"].catalog.counts()) == {
        "domains": 1,
        "requirements": 2,
    }


def test_the_projects_own_frameworks_folder_equals_the_bundled_catalogs() -> None:
    from conftest import PROJECT_ROOT

    frameworks = load_frameworks(PROJECT_ROOT)
    assert frameworks.findings == []
    assert {source.origin for source in frameworks.catalogs.values()} == {"bundled"}


def test_an_id_with_a_number_too_long_for_int_is_an_unknown_requirement(
    make_repo: MakeRepo,
) -> None:
    """Python refuses to read a number of more than 4300 digits: an id is compared without
    reading its numbers as integers, so such an id is a finding, not a crash."""
    long_id = "A.5." + "1" * 5000
    control = MINIMAL_CONTROL.replace("[A.5.18]", f"[{long_id}, A.5.0018]")
    root = make_repo({"controls/iam.yaml": control})
    assert brief(run(root, "RF")) == [
        ("RF002", "controls/iam.yaml", 10, 23),
        ("RF003", "controls/iam.yaml", 10, 5029),
    ]


@given(st.text(alphabet=st.characters(categories=["Nd", "P", "Lu"]), max_size=12))
def test_folding_reads_every_decimal_digit_as_int_does(text: str) -> None:
    expected = re.sub(r"\d+", lambda m: str(int(m.group())), text.strip().upper())
    assert fold_id(text) == expected


@pytest.mark.parametrize(
    ("framework", "written", "meant"),
    [
        ("soc2-2017", "cc 6.1", "CC6.1"),
        ("soc2-2017", "CC 6.1", "CC6.1"),
        ("iso27001-2022", "A. 5.15", "A.5.15"),
        ("nist-csf-2.0", "PR.AA - 05", "PR.AA-05"),
    ],
)
def test_an_id_with_spaces_inside_suggests_the_id_without_them_first(
    catalogs: dict[str, Catalog], framework: str, written: str, meant: str
) -> None:
    """Spreadsheets write `CC 6.1`: the first suggestion is CC6.1, never P6.1."""
    resolution = catalogs[framework].resolve(written)
    assert resolution.item_id is None
    assert resolution.suggestions[0] == meant
    assert len(set(resolution.suggestions)) == len(resolution.suggestions)
