"""Shared fixtures: each sample is rendered once per test session, in-process, to JSON and HTML, and prepared (its
Disclosure built) once per session. Two rules for every test: one that needs a seed of ../shared/seeds asks for it
with require_seed (skipped where the seeds are missing, a failure under CI), and one that lays out a PDF carries the
pdf marker (make test-fast leaves those out)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from budgetgen.cli import main
from budgetgen.document import Disclosure
from budgetgen.pipeline import prepare
from render_util import SAMPLE_NAMES, SAMPLES

# The checks of tests/identities.py (imported by test modules, after this) fail with pytest's detailed messages
pytest.register_assert_rewrite("identities")


@dataclass
class Rendered:
    """One sample as budgetgen writes it: the data JSON (parsed) and the HTML text."""

    name: str
    data: dict
    html: str

    @property
    def tables(self) -> dict[str, dict]:
        """The JSON tables by id (d201-t1, u201001-perf-03 …)."""
        return {t["id"]: t for t in self.data["tables"]}


def render(name: str, out: Path) -> Rendered:
    code = main(["render", str(SAMPLES / name), "--format", "json,html", "--out", str(out)])
    assert code == 0, f"budgetgen render {name} exited with {code}"
    data = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    return Rendered(name, data, (out / f"{name}.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def julu(tmp_path_factory) -> Rendered:
    return render("julu-2023", tmp_path_factory.mktemp("julu"))


@pytest.fixture(scope="session")
def wei(tmp_path_factory) -> Rendered:
    return render("wei-2021", tmp_path_factory.mktemp("wei"))


@pytest.fixture(scope="session")
def disclosure():
    """disclosure(name): the Disclosure of samples/<name>, prepared once per session and shared by every test that
    asks — read it, or derive another with dataclasses.replace; never change it."""
    cache: dict[str, Disclosure] = {}

    def get(name: str) -> Disclosure:
        if name not in cache:
            cache[name] = prepare(SAMPLES / name)[0]
        return cache[name]

    return get


@pytest.fixture(scope="session")
def render_samples(tmp_path_factory, disclosure):
    """render_samples(fmt): every sample rendered through the command line to fmt and json in a new folder; for each
    name, {"path": the fmt file, "json": the parsed JSON, "doc": its Disclosure}."""

    def render_all(fmt: str) -> dict[str, dict]:
        out = tmp_path_factory.mktemp(fmt)
        result = {}
        for name in SAMPLE_NAMES:
            assert main(["render", str(SAMPLES / name), "--format", f"{fmt},json", "--out", str(out)]) == 0
            result[name] = {"path": out / f"{name}.{fmt}", "doc": disclosure(name),
                            "json": json.loads((out / f"{name}.json").read_text(encoding="utf-8"))}
        return result

    return render_all


# --- seeds --------------------------------------------------------------------------------------------------------

def seeds_required() -> bool:
    """Whether a missing seed fails rather than skips: BUDGETGEN_REQUIRE_SEEDS when set, else CI (set by .ci/run and by
    most CI services). Locally a clone without ../shared/seeds skips those tests; CI must never silently stop
    comparing with the published originals."""
    flag = os.environ.get("BUDGETGEN_REQUIRE_SEEDS")
    if flag is None:
        flag = os.environ.get("CI", "")
    return flag.strip().lower() not in ("", "0", "false", "no")


def need_seed(path: Path) -> Path:
    """path, a file of ../shared/seeds (render_util.SEEDS), when it exists; else the test is skipped, or fails
    under CI (seeds_required)."""
    if path.exists():
        return path
    message = f"seed not found: {path} (the published originals, ../shared/seeds; BUDGETGEN_SEEDS points elsewhere)"
    if seeds_required():
        pytest.fail(f"{message}; required under CI (CI or BUDGETGEN_REQUIRE_SEEDS set)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def require_seed():
    """require_seed(path): the one way a test asks for a seed (see need_seed)."""
    return need_seed


# --- markers ------------------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _pdf_marker_is_kept(request, monkeypatch, tmp_path_factory):
    """A test that lays out a PDF with WeasyPrint must carry the pdf marker, so that `make test-fast` really leaves
    out the PDF renders: an unmarked test that renders one fails. Seen in this process and in processes it forks
    (the PDF engine, the two-process split), through a file; not in a new interpreter (subprocess `python -m
    budgetgen`) nor in session fixtures: mark those tests by hand."""
    if request.node.get_closest_marker("pdf") is not None:
        yield
        return
    from weasyprint import HTML

    seen = tmp_path_factory.getbasetemp() / f"pdf-render-{os.getpid()}-{id(request.node)}"
    original = HTML.render

    def render(self, *args, **kwargs):
        with open(seen, "a") as note:
            note.write(f"{os.getpid()}\n")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "render", render)
    yield
    if seen.exists():
        seen.unlink()
        pytest.fail(f"{request.node.nodeid} lays out a PDF but is not marked: add @pytest.mark.pdf", pytrace=False)
