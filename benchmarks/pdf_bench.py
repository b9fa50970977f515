"""How long budgetgen takes to make the PDF of a department — against the same command of an older checkout
(``--baseline``, e.g. the code before issue 12) and against LibreOffice converting the project's own DOCX of the
same disclosure, the tool a clerk would otherwise use (issue 4).

    python -m benchmarks.pdf_bench [--repeat 5] [--sample samples/julu-2023] [--baseline DIR] [--no-libreoffice]
    python -m benchmarks.big_department /tmp/julu-x10 && python -m benchmarks.pdf_bench --sample /tmp/julu-x10

Each run is a fresh process, timed from start to exit: (a) ``python -m budgetgen render <sample> --format pdf``
with this checkout (load, check, build, HTML, PDF — the whole command), (b) the same with the checkout in
``--baseline DIR`` (its own budgetgen on PYTHONPATH; ``--baseline-processes N`` sets BUDGETGEN_PDF_PROCESSES
for it, which checkouts before issue 12 read), (c) ``soffice --headless --convert-to pdf`` of the DOCX, which
budgetgen writes once beforehand (not timed). The runs alternate (a, b, c, a, b, c, …) so that other load on
the machine falls on all alike; one untimed run of each comes first (LibreOffice creates its private profile
then). Printed: the median, fastest and slowest wall time of each, CPU time, peak memory, the PDF's pages and
size, and the ratio of each other one to budgetgen (above 1: budgetgen is faster) — of the medians, and the
median and range of each round's own ratio (the machine's speed drifts; runs back to back see the same
machine).

Peak memory is given two ways: the largest single process (``ru_maxrss`` from wait4, all timed runs) and the
sum over the whole process tree (a baseline may lay out on several cores; LibreOffice starts soffice.bin),
sampled from /proc every 20 ms during one extra, untimed run of each — the sampling would disturb the timed runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ._measure import ROOT, Runs, checkout_env, timed


def tree_peak_rss(command: list[str], env: dict, cwd: Path, interval: float = 0.02) -> int:
    """Peak of the summed resident memory (KiB) of a command and all its descendants, sampled from /proc."""
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(interval)
    return peak


def _tree_rss(root: int) -> int:
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as handle:
                pages = int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total = 0
    for pid in rss:
        walk = pid
        while walk not in (0, 1, root) and walk in parents:
            walk = parents[walk]
        if walk == root:
            total += rss[pid]
    return total


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--sample", type=Path, default=ROOT / "samples" / "julu-2023")
    parser.add_argument("--baseline", type=Path, default=None, metavar="DIR",
                        help="a checkout of older code (e.g. before issue 12) to time in the same rounds")
    parser.add_argument("--baseline-processes", type=int, default=None, metavar="N",
                        help="BUDGETGEN_PDF_PROCESSES for the baseline (code before issue 12 reads it)")
    parser.add_argument("--no-libreoffice", action="store_true", help="leave LibreOffice out")
    args = parser.parse_args(argv)
    office = None if args.no_libreoffice else soffice()
    if office is None and args.baseline is None:
        print("Nothing to compare with: LibreOffice (soffice) is not installed (or --no-libreoffice) "
              "and no --baseline is given.", file=sys.stderr)
        return 2
    if office is None and not args.no_libreoffice:
        print("LibreOffice (soffice) is not installed: left out.", file=sys.stderr)
    sample = args.sample.resolve()
    env = checkout_env()  # this checkout's budgetgen, whatever is installed

    with tempfile.TemporaryDirectory(prefix="pdf_bench.") as tmp:
        tmp = Path(tmp)
        runs = [Run("budgetgen render --format pdf", _render(sample, tmp / "budgetgen"), env, ROOT,
                    tmp / "budgetgen")]
        if args.baseline is not None:
            baseline = args.baseline.resolve()
            base_env = dict(env, PYTHONPATH=str(baseline))
            if args.baseline_processes is not None:
                base_env["BUDGETGEN_PDF_PROCESSES"] = str(args.baseline_processes)
            label = f"baseline {baseline.name}" + (f" ({args.baseline_processes} proc.)"
                                                   if args.baseline_processes is not None else "")
            runs.append(Run(label, _render(sample, tmp / "baseline"), base_env, baseline, tmp / "baseline"))
        if office is not None:
            subprocess.run([sys.executable, "-m", "budgetgen", "render", str(sample), "--format", "docx",
                            "--out", str(tmp / "docx")], env=env, cwd=ROOT, check=True, capture_output=True)
            docx = next((tmp / "docx").glob("*.docx"))
            profile = (tmp / "lo-profile").as_uri()  # a private profile: no running LibreOffice takes the job
            runs.append(Run("LibreOffice DOCX → PDF", [office, f"-env:UserInstallation={profile}", "--headless",
                                                       "--convert-to", "pdf", "--outdir", str(tmp / "libreoffice"),
                                                       str(docx)], env, ROOT, tmp / "libreoffice"))

        for run in runs:  # warm-up: LibreOffice's first start builds its profile
            timed(run.command, run.env, run.cwd)
        for _ in range(args.repeat):
            for run in runs:
                wall, cpu, rss = timed(run.command, run.env, run.cwd)
                run.result.wall.append(wall)
                run.result.cpu.append(cpu)
                run.result.max_rss_kb = max(run.result.max_rss_kb, rss)
        for run in runs:
            run.result.tree_rss_kb = tree_peak_rss(run.command, run.env, run.cwd)
            pdf = next(run.out.glob("*.pdf"))
            run.pages, run.size = _pages(pdf), pdf.stat().st_size

    ours = runs[0].result
    print(f"{sample.name}: {args.repeat} runs of each, alternating, {os.cpu_count()} cores")
    print(f"  {'':34} {'median':>8} {'fastest':>8} {'slowest':>8} {'CPU':>8}  {'pages':>5} {'size':>8}   "
          "peak memory (largest process / all)")
    for run in runs:
        result = run.result
        print(f"  {result.name:34} {result.median():7.2f}s {min(result.wall):7.2f}s {max(result.wall):7.2f}s "
              f"{statistics.median(result.cpu):7.2f}s  {run.pages:>5} {run.size / 1e6:6.2f}MB   "
              f"{result.max_rss_kb / 1024:5.0f} MB / {result.tree_rss_kb / 1024:5.0f} MB")
    for run in runs[1:]:
        theirs = run.result
        ratio = theirs.median() / ours.median()
        verdict = "budgetgen (this checkout) is faster" if ratio > 1 else f"{theirs.name} is faster"
        print(f"  ratio {theirs.name} / budgetgen: {ratio:.2f} ({verdict})")
        # Each round ran them back to back: its own ratio is the least disturbed by the machine's changing speed.
        rounds = sorted(t / o for o, t in zip(ours.wall, theirs.wall))
        print(f"    per round: median {statistics.median(rounds):.2f}, range {rounds[0]:.2f}–{rounds[-1]:.2f}")
    return 0


def _render(sample: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "budgetgen", "render", str(sample), "--format", "pdf", "--out", str(out)]


@dataclass
class Run:
    name: str
    command: list[str]
    env: dict
    cwd: Path
    out: Path
    result: Runs = field(init=False)
    pages: str = "?"
    size: int = 0

    def __post_init__(self):
        self.result = Runs(self.name)


def _pages(pdf: Path) -> str:
    if shutil.which("pdfinfo") is None:
        return "?"
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "?")


if __name__ == "__main__":
    raise SystemExit(main())
