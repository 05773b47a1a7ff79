"""Code execution: nothing a repository holds makes ciptool run a command.

A planted command would write the marker under ``outside/``; the harness asserts it absent.
"""

from __future__ import annotations

import os

import pytest

from .conftest import AS_OF, GENERATED, Hostile, needs_git

SOC2_CONFIG = "program: Test Program\nframeworks: [soc2-2017]\n"

#: Ways out of a template into Python, each of which would run a command or write a file,
#: and the attribute the sandbox refuses on the way.
TEMPLATE_REACHES = {
    "cycler-globals-os-system": (
        "cycler.__init__.__globals__.os.system('id > {marker}')",
        "access to attribute '__init__' of 'type' object is unsafe.",
    ),
    "self-globals-builtins-open": (
        "self.__init__.__globals__.__builtins__.open('{marker}', 'w').write('x')",
        "access to attribute '__init__' of 'TemplateReference' object is unsafe.",
    ),
    "lipsum-globals-os": (
        "lipsum.__globals__['os'].system('id > {marker}')",
        "access to attribute '__globals__' of 'function' object is unsafe.",
    ),
    "mro-subclasses": (
        "meta.__class__.__mro__[1].__subclasses__()",
        "access to attribute '__class__' of 'ReportMeta' object is unsafe.",
    ),
}


@pytest.mark.parametrize("case", TEMPLATE_REACHES.values(), ids=TEMPLATE_REACHES.keys())
def test_a_repository_template_runs_no_code(hostile: Hostile, case: tuple[str, str]) -> None:
    reach, refused = case
    hostile.write(
        {
            "ciptool.yaml": SOC2_CONFIG,
            "templates/soc2.md.j2": "{{ " + reach.format(marker=hostile.marker) + " }}\n",
        }
    )
    outcome = hostile.run("report", "soc2", "-o", hostile.out / "soc2.md", *AS_OF, code=2)
    hostile.template_error(outcome, f"templates/soc2.md.j2:1: {refused}")


#: Settings of a received repository's .git/config that make git start a program.
GIT_TRAPS = {
    "fsmonitor": {"core.fsmonitor": "{trap}"},
    "hooks": {"core.hooksPath": "{hooks}"},
    "filter-driver": {
        "filter.evil.clean": "{trap}",
        "filter.evil.smudge": "{trap}",
        "filter.evil.process": "{trap}",
        "filter.evil.required": "true",
    },
}
#: Enough record files that a cold check asks git's index about them (see loader/cache.py).
MANY_POLICIES = {
    f"policies/p{index:03}.yaml": (
        f"policies:\n  - {{id: POL-{index:03}, title: P, owner: O, approved_by: C,"
        " approved_on: 2026-03-02, review_every: 12mo, last_reviewed: 2026-03-02}\n"
    )
    for index in range(70)
}
COMMANDS = {
    "cold-check": ["check", "--no-cache", *AS_OF],
    "check": ["check", *AS_OF],
    "report": ["report", "audit-committee", "-o", "{out}/report.md", *AS_OF, *GENERATED],
}


def armed(hostile: Hostile, settings: dict[str, str]) -> None:
    """Commit the repository, then arm its git config; prove plain git springs the trap."""
    hostile.write({**MANY_POLICIES, ".gitattributes": "*.yaml filter=evil diff=evil\n"})
    hostile.commit()
    trap = hostile.trap()
    hooks = hostile.tmp / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        (hooks / hook).write_bytes(trap.read_bytes())
        (hooks / hook).chmod(0o755)
    for key, value in settings.items():
        hostile.git("config", key, value.format(trap=trap, hooks=hooks))
    # Every file's stat data differs from the index, so git must look at content.
    for path in hostile.repo.rglob("*.yaml"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    hostile.git("status", "--porcelain", check=False)  # a filter may make it fail
    assert hostile.marker.exists(), "plain git should have run the planted command"
    hostile.marker.unlink()
    for path in hostile.repo.rglob("*.yaml"):
        os.utime(path, (1_700_000_000, 1_700_000_000))


@needs_git
@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize("settings", GIT_TRAPS.values(), ids=GIT_TRAPS.keys())
def test_the_repository_git_config_runs_nothing(
    hostile: Hostile, settings: dict[str, str], command: list[str]
) -> None:
    armed(hostile, settings)
    args = [part.replace("{out}", str(hostile.out)) for part in command]
    outcome = hostile.run(*args, code=0)
    if command[0] == "report":
        head = hostile.git("rev-parse", "HEAD").strip()
        assert f"| Repository commit | {head}" in (hostile.out / "report.md").read_text()
    else:
        assert outcome.stdout == ""
