"""An app's attestation document is an input as an evidence file is: a cached run after it
changed, vanished or appeared finds what a run without the cache finds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ciptool.cli import app
from conftest import AS_OF, MakeRepo

from .test_cache import rewrite_keeping_size_and_mtime

DOCUMENT = "apps/attestations/app-0042.pdf"
ATTESTED = b"%PDF-1.4 CARIN code of conduct attestation, Example Apps Inc.\n"
APPS = f"""\
apps:
  - id: APP-0042
    name: Example Health Wallet
    developer: Example Apps Inc.
    status: approved
    decided_on: 2026-04-02
    carin_attestation:
      attested_on: 2026-03-28
      document: {DOCUMENT}
      sha256: {hashlib.sha256(ATTESTED).hexdigest()}
    privacy_policy: {{url: "https://example.org/privacy", reviewed_on: 2026-03-30}}
"""


def check(cli: CliRunner, root: Path, *options: str) -> tuple[int, str]:
    """The exit code and JSON output of ``ciptool check`` on ``root``."""
    outcome = cli.invoke(
        app, ["check", "--repo", str(root), "--as-of", str(AS_OF), "-f", "json", *options]
    )
    assert outcome.exit_code in (0, 1), outcome.output
    return outcome.exit_code, outcome.stdout


def ap002(output: str) -> list[tuple[str, int, str]]:
    return [
        (f["file"], f["line"], f["message"])
        for f in json.loads(output)["findings"]
        if f["code"] == "AP002"
    ]


@pytest.mark.usefixtures("settled")
def test_a_changed_document_is_noticed_by_a_cached_run(make_repo: MakeRepo, cli: CliRunner) -> None:
    root = make_repo({"apps/members.yaml": APPS, DOCUMENT: ATTESTED})
    first = check(cli, root)
    assert first[0] == 0
    assert ap002(first[1]) == []
    assert check(cli, root) == first  # the kept result
    # One byte changed, with the size and modification time put back: hashed again.
    rewrite_keeping_size_and_mtime(root / DOCUMENT, ATTESTED.replace(b"Inc.", b"Inc!"))
    cached = check(cli, root)
    assert cached == check(cli, root, "--no-cache")
    changed = hashlib.sha256(ATTESTED.replace(b"Inc.", b"Inc!")).hexdigest()
    assert ap002(cached[1]) == [
        (
            "apps/members.yaml",
            10,
            f"`{DOCUMENT}` has sha256 {changed}, but the record says"
            f" {hashlib.sha256(ATTESTED).hexdigest()}: the document changed after it was"
            " recorded",
        )
    ]
    assert cached[0] == 1


@pytest.mark.usefixtures("settled")
def test_a_document_removed_or_put_back_is_noticed_by_a_cached_run(
    make_repo: MakeRepo, cli: CliRunner
) -> None:
    root = make_repo({"apps/members.yaml": APPS, DOCUMENT: ATTESTED})
    clean = check(cli, root)
    (root / DOCUMENT).unlink()
    gone = check(cli, root)
    assert gone == check(cli, root, "--no-cache")
    assert ap002(gone[1]) == [
        ("apps/members.yaml", 9, f"attestation document `{DOCUMENT}` is missing")
    ]
    (root / DOCUMENT).write_bytes(ATTESTED)
    assert check(cli, root) == clean


def test_a_document_linked_from_outside_the_repository_is_refused_with_and_without_the_cache(
    make_repo: MakeRepo, cli: CliRunner, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(ATTESTED)
    root = make_repo({"apps/members.yaml": APPS})
    (root / DOCUMENT).parent.mkdir(parents=True)
    (root / DOCUMENT).symlink_to(outside)
    refused = check(cli, root, "--no-cache")
    assert ap002(refused[1]) == [
        (
            "apps/members.yaml",
            9,
            f"attestation document `{DOCUMENT}` is a link that leads outside the repository",
        )
    ]
    assert check(cli, root) == refused
