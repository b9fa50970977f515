"""A progress line for long runs: a bar with ETA on a terminal, plain lines otherwise (logs, CI)."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None):
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()

    def step(self, name: str, failed: bool = False) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        mark = "失败" if failed else "完成"
        if not self.tty:
            print(f"[{self.done}/{self.total}] {mark} {name}", file=self.stream, flush=True)
            return
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 50))
        filled = int(width * self.done / self.total)
        bar = "█" * filled + "░" * (width - filled)
        line = f"\r{self.label} {bar} {self.done}/{self.total}  已用 {_clock(elapsed)}  剩余约 {_clock(eta)}"
        print(line, end="", file=self.stream, flush=True)
        if self.done == self.total:
            print(file=self.stream)


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds + 0.5), 60)
    return f"{m}:{s:02d}"
