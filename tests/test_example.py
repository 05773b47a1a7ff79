"""The example program at the top of the repository: ciptool's main job, out of the box."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.cli import app
from ciptool.graph import Graph
from ciptool.queries.populations import Population, populations
from ciptool.results import RunSettings
from conftest import PROJECT_ROOT, SETTINGS, brief

#: The example's deliberate imperfections, listed in controls/README.md.
IMPERFECTIONS = [
    ("CV001", "ciptool.yaml", 4, 14),
    ("EV007", "controls/infrastructure.yaml", 345, 16),
    ("EV002", "controls/security-operations.yaml", 172, 13),
    ("EX002", "exceptions/2026.yaml", 40, 17),
    ("AF001", "findings/2026.yaml", 92, 13),
    ("MT001", "metrics/security.yaml", 141, 16),
    ("PL001", "policies/privacy-and-assurance.yaml", 43, 20),
    ("RK004", "risks/privacy.yaml", 93, 18),
    ("TP004", "third-parties/operations.yaml", 12, 40),
    ("TP005", "third-parties/operations.yaml", 34, 19),
]


@pytest.fixture(scope="module")
def example() -> tuple[list[tuple[str, str, int, int]], Graph]:
    result, graph = check_repository(PROJECT_ROOT, SETTINGS)
    assert graph is not None
    return brief(result), graph


def test_exactly_the_documented_imperfections(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    findings, _graph = example
    assert findings == IMPERFECTIONS
    result, _ = check_repository(PROJECT_ROOT, SETTINGS)
    assert {f.severity.value for f in result.findings} == {"warning"}
    messages = " | ".join(f.message for f in result.findings)
    for fact in ("GV.RM-07", "2026-Q2", "OPS-06/drift-report", "EXC-2026-003", "POL-DATA-SHARING"):
        assert fact in messages


def test_the_readme_lists_every_imperfection() -> None:
    guide = (PROJECT_ROOT / "controls/README.md").read_text()
    for code, file, _line, _column in IMPERFECTIONS:
        assert f"| {code} | `{file}` |" in guide


def test_readme_command_passes_and_fail_on_warning_fails() -> None:
    runner = CliRunner()
    today = runner.invoke(app, ["check", "--repo", str(PROJECT_ROOT)])
    assert today.exit_code == 0, today.output
    pinned = runner.invoke(app, ["check", "--repo", str(PROJECT_ROOT), "--as-of", "2026-11-15"])
    assert pinned.exit_code == 0
    strict = runner.invoke(
        app, ["check", "--repo", str(PROJECT_ROOT), "--as-of", "2026-11-15", "--fail-on", "warning"]
    )
    assert strict.exit_code == 1


@pytest.mark.parametrize("year", [2027, 2029, 2032, 2036])
def test_time_passing_adds_warnings_never_errors(year: int) -> None:
    result, _ = check_repository(PROJECT_ROOT, RunSettings(today=dt.date(year, 6, 30)))
    assert [f.code for f in result.failing()] == []


def test_coverage_is_at_least_85_percent_per_framework() -> None:
    result, _ = check_repository(PROJECT_ROOT, SETTINGS)
    for framework in ("nist-csf-2.0", "iso27001-2022", "soc2-2017"):
        rows = [row for row in result.coverage if row.framework == framework]
        addressed = [r for r in rows if r.status.value in ("covered", "excepted", "not-applicable")]
        assert len(addressed) / len(rows) >= 0.85, framework
    gaps = sorted(
        f"{r.framework}:{r.requirement}" for r in result.coverage if r.status.value == "gap"
    )
    assert gaps == ["nist-csf-2.0:GV.RM-07"]  # the one intentional gap


def test_every_control_is_complete(example: tuple[list[tuple[str, str, int, int]], Graph]) -> None:
    _findings, graph = example
    assert len(graph.controls) >= 80
    assert len(graph.policies) >= 12
    assert 3 <= len(graph.exceptions) <= 5
    for sourced in graph.iter_controls():
        control = sourced.record
        assert control.owner and control.policy and control.process, control.id
        assert control.evidence, control.id
        assert control.mappings, control.id


def test_every_program_area_has_controls(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    _findings, graph = example
    processes = {sourced.record.process for sourced in graph.iter_controls()}
    assert {
        "governance",
        "cyber-risk-assessment",
        "application-infrastructure-security",
        "identity-and-access-management",
        "security-awareness-training",
        "third-party-security-oversight",
        "security-operations-monitoring",
        "incident-response",
        "privacy-and-breach-response",
        "member-data-sharing",
        "independent-assurance",
    } <= processes


def test_every_evidence_digest_matches(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    _findings, graph = example
    checked = 0
    for sourced in graph.repository.evidence:
        folder = (PROJECT_ROOT / sourced.file).parent
        for entry in sourced.record.files:
            data = (folder / entry.path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.path
            checked += 1
    assert checked > 300


def test_every_attestation_document_is_the_pdf_recorded(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    _findings, graph = example
    attestations = [
        sourced.record.carin_attestation
        for sourced in graph.repository.apps
        if sourced.record.carin_attestation is not None
    ]
    for attestation in attestations:
        data = (PROJECT_ROOT / attestation.document).read_bytes()
        assert data.startswith(b"%PDF-1."), attestation.document
        assert hashlib.sha256(data).hexdigest() == attestation.sha256, attestation.document
    assert len(attestations) == 14


#: The SOC 2 population of every event-driven control of the example for 2026-01-01..2026-09-30:
#: (control, occurrences listed, sample size); the sizes fall in four bands of the table.
EVENT_DRIVEN = [
    ("APP-01", 30, 5),
    ("AST-02", 13, 5),
    ("BRC-01", 4, 2),
    ("BRC-02", 3, 2),
    ("BRC-03", 3, 2),
    ("IAM-01", 75, 20),
    ("IAM-02", 51, 5),
    ("IAM-05", 60, 20),
    ("IR-03", 5, 2),
    ("IR-04", 1, 1),
    ("IR-05", 1, 1),
    ("MDS-01", 22, 5),
    ("PRV-02", 17, 5),
    ("PRV-04", 8, 2),
    ("RSK-06", 2, 2),
    ("SAT-01", 27, 5),
    ("SAT-05", 49, 5),
    ("TPS-01", 12, 2),
    ("TPS-04", 18, 5),
]


def _populations(graph: Graph) -> dict[str, Population]:
    soc2 = graph.config.soc2 if graph.config is not None else None
    assert soc2 is not None and soc2.period is not None
    return {
        population.control.record.id: population
        for population in populations(graph, soc2.period, SETTINGS.today)
    }


def test_event_driven_controls_are_sampled_from_the_occurrences_they_list(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    _findings, graph = example
    found = _populations(graph)
    event_driven = [p for p in found.values() if p.control.record.frequency == "event-driven"]
    assert [(p.control.record.id, p.size, p.sample_size) for p in event_driven] == EVENT_DRIVEN
    assert {p.basis for p in event_driven} == {"occurrences"}
    # BKP-01 is daily: its population is the nightly backup runs its monthly records list, one
    # a day, not the records; an auditor samples days.
    bkp01 = found["BKP-01"]
    assert (bkp01.basis, bkp01.size, bkp01.sample_size) == ("occurrences", 273, 20)
    assert [item.occurred_on for item in bkp01.items] == [
        dt.date(2026, 1, 1) + dt.timedelta(days=day) for day in range(273)
    ]
    assert (bkp01.items[0].id, bkp01.items[-1].id) == ("BKR-20260101", "BKR-20260930")
    # Every other control is sampled from its records.
    others = [p for p in found.values() if p not in event_driven and p is not bkp01]
    assert {p.basis for p in others} == {"records"}
    iam01 = found["IAM-01"].items
    assert (iam01[0].id, iam01[0].occurred_on) == ("JML-2026-Q1-001", dt.date(2026, 1, 1))
    assert (iam01[-1].id, iam01[-1].occurred_on) == ("JML-2026-Q3-025", dt.date(2026, 9, 25))
    tps04 = found["TPS-04"].items
    assert (tps04[0].id, tps04[-1].id) == ("C-2026-0104", "OFB-2026-003")
    assert found["IR-04"].items[0].id == found["IR-05"].items[0].id == "INC-2026-017"
    # The Privacy Office notified the breaches of the three incidents that required it.
    assert [item.id for item in found["BRC-02"].items] == [
        "PI-2026-0061",
        "PI-2026-0147",
        "PI-2026-0175",
    ]


def test_the_incident_population_is_the_incident_register(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    _findings, graph = example
    soc2 = graph.config.soc2 if graph.config is not None else None
    assert soc2 is not None and soc2.period is not None
    period = soc2.period
    register = sorted(
        (incident.record.detected_on, incident.record.id)
        for incident in graph.repository.incidents
        if period.start <= incident.record.detected_on <= period.end
    )
    listed = [(item.occurred_on, item.id) for item in _populations(graph)["IR-03"].items]
    assert listed == register
    assert [incident_id for _day, incident_id in listed] == [
        "INC-2026-003",
        "INC-2026-011",
        "INC-2026-013",
        "INC-2026-014",
        "INC-2026-017",
    ]


def test_every_listed_occurrence_falls_in_its_records_span(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    _findings, graph = example
    records = [sourced.record for sourced in graph.repository.evidence if sourced.record.items]
    assert len(records) == 62
    assert sum(len(record.items) for record in records) == 719
    for record in records:
        first = record.period.start if record.period else dt.date(2026, 1, 1)
        last = record.period.end if record.period else record.effective_on
        assert last is not None
        for item in record.items:
            assert first <= item.occurred_on <= last, (record.control, item.id)
            assert item.description, (record.control, item.id)


def test_the_backup_runs_listed_are_the_rows_of_the_backup_reports(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    _findings, graph = example
    records = [
        sourced
        for sourced in graph.repository.evidence
        if sourced.file == "evidence/2026/bkp-01.yaml"
        and sourced.record.requirement == "backup-status"
    ]
    assert len(records) == 11
    runs = 0
    for sourced in records:
        (listed_file,) = sourced.record.files
        path = PROJECT_ROOT / Path(sourced.file).parent / listed_file.path
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert [(item.id, item.occurred_on.isoformat()) for item in sourced.record.items] == [
            (row["run_id"], row["date"]) for row in rows
        ]
        runs += len(rows)
    # Every day from 1 January to 14 November 2026, the last report's end.
    assert runs == 318


def test_every_soc2_control_has_a_test_procedure(
    example: tuple[list[tuple[str, str, int, int]], Graph],
) -> None:
    _findings, graph = example
    soc2 = [c.record for c in graph.iter_controls() if c.record.mappings.get("soc2-2017")]
    assert len(soc2) == 93
    assert all(2 <= len(control.test_procedure) <= 4 for control in soc2)
    assert sum(len(control.test_procedure) for control in soc2) == 280
    assert all(step.endswith(".") for control in soc2 for step in control.test_procedure)
    others = [c.record for c in graph.iter_controls() if not c.record.mappings.get("soc2-2017")]
    assert [control.test_procedure for control in others] == [[]] * len(others)
