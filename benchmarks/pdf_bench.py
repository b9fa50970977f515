"""How long budgetgen takes to make the PDF of the 巨鹿 sample, against LibreOffice converting the project's own
DOCX of the same disclosure — the tool a clerk would otherwise use (issue 4).

    python -m benchmarks.pdf_bench [--repeat 5] [--sample samples/julu-2023] [--processes N]

Each run is a fresh process, timed from start to exit: (a) ``python -m budgetgen render <sample> --format pdf``
(load, check, build, HTML, PDF — the whole command), (b) ``soffice --headless --convert-to pdf`` of the DOCX,
which budgetgen writes once beforehand (not timed). The runs alternate (a, b, a, b, …) so that other load on the
machine falls on both alike; one untimed run of each comes first (LibreOffice creates its private profile then).
Printed: the median, fastest and slowest wall time of each, CPU time, peak memory and the ratio
LibreOffice / budgetgen (above 1: budgetgen is faster) — of the medians, and the median and range of each
round's own ratio (the machine's speed drifts; two runs back to back see the same machine).

Peak memory is given two ways: the largest single process (``ru_maxrss`` from wait4, all timed runs) and the
sum over the whole process tree (budgetgen lays out on several cores; LibreOffice starts soffice.bin), sampled
from /proc every 20 ms during one extra, untimed run of each — the sampling would disturb the timed runs.
``--processes 1`` times budgetgen's one-process way (BUDGETGEN_PDF_PROCESSES=1).
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
    parser.add_argument("--processes", type=int, default=None,
                        help="cap budgetgen's PDF processes (BUDGETGEN_PDF_PROCESSES); default: all cores")
    args = parser.parse_args(argv)
    office = soffice()
    if office is None:
        print("LibreOffice (soffice) is not installed: nothing to compare with.", file=sys.stderr)
        return 2
    sample = args.sample.resolve()
    env = checkout_env()  # this checkout's budgetgen, whatever is installed
    if args.processes is not None:
        env["BUDGETGEN_PDF_PROCESSES"] = str(args.processes)

    with tempfile.TemporaryDirectory(prefix="pdf_bench.") as tmp:
        tmp = Path(tmp)
        budgetgen = [sys.executable, "-m", "budgetgen", "render", str(sample), "--format", "pdf",
                     "--out", str(tmp / "budgetgen")]
        subprocess.run([sys.executable, "-m", "budgetgen", "render", str(sample), "--format", "docx",
                        "--out", str(tmp / "docx")], env=env, cwd=ROOT, check=True, capture_output=True)
        docx = next((tmp / "docx").glob("*.docx"))
        profile = (tmp / "lo-profile").as_uri()  # a private profile: no running LibreOffice takes the job
        libreoffice = [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                       "--outdir", str(tmp / "libreoffice"), str(docx)]
        runs = [(Runs("budgetgen render --format pdf"), budgetgen), (Runs("LibreOffice DOCX → PDF"), libreoffice)]

        for _, command in runs:  # warm-up: LibreOffice's first start builds its profile
            timed(command, env, ROOT)
        for _ in range(args.repeat):
            for result, command in runs:
                wall, cpu, rss = timed(command, env, ROOT)
                result.wall.append(wall)
                result.cpu.append(cpu)
                result.max_rss_kb = max(result.max_rss_kb, rss)
        for result, command in runs:
            result.tree_rss_kb = tree_peak_rss(command, env, ROOT)
        pages = _pages(next((tmp / "budgetgen").glob("*.pdf")))

    ours, theirs = runs[0][0], runs[1][0]
    print(f"{sample.name}: {pages} pages, {args.repeat} runs of each, {os.cpu_count()} cores"
          + (f", budgetgen limited to {args.processes} process(es)" if args.processes else ""))
    print(f"  {'':30} {'median':>8} {'fastest':>8} {'slowest':>8} {'CPU':>8}   peak memory (largest process / all)")
    for result, _ in runs:
        print(f"  {result.name:30} {result.median():7.2f}s {min(result.wall):7.2f}s {max(result.wall):7.2f}s "
              f"{statistics.median(result.cpu):7.2f}s   {result.max_rss_kb / 1024:5.0f} MB / "
              f"{result.tree_rss_kb / 1024:5.0f} MB")
    ratio = theirs.median() / ours.median()
    verdict = "budgetgen is faster" if ratio > 1 else "LibreOffice is faster"
    print(f"  ratio LibreOffice / budgetgen: {ratio:.2f} ({verdict})")
    # Each round ran the two back to back: its own ratio is the least disturbed by the machine's changing speed.
    rounds = sorted(t / o for o, t in zip(ours.wall, theirs.wall))
    print(f"  ratio per round: median {statistics.median(rounds):.2f}, range {rounds[0]:.2f}–{rounds[-1]:.2f}")
    return 0


def _pages(pdf: Path) -> str:
    if shutil.which("pdfinfo") is None:
        return "?"
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "?")


if __name__ == "__main__":
    raise SystemExit(main())
