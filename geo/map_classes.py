"""What the kelurahan map's colours mean: the RT indicators, their Fisher-Jenks classes, the works'
colour modes, and the legend rows of each.  Pure functions of values and a language."""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from geo.formats import number, percent, rupiah
from geo.i18n import t
from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS

__all__ = [
    "DEVIATION_COLORS",
    "FISIK_COLORS",
    "INDICATORS",
    "SUPPRESSED_COLOR",
    "WORK_COLOR_MODES",
    "Classes",
    "Indicator",
    "classify",
    "deviation_color",
    "fisik_color",
    "indicator_label",
    "label",
    "value_text",
    "work_legend_html",
    "work_legend_rows",
]

SUPPRESSED_COLOR = "#bdbdbd"


class Indicator(NamedTuple):
    """How an RT indicator is shown: ``kind`` ("share" or "idr") and a ColorBrewer palette, low to high.
    Its name is ``indicator.<key>`` in the catalogue (:func:`indicator_label`)."""

    kind: str
    palette: list[str]


INDICATORS: dict[str, Indicator] = {
    "poor_share": Indicator("share", ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]),
    "share_unsafe_water": Indicator("share", ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]),
    "share_no_own_toilet": Indicator("share", ["#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"]),
    "garden_share": Indicator("share", ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"]),
    "works_budget_idr": Indicator("idr", ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"]),
}

WORK_COLOR_MODES = ("status", "fisik", "deviation")
FISIK_COLORS = [(25, "#d7191c"), (50, "#fdae61"), (75, "#a6d96a"), (100.01, "#1a9641")]
DEVIATION_COLORS = {"ahead": "#1a9641", "slightly": "#fdae61", "late": "#d7191c", "none": "#999999"}


def label(key: str, lang: str) -> str:
    """A word of the map (``map.<key>`` in the catalogue): layer names, popup fields, buttons."""
    return t(f"map.{key}", lang)


def indicator_label(key: str, lang: str) -> str:
    return t(f"indicator.{key}", lang)


def value_text(kind: str, value: float, lang: str = "id") -> str:
    """An indicator's value as its legend and popup write it (a share, rupiah or a count)."""
    if kind == "share":
        return percent(value, lang)
    if kind == "idr":
        return rupiah(value, lang)
    return number(value, lang)


@dataclass
class Classes:
    """Fisher-Jenks classes of one indicator: upper bounds and a colour for each."""

    key: str
    bounds: list[float]
    colors: list[str]
    low: float = 0.0  # the smallest published value: the first class starts there

    def color(self, value: object) -> str:
        if value is None or pd.isna(value):
            return SUPPRESSED_COLOR
        for bound, color in zip(self.bounds, self.colors, strict=True):
            if float(value) <= bound + 1e-12:
                return color
        return self.colors[-1]

    def legend_rows(self, lang: str) -> list[tuple[str, str]]:
        """One row per class, "low – high"; a class of one value shows that value alone (every RT
        with Rp 0 reads "Rp 0 (semua RT)", never "Rp 0 – Rp 0")."""
        kind = INDICATORS[self.key].kind
        if len(self.bounds) == 1 and abs(self.bounds[0] - self.low) < 1e-12:
            return [(self.colors[0], f"{value_text(kind, self.low, lang)} ({label('every_rt', lang)})")]
        rows, low = [], self.low
        for i, (bound, color) in enumerate(zip(self.bounds, self.colors, strict=True)):
            if abs(bound - low) < 1e-12 or value_text(kind, low, lang) == value_text(kind, bound, lang):
                rows.append((color, value_text(kind, bound, lang)))
            else:
                above = ("> " if i else "") + value_text(kind, low, lang)
                rows.append((color, f"{above} – {value_text(kind, bound, lang)}"))
            low = bound
        return rows


def classify(key: str, values: pd.Series, k: int = 5) -> Classes:
    """Natural breaks (Fisher-Jenks) over the published values; one class when they are all equal."""
    palette = INDICATORS[key].palette
    vals = values.dropna().astype(float).to_numpy()
    unique = np.unique(vals)
    if len(unique) <= 1:
        top = float(unique[0]) if len(unique) else 0.0
        return Classes(key, [top], [palette[2]], low=top)
    n = min(k, len(unique))
    with warnings.catch_warnings():  # "Numba not installed": the pure-Python path is fast enough here
        warnings.simplefilter("ignore")
        import mapclassify  # imports scikit-learn and scipy.stats: 4 s and 40 MB, only when a map is classified

        bins = [float(b) for b in mapclassify.FisherJenks(vals, k=n).bins]
    colors = [palette[round(i * (len(palette) - 1) / max(n - 1, 1))] for i in range(n)]
    return Classes(key, bins, colors, low=float(unique[0]))


def fisik_color(value: object) -> str:
    if value is None or pd.isna(value):
        return DEVIATION_COLORS["none"]
    return next(c for bound, c in FISIK_COLORS if float(value) < bound)


def deviation_color(deviation: float | None, status: str) -> str:
    if deviation is None or status == "batal":
        return DEVIATION_COLORS["none"]
    return DEVIATION_COLORS["ahead" if deviation >= 0 else "slightly" if deviation >= -10 else "late"]


def work_legend_rows(key: str, lang: str) -> list[tuple[str, str]]:
    """What each colour of the works means in colour mode ``key`` (status, fisik, deviation)."""
    none = label("no_data", lang)
    if key == "fisik":  # fisik_color: below 25 red, 25 up to below 50 orange, ...
        (b1, c1), (b2, c2), (b3, c3), (_, c4) = FISIK_COLORS
        p1, p2, p3 = (percent(b / 100, lang, 0) for b in (b1, b2, b3))
        rows = [(c1, f"< {p1}"), (c2, f"{p1} – < {p2}"), (c3, f"{p2} – < {p3}"), (c4, f"≥ {p3}")]
        return [*rows, (DEVIATION_COLORS["none"], none)]
    if key == "deviation":
        return [(DEVIATION_COLORS[k], label(f"deviation_{k}", lang)) for k in ("ahead", "slightly", "late", "none")]
    return [(c, STATUS_LABELS[s][lang]) for s, c in STATUS_COLORS.items()]


def work_legend_html(key: str, lang: str) -> str:
    head = f"<b>{html.escape(label('works', lang))}: {html.escape(label(f'color_{key}', lang))}</b>"
    rows = [f'<i style="background:{c}"></i>{html.escape(text)}' for c, text in work_legend_rows(key, lang)]
    return "<br>".join([head, *rows])
