"""Shared test helpers: build small repositories, run checks, invoke the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn

import pytest
from typer.testing import CliRunner

from ciptool.app.check import check_repository
from ciptool.loader.source import RECORD_FOLDER_NAMES
from ciptool.results import RunResult, RunSettings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: The date every test judges as of, so results do not move with the calendar.
AS_OF = dt.date(2026, 11, 15)
SETTINGS = RunSettings(today=AS_OF)
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# No framework is in scope, so that one control does not leave hundreds of coverage gaps;
# coverage tests declare their own scope.
MINIMAL_CONFIG = """\
program: Test Program
"""

MINIMAL_CONTROL = """\
controls:
  - id: IAM-01
    title: Quarterly access recertification
    owner: IAM lead
    policy: POL-ACCESS
    frequency: quarterly
    process: identity-and-access-management
    mappings:
      nist-csf-2.0: [PR.AA-05]
      iso27001-2022: [A.5.18]
      soc2-2017: [CC6.2]
    evidence:
      - id: recert-signoff
        description: Signed recertification results
"""

MINIMAL_POLICY = """\
policies:
  - id: POL-ACCESS
    title: Access Control Standard
    owner: CISO
    approved_by: Council
    approved_on: 2026-03-02
    review_every: 12mo
    last_reviewed: 2026-03-02
"""

#: A quarter's evidence for IAM-01, current on AS_OF, and the file it lists.
EVIDENCE_CSV = b"system,reviewer,removed\ncrm,a.manager,3\n"
MINIMAL_EVIDENCE = f"""\
evidence:
  - control: IAM-01
    requirement: recert-signoff
    collected_on: 2026-10-03
    period: {{start: 2026-07-01, end: 2026-09-30}}
    files:
      - {{path: files/q.csv, sha256: "{hashlib.sha256(EVIDENCE_CSV).hexdigest()}"}}
"""

#: An exception for IAM-01, approved before AS_OF; ``% "YYYY-MM-DD"`` gives its expiry.
EXCEPTION_EXPIRING = """\
exceptions:
  - id: EXC-001
    applies_to: {control: IAM-01}
    reason: The legacy directory cannot export access lists until its migration.
    risk: medium
    approved_by: CISO
    approved_on: 2026-01-15
    expires_on: %s
"""
#: An exception for IAM-01, live on AS_OF.
EXCEPTION_ON_IAM = EXCEPTION_EXPIRING % "2027-06-30"

MakeRepo = Callable[..., Path]


def write_repo(root: Path, files: dict[str, str | bytes], *, minimal: bool = True) -> Path:
    """Write ``files`` (path -> text or bytes) under ``root``, over a minimal repository."""
    base: dict[str, str | bytes] = {}
    if minimal:
        base = {
            "ciptool.yaml": MINIMAL_CONFIG,
            "controls/iam.yaml": MINIMAL_CONTROL,
            "policies/access.yaml": MINIMAL_POLICY,
            "evidence/2026/iam-01.yaml": MINIMAL_EVIDENCE,
            "evidence/2026/files/q.csv": EVIDENCE_CSV,
        }
    base.update(files)
    for name, content in base.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """A factory: ``make_repo({"controls/x.yaml": "..."})`` returns the repository's root."""

    def make(files: dict[str, str | bytes] | None = None, *, minimal: bool = True) -> Path:
        return write_repo(tmp_path / "repo", files or {}, minimal=minimal)

    return make


#: What the example program is, beside the project around it: its settings, its record folders,
#: the briefing's narrative and its own catalogs.
EXAMPLE_PARTS = ("ciptool.yaml", "briefing", "frameworks", *RECORD_FOLDER_NAMES)


def copy_example(root: Path, *, without: Iterable[str] = ()) -> Path:
    """A copy of the example program at ``root`` (made), without its cache or the parts named
    in ``without`` (e.g. its workpapers, for a draw of its own)."""
    root.mkdir(parents=True)
    for name in EXAMPLE_PARTS:
        source = PROJECT_ROOT / name
        if name in without or not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    return root


def unavailable(reason: str) -> NoReturn:
    """Skip a test this machine cannot run (a missing tool, a file type it cannot make),
    except in CI, where every test must run: there it fails, saying why."""
    if os.environ.get("CI"):
        pytest.fail(f"CI runs every test: {reason}")
    pytest.skip(reason)


def require_pdf_engine() -> None:
    """Skip (fail in CI) a test that writes a PDF where WeasyPrint or the system's Pango it
    lays out with is missing (.ci/run installs Pango: apt-get install libpango-1.0-0)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        unavailable(f"PDF needs WeasyPrint and the system's Pango: {exc}")


#: The day and generation time of the example's documents in the tests that read them.
REPORT_FIXED = ("--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z")


@pytest.fixture(scope="session")
def example_pdf(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The example program's PDF of a kind (``REPORT_FIXED``), laid out once a session for
    every test that reads it: the evidence index takes some fifteen seconds, the SOC 2
    package five, and half a dozen tests read each."""
    from ciptool.cli import app

    folder = tmp_path_factory.mktemp("example-pdf")
    made: dict[str, Path] = {}

    def pdf(kind: str) -> Path:
        if kind not in made:
            require_pdf_engine()
            out = folder / f"{kind}.pdf"
            result = CliRunner().invoke(
                app,
                [
                    "report",
                    kind,
                    "--repo",
                    str(PROJECT_ROOT),
                    "-f",
                    "pdf",
                    "-o",
                    str(out),
                    *REPORT_FIXED,
                ],
            )
            assert result.exit_code == 0, result.output
            made[kind] = out
        return made[kind]

    return pdf


def run(root: Path, *select: str) -> RunResult:
    """Check ``root`` as of AS_OF, with only the ``select``ed codes or families if given."""
    return check_repository(root, RunSettings(today=AS_OF, select=select))[0]


def brief(result: RunResult) -> list[tuple[str, str, int, int]]:
    """(code, file, line, column) of every finding, in reading order."""
    out = []
    for finding in result.findings:
        loc = finding.location
        assert loc is not None
        out.append((finding.code, loc.file, loc.line, loc.column))
    return out


@pytest.fixture
def cli() -> CliRunner:
    """A CLI runner that keeps stdout and stderr apart."""
    return CliRunner()
