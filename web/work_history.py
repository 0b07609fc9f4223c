"""The progress history a work page lists: the imported history (the works file's progress
table) and the LKM records, in date order, each row saying where it came from.

The Kurva S and the "% fisik" of a work are computed from both (:func:`geo.progress.effective_history`);
listing only the LKM records made the page contradict itself (a curve at 60 % above a table with
no rows).  On the same date an LKM record replaces the imported one, so that imported row is shown
as replaced."""

from __future__ import annotations

import math

import pandas as pd

from geo.store import Store


def _clean(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def history_rows(store: Store, work_id: str, records: list[dict]) -> list[dict]:
    """``records`` (the public LKM records) plus the imported rows, oldest first; every row has
    the keys the LKM rows have, and ``source`` ("lkm" or "impor")."""
    imported = store.read("work_progress", work_id=work_id)
    live_days = {r["record_date"] for r in records if not r["superseded"]}
    rows = [dict(r, source="lkm") for r in records]
    for rec in imported.to_dict("records"):
        day = str(rec["record_date"])[:10]
        rows.append(
            {
                "record_id": None,
                "record_date": day,
                "fisik_pct": _clean(rec["fisik_pct"]),
                "spent_idr": _clean(rec["spent_idr"]),
                "note": _clean(rec.get("note")) or "",
                "flags": "",
                "corrects": None,
                "superseded": day in live_days,
                "photos": [],
                "source": "impor",
            }
        )
    return sorted(rows, key=lambda r: (str(r["record_date"]), r["source"] == "lkm"))
