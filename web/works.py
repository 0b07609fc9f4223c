"""What the works, reports and photo routes share: dependencies that find the kelurahan, the work
and the fiscal year a route is about (404 or 400 before the handler runs), and the public view of a
work's progress records.

The dependencies follow tipg's factories: small functions FastAPI calls with the path and query
parameters, so a handler lists what it needs (``work: WorkRef = Depends(work_ref)``) and never
looks it up itself."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from fastapi import Depends, Query, Request

from geo.errors import NotFoundError
from geo.places import normalize_kelurahan_code
from geo.progress import PHOTO_COLUMNS, kurva_s, package, package_year
from geo.public import KelurahanPublic
from geo.store import Store
from web.deps import ALL_YEARS, parse_year, public_data

__all__ = [
    "WorkRef",
    "YearChoice",
    "kelurahan_view",
    "package_curve",
    "public_records",
    "store",
    "work_curve",
    "work_ref",
    "year_choice",
]


def store(request: Request) -> Store:
    """The app's store (the full data: writes and restricted reads)."""
    return request.app.state.store


def kelurahan_view(request: Request, code: str) -> KelurahanPublic:
    """The public view of kelurahan ``code`` (404 for an unknown one)."""
    return public_data(request).kelurahan(code)


@dataclass(frozen=True)
class WorkRef:
    """One work of a kelurahan, as the public sees it."""

    kel: KelurahanPublic
    work: pd.Series

    @property
    def code(self) -> str:
        return self.kel.info["kelurahan_code"]

    @property
    def work_id(self) -> str:
        return str(self.work["work_id"])

    @property
    def name(self) -> str:
        """The work's name, else its id."""
        name = self.work.get("name")
        return name if isinstance(name, str) and name.strip() else self.work_id

    @property
    def history(self) -> pd.DataFrame:
        return self.kel.progress[self.kel.progress["work_id"] == self.work_id]


def work_ref(work_id: str, kel: KelurahanPublic = Depends(kelurahan_view)) -> WorkRef:
    """The work ``work_id`` of the path's kelurahan (404 ``place.unknown_work`` otherwise)."""
    hit = kel.works[kel.works["work_id"] == work_id]
    if hit.empty:
        raise NotFoundError("place.unknown_work", work_id=work_id)
    return WorkRef(kel, hit.iloc[0])


@dataclass(frozen=True)
class WorkKey:
    """A work named by a write's path: its kelurahan code and id."""

    code: str
    work_id: str


def work_key(request: Request, code: str, work_id: str) -> WorkKey:
    """The work ``work_id`` of the path's kelurahan, checked in the store by its key alone (404
    ``place.unknown_work`` otherwise).  A write's route uses this, not :func:`work_ref`: every
    write changes the kelurahan's data version, so building its public frames first would rebuild
    a whole kelurahan per record, and read them half-way through another process's import."""
    code = normalize_kelurahan_code(code)
    found = public_data(request).store.read(
        "works", kelurahan_code=code, work_id=work_id, columns=["work_id"], geometry=False
    )
    if found.empty:
        raise NotFoundError("place.unknown_work", work_id=work_id)
    return WorkKey(code, work_id)


@dataclass(frozen=True)
class YearChoice:
    """``?tahun=``: as asked (``None``, a year or ``semua``), and the package year it means
    (``None`` for all works)."""

    asked: str | None
    year: int | None

    @property
    def all_years(self) -> bool:
        return self.asked in ALL_YEARS


def year_choice(tahun: str | None = Query(None), kel: KelurahanPublic = Depends(kelurahan_view)) -> YearChoice:
    """?tahun=2019 picks a package, ?tahun=semua all works; by default the current package."""
    if tahun in ALL_YEARS:
        return YearChoice(tahun, None)
    if tahun:
        return YearChoice(tahun, parse_year(tahun, "tahun"))
    return YearChoice(None, package_year(kel.works))


def package_curve(kel: KelurahanPublic, year: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The package of ``year`` (all works for None) and its Kurva S, without cancelled works:
    the dashboard, the downloads and the PDF report draw this one series."""
    works = package(kel.works, year)
    active = works[works["status"] != "batal"]
    return works, kurva_s(active, kel.progress[kel.progress["work_id"].isin(active["work_id"])])


def work_curve(ref: WorkRef) -> pd.DataFrame:
    """The Kurva S of one work."""
    return kurva_s(ref.kel.works[ref.kel.works["work_id"] == ref.work_id], ref.history)


def public_records(store: Store, work_id: str) -> list[dict]:
    """Progress records as the public sees them: never who recorded them."""
    records = store.read("progress_records", work_id=work_id)
    photos = store.read("progress_photos", columns=PHOTO_COLUMNS, work_id=work_id)  # never the bytes
    corrected = set(records["corrects"].dropna())
    out = []
    for rec in records.sort_values(["record_date", "recorded_at"]).to_dict("records"):
        out.append(
            {
                "record_id": rec["record_id"],
                "record_date": rec["record_date"],
                "fisik_pct": rec["fisik_pct"],
                "spent_idr": rec["spent_idr"],
                "note": rec["note"],
                "flags": rec["flags"] or "",
                "corrects": rec["corrects"] if isinstance(rec["corrects"], str) else None,
                "superseded": rec["record_id"] in corrected,
                "photos": list(photos.loc[photos["record_id"] == rec["record_id"], "photo_id"]),
            }
        )
    return out
