"""Escape: nothing outside the repository is read, hashed or written, whatever its links say.

The links point at ``outside/`` (a fake ``passwd``, a YAML file with an ``api_key``), or at the
real ``/`` and ``/proc``, which are only ever looked at, never changed.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from .conftest import AS_OF, OUTSIDE_FILES, Hostile, findings
from .test_code_execution import SOC2_CONFIG

CHECK = ("check", "--format", "json", *AS_OF)


def test_a_template_that_includes_a_link_to_passwd_is_a_usage_error(hostile: Hostile) -> None:
    hostile.write(
        {"ciptool.yaml": SOC2_CONFIG, "templates/soc2.md.j2": "{% include 'passwd.j2' %}\n"}
    )
    hostile.link("templates/passwd.j2", hostile.outside / "passwd")
    outcome = hostile.run("report", "soc2", "-o", hostile.out / "soc2.md", *AS_OF, code=2)
    hostile.template_error(
        outcome, "templates/passwd.j2: this symbolic link leads outside templates/ and was not read"
    )


def test_a_template_that_is_a_link_to_passwd_is_a_usage_error(hostile: Hostile) -> None:
    hostile.write({"ciptool.yaml": SOC2_CONFIG})
    hostile.link("templates/soc2.md.j2", hostile.outside / "passwd")
    outcome = hostile.run("report", "soc2", "-o", hostile.out / "soc2.md", *AS_OF, code=2)
    hostile.template_error(
        outcome,
        "templates/soc2.md.j2: this symbolic link leads outside templates/ and was not read",
    )


RECORD_FOLDERS = ["controls", "policies", "evidence", "exceptions", "frameworks"]


@pytest.mark.parametrize(
    "folder", RECORD_FOLDERS, ids=[f"{f}-link-outside" for f in RECORD_FOLDERS]
)
def test_a_record_folder_linked_outside_is_not_read(hostile: Hostile, folder: str) -> None:
    hostile.link(folder, hostile.outside)
    outcome = hostile.run(*CHECK, code=1)
    assert findings(outcome, "LD") == [("LD007", folder, 1, 1)]
    for leaked in ("api_key", "password", "OUT-01", "root:x"):
        assert leaked not in outcome.output


def test_frameworks_list_does_not_read_a_linked_frameworks_folder(hostile: Hostile) -> None:
    hostile.link("frameworks", hostile.outside)
    outcome = hostile.run("frameworks", "list", code=1)  # the built-in frameworks only
    assert outcome.stdout.startswith("iso27001-2013  ISO/IEC 27001:2013  ")
    assert outcome.stderr.startswith("frameworks:1:1: error LD007 ")
    assert "api_key" not in outcome.output


def test_evidence_linked_to_the_root_is_not_walked(hostile: Hostile) -> None:
    hostile.link("evidence", "/")
    outcome = hostile.run(*CHECK, code=1)
    assert findings(outcome, "LD") == [("LD007", "evidence", 1, 1)]


def evidence_through(hostile: Hostile, folder: str, target: str, path: str, digest: str) -> None:
    """The record lists ``path``, reached through ``evidence/2026/<folder>`` -> ``target``."""
    record = (hostile.repo / "evidence/2026/iam-01.yaml").read_text(encoding="utf-8")
    old = hashlib.sha256((hostile.repo / "evidence/2026/files/q.csv").read_bytes()).hexdigest()
    hostile.write(
        {"evidence/2026/iam-01.yaml": record.replace("files/q.csv", path).replace(old, digest)}
    )
    (hostile.repo / "evidence/2026/files/q.csv").unlink()
    hostile.link(f"evidence/2026/{folder}", target)


PASSWD_DIGEST = hashlib.sha256(OUTSIDE_FILES["etc/passwd"].encode()).hexdigest()
#: (folder, where it leads, the listed path, the digest the record gives)
THROUGH_LINKS = {
    "etc-link-passwd": ("etc", "{outside}/etc", "etc/passwd", PASSWD_DIGEST),
    "procdir-link-proc-kmsg": ("procdir", "/proc", "procdir/kmsg", "0" * 64),
}


@pytest.mark.parametrize("case", THROUGH_LINKS.values(), ids=THROUGH_LINKS.keys())
def test_an_evidence_path_through_a_linked_folder_is_never_hashed(
    hostile: Hostile, case: tuple[str, str, str, str]
) -> None:
    folder, target, path, digest = case
    evidence_through(hostile, folder, target.format(outside=hostile.outside), path, digest)
    outcome = hostile.run(*CHECK, "--select", "EV", code=1)
    assert findings(outcome) == [("EV003", "evidence/2026/iam-01.yaml", 7, 16)]
    (finding,) = json.loads(outcome.stdout)["findings"]
    assert finding["message"] == (
        f"evidence file `{path}` is a link that leads outside the repository"
    )
    verified = hostile.run("evidence", "verify", code=1)
    # The linked folder is a problem of its own (LD007), beside the path through it (EV003).
    assert (
        verified.stderr == "ciptool evidence verify: 1 files in 1 records; 0 intact, 2 problems\n"
    )


def test_the_digest_of_an_outside_file_is_never_printed(hostile: Hostile) -> None:
    evidence_through(hostile, "etc", str(hostile.outside / "etc"), "etc/passwd", "1" * 64)
    outcome = hostile.run(*CHECK, code=1)
    assert PASSWD_DIGEST not in outcome.output
    assert "EV004" not in outcome.output  # a digest mismatch would name the outside digest


ADD = (
    "evidence", "add", "{export}", "--control", "IAM-01", "--requirement", "recert-signoff",
    "--period", "2026-07-01..2026-09-30", "--collected-on", "2026-10-05",
)  # fmt: skip
ADD_LINKS = ["evidence", "evidence/2026", "evidence/2026/files"]


@pytest.mark.parametrize("linked", ADD_LINKS, ids=[f"add-through-{f}-link" for f in ADD_LINKS])
def test_evidence_add_writes_nothing_through_a_folder_linked_outside(
    hostile: Hostile, linked: str
) -> None:
    sink = hostile.outside / "sink"
    sink.mkdir()
    hostile.link(linked, sink)
    export = hostile.tmp / "export" / "q4.csv"
    export.parent.mkdir()
    export.write_bytes(b"user,removed\nj.doe,yes\n")
    args = [part.replace("{export}", str(export)) for part in ADD]
    outcome = hostile.run(*args, code=2)
    assert outcome.stderr.endswith(
        f"ciptool: `{linked}` is a link that leads outside the repository; nothing was recorded\n"
    )
    assert list(sink.iterdir()) == []


def attested_app(document: str, digest: str) -> str:
    """An approved app whose attestation names ``document`` with ``digest``."""
    return (
        "apps:\n  - id: APP-0042\n    name: Wallet\n    developer: Example Apps Inc.\n"
        "    status: approved\n    decided_on: 2026-04-02\n"
        f"    carin_attestation: {{attested_on: 2026-03-28, document: {document},"
        f" sha256: {digest}}}\n"
    )


@pytest.mark.parametrize(
    "document",
    ["apps/etc/passwd", "apps/passwd-link.pdf"],
    ids=["attestation-through-linked-folder", "attestation-linked-to-passwd"],
)
def test_an_attestation_document_linked_outside_is_never_hashed(
    hostile: Hostile, document: str
) -> None:
    hostile.link("apps/etc", hostile.outside / "etc")
    hostile.link("apps/passwd-link.pdf", hostile.outside / "etc/passwd")
    hostile.write({"apps/members.yaml": attested_app(document, "1" * 64)})
    for cache in (["--no-cache"], []):  # without the cache, then through it
        outcome = hostile.run(*CHECK, "--select", "AP002", *cache, code=1)
        assert findings(outcome) == [("AP002", "apps/members.yaml", 7, 60)]
        (finding,) = json.loads(outcome.stdout)["findings"]
        assert finding["message"] == (
            f"attestation document `{document}` is a link that leads outside the repository"
        )
        assert PASSWD_DIGEST not in outcome.output


@pytest.mark.parametrize(
    ("narrative", "why"),
    [
        ("briefing/passwd.md", "leads outside the repository"),
        ("briefing/etc/passwd", "leads outside the repository"),
        ("../outside/passwd", "leads outside the repository"),
        ("briefing/zero.md", "leads outside the repository"),
    ],
    ids=[
        "narrative-linked-to-passwd",
        "narrative-through-linked-folder",
        "narrative-dotdot",
        "narrative-linked-to-dev-zero",
    ],
)
def test_a_narrative_outside_the_repository_is_never_read(
    hostile: Hostile, narrative: str, why: str
) -> None:
    hostile.write({"ciptool.yaml": f"program: Hostile\nbriefing:\n  narrative: {narrative}\n"})
    hostile.link("briefing/passwd.md", hostile.outside / "passwd")
    hostile.link("briefing/etc", hostile.outside / "etc")
    hostile.link("briefing/zero.md", "/dev/zero")
    for cache in (["--no-cache"], []):  # without the cache, then through it
        outcome = hostile.run(*CHECK, "--select", "LD016", *cache, code=0)
        assert findings(outcome) == [("LD016", "ciptool.yaml", 3, 14)]
        (finding,) = json.loads(outcome.stdout)["findings"]
        assert finding["message"] == (
            f"the briefing's narrative `{narrative}` {why}; the briefing is made without it"
        )
        briefing = hostile.out / "briefing.md"
        hostile.run("report", "audit-committee", "-f", "md", "-o", briefing, *AS_OF, *cache, code=0)
        text = briefing.read_text("utf-8")
        assert "The CISO's written commentary is not available for this briefing." in text
        for leaked in ("root:x", "api_key", PASSWD_DIGEST):
            assert leaked not in text
            assert leaked not in outcome.output
