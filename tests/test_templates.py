"""A repository's own templates are untrusted: confined to ``templates/``, rendered in an
immutable sandbox with limits on what they may build, write, take and use; every problem is a
usage error (exit 2) naming the template and its line, and nothing is written.

Each test runs ``ciptool report soc2`` on a small repository whose ``templates/soc2.md.j2`` is
hostile, beside a sentinel file outside the repository that must stay unchanged and unread.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from ciptool.render import sandbox
from conftest import write_repo

CONFIG = """\
program: Test Program
frameworks: [soc2-2017]
soc2:
  categories: [security]
  period: {start: 2026-01-01, end: 2026-09-30}
"""
SECRET = "root:x:0:0:OUTSIDE-SECRET\n"
FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]
TEMPLATE = "templates/soc2.md.j2"


class Case:
    """A repository with a sentinel outside it, and the report run on it."""

    def __init__(self, tmp_path: Path, files: dict[str, str | bytes] | None = None) -> None:
        self.outside = tmp_path / "outside"
        self.outside.mkdir(parents=True)
        self.secret = self.outside / "secret.txt"
        self.secret.write_text(SECRET, encoding="utf-8")
        self.root = write_repo(tmp_path / "repo", {"ciptool.yaml": CONFIG, **(files or {})})
        (self.root / "templates").mkdir(exist_ok=True)
        self.out = tmp_path / "soc2.md"

    def template(self, text: str | bytes, name: str = "soc2.md.j2") -> None:
        path = self.root / "templates" / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    def report(self, kind: str = "soc2") -> tuple[int, str, str]:
        """(exit code, last line of stderr, stdout) of ``ciptool report KIND -o OUT``."""
        result = CliRunner().invoke(
            app, ["report", kind, "--repo", str(self.root), "-o", str(self.out), *FIXED]
        )
        lines = result.stderr.splitlines()
        return result.exit_code, lines[-1] if lines else "", result.stdout

    def refused(self, message: str, kind: str = "soc2") -> None:
        """The report is a usage error ending with ``message``; nothing written or leaked."""
        code, last, stdout = self.report(kind)
        assert (code, last) == (2, f"ciptool: {message}")
        assert not self.out.exists()
        assert "OUTSIDE-SECRET" not in stdout + last
        assert self.secret.read_text(encoding="utf-8") == SECRET
        assert sorted(p.name for p in self.outside.iterdir()) == ["secret.txt"]


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return Case(tmp_path)


# Escapes: nothing outside templates/ is read.


def test_a_template_linked_outside_the_repository_is_refused(case: Case) -> None:
    (case.root / TEMPLATE).symlink_to(case.secret)
    case.refused(f"{TEMPLATE}: this symbolic link leads outside templates/ and was not read")


def test_an_included_template_linked_to_etc_passwd_is_refused(case: Case) -> None:
    case.template("before\n{% include 'x.j2' %}\n")
    (case.root / "templates/x.j2").symlink_to("/etc/passwd")
    case.refused("templates/x.j2: this symbolic link leads outside templates/ and was not read")


def test_a_template_linked_to_a_repository_file_outside_templates_is_refused(case: Case) -> None:
    (case.root / TEMPLATE).symlink_to(case.root / "ciptool.yaml")
    case.refused(f"{TEMPLATE}: this symbolic link leads outside templates/ and was not read")


def test_a_linked_folder_inside_templates_leading_out_is_refused(case: Case) -> None:
    (case.root / "templates/etc").symlink_to(case.outside, target_is_directory=True)
    case.template("{% include 'etc/secret.txt' %}\n")
    case.refused(
        "templates/etc/secret.txt: a linked folder on this path leads outside templates/ and was"
        " not read"
    )


def test_a_link_inside_templates_is_followed(case: Case) -> None:
    case.template("shared {{ meta.program }}\n", "shared.j2")
    (case.root / TEMPLATE).symlink_to("shared.j2")
    assert case.report() == (0, f"wrote {case.out}", "")
    assert case.out.read_text(encoding="utf-8") == "shared Test Program\n"


def test_a_templates_folder_linked_outside_the_repository_is_refused(case: Case) -> None:
    elsewhere = case.outside.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "soc2.md.j2").write_text("{{ 'OUTSIDE-SECRET' }}\n", encoding="utf-8")
    (case.root / "templates").rmdir()
    (case.root / "templates").symlink_to(elsewhere, target_is_directory=True)
    case.refused(
        f"{TEMPLATE}: templates/ is a symbolic link leading outside the repository,"
        " and no template in it is read"
    )
    assert (elsewhere / "soc2.md.j2").read_text(encoding="utf-8") == "{{ 'OUTSIDE-SECRET' }}\n"


def test_a_link_to_nothing_is_refused(case: Case) -> None:
    (case.root / TEMPLATE).symlink_to("missing.j2")
    case.refused(f"{TEMPLATE}: this symbolic link points to nothing that can be read")


# Hangs and memory: only a regular file of bounded size is read, never waited on.


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_like_a_template_is_refused_without_waiting(case: Case) -> None:
    os.mkfifo(case.root / TEMPLATE)
    case.refused(
        f"{TEMPLATE}: this is not a regular file (a folder, a FIFO, a device or a socket)"
        " and was not read"
    )


def test_a_folder_named_like_a_template_is_refused(case: Case) -> None:
    (case.root / TEMPLATE).mkdir()
    case.refused(
        f"{TEMPLATE}: this is not a regular file (a folder, a FIFO, a device or a socket)"
        " and was not read"
    )


def test_a_template_over_a_mebibyte_is_refused(case: Case) -> None:
    text = "{# " + "x" * (1024 * 1024) + " #}\n"
    case.template(text)
    case.refused(
        f"{TEMPLATE}: the file is {len(text):,} bytes; ciptool reads templates of at most"
        " 1,048,576 bytes"
    )


def test_an_unreadable_template_is_refused(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    case.template("{{ meta.program }}\n")
    (case.root / TEMPLATE).chmod(0)
    if sys.platform == "win32" or os.geteuid() == 0:  # modes bind neither: the system refuses
        real_open = os.open

        def refused(path: str, flags: int, *args: int) -> int:
            if str(path).endswith(TEMPLATE):
                raise PermissionError(13, "Permission denied")
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", refused)
    try:
        case.refused(f"{TEMPLATE}: cannot read the file: Permission denied")
    finally:
        (case.root / TEMPLATE).chmod(stat.S_IRUSR | stat.S_IWUSR)


# Errors in a template: a usage error at the template's line, never a traceback.


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("line one\n{% for x in %}\n", "2: Expected an expression, got 'end of statement block'"),
        ("line one\n{{ nothing_here }}\n", "2: 'nothing_here' is undefined"),
        ("line one\n{{ 1/0 }}\n", "2: ZeroDivisionError: division by zero"),
        (
            "line one\n\n{{ 1 + 'a' }}\n",
            "3: TypeError: unsupported operand type(s) for +: 'int' and 'str'",
        ),
        ("{{ [1, 2][5] }}\n", "1: list object has no element 5"),
        ("{{ 'abc'.index('z') }}\n", "1: ValueError: substring not found"),
        (
            "{{ range(10**9) }}\n",
            "1: OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE"
            " (100000).",
        ),
        ("a\n{% include 'nope.j2' %}\n", "2: no template nope.j2 (in templates/ or ciptool's own)"),
        ("{% extends 'nope.j2' %}\n", "1: no template nope.j2 (in templates/ or ciptool's own)"),
        (
            "{{ cycler.__init__.__globals__.os.system('id') }}\n",
            "1: access to attribute '__init__' of 'type' object is unsafe.",
        ),
    ],
    ids=[
        "syntax",
        "undefined",
        "zero-division",
        "type-error",
        "index",
        "value-error",
        "range",
        "include-missing",
        "extends-missing",
        "unsafe",
    ],
)
def test_an_error_in_a_template_is_a_usage_error_at_its_line(
    case: Case, text: str, message: str
) -> None:
    case.template(text)
    case.refused(f"{TEMPLATE}:{message}")


def test_a_template_that_is_not_utf8_is_refused_at_the_byte(case: Case) -> None:
    case.template(b"line one\n\xff\xfe bad\n")
    case.refused(f"{TEMPLATE}:2: byte 0xFF is not valid UTF-8")


def test_an_error_in_an_included_template_is_placed_in_that_template(case: Case) -> None:
    case.template("one\n{% include 'part.j2' %}\n")
    case.template("a\nb\n{{ 1/0 }}\n", "part.j2")
    case.refused("templates/part.j2:3: ZeroDivisionError: division by zero")


def test_a_repository_partial_that_breaks_ciptool_own_template_is_a_usage_error(
    case: Case,
) -> None:
    """ciptool's soc2.md.j2 imports a macro from _macros.md.j2, overridden here without it."""
    case.template("{# no macros #}\n", "_macros.md.j2")
    case.refused(
        "ciptool's soc2.md.j2:13: the template '_macros.md.j2' (imported on line 1 in"
        " 'soc2.md.j2') does not export the requested name 'status_meanings'"
    )


def test_a_broken_template_of_a_repository_report_is_a_usage_error(case: Case) -> None:
    case.template("line one\n{% if %}\n", "weekly.md.j2")
    case.refused(
        "templates/weekly.md.j2:2: Expected an expression, got 'end of statement block'",
        kind="weekly",
    )


RECURSES = (
    "the templates call themselves without end (a macro, an include or an extends that"
    " recurses too deeply)"
)


@pytest.mark.parametrize(
    "text",
    [
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}\n",
        "x{% include 'soc2.md.j2' %}\n",
        "{% extends 'soc2.md.j2' %}\n",
    ],
    ids=["macro", "include", "extends"],
)
def test_a_template_that_calls_itself_is_a_usage_error(case: Case, text: str) -> None:
    case.template(text)
    case.refused(f"{TEMPLATE}:1: {RECURSES}")


# The data a template is given is read-only.


@pytest.mark.parametrize(
    ("text", "attribute", "kind"),
    [
        ("{{ categories.append('owned') }}", "append", "list"),
        ("{{ controls.clear() }}", "clear", "dict"),
        ("{% set s = {1: 2} %}{{ s.update({3: 4}) }}", "update", "dict"),
    ],
)
def test_a_template_cannot_change_what_it_is_given(
    case: Case, text: str, attribute: str, kind: str
) -> None:
    case.template("{{ categories }}\n" + text + "\n")
    case.refused(f"{TEMPLATE}:2: access to attribute '{attribute}' of '{kind}' object is unsafe.")


# Limits: what a template may build, write, take and use.

TOO_BIG = (
    "this would make a value of {:,} characters or items; a template may make at most 16,777,216"
)
TOO_LONG_NUMBER = (
    "this would make a number of more than 4,300 digits, which a template may not make"
)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("{{ 'x' * 10**10 }}", 10**10),
        ("{{ 10**10 * 'x' }}", 10**10),
        ("{{ [0] * 10**10 }}", 10**10),
        ("{{ 'x'.ljust(10**10) }}", 10**10),
        ("{{ 'x'.rjust(10**10, '-') }}", 10**10),
        ("{{ 'x'.center(2000000000) }}", 2000000000),
        ("{{ 'x'.zfill(2000000000) }}", 2000000000),
        ("{{ ('\t' * 1000).expandtabs(10**7) }}", 10**10),
        ("{{ 'x' | center(2000000000) }}", 2000000000),
        ("{{ 'a\\nb' | indent(10**10) }}", 10**10),
        ("{{ '%2000000000d' % 1 }}", 2000000000),
        ("{{ '%.2000000000f' % 1.5 }}", 2000000000),
        ("{{ '%*d' % (2000000000, 1) }}", 2000000000),
        ("{{ '%2000000000d' | format(1) }}", 2000000000),
        ("{{ '{:>2000000000}'.format(1) }}", 2000000000),
        ("{{ '{:{}}'.format(1, 2000000000) }}", 2000000000),
        ("{{ '{x:2000000000}'.format_map({'x': 1}) }}", 2000000000),
        ("{{ ('x' | attr('center'))(2000000000) }}", 2000000000),
        ("{{ ('x' * 100000).replace('x', 'y' * 100000) }}", 10**10),
        ("{{ ('x' * 100000) | replace('x', 'y' * 100000) }}", 10**10),
        ("{{ ('x' * 100000) | join('y' * 100000) }}", 9999900000 + 100000),
        ("{{ ('y' * 100000).join(range(100000) | map('string')) }}", 9999900000 + 488890),
        ("{% set l = (range(100000) | list) * 100 %}{{ l + l }}", 20000000),
        ("{{ [1, 2] | batch(10**10, 0) | list }}", 10**10),
    ],
)
def test_a_template_cannot_build_a_huge_value(case: Case, text: str, size: int) -> None:
    case.template(text + "\n")
    case.refused(f"{TEMPLATE}:1: {TOO_BIG.format(size)}")


@pytest.mark.parametrize("operator", ["~", "+"])
def test_a_string_doubled_again_and_again_stops_at_the_bound(case: Case, operator: str) -> None:
    case.template(
        "{% set s = 'x' * 1000000 %}\n" + f"{{% set s = s {operator} s %}}\n" * 20 + "{{ s }}\n"
    )
    case.refused(f"{TEMPLATE}:6: {TOO_BIG.format(32 * 1000000)}")


@pytest.mark.parametrize(
    "text", ["{{ 10**(10**10) }}", "{{ 10**5000 }}", "{{ (10**3000) * (10**3000) }}"]
)
def test_a_template_cannot_build_a_huge_number(case: Case, text: str) -> None:
    case.template(text + "\n")
    case.refused(f"{TEMPLATE}:1: {TOO_LONG_NUMBER}")


def test_a_left_to_right_power_tower_is_an_ordinary_number(case: Case) -> None:
    case.template("{{ 10**10**10 }}\n")  # jinja reads (10**10)**10: a 101-digit number
    assert case.report()[0] == 0
    assert case.out.read_text(encoding="utf-8") == "1" + "0" * 100 + "\n"


def test_a_template_cannot_write_a_huge_document(case: Case) -> None:
    case.template("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}\n")
    case.refused(
        f"{TEMPLATE}: the document grows past 67,108,864 characters, the most a template may write"
    )


@pytest.mark.skipif(not sandbox.TIME_LIMITED, reason="no interval timer on this platform")
def test_a_template_that_loops_for_ever_is_stopped(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.5)
    case.template(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
    )
    case.refused(f"{TEMPLATE}:1: rendering took longer than the 0.5 seconds a template may take")


@pytest.mark.skipif(not sandbox.MEMORY_LIMITED, reason="no address-space limit on this platform")
def test_a_template_that_fills_memory_is_stopped(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "RENDER_MEMORY_BYTES", 64 * 1024 * 1024)
    case.template("{{ ('x' * 16000000).translate({120: 'y' * 1000}) }}\n")
    case.refused(
        f"{TEMPLATE}:1: rendering needed more than the 64 MiB of memory a template may use"
    )


def test_ciptool_own_templates_render_beside_a_repository_template(
    case: Case, tmp_path: Path
) -> None:
    """A templates/ folder holding other reports changes nothing in ciptool's own."""
    plain = Case(tmp_path / "plain")
    (plain.root / "templates").rmdir()
    code, _, _ = plain.report()
    assert code == 0
    case.template("{{ meta.program }}\n", "weekly.md.j2")
    assert case.report()[0] == 0
    assert case.out.read_bytes() == plain.out.read_bytes()
