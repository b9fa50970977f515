"""Writers: Disclosure → files. One module per format, one signature, chosen by name; heavy imports stay inside."""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
from datetime import datetime, timezone
import re
import tempfile
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

from .. import __version__

# name -> (module, what it writes); the order is the order `render` writes them in.
WRITERS: dict[str, tuple[str, str]] = {
    "html": ("budgetgen.writers.html", "HTML 预览（单个文件，可离线打开）"),
    "json": ("budgetgen.writers.data", "JSON（全部表格）"),
    "csv": ("budgetgen.writers.data", "CSV（每表一个文件，Excel 可直接打开）"),
    "docx": ("budgetgen.writers.docx", "Word 文档（Word、WPS 可直接编辑）"),
    "pdf": ("budgetgen.writers.pdf", "PDF（A4，可打印、可归档）"),
    "xlsx": ("budgetgen.writers.xlsx", "Excel 工作簿（九张公开表，每表一个工作表）"),
}


def document_timestamp(doc) -> datetime:
    """Fixed document dates: SOURCE_DATE_EPOCH when set (reproducible builds), else 1 January of the budget year.

    DOCX and XLSX carry dates; fixed ones make the same input give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).replace(tzinfo=None)
    return datetime(doc.year, 1, 1)


def core_properties(doc, subject: str) -> dict[str, object]:
    """The core properties DOCX and XLSX share, by python-docx's names, in the order they are set."""
    stamp = document_timestamp(doc)
    return {"title": doc.title, "subject": subject, "author": doc.department_name,
            "last_modified_by": doc.department_name, "keywords": f"{doc.kind}; 预算公开; {doc.year}",
            "comments": f"budgetgen {__version__}", "category": f"{doc.kind}公开", "language": "zh-CN",
            "created": stamp, "modified": stamp}


ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip member can carry


def fixed_zip(members: Iterable[tuple[str, bytes]], when: tuple[int, ...] = ZIP_DATE) -> bytes:
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


def output_stem(name: str) -> str:
    """A file name made from the department's folder name that cannot leave --out (no separators, no dots first)."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).lstrip(". ")
    return cleaned or "disclosure"


def available() -> list[str]:
    """The formats whose writer module is present (a writer joins the list by existing)."""
    return [name for name, (module, _) in WRITERS.items() if importlib.util.find_spec(module) is not None]


def get(name: str) -> Callable:
    module = importlib.import_module(WRITERS[name][0])
    return getattr(module, f"write_{name}")


@contextmanager
def atomic(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path` and move it into place only when complete.

    On any failure the temporary file is removed and an earlier `path` stays as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def publish_dir(path: Path) -> None:
    """mkdtemp makes 0700; an output folder is an ordinary folder."""
    os.chmod(path, 0o777 & ~_umask())
