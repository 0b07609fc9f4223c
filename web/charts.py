"""Small server-drawn SVG charts: no chart library to download on a slow phone."""

from __future__ import annotations

import html


def compare_bars(rows: list[tuple[str, float | None, float | None]], labels: tuple[str, str], hidden: str) -> str:
    """Horizontal bars of shares (0-1): this RT against the whole kelurahan, one pair per row."""
    width, label_w, bar_w, row_h = 560, 210, 300, 34
    height = row_h * len(rows) + 30
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(labels[0])} / {html.escape(labels[1])}">',
        f'<rect x="{label_w}" y="4" width="10" height="10" fill="#b2182b"/>'
        f'<text x="{label_w + 14}" y="13" font-size="11">{html.escape(labels[0])}</text>'
        f'<rect x="{label_w + 150}" y="4" width="10" height="10" fill="#9e9e9e"/>'
        f'<text x="{label_w + 164}" y="13" font-size="11">{html.escape(labels[1])}</text>',
    ]
    for i, (label, rt_value, kel_value) in enumerate(rows):
        y = 24 + i * row_h
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label)}</text>')
        for j, (value, color) in enumerate(((rt_value, "#b2182b"), (kel_value, "#9e9e9e"))):
            yy = y + j * 13
            if value is None:
                parts.append(
                    f'<text x="{label_w}" y="{yy + 10}" font-size="10" fill="#666">{html.escape(hidden)}</text>'
                )
                continue
            w = max(1.0, bar_w * min(float(value), 1.0))
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="11" fill="{color}"/>'
                f'<text x="{label_w + w + 4:.1f}" y="{yy + 10}" font-size="10">{100 * value:.1f} %</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
