"""Indicator tables as people read them: a terminal table or a CSV."""

from __future__ import annotations

import io

import pandas as pd

from geo.export import formula_safe
from geo.formats import is_missing, number
from geo.i18n import LabelTable, t
from geo.indicators import PUBLIC_CSV_COLUMNS

TABLE_COLUMNS = LabelTable(
    "report_column.",
    (
        "rt_label",
        "kk_total",
        "kk_poor",
        "poor_share",
        "road_m",
        "drainage_m",
        "wells",
        "works_budget_idr",
        "garden_m2",
        "garden_share",
    ),
)


def _cell(col: str, value: object, lang: str) -> str:
    """A number as the reader writes it ("45,0" / "45.0"); '*' where it was suppressed."""
    if is_missing(value):
        return "*"
    if col.endswith("_share"):
        return number(100 * float(value), lang, 1)  # the header says "%"
    if col == "works_budget_idr":
        return number(value, lang)  # the header says "(Rp)"
    if isinstance(value, float):
        return number(value, lang, 1)
    return str(value)


def indicator_table(table: pd.DataFrame, lang: str) -> str:
    """A fixed-width table with the main indicators and a total row."""
    cols = list(TABLE_COLUMNS)
    header = [TABLE_COLUMNS[c][lang] for c in cols]
    rows = [[_cell(c, rec[c], lang) for c in cols] for rec in table.to_dict("records")]
    total = {c: table[c].sum() if c not in ("rt_label", "poor_share", "garden_share") else None for c in cols}
    total["rt_label"] = t("report.total_row", lang)
    kk = table["kk_total"].sum(skipna=False)
    total["poor_share"] = (table["kk_poor"].sum(skipna=False) / kk) if kk and not pd.isna(kk) else None
    area = table["area_m2"].sum()
    total["garden_share"] = table["garden_m2"].sum() / area if area else None
    rows.append([_cell(c, total[c], lang) if c != "rt_label" else total[c] for c in cols])
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(cols))]
    lines = [
        "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    ]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        if r is rows[-1]:
            lines.append("  ".join("-" * w for w in widths))
        lines.append(
            "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True)))
        )
    return "\n".join(lines)


def indicator_csv(table: pd.DataFrame) -> str:
    """CSV with the documented columns first, then every other indicator."""
    rest = [c for c in table.columns if c not in PUBLIC_CSV_COLUMNS]
    buf = io.StringIO()
    formula_safe(table[PUBLIC_CSV_COLUMNS + rest]).to_csv(buf, index=False)
    return buf.getvalue()
