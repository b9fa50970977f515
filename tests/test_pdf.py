"""PDF output: every title and figure extractable, CJK fonts embedded, bookmarks, landscape pages, metadata."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from budgetgen.cli import main
from render_util import SAMPLES

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="需要 poppler-utils（pdftotext、pdffonts）")

TINY = """\
budget_year: 2023
department: {code: "301", name: 测试局, duties: [负责测试工作。]}
units:
  - code: "301001"
    name: 测试局本级
    nature: 行政
    basic:
      - {function: "2013101", economic: "30101", amount: 10.00}
      - {function: "2013101", economic: "30201", amount: 2.50}
projects:
  - {name: 测试项目, function: "2013105", economic: "30299", amount: 5.00,
     goals: [完成测试], indicators: [{level1: 产出指标, level2: 数量指标, name: 次数, value: ≥1次}]}
"""


def pdftotext(path: Path, first: int | None = None, last: int | None = None, layout: bool = True) -> str:
    args = ["pdftotext"] + (["-layout"] if layout else []) + (["-f", str(first), "-l", str(last)] if first else [])
    args += [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def julu_pdf(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("pdf")
    assert main(["render", str(SAMPLES / "julu-2023"), "--format", "pdf,json", "--out", str(out)]) == 0
    import json

    return out / "julu-2023.pdf", json.loads((out / "julu-2023.json").read_text(encoding="utf-8"))


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_title_and_figure_is_in_the_text(julu_pdf):
    pdf, data = julu_pdf
    text = squash(pdftotext(pdf))
    for table in data["tables"]:
        assert squash(table["title"]) in text, table["title"]
        for row in table["rows"]:
            for cell in row:
                if re.fullmatch(r"\d+\.\d\d", cell) and Decimal(cell):
                    assert cell in text, (table["id"], cell)


def test_chinese_extracts_as_chinese_not_kangxi_radicals(julu_pdf):
    text = pdftotext(julu_pdf[0])
    assert "一般公共服务支出" in text and "部门预算" in text
    assert not [c for c in text if "\u2e80" <= c <= "\u2fdf"]


def test_fonts_are_embedded_subset_cjk(julu_pdf):
    out = subprocess.run(["pdffonts", str(julu_pdf[0])], capture_output=True, text=True, check=True).stdout
    fonts = out.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # emb column
    assert any("CJK" in line or "Song" in line or "Hei" in line for line in fonts)
    assert all(re.match(r"[A-Z]{6}\+", line) for line in fonts)  # subset prefix


def test_bookmarks_cover_parts_sections_and_tables(julu_pdf):
    reader = PdfReader(str(julu_pdf[0]))

    def titles(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from titles(item, depth + 1)
            else:
                yield depth, item.title

    marks = list(titles(reader.outline))
    names = [t for _, t in marks]
    assert (0, "第一部分 部门预算") in marks and (0, "第二部分 部门所属单位预算") in marks
    for title in ["部门预算收支总表", "部门预算财政拨款“三公”经费支出表", "单位预算收入总表", "九、其他需要说明的事项"]:
        assert title in names, title
    assert sum(t.endswith("绩效目标表") for t in names) == 74  # 37 in each part


def test_landscape_exactly_where_the_wide_tables_are(julu_pdf):
    pdf = julu_pdf[0]
    reader = PdfReader(str(pdf))
    landscape, wide = set(), set()
    for i, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        if box.width > box.height:
            landscape.add(i)
        text = squash(pdftotext(pdf, i, i, layout=False))
        if "附属单位上缴收入" in text and "上年结转" in text or "采购物品名称" in text:
            wide.add(i)  # a page of 收入总表 or of the 政府采购 table
    assert landscape and landscape == wide
    assert len(reader.pages) > 40


def test_metadata_and_toc_page_numbers(julu_pdf):
    pdf = julu_pdf[0]
    reader = PdfReader(str(pdf))
    assert reader.metadata.title == "中共巨鹿县委办公室2023年部门预算"
    assert reader.metadata.author == "中共巨鹿县委办公室"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    toc = pdftotext(pdf, 2, 3)
    numbers = [int(n) for n in re.findall(r"部门预算收入总表\s*\.*\s*(\d+)", toc)]
    assert numbers, toc[:500]
    # the page the 目录 names really holds that table's title
    assert "部门预算收入总表" in pdftotext(pdf, numbers[0], numbers[0])


def test_same_input_same_bytes_and_variants(tiny, tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out in (a, b):
        assert main(["render", str(tiny), "--format", "pdf", "--out", str(out)]) == 0
    assert (a / "tiny.pdf").read_bytes() == (b / "tiny.pdf").read_bytes()
    assert main(["render", str(tiny), "--format", "pdf", "--pdf-variant", "pdf/a-3b", "--out", str(c)]) == 0
    xmp = PdfReader(str(c / "tiny.pdf")).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part(>|=.)3", xmp) and re.search(rb"pdfaid:conformance(>|=.)B", xmp)


def test_no_chinese_font_is_a_clear_message(tiny, tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text("<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig></fontconfig>")
    out = tmp_path / "out"
    env = {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    import os
    import sys

    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    result = subprocess.run([sys.executable, "-m", "budgetgen", "render", str(tiny), "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "没有中文字体" in result.stderr and "fonts-noto-cjk" in result.stderr
    assert not out.exists() or not any(out.iterdir())
