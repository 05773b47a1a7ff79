"""Every registered check says what a change can affect: the check after a change reruns by it."""

from __future__ import annotations

from ciptool import checks
from ciptool.checks import Scope


def undeclared_scopes() -> list[str]:
    """The codes of the checks registered now that declare no :class:`Scope`.

    Read from the registry when called, so that a check registered at test time is judged too.
    """
    return [
        check.code
        for check in checks.ALL_CHECKS
        if not isinstance(getattr(type(check), "scope", None), Scope)
    ]


def test_every_registered_check_declares_its_scope() -> None:
    assert undeclared_scopes() == []


def test_the_base_class_declares_no_scope_for_its_checks() -> None:
    assert "scope" not in vars(checks.Check)


def test_the_partial_recheck_reruns_the_evidence_checks_by_their_scopes() -> None:
    by_scope: dict[Scope, set[str]] = {}
    for check in checks.ALL_CHECKS:
        by_scope.setdefault(check.scope, set()).add(check.code)
    assert by_scope[Scope.RECORD] == {
        "EV003",
        "EV004",
        "EV005",
        "EV008",
        "EV009",
        "RF006",
        "RF007",
        "RF008",
    }
    assert by_scope[Scope.CONTROL] == {
        "EV001",
        "EV002",
        "EV007",
        "PB004",
        "RK005",
        "WP003",
        "WP004",
        "WP005",
    }
    assert by_scope[Scope.EVIDENCE_FILE] == {"EV006"}
    assert by_scope[Scope.REPOSITORY] == {"EX004"}
    assert by_scope[Scope.THIRD_PARTY] == {"TP001", "TP002", "TP006"}
