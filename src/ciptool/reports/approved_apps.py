"""The approved apps: the list a member-facing page publishes of the apps members may let read
their claims data, each attested app marked, with what the mark and the approval mean."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ciptool.graph import Graph
from ciptool.queries.apps import attestation_holds
from ciptool.reports.view import KindContent, ReportSource, ReportView, Table

#: The mark of an app whose developer attested to the CARIN Alliance Code of Conduct, and the
#: words that stand for it where the symbol cannot be seen (a screen reader, a spreadsheet).
MARK = "\u2713"
MARK_TEXT = "Attested to the CARIN Alliance Code of Conduct"
#: A privacy policy address printed as a link: http or https, and none of the characters that
#: could end a Markdown autolink or a table cell early. Any other address is printed as text.
_LINKABLE = re.compile(r"https?://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+")


@dataclass(frozen=True)
class ApprovedApp:
    """One approved app as the list shows it."""

    id: str
    name: str
    developer: str
    approved_on: dt.date
    #: The privacy policy's address as recorded; empty when none is recorded.
    privacy_policy: str
    #: The same address when it may be printed as a link; empty otherwise.
    policy_link: str
    #: When the developer attested to the CARIN Alliance Code of Conduct; None: not attested.
    attested_on: dt.date | None
    #: Whether the attestation's document is there as recorded (AP002 says what is wrong when
    #: it is not); an attestation without its document is not marked.
    document_holds: bool

    @property
    def attested(self) -> bool:
        """True when the app carries the mark: attested, and the document is as recorded."""
        return self.attested_on is not None and self.document_holds


def approved_apps(graph: Graph) -> list[ApprovedApp]:
    """Every approved app, by name (then id)."""
    rows = []
    for sourced in graph.apps.values():
        app = sourced.record
        if app.status != "approved" or app.decided_on is None:
            continue
        url = app.privacy_policy.url if app.privacy_policy else ""
        attestation = app.carin_attestation
        rows.append(
            ApprovedApp(
                id=app.id,
                name=app.name,
                developer=app.developer,
                approved_on=app.decided_on,
                privacy_policy=url,
                policy_link=url if _LINKABLE.fullmatch(url) else "",
                attested_on=attestation.attested_on if attestation else None,
                document_holds=attestation is not None
                and attestation_holds(graph.repository, attestation),
            )
        )
    return sorted(rows, key=lambda row: (row.name.casefold(), row.id))


@dataclass(frozen=True, kw_only=True)
class ApprovedApps(ReportView):
    """What the list of approved apps says."""

    apps: Sequence[ApprovedApp]
    #: The mark, its words, and what it means, in plain language.
    mark: str
    mark_text: str
    mark_meaning: str
    #: What approval means and does not mean, in plain language.
    approval_meaning: Sequence[str]


def build(source: ReportSource) -> ApprovedApps:
    """The approved apps of ``source``."""
    return ApprovedApps(
        meta=source.meta,
        kind=source.kind,
        apps=approved_apps(source.graph),
        mark=MARK,
        mark_text=MARK_TEXT,
        mark_meaning=(
            "The developer of an app with this mark told us in writing that the app follows the"
            " CARIN Alliance Code of Conduct: standards for how an app uses and protects your"
            " health information, and for telling you plainly what it does with it and how it"
            " keeps it safe. An app without the mark has not made that promise to us. The mark"
            " shows what the developer promised; we cannot check that the app keeps its promise."
        ),
        approval_meaning=(
            "These are the apps we have approved to connect to our systems. When you sign in to"
            " one of them and allow it, the app can read your claims information.",
            "Approval means the app's developer asked to connect and we reviewed the app's"
            " privacy policy. It does not mean we recommend the app, and we do not run it: once"
            " you let an app read your information, the app's own privacy policy and terms"
            " decide what happens to it, and we cannot see or control what the app does with"
            " it. Read the app's privacy policy before you use it.",
        ),
    )


def tables(view: ApprovedApps) -> list[Table]:
    """The list as one table."""
    rows: list[list[Any]] = [
        [
            app.name,
            app.developer,
            app.approved_on,
            app.privacy_policy,
            _attestation_cell(app),
            app.id,
        ]
        for app in view.apps
    ]
    header = [
        "App",
        "Developer",
        "Approved on",
        "Privacy policy",
        "CARIN Alliance Code of Conduct",
        "Id",
    ]
    return [("Approved apps", header, rows)]


def _attestation_cell(app: ApprovedApp) -> str:
    if app.attested:
        return f"{MARK} attested on {app.attested_on}"
    if app.attested_on is not None:
        return (
            f"not marked: attested on {app.attested_on}, but the attestation document is"
            " missing or changed (see AP002)"
        )
    return "not attested"


CONTENT = KindContent(build, tables)
