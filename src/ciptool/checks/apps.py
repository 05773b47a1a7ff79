"""App checks: the member data-sharing apps the program approved keep a reviewed privacy policy,
and the attestation documents their records name are there and unchanged.

What is found at each attestation document's path is gathered by the loader with the evidence
files (:attr:`~ciptool.models.repository.Repository.app_documents`); checks read no files.
"""

from __future__ import annotations

from collections.abc import Iterator

from ciptool.checks.base import Check, Context, Scope
from ciptool.findings import Finding, Severity
from ciptool.models.filefacts import FileState
from ciptool.models.paths import document_key
from ciptool.queries.apps import document_facts, policy_review_due

_FILE_PROBLEMS = {
    FileState.MISSING: "is missing",
    FileState.NOT_A_FILE: "is not a regular file (a folder, a FIFO or a device)",
    FileState.OUTSIDE: "is a link that leads outside the repository",
    FileState.UNREADABLE: "cannot be read",
}


class PrivacyPolicyReviewOverdue(Check):
    """An approved app has no privacy-policy review in the last year.

    Why: members authorise an approved app to read their claims data on the program's word
    that its privacy policy was looked at; a policy changes, and a review more than a year old
    (or none recorded) no longer says what the app does with the data today.

    Passes: ``status: approved``, ``privacy_policy: {url: ..., reviewed_on: 2026-03-30}``,
    checked on 2026-11-15.
    Fails: the same app checked on 2027-04-01, or an approved app with no ``privacy_policy``.

    Fix: review the app's current privacy policy and record the day in
    ``privacy_policy.reviewed_on``; an app whose policy no longer passes review is revoked.
    """

    code = "AP001"
    slug = "privacy-policy-review-overdue"
    family = "apps"
    scope = Scope.DEFINITIONS
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.apps.values():
            app = sourced.record
            if app.status != "approved":
                continue
            policy = app.privacy_policy
            if policy is None:
                yield self.finding(
                    f"approved app {app.id} ({app.name}) has no privacy policy review recorded",
                    sourced.at("status"),
                    "Review the app's privacy policy and record it as"
                    " `privacy_policy: {url: ..., reviewed_on: YYYY-MM-DD}`.",
                    subject=app.id,
                )
            elif policy_review_due(policy) < ctx.today:
                yield self.finding(
                    f"approved app {app.id} ({app.name}): its privacy policy was last reviewed"
                    f" on {policy.reviewed_on}, more than a year before {ctx.today}",
                    sourced.at("privacy_policy", "reviewed_on"),
                    "Review the app's current privacy policy and record the day in"
                    " `privacy_policy.reviewed_on`.",
                    subject=app.id,
                )


class AttestationDocumentProblem(Check):
    """An approved app's attestation document is missing, changed, or outside the repository.

    Why: an approved app is marked, on the list members see, as attested to the CARIN Alliance
    code of conduct on the strength of the document its record names; a document that is not
    there, or not the one recorded, leaves the mark without support, and ``ciptool report
    approved-apps`` does not show the mark until the document is as recorded. The path is
    written from the repository's top folder (``apps/attestations/app-0042.pdf``) and read as
    evidence files are: a regular file inside the repository, a link out of it refused. Its
    ``sha256``, when given, must be the SHA-256 of the file's bytes, as for evidence.

    Passes: ``carin_attestation: {attested_on: 2026-03-28, document:
    apps/attestations/app-0042.pdf, sha256: ...}`` and the file is there with that digest.
    Fails: the file was never committed, one byte of it changed, or the path climbs out of the
    repository with ``..``.

    Fix: commit the document at the path given, or correct the path; if a new document
    replaces the old one, record its digest (``sha256sum FILE``) with its new ``attested_on``.
    """

    code = "AP002"
    slug = "attestation-document-problem"
    family = "apps"
    scope = Scope.DEFINITIONS

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sourced in ctx.graph.apps.values():
            app, attestation = sourced.record, sourced.record.carin_attestation
            if app.status != "approved" or attestation is None:
                continue
            found = document_facts(ctx.graph.repository, attestation)
            if document_key(attestation.document) is None:
                yield self.finding(
                    f"attestation document path `{attestation.document}` points outside the"
                    " repository",
                    sourced.at("carin_attestation", "document"),
                    "Copy the document into the repository and give its path from the"
                    " repository's top folder, such as apps/attestations/app-0042.pdf.",
                    subject=app.id,
                )
            elif found is None:
                continue  # not looked at: a partial load, whose findings are kept
            elif found.state is not FileState.PRESENT:
                yield self.finding(
                    f"attestation document `{attestation.document}` {_FILE_PROBLEMS[found.state]}",
                    sourced.at("carin_attestation", "document"),
                    "Commit the document at this path (from the repository's top folder), or"
                    " correct it.",
                    subject=app.id,
                )
            elif attestation.sha256 is not None and found.sha256 != attestation.sha256:
                yield self.finding(
                    f"`{attestation.document}` has sha256 {found.sha256}, but the record says"
                    f" {attestation.sha256}: the document changed after it was recorded",
                    sourced.at("carin_attestation", "sha256"),
                    "Restore the recorded document; if a new one replaces it, record its"
                    " digest with its new `attested_on`.",
                    subject=app.id,
                )
