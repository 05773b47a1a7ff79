"""Time the PDF of the reports on a generated repository, beside their HTML.

    python bench/pdf.py                      # corpus M; --corpus L for the largest (2 GB)
    python bench/pdf.py --corpus L --work /var/tmp/ciptool-bench --kinds audit-committee soa

Each report is made as HTML and then as PDF by whole ``ciptool report`` processes (with the
cache warm, so the check is not timed twice), and the runner prints the wall time, the CPU time
and the peak resident memory of each, with the PDF's pages; a PDF that ciptool refuses (a
document longer than it lays out, see docs/reports.md) is printed as refused, with its HTML's
size. The corpora are bench/run.py's, made on first use in the same folder. Results are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from run import CORPORA, corpus

FIXED = ["--as-of", "2026-11-15", "--generated-at", "2026-11-15T12:00:00Z"]
KINDS = ["audit-committee", "soc2", "soa", "evidence-index"]


def timed(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float, float]:
    """Run ``command``: its result, wall seconds, CPU seconds and peak memory (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of the children is the largest of any child so far: a lower bound here.
    return done, wall, cpu, after.ru_maxrss / 1024


def pages(pdf: Path) -> str:
    tool = shutil.which("pdfinfo")
    if tool is None or not pdf.exists():
        return "?"
    info = subprocess.run([tool, str(pdf)], capture_output=True, text=True, check=False).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return found.group(1) if found else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/ciptool-bench"))
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="M")
    parser.add_argument("--kinds", nargs="+", default=KINDS)
    args = parser.parse_args(argv)
    root = corpus(args.work, args.corpus)
    ciptool = [sys.executable, "-m", "ciptool", "report"]
    out = args.work / f"pdf-{args.corpus}"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "ciptool", "check", "--repo", str(root), *FIXED[:2]],
        capture_output=True,
        check=False,
    )  # warms the cache
    print(f"corpus {args.corpus}: {root}")
    print(f"{'report':16} {'format':6} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'pages':>6}")
    for kind in args.kinds:
        html = out / f"{kind}.html"
        for fmt, target in (("html", html), ("pdf", out / f"{kind}.pdf")):
            target.unlink(missing_ok=True)
            command = [*ciptool, kind, "--repo", str(root), "-f", fmt, "-o", str(target), *FIXED]
            done, wall, cpu, peak = timed(command)
            shown = pages(target) if fmt == "pdf" else f"{html.stat().st_size / 1e6:.1f} MB"
            if done.returncode != 0:
                why = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
                shown = f"refused ({done.returncode}): {why}"
            print(f"{kind:16} {fmt:6} {wall:8.1f} {cpu:8.1f} {peak:8.0f} {shown:>6}", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
