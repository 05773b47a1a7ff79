"""What changed since an earlier state of the repository (``--since``), and how it is counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from ciptool.results import RequirementCoverage, Status

#: A requirement's place before it entered scope, or after it left: its framework (or SOC 2
#: category) was not in ``frameworks:`` then, or is not now.
NOT_IN_SCOPE = "not in scope"

#: The kinds of status change, each requirement in the first that applies, so they add up.
MOVE_KINDS: tuple[tuple[str, str], ...] = (
    ("newly covered", "covered now, not then"),
    ("no longer covered", "covered then, not now"),
    ("newly gap", "a gap now, and neither covered nor a gap then"),
    ("no longer gap", "a gap then, and neither covered nor a gap now"),
    ("other change", "any other change of status, such as declared to excepted"),
)

#: What the status changes mean, said once under the list of them.
MOVES_NOTE = (
    "Each requirement whose status changed is counted once, in the first kind that applies: "
    + "; ".join(f"{kind}: {meaning}" for kind, meaning in MOVE_KINDS)
    + f". The statuses mean what the table of statuses says; {NOT_IN_SCOPE} means its"
    " framework or SOC 2 category was not in frameworks: then, or is not now."
)


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
class Changes:
    """What moved since an earlier state of the repository (``--since``)."""

    since: str
    since_as_of: dt.date
    status_moves: tuple[StatusMove, ...] = ()
    function_moves: tuple[tuple[str, str, str, int], ...] = ()  # function, before, now, delta
    new_exceptions: tuple[str, ...] = ()
    expired_exceptions: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def kind_counts(self) -> tuple[tuple[str, int], ...]:
        """How many requirements changed status in each kind, every kind named."""
        return tuple(
            (kind, sum(len(m.requirements) for m in self.status_moves if m.kind == kind))
            for kind, _ in MOVE_KINDS
        )

    @property
    def summary(self) -> str:
        """The changes in one sentence, the same in every format."""
        changed = sum(len(m.requirements) for m in self.status_moves)
        kinds = ", ".join(
            f"{count} {_plural_kind(kind, count)}" for kind, count in self.kind_counts
        )
        return (
            f"{_count(changed, 'requirement')} changed status: {kinds}; risk acceptances:"
            f" {len(self.new_exceptions)} new, {len(self.expired_exceptions)} expired."
        )


def _plural_kind(kind: str, count: int) -> str:
    return f"{kind}s" if kind == "other change" and count != 1 else kind


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


def _move_kind(before: str, now: str) -> str:
    covered, gap = Status.COVERED.value, Status.GAP.value
    if now == covered:
        return "newly covered"
    if before == covered:
        return "no longer covered"
    if now == gap:
        return "newly gap"
    if before == gap:
        return "no longer gap"
    return "other change"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
