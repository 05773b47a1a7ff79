"""Each register kind answers every class of bad input the older kinds answer, with the same
codes at the same places: a misspelt key, a wrong type, a missing field, a bad date or choice,
a wrong or extra top-level key, records that are not a list, an id used twice, broken YAML,
a binary or non-UTF-8 file.

Only the loader's and the schema's findings (LD, SC) are read here: the registers' own checks
have their cases in ``tests/checks/cases/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ciptool.models.files import FILE_KINDS
from conftest import MakeRepo, brief, run


@dataclass(frozen=True)
class Kind:
    """A register kind: its folder, its top-level key and one valid record, written as YAML
    under the key, whose first line is its id."""

    folder: str
    key: str
    record: str
    #: A required field of the record other than id (with its whole line) and a field that
    #: takes one of a few words (with a value that is not one).
    required: str
    choice: str
    #: A date field of the record (a metric has none of its own).
    date: str | None


KINDS = (
    Kind(
        "risks",
        "risks",
        """\
  - id: RSK-100
    title: Ransomware halts claims processing
    owner: CISO
    category: cyber
    inherent: {likelihood: 4, impact: 5}
    residual: {likelihood: 2, impact: 3}
    treatment: mitigate
    review_every: 6mo
    reviewed_on: 2026-10-20
""",
        "    category: cyber\n",
        "treatment",
        "reviewed_on",
    ),
    Kind(
        "third-parties",
        "third_parties",
        """\
  - id: TP-100
    name: Acme Claims Services
    arrangement: legal
    services: Outside counsel
    tier: low
    owner: General Counsel
    contract: {start: 2024-01-01, end: 2027-12-31}
    business_associate_agreement:
      signed_on: 2024-01-01
""",
        "    services: Outside counsel\n",
        "arrangement",
        "signed_on",
    ),
    Kind(
        "apps",
        "apps",
        """\
  - id: APP-100
    name: Example Health Wallet
    developer: Example Apps Inc.
    status: denied
    decided_on: 2026-04-02
""",
        "    developer: Example Apps Inc.\n",
        "status",
        "decided_on",
    ),
    Kind(
        "metrics",
        "metrics",
        """\
  - id: KPI-100
    title: Training completion
    kind: kpi
    unit: percent
    better: higher
    owner: Security Awareness Lead
    frequency: annual
    values:
      - {period: 2025, value: 97.5}
""",
        "    unit: percent\n",
        "better",
        None,
    ),
    Kind(
        "findings",
        "findings",
        """\
  - id: PT-100
    source: penetration-test
    title: Weak TLS ciphers on the member portal
    severity: low
    owner: Director, Application Security
    status: open
    found_on: 2026-05-14
    due_on: 2027-08-14
""",
        "    title: Weak TLS ciphers on the member portal\n",
        "source",
        "due_on",
    ),
    Kind(
        "incidents",
        "incidents",
        """\
  - id: INC-100
    title: Misdirected explanation-of-benefits mailing
    severity: low
    root_cause: Address file merged from a stale extract
    detected_on: 2026-03-03
""",
        "    title: Misdirected explanation-of-benefits mailing\n",
        "severity",
        "detected_on",
    ),
)
IDS = [kind.folder for kind in KINDS]


def _file(kind: Kind, records: str) -> str:
    return f"{kind.key}:\n{records}"


def _line(text: str, needle: str) -> int:
    """The 1-based line of ``text`` on which ``needle`` starts."""
    return text[: text.index(needle)].count("\n") + 1


def _findings(make_repo: MakeRepo, kind: Kind, text: str | bytes) -> list[tuple[str, int, str]]:
    """(code, line, YAML path) of the loader's and schema's findings on ``text``."""
    rel = f"{kind.folder}/x.yaml"
    result = run(make_repo({rel: text}), "LD", "SC")
    assert {row[1] for row in brief(result)} <= {rel}
    return [
        (f.code, f.location.line, f.location.yaml_path)
        for f in result.findings
        if f.location is not None
    ]


def test_every_register_kind_is_here() -> None:
    assert {kind.folder for kind in KINDS} <= set(FILE_KINDS)
    assert {"risks", "third-parties", "apps", "metrics", "findings", "incidents"} == set(IDS)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_valid_record_has_no_finding(make_repo: MakeRepo, kind: Kind) -> None:
    assert _findings(make_repo, kind, _file(kind, kind.record)) == []


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_an_unknown_key_is_named_where_it_is(make_repo: MakeRepo, kind: Kind) -> None:
    text = _file(kind, kind.record + "    colour: red\n")
    assert _findings(make_repo, kind, text) == [
        ("SC001", _line(text, "colour"), f"{kind.key}[0].colour")
    ]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_wrong_type_is_named_where_it_is(make_repo: MakeRepo, kind: Kind) -> None:
    field = kind.required.split(":")[0].strip()
    text = _file(kind, kind.record.replace(kind.required, f"    {field}: [a, b]\n"))
    assert _findings(make_repo, kind, text) == [
        ("SC002", _line(text, f"{field}: [a"), f"{kind.key}[0].{field}")
    ]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_missing_field_is_named_at_its_record(make_repo: MakeRepo, kind: Kind) -> None:
    text = _file(kind, kind.record.replace(kind.required, ""))
    assert _findings(make_repo, kind, text) == [("SC003", 2, f"{kind.key}[0]")]


DATED = [kind for kind in KINDS if kind.date]


@pytest.mark.parametrize("kind", DATED, ids=[kind.folder for kind in DATED])
def test_a_date_that_is_not_one_is_named_where_it_is(make_repo: MakeRepo, kind: Kind) -> None:
    assert kind.date is not None
    record = kind.record
    start = record.index(f"{kind.date}: ") + len(kind.date) + 2
    text = _file(kind, record[:start] + "2026-02-30" + record[start + 10 :])
    [(code, line, path)] = _findings(make_repo, kind, text)
    assert (code, line) == ("SC005", _line(text, "2026-02-30"))
    assert path.startswith(f"{kind.key}[0].") and path.endswith(kind.date)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_word_not_among_the_choices_is_named(make_repo: MakeRepo, kind: Kind) -> None:
    record = kind.record
    start = record.index(f"    {kind.choice}: ")
    end = record.index("\n", start)
    text = _file(kind, record[:start] + f"    {kind.choice}: sometimes" + record[end:])
    assert _findings(make_repo, kind, text) == [
        ("SC005", _line(text, "sometimes"), f"{kind.key}[0].{kind.choice}")
    ]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_wrong_top_level_key_says_which_was_expected(make_repo: MakeRepo, kind: Kind) -> None:
    text = "records:\n" + kind.record
    assert _findings(make_repo, kind, text) == [("LD011", 1, "")]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_an_extra_top_level_key_is_refused(make_repo: MakeRepo, kind: Kind) -> None:
    text = _file(kind, kind.record) + "notes: []\n"
    assert _findings(make_repo, kind, text) == [("LD011", _line(text, "notes:"), "notes")]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_records_that_are_not_a_list(make_repo: MakeRepo, kind: Kind) -> None:
    text = f"{kind.key}: one\n"
    assert _findings(make_repo, kind, text) == [("SC002", 1, kind.key)]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_an_id_used_twice(make_repo: MakeRepo, kind: Kind) -> None:
    record = kind.record
    text = _file(kind, record + record)
    second = len(_file(kind, record).splitlines()) + 1
    assert _findings(make_repo, kind, text) == [("SC004", second, f"{kind.key}[1].id")]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_key_written_twice(make_repo: MakeRepo, kind: Kind) -> None:
    record = kind.record
    text = _file(kind, record.rstrip("\n") + "\n" + kind.required)
    codes = [code for code, _, _ in _findings(make_repo, kind, text)]
    assert codes == ["LD003"]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_broken_yaml(make_repo: MakeRepo, kind: Kind) -> None:
    text = f"{kind.key}:\n  - id: [X-1\n"
    assert [code for code, _, _ in _findings(make_repo, kind, text)] == ["LD001"]


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_binary_and_non_utf8_files(make_repo: MakeRepo, kind: Kind) -> None:
    assert _findings(make_repo, kind, b"\x89PNG\r\n\x1a\n\x00\x00") == [("LD009", 1, "")]
    latin1 = f"{kind.key}:\n  - id: X-1\n    title: Café\n".encode("latin-1")
    assert [code for code, _, _ in _findings(make_repo, kind, latin1)] == ["LD010"]
