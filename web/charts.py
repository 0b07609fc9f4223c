"""Small server-drawn SVG charts: no chart library to download on a slow phone."""

from __future__ import annotations

import html

KURVA_LABELS = {
    "id": {"title": "Kurva S", "planned": "Rencana", "fisik": "Realisasi fisik", "keuangan": "Keuangan"},
    "en": {"title": "S-curve", "planned": "Planned", "fisik": "Physical progress", "keuangan": "Financial"},
}


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


def kurva_s_svg(curve, labels: dict[str, str]) -> str:
    """Planned, physical and financial cumulative % against time, as a small SVG line chart."""
    import math

    if curve is None or len(curve) == 0:
        return ""
    width, height, left, bottom, top = 640, 260, 40, 30, 28
    plot_w, plot_h = width - left - 10, height - bottom - top
    n = len(curve)

    def xy(i: int, v: float) -> str:
        x = left + plot_w * (i / max(n - 1, 1))
        y = top + plot_h * (1 - v / 100)
        return f"{x:.1f},{y:.1f}"

    title = html.escape(labels["title"])
    parts = [f'<svg class="chart kurva-s" viewBox="0 0 {width} {height}" role="img" aria-label="{title}">']
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{pct}</text>'
        )
    series = (
        ("planned_pct", "#9e9e9e", "6 4", labels["planned"]),
        ("fisik_pct", "#1a9641", "", labels["fisik"]),
        ("keuangan_pct", "#2c7bb6", "2 3", labels["keuangan"]),
    )
    for k, (col, color, dash, label) in enumerate(series):
        pts = [
            xy(i, float(v))
            for i, v in enumerate(curve[col])
            if v is not None and not (isinstance(v, float) and math.isnan(v))
        ]
        if pts:
            parts.append(
                f'<polyline class="s-{col}" fill="none" stroke="{color}" stroke-width="2.5" '
                f'stroke-dasharray="{dash}" points="{" ".join(pts)}"/>'
            )
        parts.append(
            f'<rect x="{left + 150 * k}" y="6" width="12" height="4" fill="{color}"/>'
            f'<text x="{left + 150 * k + 16}" y="12" font-size="11">{html.escape(label)}</text>'
        )
    first, last = str(curve["date"].iloc[0]), str(curve["date"].iloc[-1])
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="10">{first}</text>'
        f'<text x="{width - 10}" y="{height - 8}" font-size="10" text-anchor="end">{last}</text></svg>'
    )
    return "".join(parts)
