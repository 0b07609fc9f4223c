"""The Kurva S, drawn once: one matplotlib figure from :func:`geo.progress.kurva_s`'s series,
saved as SVG for the web pages (text kept as text, with a title and a description for screen
readers) and as PNG for the PDF report and the download.

The figure is built on a bare :class:`matplotlib.figure.Figure` (no pyplot state), so charts
drawn at the same time in the web server's threads never share a figure."""

from __future__ import annotations

import html
import io
import math
import re
from dataclasses import dataclass

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.dates import AutoDateLocator, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from geo.formats import date as long_date
from geo.formats import month, percent
from geo.i18n import LangTable, t

__all__ = [
    "KURVA_LABELS",
    "PAGE",
    "PRINT",
    "ChartSize",
    "kurva_s_figure",
    "kurva_s_png",
    "kurva_s_svg",
    "kurva_s_title",
]

# SVG text as <text> (readable, searchable, small) and stable ids.  Set once here rather than in
# an rc_context per chart: rcParams are process-wide, and the web server draws charts in threads.
mpl.rcParams["svg.fonttype"] = "none"
mpl.rcParams["svg.hashsalt"] = "petakampung"

KURVA_LABELS = LangTable("kurva.")

# column, colour, line style, width: the plan grey and dashed, the physical progress solid green,
# the funds dotted blue (told apart without colour too)
SERIES = (
    ("planned_pct", "#757575", "--", 1.6, "planned"),
    ("fisik_pct", "#1a9641", "-", 2.4, "fisik"),
    ("keuangan_pct", "#2c7bb6", ":", 2.2, "keuangan"),
)


@dataclass(frozen=True)
class ChartSize:
    """Figure size in inches and its text size in points."""

    width_in: float
    height_in: float
    font_pt: float
    dpi: int = 120


# a page chart is 360 pt wide: on a 360 px phone its 11 pt text stays about 11 px
PAGE = ChartSize(5.0, 3.3, 11)
# the PDF's chart: 16 x 7.3 cm on A4, as before
PRINT = ChartSize(7.0, 3.2, 8)


def kurva_s_title(lang: str, name: object | None = None) -> str:
    """``Kurva S: Kaliawi``: the chart's title on the page, in the download and in the PDF."""
    title = KURVA_LABELS[lang]["title"]
    return f"{title}: {name}" if name else title


def _values(curve: pd.DataFrame, col: str) -> list[float]:
    return [float(v) if v is not None else math.nan for v in curve[col]]


def kurva_s_figure(
    curve: pd.DataFrame, *, title: str, labels: dict[str, str], lang: str = "id", size: ChartSize = PRINT
) -> Figure:
    """Planned, physical and financial cumulative % against time; each line's SVG id is
    ``kurva-<column>`` (``kurva-fisik_pct``)."""
    fig = Figure(figsize=(size.width_in, size.height_in), dpi=size.dpi)
    ax = fig.add_subplot()
    days = [date2num(pd.Timestamp(d)) for d in curve["date"]]
    for col, color, style, width, label in SERIES:
        (line,) = ax.plot(days, _values(curve, col), color=color, linestyle=style, linewidth=width)
        line.set_label(labels[label])
        line.set_gid(f"kurva-{col}")
    ax.set_ylim(0, 105)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("%", fontsize=size.font_pt)
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _month(x, lang)))
    ax.tick_params(labelsize=size.font_pt - 1)
    ax.set_title(title.replace("$", r"\$"), fontsize=size.font_pt + 1)  # plain text: '$' is not mathtext
    ax.grid(alpha=0.3)
    ax.legend(fontsize=size.font_pt - 1, loc="upper left", framealpha=0.9)
    fig.tight_layout()
    return fig


def _month(x: float, lang: str) -> str:
    return month(mpl.dates.num2date(x), lang, short=True)


def kurva_s_png(curve: pd.DataFrame, *, title: str, labels: dict[str, str], lang: str = "id") -> bytes:
    """The print chart as PNG (the PDF report, the ``kurva-s.png`` download)."""
    fig = kurva_s_figure(curve, title=title, labels=labels, lang=lang, size=PRINT)
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf, metadata={"Software": None})
    return buf.getvalue()


def kurva_s_svg(curve: pd.DataFrame | None, *, title: str, labels: dict[str, str], lang: str = "id") -> str:
    """The page chart as inline SVG: ``role="img"`` with a ``<title>`` and a ``<desc>`` saying the
    latest planned and actual %; empty for a package without a schedule."""
    if curve is None or len(curve) == 0:
        return ""
    fig = kurva_s_figure(curve, title=title, labels=labels, lang=lang, size=PAGE)
    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    head = re.match(r"<svg[^>]*>", svg)
    assert head is not None
    view_box = re.search(r'viewBox="([^"]+)"', head.group(0))
    box = view_box.group(1) if view_box else ""
    opening = (
        f'<svg class="chart kurva-s" xmlns="http://www.w3.org/2000/svg" viewBox="{box}"'
        ' role="img" aria-labelledby="kurva-s-title kurva-s-desc">'
        f'<title id="kurva-s-title">{html.escape(title)}</title>'
        f'<desc id="kurva-s-desc">{html.escape(_describe(curve, labels, lang))}</desc>'
    )
    return opening + svg[head.end() :]


def _describe(curve: pd.DataFrame, labels: dict[str, str], lang: str) -> str:
    """The chart in one sentence: its span and the latest measured point."""
    first, last = long_date(curve["date"].iloc[0], lang), long_date(curve["date"].iloc[-1], lang)
    span = f"{first} - {last}"
    done = curve.dropna(subset=["fisik_pct"])
    if done.empty:
        return span
    row = done.iloc[-1]
    parts = [f"{labels[label]} {percent(float(row[col]) / 100, lang)}" for col, *_, label in SERIES]
    return f"{span}; {t('kurva.as_of', lang)} {long_date(row['date'], lang)}: " + ", ".join(parts)
