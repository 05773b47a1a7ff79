"""Time ciptool on the largest input each of its limits on hostile input allows.

    python bench/limits.py                  # every case, every format
    python bench/limits.py --case findings --format json

Each case is written into a temporary folder: a repository holding one hostile file (or a
baseline, or a file to add as evidence) at the size a limit in README's "Limits on hostile
input" allows. ``ciptool`` runs on it as a whole process, and the table gives its wall time
and peak resident memory, and its exit code: ``check`` in every output format (``-o`` to a
file), with no cache and again warm, from the result the run before kept. Figures are printed,
never asserted; on a busy machine the wall time exceeds the CPU time, printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

AS_OF = "2026-11-15"
FORMATS = ("terminal", "json", "sarif", "junit", "github")
MIB = 1024 * 1024
CONFIG = "program: Hostile\n"
CONTROL = """\
  - id: IAM-{0:06d}
    title: Quarterly access recertification
    owner: IAM lead
    frequency: quarterly
    mappings:
      nist-csf-2.0: [PR.AA-05]
    evidence:
      - id: recert-signoff
        description: Signed recertification results
"""


#: Longer than ciptool's window for files that changed just before a run (3 s).
_SETTLE_SECONDS = 3.5


@dataclass(frozen=True)
class Measured:
    """One whole ciptool process: wall and CPU seconds, peak memory, exit code."""

    seconds: float
    cpu: float
    peak_mb: float
    code: int


def measure(command: list[str]) -> Measured:
    """Run ``command`` as a whole process, its output thrown away."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(seconds, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))


def _repository(root: Path, files: dict[str, str]) -> Path:
    for name, text in {"ciptool.yaml": CONFIG, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _largest(prefix: str, item: Callable[[int], str], limit: int) -> str:
    """``prefix`` and as many items as fit in ``limit`` bytes."""
    parts = [prefix]
    size = len(prefix)
    for number in range(sys.maxsize):
        text = item(number)
        if size + len(text) > limit:
            break
        parts.append(text)
        size += len(text)
    return "".join(parts)


def file_16_mib() -> dict[str, str]:
    """A controls file of 16 MiB, the largest read: 68,200 controls, each an EV001 finding
    (no evidence).
    """
    return {"controls/many.yaml": _largest("controls:\n", CONTROL.format, 16 * MIB)}


def nesting_64() -> dict[str, str]:
    """A value nested 64 deep, the deepest read (an SC002 finding)."""
    return {"controls/deep.yaml": "controls:\n- " + "[" * 63 + "]" * 63 + "\n"}


def aliases_nodes() -> dict[str, str]:
    """9,999 aliases of an empty list: just within 10,000 nodes."""
    return {"controls/aliases.yaml": "x: &e []\ncontrols: [" + ", ".join(["*e"] * 9_999) + "]\n"}


def aliases_characters() -> dict[str, str]:
    """A 99,990-character scalar aliased 10 times: within 1,000,000 characters."""
    scalar = "a" * 99_990
    return {"controls/aliases.yaml": f"x: &s {scalar}\ncontrols: [" + ", ".join(["*s"] * 9) + "]\n"}


def findings_300k() -> dict[str, str]:
    """``controls: [[],[],...]``: 300,000 problems in 900 KB; 10,000 SC002, then LD015."""
    return {"controls/a.yaml": "controls: [" + ",".join(["[]"] * 300_000) + "]\n"}


def structure_lists() -> dict[str, str]:
    """666,000 empty lists (1,998,002 brackets and commas): the most the structure bound lets
    a file hold; 10,000 SC002, then LD015."""
    return {"controls/a.yaml": "controls: [" + ",".join(["[]"] * 666_000) + "]\n"}


def structure_keys() -> dict[str, str]:
    """999,000 duplicate keys of one flow mapping (1,998,000 colons and commas): composed
    whole before the 10,001st duplicate stops the file (LD015)."""
    return {"controls/a.yaml": "controls: [{" + ", ".join(["a: 1"] * 999_000) + "}]\n"}


def structure_past() -> dict[str, str]:
    """16 MiB of empty lists (5.6 million): past the structure bound, LD008 unparsed."""
    count = (16 * MIB - 20) // 3
    return {"controls/a.yaml": "controls: [" + ",".join(["[]"] * count) + "]\n"}


def unknown_keys() -> dict[str, str]:
    """20,000 unknown top-level keys in one file (189 KB): 20,000 LD011 findings."""
    keys = "".join(f"k{number}: 1\n" for number in range(20_000))
    return {"controls/keys.yaml": "controls: []\n" + keys}


def record_keys() -> dict[str, str]:
    """20,000 unknown keys inside one record: more than 10,000 keys, LD015 (not read)."""
    keys = "".join(f"  k{number}: 1\n" for number in range(20_000))
    return {"controls/keys.yaml": "controls:\n- id: IAM-01\n" + keys}


def anchors() -> dict[str, str]:
    """5,000 anchored empty lists as records: 5,000 SC002 findings."""
    items = "".join(f"- &a{number} []\n" for number in range(5_000))
    return {"controls/anchors.yaml": "controls:\n" + items}


def duplicate_keys() -> dict[str, str]:
    """20,001 duplicate keys in one record: 10,000 LD003, then LD015 (the file is not read)."""
    return {"controls/dup.yaml": "controls:\n- id: IAM-01\n" + "  title: a\n" * 20_001}


def scalar_aliased() -> dict[str, str]:
    """A 900 KB scalar aliased 500 times: refused by the alias limit (LD006)."""
    scalar = "a" * 900_000
    return {"controls/big.yaml": f"x: &s {scalar}\ncontrols: [" + ", ".join(["*s"] * 500) + "]\n"}


def empty_aliased() -> dict[str, str]:
    """200,000 aliases of an empty list: refused by the alias limit (LD006)."""
    return {"controls/aliases.yaml": "x: &e []\ncontrols: [" + ", ".join(["*e"] * 200_000) + "]\n"}


#: Name -> what makes the repository's hostile files.
REPOSITORIES: dict[str, Callable[[], dict[str, str]]] = {
    "file": file_16_mib,
    "nesting": nesting_64,
    "alias-nodes": aliases_nodes,
    "alias-chars": aliases_characters,
    "findings": findings_300k,
    "structure-lists": structure_lists,
    "structure-keys": structure_keys,
    "structure-past": structure_past,
    "unknown-keys": unknown_keys,
    "record-keys": record_keys,
    "anchors": anchors,
    "duplicate-keys": duplicate_keys,
    "scalar-aliased": scalar_aliased,
    "empty-aliased": empty_aliased,
}


def _baseline_typical(path: Path) -> None:
    """A baseline of 16 MiB as ``--write-baseline`` writes one: about 59,000 findings."""
    entry = {
        "fingerprint": "0" * 32,
        "code": "EV002",
        "file": "evidence/2026/records-0001.yaml",
        "message": "newest evidence for IAM-01/recert-signoff speaks for 2026-06-30, 138 days"
        " before 2026-11-15; quarterly evidence may be 100 days old",
    }
    one, two = ({"baseline_version": 1, "findings": [entry] * n} for n in (1, 2))
    each = len(json.dumps(two, indent=2)) - len(json.dumps(one, indent=2))
    count = (16 * MIB - 100) // each
    entries = [{**entry, "fingerprint": f"{number:032x}"} for number in range(count)]
    document = {"baseline_version": 1, "findings": entries}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _baseline_worst(path: Path) -> None:
    """The worst JSON of 16 MiB: 5.6 million empty lists."""
    prefix = '{"baseline_version": 1, "findings": ['
    count = (16 * MIB - len(prefix) - 3) // 3
    path.write_text(prefix + ",".join(["[]"] * count) + "]}\n", encoding="utf-8")


def run_checks(ciptool: str, work: Path, names: list[str], formats: list[str]) -> None:
    """``check`` on each hostile repository, in each format, with no cache and warm."""
    for name in names:
        root = _repository(work / name, REPOSITORIES[name]())
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6
        time.sleep(_SETTLE_SECONDS)  # a check keeps its result only when its inputs are settled
        for output_format in formats:
            output = work / f"{name}.{output_format}"
            command = [ciptool, "check", "--repo", str(root), "--as-of", AS_OF,
                       "-f", output_format, "-o", str(output)]  # fmt: skip
            shutil.rmtree(root / ".ciptool-cache", ignore_errors=True)
            cold = measure([*command, "--no-cache"])
            measure(command)  # keeps its result
            warm = measure(command)
            _row(f"{name} ({size:.1f} MB)", output_format, cold, warm)


def run_baselines(ciptool: str, work: Path, formats: list[str]) -> None:
    """``check --baseline`` with a baseline at the size limit, typical and worst."""
    root = _repository(
        work / "baseline-repo", {"controls/c.yaml": "controls:\n" + CONTROL.format(1)}
    )
    for name, make in (("baseline", _baseline_typical), ("baseline-worst", _baseline_worst)):
        baseline = work / f"{name}.json"
        make(baseline)
        for output_format in formats:
            command = [ciptool, "check", "--repo", str(root), "--as-of", AS_OF, "-f",
                       output_format, "--baseline", str(baseline), "--no-cache"]  # fmt: skip
            size = baseline.stat().st_size / 1e6
            _row(f"{name} ({size:.1f} MB)", output_format, measure(command))


def run_evidence_add(ciptool: str, work: Path) -> None:
    """``evidence add`` of a 1 GiB file from outside the repository (sparse)."""
    control = {"controls/c.yaml": "controls:\n" + CONTROL.format(1)}
    root = _repository(work / "evidence-repo", control)
    big = work / "export.bin"
    with big.open("wb") as handle:
        handle.truncate(1024 * MIB)
    command = [ciptool, "evidence", "add", str(big), "--control", "IAM-000001", "--requirement",
               "recert-signoff", "--collected-on", AS_OF, "--repo", str(root)]  # fmt: skip
    _row("evidence add (1 GiB)", "-", measure(command))


def _row(case: str, output_format: str, first: Measured, warm: Measured | None = None) -> None:
    line = f"{case:<28}{output_format:<10}"
    for measured in (first, warm):
        if measured is None:
            line += f"{'':>26}"
        else:
            line += (
                f"{measured.seconds:>7.2f}{measured.cpu:>7.2f}{measured.peak_mb:>7.0f}"
                f"{measured.code:>5}"
            )
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cases = [*REPOSITORIES, "baseline", "evidence-add"]
    parser.add_argument("--case", action="append", choices=cases, help="only these cases")
    parser.add_argument("--format", action="append", choices=FORMATS, help="only these formats")
    parser.add_argument("--work", type=Path, help="keep the inputs here, not in a temporary folder")
    args = parser.parse_args(argv)
    ciptool = shutil.which("ciptool") or sys.exit("ciptool is not on PATH: pip install . first")
    names = args.case or cases
    formats = args.format or list(FORMATS)
    print(f"{'case':<28}{'format':<10}{'cold: wall s   cpu s     MB exit':<26}"
          f"{'   warm: wall s   cpu s     MB exit'}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="ciptool-hostile-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        run_checks(ciptool, work, [n for n in names if n in REPOSITORIES], formats)
        if "baseline" in names:
            run_baselines(ciptool, work, formats)
        if "evidence-add" in names:
            run_evidence_add(ciptool, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
