"""Generate a synthetic compliance repository of a given size, for the benchmark.

The repository looks like a real one scaled up: controls in files of a hundred, each mapped to
a few CSF 2.0, ISO/IEC 27001:2022 and SOC 2 requirements; evidence records grouped ten to a
file, each listing one evidence file of about the given size; policies and exceptions. The
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
