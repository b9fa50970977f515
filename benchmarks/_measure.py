"""What the benchmarks share: the checkout's root, the environment that runs its budgetgen, and the two ways of
measuring — a command in a fresh process (wall, CPU, peak memory) and a function in this one (median wall)."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def checkout_env(**extra: str) -> dict[str, str]:
    """The environment for `python -m budgetgen` in a child: this checkout's budgetgen, whatever is installed."""
    return dict(os.environ, PYTHONPATH=str(ROOT), **extra)


@dataclass
class Runs:
    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    max_rss_kb: int = 0  # largest single process over all timed runs
    tree_rss_kb: int = 0  # peak sum over the process tree, one sampled run

    def median(self) -> float:
        return statistics.median(self.wall)


def timed(command: list[str], env: dict, cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, the process and its children) and peak RSS (KiB, the largest
    process among it and its children) of one run. Its stderr goes to a file (a pipe read only after the end
    would stall a command that writes much) and is shown if it fails."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            message = stderr.read().decode(errors="replace")
            raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{message}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def median_time(fn, repeat: int) -> float:
    """The median wall time of `repeat` calls of fn in this process."""
    runs = Runs(getattr(fn, "__name__", "call"))
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.wall.append(time.perf_counter() - start)
    return runs.median()
