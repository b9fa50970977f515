"""Writers: Disclosure → files. One module per format, each with the same `render(doc, options)`, listed once in
FORMATS; `write` renders the formats asked for and replaces a department's files as one set. Heavy imports
(WeasyPrint, python-docx, openpyxl) stay inside the format modules.

A format module imports only the document (budgetgen.document), the formatter (budgetgen.fmt), the templates
(budgetgen.templating), budgetgen.errors and its fellow writers (tests/test_import_graph.py checks it).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .. import __version__

if TYPE_CHECKING:
    from ..document import Disclosure


@dataclass(frozen=True)
class Options:
    """What a format may be told besides the document; one object for every format (each reads what it needs)."""

    templates: Path | None = None  # a --templates folder: html/ for HTML and PDF, docx/reference.docx for DOCX
    pdf_variant: str | None = None  # WeasyPrint's PDF variant (pdf/a-3b, pdf/ua-1 …); None: plain PDF


@dataclass(frozen=True)
class Format:
    """An output format: its module has `render(doc: Disclosure, options: Options)`, giving the file's bytes, or
    for a folder of files (suffix without a dot) a dict of file name → bytes."""

    name: str
    module: str
    suffix: str  # what follows the stem: ".html" for a file, "-csv" for a folder
    label: str  # what it writes, in words
    default: bool = True  # written when no format is named (render without --format)


# Every format, in the order `render` writes them; a new format is a module and a line here.
FORMATS: list[Format] = [
    Format("html", "budgetgen.writers.html", ".html", "HTML 预览（单个文件，可离线打开）"),
    Format("json", "budgetgen.writers.json_data", ".json", "JSON（全部表格）"),
    Format("csv", "budgetgen.writers.csv_data", "-csv", "CSV（每表一个文件，Excel 可直接打开）"),
    Format("docx", "budgetgen.writers.docx", ".docx", "Word 文档（Word、WPS 可直接编辑）"),
    Format("pdf", "budgetgen.writers.pdf", ".pdf", "PDF（A4，可打印、可归档）"),
    Format("xlsx", "budgetgen.writers.xlsx", ".xlsx", "Excel 工作簿（全部表格，每表一个工作表，首页目录）"),
    # data exchange, not publication: only when asked for (budgetgen import reads it back)
    Format("lines", "budgetgen.writers.lines", "-明细.xlsx", "预算明细工作簿（逐笔明细，budgetgen import 可读回）",
           default=False),
]


def document_timestamp(doc) -> datetime:
    """Fixed document dates: SOURCE_DATE_EPOCH when set (reproducible builds), else 1 January of the budget year.

    DOCX and XLSX carry dates; fixed ones make the same input give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).replace(tzinfo=None)
    return datetime(doc.year, 1, 1)


def core_properties(doc, subject: str) -> dict[str, object]:
    """The core properties DOCX and XLSX share, by python-docx's names, in the order they are set."""
    stamp = document_timestamp(doc)
    return {"title": doc.title, "subject": subject, "author": doc.department_name,
            "last_modified_by": doc.department_name, "keywords": f"{doc.kind}; 预算公开; {doc.year}",
            "comments": f"budgetgen {__version__}", "category": f"{doc.kind}公开", "language": "zh-CN",
            "created": stamp, "modified": stamp}


ZipDate = tuple[int, int, int, int, int, int]  # year, month, day, hour, minute, second
ZIP_DATE: ZipDate = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip member can carry


def fixed_zip(members: Iterable[tuple[str, bytes]], when: ZipDate = ZIP_DATE) -> bytes:
    """A zip of the members in the given order with fixed dates and attributes: the same parts, the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return out.getvalue()


STEM_BYTES = 200  # room for "-csv", ".xlsx" … within a file system's 255-byte names


def output_stem(name: str) -> str:
    """A file name made from the department's folder name that cannot leave --out (no separators, no dots first)."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).lstrip(". ")
    return fit_bytes(cleaned, STEM_BYTES) or "disclosure"


def fit_bytes(text: str, limit: int) -> str:
    """The longest prefix of text whose UTF-8 form has at most `limit` bytes (cut between characters)."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


# XML 1.0 cannot hold these (tab, LF and CR it can); lone surrogates cannot even be encoded as UTF-8
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str, target: str) -> str:
    """text, when a Word or Excel file (`target`, in words) can hold it; else ForbiddenCharacter with the place.

    The loader refuses such characters in YAML; templates and code could still bring one, and a DOCX or XLSX
    holding it is a file Word and Excel refuse to open."""
    found = XML_FORBIDDEN.search(text)
    if found:
        from ..errors import ForbiddenCharacter

        raise ForbiddenCharacter(text, found.start(), target)
    return text


def available() -> list[str]:
    """The formats whose writer module is present."""
    return [f.name for f in FORMATS if importlib.util.find_spec(f.module) is not None]


def defaults() -> list[str]:
    """The formats written when none is named: every available one that is not data exchange only."""
    return [f.name for f in FORMATS if f.default and f.name in available()]


def format_named(name: str) -> Format:
    """The format of that name (KeyError for a name not in FORMATS)."""
    return {f.name: f for f in FORMATS}[name]


def render(name: str, doc: Disclosure, options: Options | None = None) -> bytes | dict[str, bytes]:
    """The document in one format: the file's bytes, or a folder's files by name."""
    return importlib.import_module(format_named(name).module).render(doc, options or Options())


def preflight(formats: Iterable[str], options: Options | None = None) -> None:
    """Each format's own check of the machine and the options before anything is rendered (a module may define
    `preflight(options)`, raising UsageError in words: PDF's Chinese font, its variant)."""
    for name in formats:
        check = getattr(importlib.import_module(format_named(name).module), "preflight", None)
        if check is not None:
            check(options or Options())


class FormatFailed(Exception):
    """A format could not be rendered or staged (nothing was replaced); `name` is the format, `cause` the reason."""

    def __init__(self, name: str, cause: BaseException):
        super().__init__(f"{name}: {cause}")
        self.name, self.cause = name, cause


def write(doc: Disclosure, out_dir: Path, stem: str, formats: Iterable[str], options: Options | None = None
          ) -> list[Path]:
    """Every format asked for rendered to bytes and written plainly into an OutputSet's staging folder, then
    moved into out_dir as one set: the department's old files are replaced all together or not at all.

    The paths written (a folder for CSV). FormatFailed when a format fails (out_dir is as it was), CommitError
    when moving in fails (it says exactly what out_dir holds)."""
    return write_all([(doc, stem)], out_dir, formats, options)


def write_all(documents: Iterable[tuple[Disclosure, str]], out_dir: Path, formats: Iterable[str],
              options: Options | None = None) -> list[Path]:
    """write() for several documents (a department's and its units' own, each named by its stem) as one set:
    all of them replace the earlier files together, or none does."""
    options = options or Options()
    names = list(formats)
    with OutputSet(out_dir) as staged:
        try:
            paths: list[Path] = []
            for doc, stem in documents:
                clean_legacy(out_dir, stem)
                for name in names:
                    fmt = format_named(name)
                    try:
                        paths.append(_stage(staged.folder / f"{stem}{fmt.suffix}", render(name, doc, options)))
                    except Exception as exc:
                        _as_final(exc, staged)
                        raise FormatFailed(name, exc) from exc
            return staged.commit(paths)
        except OSError as exc:
            _as_final(exc, staged)
            raise


def _stage(path: Path, data: bytes | dict[str, bytes]) -> Path:
    """A rendered format written into the staging folder: a file, or a new folder of files."""
    if isinstance(data, dict):
        path.mkdir()
        for name, content in data.items():
            _write_file(path / name, content)
    else:
        _write_file(path, data)
    return path


def _write_file(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)  # a failed write (disk full) names no file by itself
        raise


def _as_final(exc: BaseException, staged: OutputSet) -> None:
    """An OSError names the file as the clerk knows it, not its staged copy."""
    if isinstance(exc, OSError) and exc.filename:
        exc.filename = str(staged.final(exc.filename))


@contextmanager
def atomic(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path` and move it into place only when complete.

    On any failure the temporary file is removed and an earlier `path` stays as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # the temporary name stays short whatever the final name is (names are limited to 255 bytes)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{fit_bytes(path.name, 60)}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        exc.filename = str(path)  # not the temporary name the clerk never sees
        raise
    try:
        kwargs: dict[str, Any] = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a failed write (disk full) names no file by itself
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- output sets: every format of a department staged, then moved in together -----------------------------

STAGING_PREFIX = ".budgetgen-staging-"  # hidden, and recognisably ours: only such folders are ever cleaned
_LOCK, _NEW, _OLD, _COMMIT = ".lock", "new", "old", "commit"
UNLOCKED_GRACE = 60.0  # seconds a staging folder may exist before its lock file does


class CommitError(Exception):
    """Moving a staged set into place failed; `replaced` and `kept` say exactly what the output folder holds."""

    def __init__(self, cause: OSError, replaced: list[Path], kept: list[Path]):
        super().__init__(str(cause))
        self.cause, self.replaced, self.kept = cause, replaced, kept


class OutputSet:
    """A department's outputs, written into a hidden staging folder inside the output folder (same file system)
    and moved in only when every format is complete, so the old set is replaced as a whole or not at all.

    The staging folder holds a lock while its run lives; a run killed before moving in leaves it behind, and the
    next OutputSet in that folder removes it (a run killed while moving in is completed instead).

        with OutputSet(target) as staged:
            (staged.folder / "report.json").write_bytes(data)
            written = staged.commit([staged.folder / "report.json"])

    `write` stages a department's formats this way.
    """

    def __init__(self, target: Path):
        self.target = Path(target)
        self.root: Path | None = None
        self.folder = Path()
        self._lock: int | None = None  # the staging folder's lock (_hold_lock)

    def __enter__(self) -> OutputSet:
        self.target.mkdir(parents=True, exist_ok=True)
        clean_staging(self.target)
        self.root = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.target))
        self._lock = _hold_lock(self.root)
        self.folder = self.root / _NEW
        self.folder.mkdir()
        return self

    def __exit__(self, *exc) -> None:
        self.discard()

    def final(self, path: Path | str) -> Path:
        """Where a staged path goes in the output folder (the folder itself for the staging folder; other paths
        unchanged)."""
        path = Path(path)
        try:
            return self.target / path.relative_to(self.folder)
        except ValueError:
            return self.target if path.parent == self.target and path.name.startswith(STAGING_PREFIX) else path

    def commit(self, paths: list[Path]) -> list[Path]:
        """Move the staged entries (files or folders directly in self.folder) into the output folder.

        On failure every entry already moved is put back, and CommitError says what the folder holds."""
        names = list(dict.fromkeys(Path(p).relative_to(self.folder).parts[0] for p in paths))
        assert self.root is not None
        with atomic(self.root / _COMMIT) as handle:  # from here on a killed run is completed, not undone
            handle.write("\n".join(names) + "\n")
        done: list[tuple[str, bool]] = []  # (name, an old one was set aside)
        try:
            for name in names:
                done.append((name, _move_in(self.folder / name, self.target / name, self.root / _OLD / name)))
        except OSError as exc:
            unrestored = _undo(done, self)
            replaced = [self.target / n for n in names if n in unrestored]
            kept = [self.target / n for n in names if n not in unrestored]
            raise CommitError(exc, replaced, kept) from exc
        self.discard()
        return [self.target / Path(p).relative_to(self.folder) for p in paths]

    def discard(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _move_in(new: Path, final: Path, old: Path) -> bool:
    """Put `new` at `final`; an existing `final` is set aside as `old` (a file stays in place until replaced).
    Whether there was one; on failure `final` is as it was."""
    had_old = final.exists() or final.is_symlink()
    moved_aside = False
    if had_old:
        old.parent.mkdir(exist_ok=True)
        if new.is_dir() or final.is_dir() or final.is_symlink():
            os.rename(final, old)
            moved_aside = True
        else:
            try:
                os.link(final, old)  # a backup; readers see the old file until os.replace swaps it
            except OSError:
                os.rename(final, old)
                moved_aside = True
    try:
        os.replace(new, final)
    except OSError:
        if moved_aside:
            os.rename(old, final)
        raise
    return had_old


def _undo(done: list[tuple[str, bool]], staged: OutputSet) -> set[str]:
    """Put the old entries back (newest first); the names that could not be restored."""
    assert staged.root is not None
    failed: set[str] = set()
    for name, had_old in reversed(done):
        final, old = staged.target / name, staged.root / _OLD / name
        try:
            if final.is_dir() and not final.is_symlink():
                os.rename(final, staged.folder / name)
            elif not had_old:
                os.unlink(final)
            if had_old:
                os.replace(old, final)
        except OSError:
            failed.add(name)
    return failed


def _hold_lock(folder: Path) -> int:
    """An exclusive lock on folder/.lock, held (by the open descriptor) while this process lives. The file is
    locked before it takes its name, so a cleaner never finds it unlocked while its run lives."""
    fd = os.open(folder / f"{_LOCK}.new", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.rename(folder / f"{_LOCK}.new", folder / _LOCK)
    return fd


def clean_staging(target: Path) -> list[Path]:
    """Remove the staging folders that runs killed before finishing left in `target`; complete a run that was
    killed while moving its set in. A folder whose run is still alive (its lock is held) is left alone."""
    cleaned: list[Path] = []
    try:
        entries = [e for e in os.scandir(target) if e.name.startswith(STAGING_PREFIX)]
    except OSError:
        return cleaned
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        root = Path(entry.path)
        fd = _take_dead(root)
        if fd is None:
            continue
        try:
            if (root / _COMMIT).is_file():
                _roll_forward(root, target)
            shutil.rmtree(root, ignore_errors=True)
            cleaned.append(root)
        finally:
            if fd >= 0:
                os.close(fd)
    return cleaned


def _take_dead(root: Path) -> int | None:
    """The lock of a staging folder whose run is gone (-1 when it never had one), or None while it lives."""
    try:
        fd = os.open(root / _LOCK, os.O_RDWR)
    except FileNotFoundError:  # killed before locking, or just being made: judge by age
        try:
            young = time.time() - root.stat().st_mtime < UNLOCKED_GRACE
        except OSError:
            return None
        return None if young else -1
    except OSError:
        return None
    if fcntl is None:  # no advisory locks here: a day-old folder is taken as left behind
        if time.time() - root.stat().st_mtime < 86400:
            os.close(fd)
            return None
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def clean_legacy(target: Path, stem: str) -> list[Path]:
    """What earlier versions, killed mid-write, left beside a department's outputs: atomic()'s temporary files
    (.<stem>.pdf.k3j9x2ab.tmp) and the CSV writer's own staging folders (.<stem>-csv.k3j9x2ab, .<stem>-csv.old)."""
    temp = re.compile(rf"\.{re.escape(stem)}\.(html|json|docx|pdf|xlsx)\.[a-z0-9_]{{8}}\.tmp")
    csv_dir = re.compile(rf"\.{re.escape(stem)}-csv\.([a-z0-9_]{{8}}|old)")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target))
    except OSError:
        return removed
    for entry in entries:
        try:
            if temp.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
            elif csv_dir.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False) and all(
                    e.name.endswith(".csv") and e.is_file(follow_symlinks=False) for e in os.scandir(entry.path)):
                shutil.rmtree(entry.path)
            else:
                continue
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _roll_forward(root: Path, target: Path) -> None:
    """A run killed while moving its complete set in: move in what it had not moved yet."""
    names = [n for n in (root / _COMMIT).read_text(encoding="utf-8").split("\n") if n]
    for name in names:
        new = root / _NEW / name
        if new.exists() or new.is_symlink():
            try:
                _move_in(new, target / name, root / _OLD / name)
            except OSError:
                pass


try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]
