"""A PDF engine started before the data is read: WeasyPrint's import (about a second) overlaps the loading and
checking of the department, on the second core.

``budgetgen render`` of one department with PDF among its formats forks the engine first thing; the engine
imports WeasyPrint and budgetgen's PDF writer, then waits. When the writer comes to the PDF, it hands the print
HTML over and gets the PDF's bytes back — laid out by the engine exactly as :func:`.pdf.render_pdf` would in the
parent (on every core, through its own forked parts). Bad input: the engine is told to stop, having written
nothing. The engine is only a head start: wherever it is missing or fails, the parent renders the PDF itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import traceback
from contextlib import contextmanager

log = logging.getLogger("budgetgen.pdf")

_engine: Engine | None = None


class Engine:
    def __init__(self):
        # os.fork, not multiprocessing.Process: the engine forks the PDF's parts in turn (a daemonic process
        # may not), and nothing at the parent's exit must wait for it — it ends when its pipe closes.
        self._connection, child = multiprocessing.Pipe(duplex=True)
        self._pid = os.fork()
        if self._pid == 0:  # the engine
            code = 0
            try:
                self._connection.close()
                _serve(child)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        child.close()

    def render(self, html: str, variant: str | None) -> bytes | None:
        """The PDF of the print HTML, or None if the engine failed (the caller renders it itself)."""
        try:
            self._connection.send((html, variant))
            answer = self._connection.recv()
        except (OSError, EOFError):
            answer = "the PDF engine is gone"
        finally:
            self.close()
        if isinstance(answer, str):
            log.debug("PDF engine failed; rendering in this process:\n%s", answer)
            return None
        return answer

    def close(self) -> None:
        """Tell the engine to stop (if it still waits for a job) and reap it."""
        if self._pid is None:
            return
        try:
            self._connection.send(None)
        except OSError:
            pass
        self._connection.close()
        try:
            os.waitpid(self._pid, 0)
        except ChildProcessError:
            pass
        self._pid = None


def start() -> None:
    """Fork the engine, where that pays: Linux, two or more cores, no threads (forking is safe), no engine yet."""
    global _engine
    from .pdf_split import usable_processes

    if _engine is None and usable_processes() > 1:
        try:
            _engine = Engine()
        except OSError:  # no processes left to fork: the parent renders
            _engine = None


def take() -> Engine | None:
    """The engine for the one PDF of this run (it serves one job), or None."""
    global _engine
    engine, _engine = _engine, None
    return engine


@contextmanager
def taken():
    """The engine (or None) for the block, stopped at its end whatever happens."""
    engine = take()
    try:
        yield engine
    finally:
        if engine is not None:
            engine.close()


def stop() -> None:
    """Stop an engine that was not used (the data had errors, or no PDF was written)."""
    engine = take()
    if engine is not None:
        engine.close()


def _serve(connection) -> None:
    try:
        from . import pdf
        from .pdf_tree import lean_ua_stylesheet

        lean_ua_stylesheet()  # imports WeasyPrint and prepares its stylesheet while the parent reads the data
        job = connection.recv()
    except (EOFError, OSError, KeyboardInterrupt):
        return
    if job is None:
        return
    html, variant = job
    try:
        answer = pdf.render_pdf(html, variant)[0]
    except BaseException:  # noqa: BLE001 — the parent renders the PDF itself
        answer = traceback.format_exc()
    try:
        connection.send(answer)
    except OSError:
        pass
