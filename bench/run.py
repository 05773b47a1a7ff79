"""Time ciptool on generated repositories and print each figure beside its baseline.

    python bench/run.py                 # corpus M (and S); add --large for corpus L (2 GB)
    python bench/run.py --repeat 9 --work /var/tmp/ciptool-bench

Every figure is the median wall time of whole ``ciptool`` processes, with the largest peak
resident memory of the runs: ``--repeat`` runs, and more until they took five seconds. ``check``
is timed cold (no cache), warm (cache present, nothing changed), with a comment added to one
evidence record file, and with one evidence record changed. The HTML briefing is timed warm with
one evidence record changed since the last check (so the report rechecks what the change can
change), and right after a check of the same files (so it takes the findings that check kept).
The baseline is what reading the same bytes costs at the least, in one process with the garbage
collector off: parsing every YAML file with the fastest parser installed (yaml-rs, with libyaml
for a file it refuses) plus the SHA-256 of every evidence file. The runner also confirms that
the findings are the same without the cache, with it, and after every file is touched, and
prints how each figure grows from one corpus to the next, ten times larger. Results are printed,
never asserted.

Every timed run, of ciptool or of the baseline, follows a read of every file of the corpus, so
that both read the same bytes from memory: a corpus left idle may have been paged out, and a
baseline read from the disk would time the disk. Each check's baseline is timed beside it, right
before each of its runs, so that the two share the machine's load of the moment; the ratio is
the median of each run's ratio to its own baseline, the baseline column the median baseline.
The baseline in a corpus's heading is timed before its checks, repeated the same way.
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

try:
    import yaml_rs
except ImportError:  # the baseline is then libyaml's
    yaml_rs = None  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent
CORPORA = {
    "S": (100, 1_000, 20),
    "M": (1_000, 10_000, 20),
    "L": (10_000, 100_000, 20),
}


@dataclass(frozen=True)
class Timing:
    """The median seconds and the largest peak memory of repeated runs; with a baseline timed
    beside each run, its median seconds and the median of each run's ratio to its own."""

    seconds: float
    peak_mb: float
    base: float | None = None
    ratio: float | None = None


def read_all(root: Path) -> None:
    """Read every file under ``root`` once, so that the next run finds it in memory."""
    buffer = bytearray(_PIECE)
    for current, _dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(current, name), "rb", buffering=0) as handle:  # noqa: PTH118, PTH123
                while handle.readinto(buffer):
                    pass


#: Bytes read at a time by :func:`read_all`.
_PIECE = 1 << 20

#: The least time a figure is measured for: a short one is run more than ``--repeat`` times, so
#: that its median does not follow a moment's load on a shared machine.
_LEAST_SECONDS = 5.0


def rounds(repeat: int) -> Iterator[int]:
    """``repeat`` rounds at least, and more until they took :data:`_LEAST_SECONDS`."""
    started = time.perf_counter()
    for done in itertools.count():
        if done >= repeat and time.perf_counter() - started >= _LEAST_SECONDS:
            return
        yield done


def run(
    command: list[str],
    repeat: int,
    root: Path | None = None,
    prepare: object = None,
    beside: Baseline | None = None,
) -> Timing:
    """Run ``command`` ``repeat`` times or more (see :func:`rounds`) as a whole process, each
    time right after reading every file under ``root`` (when given), and with ``beside`` right
    after timing that baseline from the same memory. A run and the baseline before it share the
    machine's load of the moment.
    """
    times = []
    peaks = []
    bases = []
    for _ in rounds(repeat):
        if root is not None:
            read_all(root)
        if beside is not None:
            parse, digest = beside.time()
            bases.append(parse + digest)
        if callable(prepare):
            prepare()
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - started)
        peaks.append(usage.ru_maxrss / 1024)  # kilobytes on Linux
    if not bases:
        return Timing(statistics.median(times), max(peaks))
    ratios = [seconds / base for seconds, base in zip(times, bases, strict=True)]
    return Timing(
        statistics.median(times), max(peaks), statistics.median(bases), statistics.median(ratios)
    )


def row(label: str, timing: Timing) -> Timing:
    """One line of the table: what, median seconds, peak MB, and the baseline with the ratio."""
    line = f"{label:<48}{timing.seconds:>10.2f}{timing.peak_mb:>10.0f}"
    if timing.base is not None and timing.ratio is not None:
        line += f"{timing.base:>12.2f}{timing.ratio:>8.2f}"
    print(line)
    return timing


def growth(figures: dict[str, dict[str, float]]) -> None:
    """How each figure grows from one corpus to the next, ten times larger.

    Ten or less is no worse than linear; a step that grew with the square of the repository
    would show as a hundred.
    """
    names = list(figures)
    if len(names) < 2:
        return
    print("growth for 10x the repository (10 or less: no worse than linear)")
    for smaller, larger in itertools.pairwise(names):
        ratios = ", ".join(
            f"{what} x{figures[larger][what] / seconds:.1f}"
            for what, seconds in figures[smaller].items()
        )
        print(f"  {smaller} to {larger}: {ratios}")


class _TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's composer with no implicit type resolution: the fastest way to parse."""

    yaml_implicit_resolvers: dict[object, object] = {}  # noqa: RUF012

    def resolve(self, kind: object, value: object, implicit: object) -> str:
        return "tag:yaml.org,2002:str"


def _parse(text: str) -> object:
    """``text`` parsed by yaml-rs where it can, else composed by libyaml."""
    if yaml_rs is not None:
        try:
            return yaml_rs.loads(text, parse_datetime=False)
        except ValueError:
            pass
    return yaml.compose(text, Loader=_TextLoader)


@dataclass(frozen=True)
class Baseline:
    """What reading the corpus costs at the least: its YAML parsed, its evidence hashed."""

    yaml_files: tuple[Path, ...]
    evidence: tuple[Path, ...]

    @classmethod
    def of(cls, root: Path) -> Baseline:
        """The files of the corpus at ``root`` that the baseline reads."""
        yaml_files = [
            p
            for p in root.rglob("*.y*ml")
            if "files" not in p.relative_to(root).parts and p.relative_to(root).parts[0][0] != "."
        ]
        evidence = [p for p in (root / "evidence").rglob("*") if p.is_file() and "files" in p.parts]
        return cls(tuple(yaml_files), tuple(evidence))

    def sizes(self) -> tuple[int, int]:
        """Bytes of YAML and of evidence."""
        return (
            sum(p.stat().st_size for p in self.yaml_files),
            sum(p.stat().st_size for p in self.evidence),
        )

    def time(self) -> tuple[float, float]:
        """Seconds to parse all YAML and to hash all evidence, in this process."""
        gc.disable()
        try:
            started = time.perf_counter()
            for path in self.yaml_files:
                _parse(path.read_text(encoding="utf-8"))
            parse = time.perf_counter() - started
            started = time.perf_counter()
            for path in self.evidence:
                hashlib.sha256(path.read_bytes()).hexdigest()
            digest = time.perf_counter() - started
        finally:
            gc.enable()
        return parse, digest


def _drop(cache: Path) -> None:
    shutil.rmtree(cache, ignore_errors=True)


#: Longer than ciptool's window for files that changed just before a run (3 s).
_SETTLE_SECONDS = 3.5


def _comment(record: Path) -> None:
    """Change one evidence record file without changing what it says (a comment line)."""
    with record.open("a", encoding="utf-8") as handle:
        handle.write(f"# edited {time.time_ns()}\n")


def _edit(record: Path) -> None:
    """Change what one evidence record says (its source, new each time), not its findings."""
    text = record.read_text(encoding="utf-8")
    start = text.index("    source: ")
    end = text.index("\n", start)
    record.write_text(f"{text[:start]}    source: Export {time.time_ns()}{text[end:]}", "utf-8")


def _same_findings(check: list[str], root: Path) -> bool:
    """The JSON output is the same without the cache, warm, and after touching every file."""
    outputs = [subprocess.run([*check, "--no-cache"], capture_output=True, check=True).stdout]
    outputs.append(subprocess.run(check, capture_output=True, check=True).stdout)
    for current, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(current, name))  # noqa: PTH118
    outputs.append(subprocess.run(check, capture_output=True, check=True).stdout)
    outputs.append(subprocess.run(check, capture_output=True, check=True).stdout)
    return all(output == outputs[0] for output in outputs)


def corpus(work: Path, name: str) -> Path:
    """The generated repository ``name``, made on first use."""
    root = work / f"corpus-{name}"
    if not (root / "ciptool.yaml").exists():
        controls, records, file_kb = CORPORA[name]
        print(f"generating corpus {name} in {root} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(root), "--controls", str(controls),
             "--records", str(records), "--file-kb", str(file_kb)],
            check=True,
        )  # fmt: skip
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/ciptool-bench"))
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="runs of each figure at least, and more until they took 5 s; the median is shown",
    )
    parser.add_argument("--large", action="store_true", help="also corpus L (2 GB of evidence)")
    args = parser.parse_args(argv)
    ciptool = shutil.which("ciptool") or sys.exit("ciptool is not on PATH: pip install . first")
    names = ["S", "M", *(["L"] if args.large else [])]
    print(f"{'what':<48}{'median s':>10}{'peak MB':>10}{'baseline s':>12}{'ratio':>8}")
    for label, command in (
        ("ciptool --version", [ciptool, "--version"]),
        ("ciptool --help", [ciptool, "--help"]),
    ):
        row(label, run(command, args.repeat))
    figures: dict[str, dict[str, float]] = {}
    for name in names:
        root = corpus(args.work, name)
        base = Baseline.of(root)
        yaml_bytes, evidence_bytes = base.sizes()
        parses, digests = [], []
        for _ in rounds(args.repeat):
            read_all(root)
            parse, digest = base.time()
            parses.append(parse)
            digests.append(digest)
        parse, digest = statistics.median(parses), statistics.median(digests)
        controls, records, _ = CORPORA[name]
        print(
            f"corpus {name}: {controls:,} controls, {records:,} records,"
            f" {yaml_bytes / 1e6:.1f} MB YAML, {evidence_bytes / 1e6:.0f} MB evidence;"
            f" baseline parse {parse:.2f} s + sha256 {digest:.2f} s"
        )
        check = [ciptool, "check", "--repo", str(root), "--as-of", "2026-11-15", "-f", "json",
                 "--fail-on", "never"]  # fmt: skip
        cache = root / ".ciptool-cache"
        cold = row(
            "  check, cold (no cache)",
            run(check, args.repeat, root, functools.partial(_drop, cache), base),
        )
        subprocess.run(check, capture_output=True, check=True)
        warm = row("  check, warm (nothing changed)", run(check, args.repeat, root, beside=base))
        record = min((root / "evidence").rglob("records-*.yaml"))  # the same file everywhere
        commented = row(
            "  check, warm, a comment added to one file",
            run(check, args.repeat, root, functools.partial(_comment, record), base),
        )
        changed = row(
            "  check, warm, one record changed",
            run(check, args.repeat, root, functools.partial(_edit, record), base),
        )
        report = [ciptool, "report", "audit-committee", "--repo", str(root), "-f", "html", "-o",
                  str(args.work / f"briefing-{name}.html"), "--as-of", "2026-11-15"]  # fmt: skip
        briefing = row(
            "  report audit-committee html, a record changed",
            run(report, args.repeat, root, functools.partial(_edit, record)),
        )
        time.sleep(_SETTLE_SECONDS)  # a check keeps its result only when its inputs are settled
        subprocess.run(check, capture_output=True, check=True)
        after_check = row("  the same report, right after a check", run(report, args.repeat, root))
        figures[name] = {
            "cold": cold.seconds,
            "warm": warm.seconds,
            "comment": commented.seconds,
            "one changed": changed.seconds,
            "briefing": briefing.seconds,
            "briefing after a check": after_check.seconds,
        }
        print(f"  findings identical without the cache, with it, after touching every file: "
              f"{'yes' if _same_findings(check, root) else 'NO'}")  # fmt: skip
    growth(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
