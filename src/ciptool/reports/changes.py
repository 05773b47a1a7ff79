"""What changed since an earlier state of the repository (``--since``), and how it is counted."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ciptool.graph import Graph
from ciptool.reports.common import counted
from ciptool.results import RequirementCoverage, Status

#: A requirement's place before it entered scope, or after it left: its framework (or SOC 2
#: category) was not in ``frameworks:`` then, or is not now.
NOT_IN_SCOPE = "not in scope"

#: The kinds of status change, each requirement in the first that applies, so they add up.
MOVE_KINDS: tuple[tuple[str, str], ...] = (
    ("newly covered", "covered now, not then"),
    ("no longer covered", "covered then, not now"),
    ("newly a gap", "a gap now, and neither covered nor a gap then"),
    ("no longer a gap", "a gap then, and neither covered nor a gap now"),
    ("other change", "any other change of status, such as declared to excepted"),
)

#: What the status changes mean, said once under the full list of them.
MOVES_NOTE = (
    "Each requirement whose status changed is counted once, in the first kind that applies: "
    + "; ".join(f"{kind}: {meaning}" for kind, meaning in MOVE_KINDS)
    + f". The statuses mean what the table of statuses says; {NOT_IN_SCOPE} means its"
    " framework or SOC 2 category was not in the program's scope then, or is not now."
)

#: How many of the changes that matter the summary names; the appendix lists them all.
NAMED_AT_MOST = 5

#: A status in the words of a sentence ("is now a gap").
_STATUS_WORDS = {
    Status.COVERED.value: "covered",
    Status.COVERED_WITH_DEVIATIONS.value: "covered with deviations",
    Status.EXCEPTED.value: "excepted",
    Status.DECLARED.value: "declared without current evidence",
    Status.NOT_APPLICABLE.value: "not applicable",
    Status.GAP.value: "a gap",
    NOT_IN_SCOPE: NOT_IN_SCOPE,
}


_STATUS_ORDER = {
    name: index for index, name in enumerate([*(s.value for s in Status), NOT_IN_SCOPE])
}


@dataclass(frozen=True)
class StatusMove:
    """Requirements whose status went from ``before`` to ``now``, and the kind of that change."""

    kind: str
    before: str
    now: str
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class RequirementMove:
    """One requirement whose status changed: framework, id and title, then and now."""

    kind: str
    framework: str  # its display name (NIST CSF 2.0)
    requirement: str
    title: str
    before: str
    now: str

    @property
    def sentence(self) -> str:
        """The change in one sentence, as the summary names it."""
        return (
            f"{self.framework} {self.requirement} ({self.title}) is {self.kind}: it was"
            f" {_STATUS_WORDS[self.before]} and is now {_STATUS_WORDS[self.now]}."
        )


@dataclass(frozen=True)
class AcceptanceMove:
    """A risk acceptance that is new, or that expired, since the earlier state."""

    kind: str  # "new" or "expired"
    id: str
    risk: str
    applies_to: str
    approved_by: str
    expires_on: dt.date
    reason: str

    @property
    def sentence(self) -> str:
        """The change in one sentence, as the summary names it."""
        if self.kind == "expired":
            return (
                f"The risk acceptance {self.id} ({self.risk} risk, {self.applies_to}) expired"
                f" on {self.expires_on}."
            )
        return (
            f"A new risk acceptance, {self.id} ({self.risk} risk, {self.applies_to}), approved"
            f" by {self.approved_by} until {self.expires_on}: {self.reason}"
        )


@dataclass(frozen=True)
class Changes:
    """What moved since an earlier state of the repository (``--since``)."""

    #: The revision or date asked for, as written.
    since: str
    #: The day the earlier state is judged as of: the date given, or the revision's commit day.
    since_as_of: dt.date
    #: Whether ``since`` named a date (else a revision).
    by_date: bool = True
    status_moves: tuple[StatusMove, ...] = ()
    requirement_moves: tuple[RequirementMove, ...] = ()
    function_moves: tuple[tuple[str, str, str, int], ...] = ()  # function, before, now, delta
    acceptance_moves: tuple[AcceptanceMove, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def compared_with(self) -> str:
        """What the briefing is compared with, in words."""
        text = f"the program as it stood on {self.since_as_of}"
        return text if self.by_date else f"{text} (revision {self.since})"

    @property
    def new_exceptions(self) -> tuple[str, ...]:
        """The ids of the risk acceptances that are new."""
        return tuple(a.id for a in self.acceptance_moves if a.kind == "new")

    @property
    def expired_exceptions(self) -> tuple[str, ...]:
        """The ids of the risk acceptances that expired."""
        return tuple(a.id for a in self.acceptance_moves if a.kind == "expired")

    @property
    def changed(self) -> int:
        """How many requirements changed status."""
        return len(self.requirement_moves)

    @property
    def kind_counts(self) -> tuple[tuple[str, int], ...]:
        """How many requirements changed status in each kind, every kind named."""
        return tuple(
            (kind, sum(1 for m in self.requirement_moves if m.kind == kind))
            for kind, _ in MOVE_KINDS
        )

    @property
    def counts(self) -> tuple[tuple[str, int], ...]:
        """Every kind of change with its count, as the summary's table shows them."""
        rows = [(f"Requirements {_kind_words(kind)}", count) for kind, count in self.kind_counts]
        rows.append(("Risk acceptances new", len(self.new_exceptions)))
        rows.append(("Risk acceptances expired", len(self.expired_exceptions)))
        return tuple(rows)

    @property
    def summary(self) -> str:
        """The changes in one sentence, the same in every format."""
        kinds = ", ".join(
            f"{count} {_kind_words(kind)}" for kind, count in self.kind_counts if count
        )
        moved = counted(self.changed, "requirement")
        status = f"{moved} changed status ({kinds})" if kinds else "no requirement changed status"
        new, expired = len(self.new_exceptions), len(self.expired_exceptions)
        if not new and not expired:
            accepted = "no risk acceptance is new or expired"
        elif not new:
            accepted = f"no risk acceptance is new and {expired} expired"
        else:
            accepted = (
                f"{counted(new, 'risk acceptance')} {'is' if new == 1 else 'are'} new"
                f" and {expired or 'none'} expired"
            )
        return f"{status[:1].upper()}{status[1:]}; {accepted}."

    @property
    def _that_matter(self) -> list[str]:
        moves = self.requirement_moves
        named = [a.sentence for a in self.acceptance_moves if a.kind == "expired"]
        named += [a.sentence for a in self.acceptance_moves if a.kind == "new"]
        named += [m.sentence for m in moves if m.kind == "no longer covered"]
        named += [m.sentence for m in moves if m.kind == "newly a gap"]
        return named

    @property
    def highlights(self) -> tuple[str, ...]:
        """The changes that matter most, named: risk acceptances expired and new (decisions the
        committee oversees), then requirements no longer covered or newly a gap; at most
        ``NAMED_AT_MOST``."""
        return tuple(self._that_matter[:NAMED_AT_MOST])

    @property
    def unnamed(self) -> int:
        """How many changes that matter the summary leaves to the appendix."""
        return max(len(self._that_matter) - NAMED_AT_MOST, 0)


def _kind_words(kind: str) -> str:
    return "with another change of status" if kind == "other change" else kind


def status_moves(
    before: Iterable[RequirementCoverage], now: Iterable[RequirementCoverage]
) -> tuple[StatusMove, ...]:
    """Every requirement whose status changed, grouped by the change and named by its kind."""
    then = {f"{row.framework}:{row.requirement}": row.status.value for row in before}
    current = {f"{row.framework}:{row.requirement}": row.status.value for row in now}
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for key in sorted(then.keys() | current.keys()):
        old, new = then.get(key, NOT_IN_SCOPE), current.get(key, NOT_IN_SCOPE)
        if old != new:
            grouped.setdefault((_move_kind(old, new), old, new), []).append(key)
    kinds = {kind: index for index, (kind, _) in enumerate(MOVE_KINDS)}
    order = sorted(grouped, key=lambda k: (kinds[k[0]], _STATUS_ORDER[k[1]], _STATUS_ORDER[k[2]]))
    return tuple(
        StatusMove(kind, old, new, tuple(grouped[(kind, old, new)])) for kind, old, new in order
    )


def requirement_moves(
    before: Iterable[RequirementCoverage],
    now: Iterable[RequirementCoverage],
    names: Mapping[str, str],
) -> tuple[RequirementMove, ...]:
    """Every requirement whose status changed, one each, in the order of the kinds and then by
    framework and id; ``names`` gives a framework's display name by its id."""
    then = {(row.framework, row.requirement): row for row in before}
    current = {(row.framework, row.requirement): row for row in now}
    kinds = {kind: index for index, (kind, _) in enumerate(MOVE_KINDS)}
    moves = []
    for key in then.keys() | current.keys():
        old_row, new_row = then.get(key), current.get(key)
        old = old_row.status.value if old_row else NOT_IN_SCOPE
        new = new_row.status.value if new_row else NOT_IN_SCOPE
        if old == new:
            continue
        row = new_row if new_row is not None else old_row
        if row is None:  # pragma: no cover - every key comes from one of the two
            continue
        framework, requirement = key
        moves.append(
            RequirementMove(
                _move_kind(old, new),
                names.get(framework, framework),
                requirement,
                row.title,
                old,
                new,
            )
        )
    moves.sort(key=lambda m: (kinds[m.kind], m.framework, _natural(m.requirement)))
    return tuple(moves)


def acceptance_moves(
    old_graph: Graph, then: dt.date, graph: Graph, today: dt.date, names: Mapping[str, str]
) -> tuple[AcceptanceMove, ...]:
    """The risk acceptances (exceptions) that exist now and did not then (new), and those that
    had not expired then and have now (expired): the expired first, each kind by id."""
    moves = []
    for ident, sourced in sorted(graph.exceptions.items()):
        exception = sourced.record
        was = old_graph.exceptions.get(ident)
        if was is None:
            kind = "new"
        elif exception.expires_on < today and not was.record.expires_on < then:
            kind = "expired"
        else:
            continue
        target = exception.applies_to
        applies = (
            f"control {target.control}"
            if target.control
            else _requirement_words(target.requirement, names)
            if target.requirement
            else f"the finding about {target.subject}"
            if target.subject
            else "one kind of finding"
        )
        moves.append(
            AcceptanceMove(
                kind=kind,
                id=exception.id,
                risk=exception.risk,
                applies_to=applies,
                approved_by=exception.approved_by,
                expires_on=exception.expires_on,
                reason=exception.reason,
            )
        )
    return tuple(sorted(moves, key=lambda m: (m.kind != "expired", m.id)))


def _requirement_words(reference: str, names: Mapping[str, str]) -> str:
    """``iso27001-2022:A.5.2`` as ``ISO/IEC 27001:2022 A.5.2``."""
    framework, _, ident = reference.strip().partition(":")
    return f"{names.get(framework, framework)} {ident}" if ident else reference


def _natural(ident: str) -> tuple[tuple[int, str], ...]:
    """A sort key that puts A.5.9 before A.5.10."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"([0-9]+)", ident)
    )


def _move_kind(before: str, now: str) -> str:
    covered, gap = Status.COVERED.value, Status.GAP.value
    if now == covered:
        return "newly covered"
    if before == covered:
        return "no longer covered"
    if now == gap:
        return "newly a gap"
    if before == gap:
        return "no longer a gap"
    return "other change"
