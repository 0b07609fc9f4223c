"""Server-drawn SVG charts: no chart library to download on a slow phone."""

from __future__ import annotations

import html

from geo.charts import KURVA_LABELS, kurva_s_svg, kurva_s_title
from geo.formats import percent


def kurva_s_chart(curve, lang: str, name: object | None = None) -> str:
    """The Kurva S of a page, inline SVG drawn by :mod:`geo.charts` (the same figure as the PDF's)."""
    return kurva_s_svg(curve, title=kurva_s_title(lang, name), labels=KURVA_LABELS[lang], lang=lang)


def compare_bars(
    rows: list[tuple[str, float | None, float | None]], labels: tuple[str, str], hidden: str, *, lang: str = "id"
) -> str:
    """Horizontal bars of shares (0-1): this RT against the whole kelurahan, one pair per row.

    The label sits above its bars and the text is sized for a phone: the chart is drawn 400 units
    wide, so on a 360 px screen 15 units are still 13 px."""
    width, bar_w, row_h = 400, 300, 58
    height = row_h * len(rows) + 30
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(labels[0])} / {html.escape(labels[1])}">',
        f'<rect x="0" y="6" width="12" height="12" fill="#b2182b"/>'
        f'<text x="16" y="17" font-size="14">{html.escape(labels[0])}</text>'
        f'<rect x="170" y="6" width="12" height="12" fill="#757575"/>'
        f'<text x="186" y="17" font-size="14">{html.escape(labels[1])}</text>',
    ]
    for i, (label, rt_value, kel_value) in enumerate(rows):
        y = 30 + i * row_h
        parts.append(f'<text x="0" y="{y + 14}" font-size="15">{html.escape(label)}</text>')
        for j, (value, color) in enumerate(((rt_value, "#b2182b"), (kel_value, "#757575"))):
            yy = y + 20 + j * 16
            if value is None:
                parts.append(f'<text x="0" y="{yy + 12}" font-size="13" fill="#555">{html.escape(hidden)}</text>')
                continue
            w = max(1.0, bar_w * min(float(value), 1.0))
            text = percent(value, lang)
            parts.append(
                f'<rect x="0" y="{yy}" width="{w:.1f}" height="13" fill="{color}"/>'
                f'<text x="{w + 4:.1f}" y="{yy + 12}" font-size="13">{text}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
