"""Generate a synthetic compliance repository of a given size, for the benchmark.

The repository looks like a real one scaled up: controls in files of a hundred, each mapped to
a few CSF 2.0, ISO/IEC 27001:2022 and SOC 2 requirements; evidence records grouped ten to a
file, each listing one evidence file of about the given size; policies and exceptions; and the
registers in the example program's proportions, for every hundred controls 16 risks with one to
three actions each, 8 member data-sharing apps (half of them attested, with their attestation
documents), 10 quarterly metrics with four values, 10 assessment findings and 5 incidents. The
same arguments always give the same repository.

    python bench/generate.py OUT --controls 1000 --records 10000 --file-kb 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import sys
from pathlib import Path

SEED = 20261115
AS_OF = dt.date(2026, 11, 15)
CONTROLS_PER_FILE = 100
RECORDS_PER_FILE = 10
#: Register records for every hundred controls: the example program's proportions (about 15
#: risks, 8 apps, 10 metrics, 10 findings and 5 incidents for its 96 controls).
REGISTERS_PER_100_CONTROLS = {"risks": 16, "apps": 8, "metrics": 10, "findings": 10, "incidents": 5}
#: Risks written to one file.
RISKS_PER_FILE = 50
RISK_CATEGORIES = ["cyber", "privacy", "third-party", "resilience"]
#: Residual positions (likelihood, impact) within the appetite of 8 the corpus sets.
RESIDUALS = [(1, 3), (1, 4), (1, 5), (2, 2), (2, 3), (2, 4), (3, 2)]
QUARTERS = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
INCIDENT_CATEGORIES = ["phishing", "malware", "misdirected mail", "lost device"]
PROCESSES = [
    "governance",
    "cyber-risk-assessment",
    "identity-and-access-management",
    "security-operations-monitoring",
    "incident-response",
    "third-party-security-oversight",
    "application-infrastructure-security",
    "security-awareness-training",
]
WORDS = [
    "access",
    "review",
    "evidence",
    "quarterly",
    "control",
    "owner",
    "system",
    "platform",
    "claims",
    "member",
    "provider",
    "portal",
    "encryption",
    "logging",
    "monitoring",
    "vendor",
    "assessment",
    "incident",
    "response",
    "training",
    "policy",
    "approval",
    "exception",
    "baseline",
    "configuration",
    "vulnerability",
    "patch",
    "backup",
    "recovery",
    "network",
]


def _catalog_ids(source: Path) -> dict[str, list[str]]:
    """Requirement ids of the bundled catalogs, read as text (no YAML library needed)."""
    ids: dict[str, list[str]] = {}
    for framework, kind in (
        ("nist-csf-2.0", "subcategory"),
        ("iso27001-2022", "annex_a_control"),
        ("soc2-2017", "criterion"),
    ):
        lines = (source / f"{framework}.yaml").read_text(encoding="utf-8").splitlines()
        found = []
        for index, line in enumerate(lines):
            if line.startswith("  withdrawn:"):
                break  # ids withdrawn from the framework follow; they are not requirements
            if (
                line.startswith("  - id:")
                and index + 1 < len(lines)
                and f"type: {kind}" in lines[index + 1]
            ):
                found.append(line.split(":", 1)[1].strip().strip("'\""))
        ids[framework] = found
    return ids


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def generate(out: Path, controls: int, records: int, file_kb: int, frameworks: Path) -> None:
    """Write the repository under ``out`` (which must not exist yet)."""
    rng = random.Random(SEED)
    ids = _catalog_ids(frameworks)
    out.mkdir(parents=True)
    (out / "ciptool.yaml").write_text(
        "program: Benchmark Program\n"
        "frameworks: [nist-csf-2.0, iso27001-2022, soc2-2017]\n"
        "soc2:\n  categories: [security]\n  period: {start: 2026-01-01, end: 2026-09-30}\n"
        "risk: {appetite: 8}\n"
    )
    (out / "policies").mkdir()
    policy_lines = ["policies:"]
    for number in range(1, 21):
        policy_lines += [
            f"  - id: POL-{number:03d}",
            f"    title: {_sentence(rng, 4)} standard",
            "    owner: Chief Information Security Officer",
            "    approved_by: Cyber and Privacy Council",
            "    approved_on: 2026-03-02",
            "    review_every: 12mo",
            "    last_reviewed: 2026-03-02",
        ]
    (out / "policies" / "standards.yaml").write_text("\n".join(policy_lines) + "\n")
    (out / "controls").mkdir()
    for first in range(0, controls, CONTROLS_PER_FILE):
        lines = ["controls:"]
        for number in range(first, min(first + CONTROLS_PER_FILE, controls)):
            csf = sorted(rng.sample(ids["nist-csf-2.0"], 2))
            iso = sorted(rng.sample(ids["iso27001-2022"], 2))
            soc2 = sorted(rng.sample(ids["soc2-2017"], 1))
            lines += [
                f"  - id: CTL-{number:05d}",
                f"    title: {_sentence(rng, 5)}",
                "    description: >-",
                f"      {_sentence(rng, 14)}.",
                f"    owner: {_sentence(rng, 2)} lead",
                f"    process: {rng.choice(PROCESSES)}",
                f"    policy: POL-{rng.randint(1, 20):03d}",
                "    type: detective",
                "    automation: hybrid",
                "    frequency: quarterly",
                "    mappings:",
                f"      nist-csf-2.0: [{', '.join(csf)}]",
                f"      iso27001-2022: [{', '.join(iso)}]",
                f"      soc2-2017: [{', '.join(soc2)}]",
                "    evidence:",
                "      - id: review",
                "        description: Signed quarterly review",
            ]
        (out / "controls" / f"controls-{first // CONTROLS_PER_FILE:04d}.yaml").write_text(
            "\n".join(lines) + "\n"
        )
    evidence = out / "evidence" / "2026"
    (evidence / "files").mkdir(parents=True)
    quarters = [
        ("2026-01-01", "2026-03-31"),
        ("2026-04-01", "2026-06-30"),
        ("2026-07-01", "2026-09-30"),
    ]
    block = bytes(rng.getrandbits(8) for _ in range(4096))
    for first in range(0, records, RECORDS_PER_FILE):
        lines = ["evidence:"]
        for number in range(first, min(first + RECORDS_PER_FILE, records)):
            control = number % max(controls, 1)
            start, end = quarters[(number // max(controls, 1)) % len(quarters)]
            name = f"files/ev-{number:06d}.csv"
            header = f"record,{number}\ncontrol,CTL-{control:05d}\n".encode()
            body = (header + block * (file_kb * 1024 // len(block) + 1))[: file_kb * 1024]
            (evidence / name).write_bytes(body)
            lines += [
                f"  - control: CTL-{control:05d}",
                "    requirement: review",
                f"    collected_on: {dt.date.fromisoformat(end) + dt.timedelta(days=3)}",
                f"    period: {{start: {start}, end: {end}}}",
                "    collected_by: bench",
                "    source: Synthetic export",
                "    files:",
                f'      - {{path: {name}, sha256: "{hashlib.sha256(body).hexdigest()}"}}',
            ]
        (evidence / f"records-{first // RECORDS_PER_FILE:06d}.yaml").write_text(
            "\n".join(lines) + "\n"
        )
    (out / "exceptions").mkdir()
    (out / "exceptions" / "2026.yaml").write_text("exceptions: []\n")
    # The registers draw from a generator of their own, so that the files above stay the same
    # bytes as before the registers were added.
    _registers(out, controls, random.Random(SEED + 1))


def _day(rng: random.Random, first: str, last: str) -> dt.date:
    """A day from ``first`` to ``last`` (ISO dates), both included."""
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _controls(rng: random.Random, controls: int, count: int) -> str:
    """A YAML flow list of ``count`` distinct control ids (fewer when there are fewer)."""
    chosen = sorted(rng.sample(range(controls), min(count, controls)))
    return "[" + ", ".join(f"CTL-{number:05d}" for number in chosen) + "]"


def _actions(rng: random.Random, owner: str, prefix: str, count: int) -> list[str]:
    """An action plan: done actions with their completion day, the others due next year."""
    lines = ["    actions:"]
    for number in range(1, count + 1):
        status = rng.choice(["planned", "in-progress", "done"])
        lines += [
            f"      - id: {prefix}-A{number}",
            f"        description: {_sentence(rng, 6)}",
            f"        owner: {owner}",
        ]
        if status == "done":
            completed = _day(rng, "2026-02-01", "2026-11-01")
            lines += [
                f"        due_on: {completed + dt.timedelta(days=rng.randint(0, 45))}",
                "        status: done",
                f"        completed_on: {completed}",
            ]
        else:
            lines += [
                f"        due_on: {_day(rng, '2027-02-01', '2027-12-31')}",
                f"        status: {status}",
            ]
    return lines


def _registers(out: Path, controls: int, rng: random.Random) -> None:
    """The risk register, apps, metrics, findings and incidents, scaled to ``controls``."""
    if not controls:
        return
    count = {
        kind: per_100 * controls // 100 for kind, per_100 in REGISTERS_PER_100_CONTROLS.items()
    }
    (out / "risks").mkdir()
    for first in range(0, count["risks"], RISKS_PER_FILE):
        lines = ["risks:"]
        for number in range(first, min(first + RISKS_PER_FILE, count["risks"])):
            likelihood, impact = RESIDUALS[number % len(RESIDUALS)]
            owner = f"{_sentence(rng, 2)} lead"
            reviewed = _day(rng, "2026-06-01", "2026-11-01")
            lines += [
                f"  - id: RSK-{number + 1:05d}",
                f"    title: {_sentence(rng, 6)}",
                f"    owner: {owner}",
                f"    category: {RISK_CATEGORIES[number % len(RISK_CATEGORIES)]}",
                f"    inherent: {{likelihood: {min(likelihood + rng.randint(1, 2), 5)},"
                f" impact: {min(impact + rng.randint(0, 1), 5)}}}",
                f"    residual: {{likelihood: {likelihood}, impact: {impact}}}",
                "    treatment: mitigate",
                f"    controls: {_controls(rng, controls, rng.randint(2, 4))}",
                f"    reviewed_on: {reviewed}",
                "    review_every: 12mo",
                *_actions(rng, owner, f"RSK-{number + 1:05d}", rng.randint(1, 3)),
            ]
        (out / "risks" / f"risks-{first // RISKS_PER_FILE:04d}.yaml").write_text(
            "\n".join(lines) + "\n"
        )
    attestations = out / "apps" / "attestations"
    attestations.mkdir(parents=True)
    lines = ["apps:"]
    for number in range(1, count["apps"] + 1):
        status = "approved" if number % 8 < 6 else ("revoked", "denied")[number % 2]
        lines += [
            f"  - id: APP-{number:05d}",
            f"    name: {_sentence(rng, 2)} app",
            f"    developer: {_sentence(rng, 2)} Inc.",
            f"    status: {status}",
            f"    decided_on: {_day(rng, '2025-01-06', '2026-10-30')}",
        ]
        if number % 2:
            document = f"apps/attestations/app-{number:05d}.pdf"
            body = f"%PDF-1.4\n% attestation of APP-{number:05d}\n%%EOF\n".encode()  # a stand-in
            (out / document).write_bytes(body)
            lines += [
                "    carin_attestation:",
                f"      attested_on: {_day(rng, '2025-01-06', '2026-10-30')}",
                f"      document: {document}",
                f'      sha256: "{hashlib.sha256(body).hexdigest()}"',
            ]
        lines.append(
            f'    privacy_policy: {{url: "https://app-{number:05d}.example/privacy",'
            f" reviewed_on: {_day(rng, '2026-02-01', '2026-11-01')}}}"
        )
    (out / "apps" / "apps.yaml").write_text("\n".join(lines) + "\n")
    (out / "metrics").mkdir()
    lines = ["metrics:"]
    for number in range(1, count["metrics"] + 1):
        target = rng.randint(90, 99)
        lines += [
            f"  - id: KPI-{number:05d}",
            f"    title: {_sentence(rng, 5)}",
            "    kind: kpi",
            "    unit: percent",
            "    better: higher",
            f"    target: {target}",
            f"    threshold: {target - 5}",
            f"    owner: {_sentence(rng, 2)} lead",
            "    frequency: quarterly",
            f"    controls: {_controls(rng, controls, 1)}",
            "    values:",
            *(
                f"      - {{period: {quarter}, value: {target - rng.randint(0, 40) / 10}}}"
                for quarter in QUARTERS
            ),
        ]
    (out / "metrics" / "metrics.yaml").write_text("\n".join(lines) + "\n")
    (out / "findings").mkdir()
    lines = ["findings:"]
    for number in range(1, count["findings"] + 1):
        found = _day(rng, "2026-03-02", "2026-10-30")
        lines += [
            f"  - id: FND-2026-{number:04d}",
            f"    source: {('penetration-test', 'red-team', 'soc2-audit')[number % 3]}",
            f"    title: {_sentence(rng, 6)}",
            f"    severity: {rng.choice(['high', 'medium', 'medium', 'low'])}",
            f"    found_on: {found}",
            f"    owner: {_sentence(rng, 2)} lead",
        ]
        if number % 2:
            closed = found + dt.timedelta(days=rng.randint(5, 60))
            lines += [
                f"    due_on: {found + dt.timedelta(days=90)}",
                "    status: remediated",
                f"    closed_on: {min(closed, AS_OF)}",
            ]
        else:
            lines += [f"    due_on: {_day(rng, '2027-02-01', '2027-09-30')}", "    status: open"]
        lines += [
            f"    controls: {_controls(rng, controls, rng.randint(1, 2))}",
            f"    risks: [RSK-{rng.randint(1, max(count['risks'], 1)):05d}]",
        ]
    (out / "findings" / "2026.yaml").write_text("\n".join(lines) + "\n")
    (out / "incidents").mkdir()
    lines = ["incidents:"]
    for number in range(1, count["incidents"] + 1):
        detected = _day(rng, "2026-01-05", "2026-09-30")
        # A third of them disclosed member data and were notified; the others needed no notice.
        notified = detected + dt.timedelta(days=rng.randint(10, 50))
        notification = (
            f"{{required: true, notified_on: {notified}}}"
            if number % 3 == 0
            else "{required: false}"
        )
        lines += [
            f"  - id: INC-2026-{number:04d}",
            f"    title: {_sentence(rng, 6)}",
            f"    category: {rng.choice(INCIDENT_CATEGORIES)}",
            f"    severity: {rng.choice(['high', 'medium', 'low', 'low'])}",
            f"    detected_on: {detected}",
            f"    contained_on: {detected + dt.timedelta(days=rng.randint(0, 2))}",
            f"    closed_on: {detected + dt.timedelta(days=rng.randint(10, 40))}",
            f"    records_affected: {rng.randint(1, 900) if number % 3 == 0 else 0}",
            f"    notification: {notification}",
            f"    root_cause: {_sentence(rng, 8)}",
            *_actions(rng, "Incident response lead", f"INC-2026-{number:04d}", 1),
            f"    controls: {_controls(rng, controls, rng.randint(1, 3))}",
        ]
    (out / "incidents" / "2026.yaml").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--controls", type=int, default=1000)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--file-kb", type=int, default=20)
    parser.add_argument(
        "--frameworks", type=Path, default=Path(__file__).resolve().parents[1] / "frameworks"
    )
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"{args.out} exists; choose a new folder", file=sys.stderr)
        return 2
    generate(args.out, args.controls, args.records, args.file_kb, args.frameworks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
