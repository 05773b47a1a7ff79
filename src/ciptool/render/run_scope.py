"""What the machine formats of ``ciptool check`` say beyond the result: which codes the run was
asked for, where the repository sits in its git work tree, and the exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ciptool.loader.places import CONFIG_FILE
from ciptool.results import RunResult, selected

if TYPE_CHECKING:
    from ciptool.checks import Check, LoaderRule


@dataclass(frozen=True)
class RunScope:
    """What SARIF, JUnit and GitHub annotations say beyond the result: which codes the run was
    asked for, and where the compliance repository sits in its git work tree.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: The repository's folder within its git work tree, with a trailing slash
    #: (``compliance/``); "" at the work tree's top or outside git. CI systems name files
    #: from the work tree's top, so these formats do too.
    prefix: str = ""

    def not_run(self, result: RunResult, rule: Check | LoaderRule) -> str:
        """Why ``rule`` did not run in ``result``, or "" when it ran."""
        if not result.config_usable and not any(f.code == rule.code for f in result.findings):
            return "ciptool.yaml cannot be used"
        if self.select and not selected(rule.code, self.select, ()):
            return f"--select {','.join(self.select)} leaves {rule.code} out"
        if not selected(rule.code, (), self.ignore):
            return f"--ignore {','.join(self.ignore)} leaves {rule.code} out"
        return ""

    def asked(self) -> str:
        """The options that narrowed the run, as written: ``--select EV --ignore EV002``."""
        options = (("--select", self.select), ("--ignore", self.ignore))
        return " ".join(f"{option} {','.join(codes)}" for option, codes in options if codes)

    def rules_not_run(self, result: RunResult) -> list[tuple[str, str]]:
        """(code, why) of each rule that did not run in ``result``, in the rules' order."""
        if result.config_usable and not self.select and not self.ignore:
            return []  # every rule ran: no need to load the rule catalogue to say so
        from ciptool.checks import ALL_RULES

        return [(rule.code, why) for rule in ALL_RULES if (why := self.not_run(result, rule))]

    def left_out(self, result: RunResult) -> list[tuple[int, Check | LoaderRule]]:
        """The rules ``--select``/``--ignore`` left out of ``result``, with their positions in
        the rule catalogue; none when ciptool.yaml cannot be used (then nothing ran).
        """
        if not result.config_usable or not (self.select or self.ignore):
            return []  # a full run needs no rule catalogue: a kept result prints without it
        from ciptool.checks import ALL_RULES

        return [(at, rule) for at, rule in enumerate(ALL_RULES) if self.not_run(result, rule)]

    def left_out_note(self, left_out: list[tuple[int, Check | LoaderRule]]) -> str:
        """What SARIF and GitHub annotations say about the rules a selection left out."""
        from ciptool.checks import ALL_RULES

        return (
            f"{self.asked()}: {len(left_out)} of {len(ALL_RULES)} rules did not run"
            f" ({', '.join(rule.code for _, rule in left_out)}); their absence of results says"
            " nothing about the repository."
        )


#: What SARIF and GitHub annotations say when ciptool.yaml cannot be used (exit 2).
UNUSABLE_CONFIG_NOTE = (
    f"{CONFIG_FILE} cannot be used, so nothing else was read and no check ran; the results are"
    f" only what is wrong with {CONFIG_FILE}."
)


def exit_code(result: RunResult) -> int:
    """The exit code of ``ciptool check`` for ``result``."""
    if not result.config_usable:
        return 2
    return 1 if result.failing() else 0
