"""The Audit Committee briefing: every control in one section, board words, figures that add
up, and the ``briefing:`` settings refused where they are wrong."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import PROJECT_ROOT, MakeRepo

FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]

#: The sections of the briefing, in order.
SECTION_IDS = (
    "executive-summary",
    "risk-profile",
    "threat-environment",
    "incident-response",
    "business-continuity",
    "governance",
    "program-components",
    "third-parties",
    "member-data-sharing",
    "compliance-posture",
    "changes",
    "appendix",
)

#: What a board paper never says: file locations, positions, options, check codes, severities.
TOOL_WORDS = (
    re.compile(r"\w+/\w+\.ya?ml"),
    re.compile(r"(?<!\d):\d+:\d+"),  # a position, not a time of day
    re.compile(r"--\w"),
    re.compile(r"\b[A-Z]{2}\d{3}\b"),
    re.compile(r"\b(?:errors?|warnings?)\b", re.IGNORECASE),
)


def render(root: Path, fmt: str, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / f"briefing.{fmt}"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "audit-committee",
            "--repo",
            str(root),
            "-f",
            fmt,
            "-o",
            str(out),
            *FIXED,
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("briefing")
    return {fmt: render(PROJECT_ROOT, fmt, folder) for fmt in ("md", "html")}


def control_ids() -> list[str]:
    ids = []
    for path in sorted((PROJECT_ROOT / "controls").glob("*.yaml")):
        ids += re.findall(r"^  - id: (\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return ids


def body(html: str) -> str:
    """The document without its style sheet, whose class names are not words it says, and
    without the program's own control titles ("Patching within deadlines set by severity")."""
    text = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    for path in sorted((PROJECT_ROOT / "controls").glob("*.yaml")):
        for title in re.findall(r"^    title: (.+)$", path.read_text(encoding="utf-8"), re.M):
            text = text.replace(title, "")
    return text


def test_every_control_appears_once_in_the_section_tables(example: dict[str, str]) -> None:
    ids = control_ids()
    assert len(ids) == 96
    markdown, html = example["md"], example["html"]
    md_rows = re.findall(
        r"^\| ([A-Z]{2,4}-\d\d) \| .* \| (?:\d{4}-\d\d-\d\d|none) \|$", markdown, re.M
    )
    html_rows = re.findall(r'<tr><td class="id">([A-Z]{2,4}-\d\d)</td>', html)
    assert sorted(md_rows) == sorted(ids)
    assert sorted(html_rows) == sorted(ids)


def test_every_section_is_there_in_order(example: dict[str, str]) -> None:
    found = re.findall(r'<section(?: class="[^"]*")? id="([^"]+)"', example["html"])
    assert [s for s in found if s in SECTION_IDS] == list(SECTION_IDS)
    markdown = example["md"]
    headings = [
        "## Executive summary",
        "## Program governance",
        "## Compliance posture",
        "## Appendix",
    ]
    assert [markdown.index(h) for h in headings] == sorted(markdown.index(h) for h in headings)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_briefing_speaks_no_tool_words(example: dict[str, str], fmt: str) -> None:
    text = body(example[fmt])
    for pattern in TOOL_WORDS:
        assert not pattern.findall(text), pattern.pattern


def test_the_headline_names_the_standing_high_risk_acceptance(example: dict[str, str]) -> None:
    markdown = example["md"]
    summary = markdown[markdown.index("## Executive summary") :]
    decision = summary[summary.index("\n1. ") + 4 :].split("\n", 1)[0]
    assert decision.startswith(
        "Confirm or end the standing acceptance EXC-2026-002 of a high risk on ISO/IEC"
        " 27001:2022 A.8.11 Data masking, approved by the Chief Information Security Officer on"
        " 2026-06-03 (165 days ago) until 2028-03-31. Reason: Two legacy test environments of"
        " the Group Disability and Life segment are still refreshed with unmasked production"
        " claims data,"
    )
    assert decision.endswith(
        "Compensating controls: OPS-04 (Data loss prevention on email, web and endpoints),"
        " IAM-02 (Heightened approval and vaulting of privileged access)."
    )
    assert (
        "2 are above the appetite of 8, 2 of them carried by an acceptance in force:"
        " RSK-004 Inappropriate access persists on the legacy group life claims platform"
        " (medium, residual score 9), accepted under EXC-2026-001; RSK-012 Unmasked member"
        " claims data in legacy test environments (high, residual score 12), accepted under"
        " EXC-2026-002." in summary
    )
    assert "This is the first briefing of this kind: there is no earlier one to compare with." in (
        summary
    )


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_posture_figures_add_up(example: dict[str, str], fmt: str) -> None:
    text = re.sub(r"<[^>]+>", "", body(example[fmt]))
    lines = re.findall(
        r"(?:CSF 2\.0|ISO/IEC 27001:2022|SOC 2 \(TSC 2017\)), (\d+) requirements: ([^.]+)\.", text
    )
    assert {total for total, _ in lines} == {"106", "93", "38"}
    for total, parts in lines:
        assert sum(int(n) for n in re.findall(r"(\d+) [a-z]", parts)) == int(total), parts
    assert (
        "ISO/IEC 27001:2022, 93 requirements: 87 covered, 0 covered with deviations, 3 excepted,"
        " 0 gaps, 3 not applicable." in text
    )
    controls = re.search(r"Evidence of the (\d+) controls: ([^.]+)\.", text)
    assert controls is not None
    assert controls.group(1) == "96"
    assert sum(int(n) for n in re.findall(r"(\d+) ", controls.group(2))) == 96
    sections = re.findall(r"^(\d+) controls?: ((?:\d+ [a-z ]+,? ?)+)\.", text, re.M)
    assert sum(int(total) for total, _ in sections) == 96
    for total, parts in sections:
        assert sum(int(n) for n in re.findall(r"(\d+) ", parts)) == int(total)
    acceptances = re.search(r"(\d+) risk acceptances: ([^.]+)\.", text)
    assert acceptances is not None
    assert acceptances.group(0) == (
        "3 risk acceptances: 2 in force, 1 ends within 90 days, 0 expired, 0 not yet in force."
    )
    assert "18 policies: 17 reviewed within their cycle, 1 overdue." in text
    levels = re.search(
        r"holds (\d+) risks of information protection, by level after controls: ([^.]+)\.", text
    )
    assert levels is not None
    assert sum(int(n) for n in re.findall(r"(\d+) ", levels.group(2))) == int(levels.group(1))


def test_the_target_profile_is_judged_exactly(example: dict[str, str]) -> None:
    markdown = example["md"]
    assert "| GV Govern | 97% | 100% | -3 | not met |" in markdown
    assert "| ID Identify | 95% | 95% | +0 | met |" in markdown
    assert "- GV Govern: 97% covered, target 100%: 3 points short." in markdown
    html = example["html"]
    assert "<title>NIST CSF 2.0 functions: covered share against the target</title>" in html
    assert ">97% of 100%: short</text>" in html


def test_what_needs_attention_has_owners_and_dates(example: dict[str, str]) -> None:
    markdown = example["md"]
    assert (
        "| Review of policy POL-DATA-SHARING (Member Data Sharing Standard) is overdue |"
        " Director, Interoperability Services | due 2026-10-01 |" in markdown
    )
    assert (
        "| Evidence of OPS-06 (Clock synchronisation of logging sources) is out of date |"
        " Manager, Security Engineering | since 2026-10-11 |" in markdown
    )


CONTROL = """\
controls:
  - id: IAM-01
    title: Quarterly access recertification
    owner: IAM lead
    policy: POL-ACCESS
    frequency: quarterly
    process: {process}
    evidence:
      - id: recert-signoff
        description: Signed recertification results
"""


def test_a_control_no_section_holds_is_in_no_table_and_said(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo({"controls/iam.yaml": CONTROL.format(process="privacy-operations")})
    markdown = render(root, "md", tmp_path)
    assert "| IAM-01 |" not in markdown
    assert "Evidence of the 1 control: 1 not yet placed in a section of this briefing." in markdown
    placed = make_repo(
        {
            "ciptool.yaml": "program: Test Program\nbriefing:\n  sections:\n"
            "    member-data-sharing: [privacy-operations]\n",
            "controls/iam.yaml": CONTROL.format(process="privacy-operations"),
        }
    )
    again = render(placed, "md", tmp_path)
    assert again.count("| IAM-01 |") == 1
    section = again[again.index("## Program governance") : again.index("## Compliance posture")]
    assert "| IAM-01 | Quarterly access recertification | IAM lead | current |" in section
    assert "Evidence of the 1 control: 1 with current evidence." in again


def check_json(root: Path) -> tuple[int, list[tuple[str, str, int, int, str]]]:
    result = CliRunner().invoke(
        app, ["check", "--repo", str(root), "--format", "json", "--as-of", "2026-11-15"]
    )
    data = json.loads(result.stdout)
    return result.exit_code, [
        (f["code"], f["file"], f["line"], f["column"], f["message"]) for f in data["findings"]
    ]


def test_a_process_in_two_sections_is_a_located_config_error(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "ciptool.yaml": "program: Test Program\n"
            "briefing:\n"
            "  sections:\n"
            "    governance: [compliance]\n"
            "    program-components: [infrastructure, compliance]\n"
        }
    )
    assert check_json(root) == (
        2,
        [
            (
                "SC005",
                "ciptool.yaml",
                5,
                42,
                "process `compliance` is named in governance and in program-components; a"
                " process is briefed in one section: keep one of them",
            )
        ],
    )


def test_a_target_profile_key_that_is_no_csf_function_is_a_located_config_error(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "ciptool.yaml": "program: Test Program\n"
            "briefing:\n"
            "  target_profile:\n"
            "    GV: 90\n"
            "    PROTECT: 80\n"
        }
    )
    assert check_json(root) == (
        2,
        [
            (
                "SC005",
                "ciptool.yaml",
                5,
                14,
                "`PROTECT` is not a NIST CSF 2.0 function; the target profile's keys are GV, ID,"
                " PR, DE, RS, RC",
            )
        ],
    )


def test_markdown_and_html_say_the_same(example: dict[str, str]) -> None:
    """The same headings in the same order, and the same sentences of figures."""
    markdown, html = example["md"], example["html"]
    md_headings = re.findall(r"^#{2,3} (.+)$", markdown, re.M)
    html_headings = [
        re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html)
    ]
    assert md_headings == html_headings
    text = re.sub(r"<[^>]+>", "", html)
    for sentence in re.findall(r"^\d+ controls?: [^\n]+$", markdown, re.M):
        assert sentence in text
    for line in re.findall(r"^- (.+ requirements: .+)$", markdown, re.M):
        assert line in text


def test_a_lapsed_acceptance_turns_into_a_decision(tmp_path: Path) -> None:
    """In July 2028 every acceptance of the example has expired: each is a decision, heaviest
    risk first, and each risk above appetite says which acceptance lapsed and when."""
    out = tmp_path / "later.md"
    args = ["report", "audit-committee", "--repo", str(PROJECT_ROOT), "-f", "md", "-o", str(out)]
    result = CliRunner().invoke(app, [*args, "--as-of", "2028-07-15"])
    assert result.exit_code == 0, result.output
    decisions = re.findall(r"^\d\. (.+)$", out.read_text(encoding="utf-8"), re.M)
    assert [d.split(" of a ")[0] for d in decisions[:3]] == [
        "Renew or close the acceptance EXC-2026-002",
        "Renew or close the acceptance EXC-2026-001",
        "Renew or close the acceptance EXC-2026-003",
    ]
    assert decisions[4] == (
        "Treat or accept risk RSK-012 (Unmasked member claims data in legacy test environments,"
        " owner Chief Privacy Officer): its residual score of 12 (high) is above the appetite of"
        " 8 and no acceptance in force carries it (EXC-2026-002 expired on 2028-03-31)."
    )
