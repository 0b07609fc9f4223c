"""Small server-drawn SVG charts: no chart library to download on a slow phone."""

from __future__ import annotations

import html

from geo.formats import date, percent

KURVA_LABELS = {
    "id": {"title": "Kurva S", "planned": "Rencana", "fisik": "Realisasi fisik", "keuangan": "Keuangan"},
    "en": {"title": "S-curve", "planned": "Planned", "fisik": "Physical progress", "keuangan": "Financial"},
}


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


def kurva_s_svg(curve, labels: dict[str, str], *, lang: str = "id") -> str:
    """Planned, physical and financial cumulative % against time, as a small SVG line chart
    (first and last dates written as the reader's language writes them)."""
    import math

    if curve is None or len(curve) == 0:
        return ""
    # drawn 480 units wide: on a 360 px phone the 14-unit labels are still 10.5 px
    width, height, left, bottom, top = 480, 250, 36, 28, 52
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
            f'<text x="{left - 4}" y="{y + 5:.1f}" font-size="13" text-anchor="end">{pct}</text>'
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
        lx, ly = (0, 14) if k < 2 else (0, 34)  # two legend lines: long labels never overlap
        lx = 0 if k != 1 else 210
        parts.append(
            f'<rect x="{lx}" y="{ly - 8}" width="14" height="5" fill="{color}"/>'
            f'<text x="{lx + 18}" y="{ly}" font-size="14">{html.escape(label)}</text>'
        )
    first, last = (html.escape(date(curve["date"].iloc[i], lang)) for i in (0, -1))
    parts.append(
        f'<text x="{left}" y="{height - 6}" font-size="13">{first}</text>'
        f'<text x="{width - 10}" y="{height - 6}" font-size="13" text-anchor="end">{last}</text></svg>'
    )
    return "".join(parts)
