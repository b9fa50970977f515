"""Charts in the notes: vector SVG in HTML (so PDF stays vector), PNG for DOCX, drawn from computed figures."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO

from budgetgen.writers import charts
from budgetgen.document import Chart
from budgetgen.writers.html import render_html


class SvgTexts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.charts: dict[str, list[str]] = {}
        self.current = None
        self.in_text = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and "chart-block" in attrs.get("class", ""):
            self.current = attrs["id"]
            self.charts[self.current] = []
        self.in_text = tag == "text"

    def handle_endtag(self, tag):
        if tag == "figure":
            self.current = None
        self.in_text = False

    def handle_data(self, data):
        if self.current and self.in_text:
            self.charts[self.current].append(data)


def test_spending_chart_shows_every_class_with_its_table_figure(disclosure):
    parser = SvgTexts()
    parser.feed(render_html(disclosure("julu-2023")))
    texts = parser.charts["d201-chart-spending"]
    pairs = dict(zip(texts[0::2], texts[1::2]))
    # the same figures as 收支总表 (T1) of the seed
    assert pairs == {"一般公共服务支出": "1674.65", "社会保障和就业支出": "74.29", "住房保障支出": "50.50",
                     "卫生健康支出": "38.00", "公共安全支出": "4.00"}
    assert "d201-chart-income" not in parser.charts  # one source only: no chart


def test_bars_are_proportional_and_png_draws_the_same_chart():
    chart = Chart("c", "测试", [("甲", Decimal("100.00")), ("乙", Decimal("25.00"))])
    height, bars = charts.layout(chart)
    assert abs(bars[1].width * 4 - bars[0].width) <= 4 and height == 2 * charts.PAD + 2 * charts.ROW
    svg = charts.svg(chart)
    assert svg.count("<rect") == 2 and ">甲<" in svg
    from PIL import Image

    image = Image.open(BytesIO(charts.png(chart)))
    assert image.size == (charts.WIDTH * 2, height * 2)
    # the first bar's colour is painted where layout says the bar is
    x, y = (bars[0].x + bars[0].width // 2) * 2, (bars[0].y + charts.ROW // 2) * 2
    assert image.getpixel((x, y)) == tuple(int(charts.BAR_COLOURS[0][i:i + 2], 16) for i in (1, 3, 5))


def test_labels_are_escaped():
    svg = charts.svg(Chart("c", "<b>", [("<script>", Decimal(1)), ("x&y", Decimal(2))]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and re.search(r"x&amp;y", svg)
