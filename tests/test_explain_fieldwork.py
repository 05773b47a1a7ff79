"""``ciptool explain`` and the audit fieldwork: a control's test procedure, its SOC 2 testing
and the PBC requests that name it; an Annex A control's Statement of Applicability entry; a
PBC request by its id. Each says what the SOC 2 package, the SoA report and the PBC list say.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.app.explain import explain_identifier
from ciptool.cli import app
from ciptool.models.records import Period
from ciptool.queries import testing as soc2
from ciptool.queries.soa import statement
from conftest import AS_OF, EVIDENCE_CSV, PROJECT_ROOT, MakeRepo

DIGEST = hashlib.sha256(EVIDENCE_CSV).hexdigest()
PERIOD = Period.model_validate({"start": "2026-01-01", "end": "2026-09-30"})

CONFIG = """\
program: P
frameworks: [soc2-2017, iso27001-2022]
soc2:
  period: {start: 2026-01-01, end: 2026-09-30}
applicability:
  iso27001-2022:
    A.5.18:
      obligation: HIPAA Security Rule, 45 CFR 164.308(a)(4)
      risks: [RSK-001]
      status: planned
      target_date: 2027-03-31
    A.7.5: {applicable: false, justification: No data centre is operated.}
soa:
  version: "2026.1"
  approved_by: Council
  approved_on: 2026-10-01
  digest: "%s"
"""

CONTROLS = """\
controls:
  - id: IAM-01
    title: Quarterly access recertification
    owner: IAM lead
    policy: POL-ACCESS
    frequency: quarterly
    mappings:
      iso27001-2022: [A.5.18]
      soc2-2017: [CC6.2]
    evidence:
      - id: recert-signoff
        description: Signed recertification results
    test_procedure:
      - Inspect the signed results.
      - Compare removals with the campaign close.
  - id: OPS-01
    title: Log review
    owner: SOC lead
    frequency: monthly
    mappings: {soc2-2017: [CC7.2]}
"""


def _quarter(end: str, collected: str) -> str:
    return f"""\
  - control: IAM-01
    requirement: recert-signoff
    collected_on: {collected}
    period: {{start: {end[:5]}01-01, end: {end}}}
    files:
      - {{path: files/q.csv, sha256: "{DIGEST}"}}
"""


EVIDENCE = "evidence:\n" + "".join(
    [
        _quarter("2026-03-31", "2026-04-03"),
        _quarter("2026-06-30", "2026-07-03"),
        _quarter("2026-06-30", "2026-07-05"),  # a second record for the same day
        _quarter("2026-09-30", "2026-10-03"),
    ]
)

#: The population of IAM-01 in the period: its four records, the second of one day ``#2``.
ITEMS = [
    ("recert-signoff/2026-03-31", "2026-03-31"),
    ("recert-signoff/2026-06-30", "2026-06-30"),
    ("recert-signoff/2026-06-30#2", "2026-06-30"),
    ("recert-signoff/2026-09-30", "2026-09-30"),
]
POPULATION_DIGEST = hashlib.sha256(
    "".join(f"{item}\t{day}\n" for item, day in ITEMS).encode()
).hexdigest()

WORKPAPER = """\
workpapers:
  - control: IAM-01
    period: {start: 2026-01-01, end: 2026-09-30}
    seed: 7
    population: {size: 4, digest: "%s"}
    samples:
      - item: recert-signoff/2026-03-31
        occurred_on: 2026-03-31
        result: deviation
        tester: A. Auditor
        tested_on: 2026-11-02
        notes: Two accounts were removed a month late.
        management_response: Agreed; removals are now tracked daily.
      - item: recert-signoff/2026-09-30
        occurred_on: 2026-09-30
"""

REQUESTS = """\
requests:
  - id: PBC-2026-001
    request: Signed recertification results
    references: ["soc2-2017:CC6.2"]
    control: IAM-01
    requirement: recert-signoff
    owner: IAM lead
    requested_on: 2026-10-01
    due_on: 2026-11-01
    evidence:
      - IAM-01/recert-signoff/2026-03-31
      - IAM-01/recert-signoff/2026-06-30
      - IAM-01/recert-signoff/2026-12-31
  - id: PBC-2026-002
    request: The third quarter's results
    owner: IAM lead
    provider: B. Owner
    requested_on: 2026-10-01
    due_on: 2026-11-10
    status: rejected
    provided_on: 2026-10-20
    evidence: [IAM-01/recert-signoff/2026-09-30]
    auditor_comments: Unsigned.
  - id: PBC-2026-003
    request: Log reviews
    control: OPS-01
    owner: SOC lead
    requested_on: 2026-10-01
    due_on: 2026-11-01
    status: accepted
    provided_on: 2026-10-10
"""

RISKS = """\
risks:
  - id: RSK-001
    title: Access outlives its need
    owner: CISO
    category: access
    inherent: {likelihood: 3, impact: 4}
    residual: {likelihood: 2, impact: 4}
    treatment: mitigate
    controls: [IAM-01]
    reviewed_on: 2026-10-01
    review_every: 12mo
"""


@pytest.fixture
def fieldwork(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            "ciptool.yaml": CONFIG % ("0" * 64),
            "controls/iam.yaml": CONTROLS,
            "evidence/2026/iam-01.yaml": EVIDENCE,
            "workpapers/2026/iam-01.yaml": WORKPAPER % POPULATION_DIGEST,
            "requests/2026.yaml": REQUESTS,
            "risks/access.yaml": RISKS,
        }
    )


def _explain(cli: CliRunner, root: Path, *args: str) -> list[str]:
    """The lines of ``explain`` as of AS_OF, unless ``args`` give another --as-of."""
    result = cli.invoke(app, ["explain", "--repo", str(root), "--as-of", str(AS_OF), *args])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_a_control_with_its_procedure_its_testing_and_the_requests_naming_it(
    fieldwork: Path, cli: CliRunner
) -> None:
    lines = _explain(cli, fieldwork, "IAM-01")
    start = lines.index("test procedure:")
    assert lines[start:] == [
        "test procedure:",
        "  1. Inspect the signed results.",
        "  2. Compare removals with the campaign close.",
        "SOC 2 testing of 2026-01-01..2026-09-30: tested with deviations:"
        " recert-signoff/2026-03-31 (2026-03-31); 1 of 2 items tested",
        "  population as of 2026-11-15: 4 evidence records speaking for a day in the period;"
        " the sample-size table calls for 2 (quarterly)",
        "  workpaper: workpapers/2026/iam-01.yaml",
        "  sample: 2 items, 1 tested (0 passed, 1 deviation), 1 not tested",
        "  deviation recert-signoff/2026-03-31 (2026-03-31), tested on 2026-11-02 by A. Auditor:"
        " Two accounts were removed a month late.",
        "    management response: Agreed; removals are now tracked daily.",
        "  not tested yet: recert-signoff/2026-09-30 (2026-09-30)",
        "PBC requests naming IAM-01, as of 2026-11-15:",
        "  PBC-2026-001  requested, due 2026-11-01, overdue by 14 days: Signed recertification"
        " results",
        "  PBC-2026-002  rejected (provided on 2026-10-20), due 2026-11-10, overdue by 5 days:"
        " The third quarter's results",
        "named in the registers:",
        "  risk RSK-001  Access outlives its need (residual likelihood 2 x impact 4 = 8)",
    ]


def test_the_testing_is_the_soc2_packages(fieldwork: Path) -> None:
    """explain reads the testing the SOC 2 package reads: the same status words, item ids and
    counts, for the same period and day."""
    explanation = explain_identifier("IAM-01", fieldwork, None, AS_OF)
    shown = explanation.standing.testing["IAM-01"]
    package = soc2.testing(explanation.standing.graph, PERIOD, AS_OF)
    assert shown == next(c for c in package.controls if c.control == "IAM-01")
    assert [s.item for s in shown.deviations] == ["recert-signoff/2026-03-31"]


def test_a_population_that_changed_after_sampling_and_a_deviation_without_response(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo(
        {
            "ciptool.yaml": CONFIG % ("0" * 64),
            "controls/iam.yaml": CONTROLS,
            "evidence/2026/iam-01.yaml": EVIDENCE,
            "workpapers/2026/iam-01.yaml": (WORKPAPER % ("1" * 64)).replace(
                "        management_response: Agreed; removals are now tracked daily.\n", ""
            ),
        }
    )
    lines = _explain(cli, root, "IAM-01")
    assert lines[lines.index("test procedure:") + 3] == (
        "SOC 2 testing of 2026-01-01..2026-09-30: tested with deviations:"
        " recert-signoff/2026-03-31 (2026-03-31); 1 of 2 items tested; the population changed"
        " after sampling"
    )
    assert "    management response: none recorded" in lines
    # No request in the repository: no list of them.
    assert not [line for line in lines if line.startswith("PBC requests")]


def test_a_control_without_workpaper_one_not_sampled_and_another_period(
    fieldwork: Path, cli: CliRunner
) -> None:
    (fieldwork / "workpapers" / "2026" / "iam-01.yaml").unlink()
    lines = _explain(cli, fieldwork, "IAM-01")
    at = lines.index("test procedure:") + 3
    assert lines[at : at + 3] == [
        "SOC 2 testing of 2026-01-01..2026-09-30: untested: no workpaper for the period",
        "  population as of 2026-11-15: 4 evidence records speaking for a day in the period;"
        " the sample-size table calls for 2 (quarterly)",
        "PBC requests naming IAM-01, as of 2026-11-15:",
    ]
    assert _explain(cli, fieldwork, "OPS-01")[-4:] == [
        "test procedure: none recorded",
        "SOC 2 testing of 2026-01-01..2026-09-30: not sampled: it has no evidence requirement"
        " to draw a population from",
        "PBC requests naming OPS-01, as of 2026-11-15:",
        "  PBC-2026-003  accepted (provided on 2026-10-10): Log reviews",
    ]
    # Another period: nothing of it is sampled yet.
    other = _explain(cli, fieldwork, "IAM-01", "--period", "2025-01-01..2025-12-31")
    assert (
        "SOC 2 testing of 2025-01-01..2025-12-31: untested: no occurrence in the period to sample"
    ) in other


def test_a_soc2_criterion_says_what_testing_its_controls_found(
    fieldwork: Path, cli: CliRunner
) -> None:
    lines = _explain(cli, fieldwork, "CC6.2")
    assert lines[4] == (
        "SOC 2 testing: tested with deviations: IAM-01 recert-signoff/2026-03-31 (2026-03-31)"
    )
    assert lines[-1] == (
        "    SOC 2 testing: tested with deviations: recert-signoff/2026-03-31 (2026-03-31);"
        " 1 of 2 items tested"
    )


def test_an_annex_a_control_with_its_statement_of_applicability_entry(
    fieldwork: Path, cli: CliRunner
) -> None:
    head = (
        "Statement of Applicability 2026.1, approved by Council on 2026-10-01 (changed since"
        " its approval: SA004):"
    )
    lines = _explain(cli, fieldwork, "A.5.18")
    at = lines.index(head)
    assert lines[at:] == [
        head,
        "  applicable",
        "  risk treatment: RSK-001 (linked in the statement)",
        "  obligation: HIPAA Security Rule, 45 CFR 164.308(a)(4)",
        "  implementation: planned (target 2027-03-31), as the statement gives it",
        "  implemented by: IAM-01",
        "mapped by 1 control:",
        "  IAM-01  Quarterly access recertification",
        "    evidence as of 2026-11-15: current and intact for every evidence requirement",
        "      recert-signoff: current - newest effective 2026-09-30 (4 records), current through"
        " 2027-01-08: quarterly evidence may be 100 days old",
    ]
    # Nothing decides A.5.15 and no control maps it: included without a reason (SA001).
    lines = _explain(cli, fieldwork, "A.5.15")
    at = lines.index(head)
    assert lines[at : at + 5] == [
        head,
        "  applicable",
        "  no reason given: no risk treatment, obligation or business requirement (SA001)",
        "  implementation: planned (no target date), judged from its status (gap)",
        "  implemented by: none",
    ]
    lines = _explain(cli, fieldwork, "A.7.5")
    at = lines.index(head)
    assert lines[at + 1] == "  not applicable: No data centre is operated."
    # A theme is no row of the statement.
    assert not [line for line in _explain(cli, fieldwork, "A.5") if "Applicability" in line]


def test_the_entry_is_the_statements(fieldwork: Path) -> None:
    """explain reads the statement ``report soa`` makes, and an approval of its digest is no
    change."""
    explanation = explain_identifier("A.5.18", fieldwork, None, AS_OF)
    standing = explanation.standing
    made = statement(standing.graph, standing.rows.values(), AS_OF)
    assert standing.statement == made
    config = fieldwork / "ciptool.yaml"
    config.write_text(CONFIG % made.digest, encoding="utf-8")
    again = explain_identifier("A.5.18", fieldwork, None, AS_OF).standing.statement
    assert again is not None and not again.changed_since_approval


def test_an_unapproved_statement_says_so(make_repo: MakeRepo, cli: CliRunner) -> None:
    config = CONFIG.split("soa:", maxsplit=1)[0]
    root = make_repo({"ciptool.yaml": config, "controls/iam.yaml": CONTROLS})
    assert "Statement of Applicability, no approval recorded:" in _explain(cli, root, "A.5.18")


def test_a_pbc_request_with_its_evidence_matched_to_records(
    fieldwork: Path, cli: CliRunner
) -> None:
    assert _explain(cli, fieldwork, "PBC-2026-001") == [
        "PBC-2026-001: Signed recertification results",
        "defined in requests/2026.yaml",
        "references:              soc2-2017:CC6.2",
        "control:                 IAM-01 Quarterly access recertification",
        "evidence requirement:    recert-signoff",
        "period:                  -",
        "owner:                   IAM lead",
        "provider:                -",
        "requested:               2026-10-01",
        "due:                     2026-11-01",
        "status as of 2026-11-15: requested, overdue by 14 days",
        "evidence, with the records each reference matches:",
        "  IAM-01/recert-signoff/2026-03-31  matches evidence/2026/iam-01.yaml evidence[0]",
        "  IAM-01/recert-signoff/2026-06-30  ambiguous: matches 2 records:"
        " evidence/2026/iam-01.yaml evidence[1]; evidence/2026/iam-01.yaml evidence[2]",
        "  IAM-01/recert-signoff/2026-12-31  matches no record",
        "auditor comments: none",
    ]
    lines = _explain(cli, fieldwork, "PBC-2026-002")
    assert lines[2:4] == ["references:              none", "control:                 -"]
    assert lines[-7:] == [
        "provider:                B. Owner",
        "requested:               2026-10-01",
        "due:                     2026-11-10",
        "status as of 2026-11-15: rejected (provided on 2026-10-20), overdue by 5 days",
        "evidence, with the records each reference matches:",
        "  IAM-01/recert-signoff/2026-09-30  matches evidence/2026/iam-01.yaml evidence[3]",
        "auditor comments: Unsigned.",
    ]
    # Before its due date a request is not overdue; an accepted one never is.
    early = _explain(cli, fieldwork, "PBC-2026-001", "--as-of", "2026-11-01")
    assert "status as of 2026-11-01: requested" in early
    assert "status as of 2026-11-15: accepted (provided on 2026-10-10)" in _explain(
        cli, fieldwork, "PBC-2026-003"
    )


def test_a_request_naming_an_unknown_control_and_one_that_failed_validation(
    fieldwork: Path, cli: CliRunner
) -> None:
    requests = fieldwork / "requests" / "2026.yaml"
    text = requests.read_text(encoding="utf-8").replace("control: OPS-01", "control: OPS-99")
    text += "  - id: PBC-2026-004\n    request: Half-written\n    owner: x\n"
    requests.write_text(text, encoding="utf-8")
    assert _explain(cli, fieldwork, "PBC-2026-003")[3] == (
        "control:                 OPS-99 (no such control: see `ciptool check`, PB002)"
    )
    result = cli.invoke(
        app, ["explain", "PBC-2026-004", "--repo", str(fieldwork), "--as-of", str(AS_OF)]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "ciptool: `PBC-2026-004` is a PBC request that failed validation; run `ciptool check`"
        " to see why\n"
    )


def test_a_request_and_a_control_of_one_id_are_read_as_neither_until_kind_names_one(
    fieldwork: Path, cli: CliRunner
) -> None:
    requests = fieldwork / "requests" / "2026.yaml"
    requests.write_text(
        requests.read_text(encoding="utf-8").replace("id: PBC-2026-003", "id: OPS-01"),
        encoding="utf-8",
    )
    result = cli.invoke(app, ["explain", "OPS-01", "--repo", str(fieldwork)])
    assert result.exit_code == 2
    assert result.stderr == (
        "ciptool: `OPS-01` names a control and a PBC request; name one with --kind control or"
        " --kind request\n"
    )
    assert _explain(cli, fieldwork, "OPS-01", "--kind", "request")[:2] == [
        "OPS-01: Log reviews",
        "defined in requests/2026.yaml",
    ]


def test_the_example_programs_sample_with_two_deviations(cli: CliRunner) -> None:
    """IAM-01's workpaper in the example holds two deviations, each with management's
    response; its request is named with its status."""
    lines = _explain(cli, PROJECT_ROOT, "IAM-01", "--no-cache")
    deviations = [line for line in lines if line.startswith("  deviation ")]
    assert [line.split(",")[0] for line in deviations] == [
        "  deviation JML-2026-Q1-011 (2026-01-22)",
        "  deviation JML-2026-Q3-018 (2026-09-08)",
    ]
    assert "  sample: 20 items, 20 tested (18 passed, 2 deviations), 0 not tested" in lines


def test_a_line_break_in_fieldwork_text_stays_on_its_line(fieldwork: Path, cli: CliRunner) -> None:
    """A tester's notes, management's response, a procedure step and an auditor's comment
    written over several lines cannot start a line of their own (one a CI log would read)."""
    workpaper = fieldwork / "workpapers" / "2026" / "iam-01.yaml"
    workpaper.write_text(
        workpaper.read_text(encoding="utf-8")
        .replace("notes: Two accounts", 'notes: "Two\\n::error::accounts')
        .replace("a month late.", 'a month late."')
        .replace("management_response: Agreed;", 'management_response: "Agreed\\n::warning::;')
        .replace("tracked daily.", 'tracked daily."'),
        encoding="utf-8",
    )
    requests = fieldwork / "requests" / "2026.yaml"
    requests.write_text(
        requests.read_text(encoding="utf-8").replace(
            "auditor_comments: Unsigned.", 'auditor_comments: "Unsigned\\n::error::."'
        ),
        encoding="utf-8",
    )
    lines = _explain(cli, fieldwork, "IAM-01") + _explain(cli, fieldwork, "PBC-2026-002")
    assert not [line for line in lines if line.startswith("::")]
    assert (
        "  deviation recert-signoff/2026-03-31 (2026-03-31), tested on 2026-11-02 by A. Auditor:"
        " Two\\x0a::error::accounts were removed a month late."
    ) in lines
    assert "    management response: Agreed\\x0a::warning::; removals are now tracked daily." in (
        lines
    )
    assert "auditor comments: Unsigned\\x0a::error::." in lines
