"""Print pip constraints pinning each dependency of pyproject.toml to its lower bound.

Runtime, test and build dependencies alike: ``name>=X`` becomes ``name==X``. A dependency
without a lower bound is an error, so that the run with the lowest versions covers every one of
them. Usage: ``python3 .ci/lowest-constraints.py > lowest.txt``, then
``PIP_CONSTRAINT=lowest.txt pip install ".[test]"`` (the variable reaches the isolated build).
Needs Python 3.11 or later (tomllib).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

_LOWER = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(?:[^;]*?)>=\s*([0-9][^,;\s]*)")


def main() -> int:
    pyproject = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    requirements = list(project["dependencies"])
    requirements += project["optional-dependencies"]["test"]
    requirements += pyproject["build-system"]["requires"]
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = _LOWER.match(requirement)
        if match is None:
            print(f"no lower bound (>=) in pyproject.toml for `{requirement}`", file=sys.stderr)
            return 1
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        pins[name] = match.group(2)
    for name, version in sorted(pins.items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
