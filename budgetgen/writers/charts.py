"""Charts as pictures: SVG for HTML and PDF (vector), PNG for DOCX. Geometry is shared; figures come from compose."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from io import BytesIO

from .. import fmt
from ..document import Chart

WIDTH, ROW, LABEL, VALUE, PAD = 640, 30, 200, 90, 10
BAR_COLOURS = ["#9c2f2f", "#b85c38", "#c98b3a", "#7a8b3a", "#3a7a8b", "#4a5d9c", "#7a4a9c", "#8b8b8b"]


@dataclass
class Bar:
    label: str
    value: str
    x: int
    y: int
    width: int
    colour: str


def layout(chart: Chart) -> tuple[int, list[Bar]]:
    """Bars proportional to the largest amount; the height grows with the number of items."""
    top = max((amount for _, amount in chart.items), default=Decimal(0))
    span = WIDTH - LABEL - VALUE - 2 * PAD
    bars = []
    for i, (label, amount) in enumerate(chart.items):
        width = int(span * amount / top) if top else 0
        bars.append(Bar(label, fmt.money(amount), LABEL + PAD, PAD + i * ROW, max(width, 1),
                        BAR_COLOURS[i % len(BAR_COLOURS)]))
    return PAD * 2 + ROW * len(bars), bars


def svg(chart: Chart) -> str:
    from markupsafe import escape

    height, bars = layout(chart)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(chart.title)}">']
    for b in bars:
        mid = b.y + ROW // 2
        parts.append(f'<text x="{LABEL}" y="{mid + 5}" text-anchor="end" font-size="13">{escape(b.label)}</text>')
        parts.append(f'<rect x="{b.x}" y="{b.y + 6}" width="{b.width}" height="{ROW - 12}" fill="{b.colour}"/>')
        parts.append(f'<text x="{b.x + b.width + 6}" y="{mid + 5}" font-size="13">{b.value}</text>')
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=1)
def _cjk_font() -> tuple[str, int] | None:
    """A font file and face index with Chinese glyphs for the PNG labels: Simplified Chinese, sans, regular first.

    (fc-match :lang=zh may answer with a Latin font when it ranks others higher; a .ttc holds several faces.)
    """
    if shutil.which("fc-list") is None:
        return None
    result = subprocess.run(["fc-list", "-f", "%{file}\t%{index}\t%{family}\t%{style}\n", ":lang=zh"],
                            capture_output=True, text=True, timeout=30)
    faces = [line.split("\t") for line in result.stdout.splitlines() if line.count("\t") == 3]

    def preference(face: list[str]) -> tuple:
        path, _, family, style = face
        simplified = "SC" in family or "Sim" in family or "GB" in family
        sans = "Sans" in family or "Hei" in family
        return (not simplified, "Mono" in family, not sans, "Regular" not in style, path)

    if not faces:
        return None
    path, index, _, _ = sorted(faces, key=preference)[0]
    return path, int(index.split(",")[0] or 0)


def png(chart: Chart, scale: int = 2) -> bytes:
    """The same chart as a PNG (python-docx embeds raster images only)."""
    from PIL import Image, ImageDraw, ImageFont  # Pillow comes with WeasyPrint

    height, bars = layout(chart)
    image = Image.new("RGB", (WIDTH * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    face = _cjk_font()
    font = ImageFont.truetype(face[0], 13 * scale, index=face[1]) if face else ImageFont.load_default()
    for b in bars:
        mid = (b.y + ROW // 2) * scale
        draw.text((LABEL * scale, mid), b.label, fill="black", font=font, anchor="rm")
        draw.rectangle([b.x * scale, (b.y + 6) * scale, (b.x + b.width) * scale, (b.y + ROW - 6) * scale],
                       fill=b.colour)
        draw.text(((b.x + b.width + 6) * scale, mid), b.value, fill="black", font=font, anchor="lm")
    out = BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
