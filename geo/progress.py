"""Progress of works: LKM records (append-only, corrections point at what they correct), photos
with their EXIF place and time checked against the work, the KPP maintenance log, and Kurva S.

Kurva S (DOMAIN.md section 3): a work's weight is its cost over the package's cost; the planned
curve spreads each work's weight evenly over its scheduled days; actual physical progress is
the weighted sum of each work's latest % fisik; % keuangan is funds spent over the allocation.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo import idempotency
from geo.errors import Forbidden, NotFoundError, RequestError
from geo.gpkg import now_iso
from geo.idempotency import IDEMPOTENCY_KEYS, Repeat
from geo.photos import MAX_PIXELS, PHOTO_RENDITIONS, check_and_render, rendition_rows
from geo.schema import Column, TableSpec

PROGRESS_RECORDS = TableSpec(
    name="progress_records",
    columns=(
        Column("record_id", "TEXT"),
        Column("work_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("record_date", "DATE"),
        Column("fisik_pct", "REAL"),
        Column("volume_done", "REAL"),
        Column("spent_idr", "INTEGER", "cumulative funds spent to date"),
        Column("note", "TEXT"),
        Column("corrects", "TEXT", "record_id this record corrects"),
        Column("flags", "TEXT"),
        Column("recorded_by", "TEXT", "never published"),
        Column("recorded_at", "DATETIME"),
    ),
    key=("record_id",),
    public=False,
    description="Progress recorded by LKM members (append-only)",
    indexes=(("work_id",),),
)
PROGRESS_PHOTOS = TableSpec(
    name="progress_photos",
    columns=(
        Column("photo_id", "TEXT"),
        Column("record_id", "TEXT"),
        Column("work_id", "TEXT"),
        Column("content_type", "TEXT"),
        Column("sha256", "TEXT"),
        Column("width", "INTEGER"),
        Column("height", "INTEGER"),
        Column("taken_at", "DATETIME"),
        Column("lat", "REAL"),
        Column("lon", "REAL"),
        Column("distance_m", "REAL"),
        Column("flags", "TEXT"),
        Column("data", "BLOB", "the original as uploaded (restricted); the public sees renditions only"),
    ),
    key=("photo_id",),
    public=False,
    description="Photos of progress records",
    indexes=(("record_id",), ("work_id",)),
)
MAINTENANCE_LOG = TableSpec(
    name="maintenance_log",
    columns=(
        Column("log_id", "TEXT"),
        Column("work_id", "TEXT"),
        Column("kelurahan_code", "TEXT"),
        Column("log_date", "DATE"),
        Column("kind", "TEXT", "inspeksi or perbaikan"),
        Column("condition", "TEXT"),
        Column("cost_idr", "INTEGER"),
        Column("user_fee_idr", "INTEGER"),
        Column("note", "TEXT"),
        Column("recorded_by", "TEXT"),
        Column("recorded_at", "DATETIME"),
    ),
    key=("log_id",),
    public=False,
    description="KPP operation and maintenance log",
)
# what the public progress of a work is computed from: not who recorded it, nor their notes (on
# PostGIS the site's public role may read these columns of progress_records only)
PUBLIC_PROGRESS_COLUMNS = [
    "record_id",
    "work_id",
    "kelurahan_code",
    "record_date",
    "fisik_pct",
    "spent_idr",
    "corrects",
]
PROGRESS_TABLES = (PROGRESS_RECORDS, PROGRESS_PHOTOS, MAINTENANCE_LOG, PHOTO_RENDITIONS, IDEMPOTENCY_KEYS)
PHOTO_COLUMNS = tuple(c for c in PROGRESS_PHOTOS.column_names if c != "data")  # every column but the bytes
MAX_PHOTOS = 6
FAR_M = 100.0
KINDS = ("inspeksi", "perbaikan")
CONDITIONS = ("baik", "rusak_ringan", "rusak_berat")


@dataclass
class Photo:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ProgressInput:
    work_id: str
    record_date: str
    fisik_pct: float | None = None
    volume_done: float | None = None
    spent_idr: int | None = None
    note: str = ""
    corrects: str | None = None
    photos: list[Photo] = field(default_factory=list)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise RequestError("val.date") from None


def check_photo(
    photo: Photo,
    work_geom: shapely.Geometry | None,
    start: date | None,
    end: date | None,
    *,
    max_pixels: int = MAX_PIXELS,
) -> tuple[dict, pd.DataFrame]:
    """Type, size, pixel and full-decode checks of one photo (refusals), flags for place and time
    (not refusals); returns the photo's row (without its id; with the bytes to store) and its renditions."""
    checked = check_and_render(photo.data, photo.filename, declared_type=photo.content_type, max_pixels=max_pixels)
    taken, lat, lon = checked.taken_at, checked.lat, checked.lon
    flags, distance = [], None
    if lat is not None and lon is not None and work_geom is not None:
        distance = _distance_m(work_geom, lon, lat)
        if distance > FAR_M:
            flags.append("jauh_dari_lokasi")
    if lat is None:
        flags.append("tanpa_gps")
    if taken is not None and start is not None and end is not None and not start <= taken.date() <= end:
        flags.append("di_luar_periode")
    row = {
        "content_type": checked.stored_type,
        "sha256": checked.sha256,
        "width": checked.width,
        "height": checked.height,
        "taken_at": taken.isoformat() if taken else None,
        "lat": lat,
        "lon": lon,
        "distance_m": round(distance, 1) if distance is not None else None,
        "flags": ",".join(flags),
        "data": checked.stored,
    }
    return row, rendition_rows("", checked.renditions)


def _distance_m(geom: shapely.Geometry, lon: float, lat: float) -> float:
    zone = 32700 + int((geom.centroid.x + 180) // 6) + 1
    to_utm = Transformer.from_crs(4326, zone, always_xy=True)
    g = shapely.transform(geom, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
    x, y = to_utm.transform(lon, lat)
    return float(g.distance(shapely.Point(x, y)))


def _progress_fingerprint(inp: ProgressInput) -> str:
    return idempotency.fingerprint(
        {
            "work_id": inp.work_id,
            "record_date": inp.record_date,
            "fisik_pct": inp.fisik_pct,
            "volume_done": inp.volume_done,
            "spent_idr": inp.spent_idr,
            "note": inp.note,
            "corrects": inp.corrects,
            "photos": [hashlib.sha256(p.data).hexdigest() for p in inp.photos],
        }
    )


def record_progress(
    store,
    user,
    code: str,
    inp: ProgressInput,
    *,
    today: date | None = None,
    idempotency_key: str | None = None,
    max_pixels: int = MAX_PIXELS,
) -> str:
    """Append one progress record (its photos and their renditions) in one transaction; returns
    its id.  With ``idempotency_key``, a repeat of the same request returns the first record's id
    and writes nothing."""
    today = today or date.today()
    if not user.can_record(code):
        raise Forbidden("auth.forbidden")
    sha = _progress_fingerprint(inp) if idempotency_key else ""
    if idempotency_key:
        earlier = idempotency.earlier_result(store, user.username, idempotency_key, "progress", sha)
        if earlier is not None:
            return earlier
    works = store.read("works", kelurahan_code=code)
    hit = works[works["work_id"] == inp.work_id]
    if hit.empty:
        raise NotFoundError("place.unknown_work", work_id=inp.work_id)
    work = hit.iloc[0]
    day = _parse_date(inp.record_date)
    if day > today + timedelta(days=1):
        raise RequestError("progress.future")
    fisik = inp.fisik_pct
    if fisik is None and inp.volume_done is not None and work["volume"]:
        fisik = min(100.0, 100.0 * float(inp.volume_done) / float(work["volume"]))
    if fisik is None or not 0 <= float(fisik) <= 100:
        raise RequestError("progress.fisik")
    if inp.spent_idr is not None and (inp.spent_idr < 0 or inp.spent_idr > 2 * int(work["budget_idr"] or 0) + 1):
        raise RequestError("progress.spent")
    if inp.corrects:
        old = store.read(PROGRESS_RECORDS.name, record_id=inp.corrects)
        if old.empty or old.iloc[0]["work_id"] != inp.work_id:
            raise NotFoundError("progress.unknown_record", record_id=inp.corrects)
    if len(inp.photos) > MAX_PHOTOS:
        raise RequestError("photo.count", n=MAX_PHOTOS)
    start = _parse_date(work["planned_start"]) if work["planned_start"] else None
    end = _parse_date(work["planned_end"]) if work["planned_end"] else None
    checked = [check_photo(p, work.geometry, start, end, max_pixels=max_pixels) for p in inp.photos]
    record_id = uuid.uuid4().hex
    flags = sorted({f for c, _ in checked for f in c["flags"].split(",") if f})
    row = {
        "record_id": record_id,
        "work_id": inp.work_id,
        "kelurahan_code": code,
        "record_date": day.isoformat(),
        "fisik_pct": round(float(fisik), 2),
        "volume_done": inp.volume_done,
        "spent_idr": inp.spent_idr,
        "note": (inp.note or "").strip()[:2000],
        "corrects": inp.corrects or None,
        "flags": ",".join(flags),
        "recorded_by": user.username,
        "recorded_at": now_iso(),
    }
    photos, renditions = [], []
    for c, shown in checked:
        photo_id = uuid.uuid4().hex
        photos.append({"photo_id": photo_id, "record_id": record_id, "work_id": inp.work_id, **c})
        renditions.append(shown.assign(photo_id=photo_id))
    try:
        with store.transaction(actor=user.username) as writer:
            if idempotency_key:  # checked again under the write lock: a concurrent twin cannot slip in
                earlier = idempotency.earlier_result(store, user.username, idempotency_key, "progress", sha)
                if earlier is not None:
                    raise Repeat(earlier)
                idempotency.remember(writer, user.username, idempotency_key, "progress", sha, record_id)
            writer.upsert(PROGRESS_RECORDS, pd.DataFrame([row]))
            # new ids: plain INSERTs (an upsert would first read every stored photo's bytes to compare)
            for photo in photos:
                writer.append(PROGRESS_PHOTOS, photo)
            for shown in renditions:
                for rendition in shown.to_dict("records"):
                    writer.append(PHOTO_RENDITIONS, rendition)
    except Repeat as repeat:
        return repeat.result_id
    return record_id


def record_maintenance(
    store,
    user,
    code: str,
    work_id: str,
    *,
    log_date: str,
    kind: str,
    condition: str,
    cost_idr: int | None,
    user_fee_idr: int | None,
    note: str = "",
    idempotency_key: str | None = None,
) -> str:
    """Append one KPP log entry; with ``idempotency_key`` a repeat returns the first entry's id."""
    if not user.can_record(code):
        raise Forbidden("auth.forbidden")
    asked = {"work_id": work_id, "log_date": log_date, "kind": kind, "condition": condition}
    sha = idempotency.fingerprint({**asked, "cost_idr": cost_idr, "user_fee_idr": user_fee_idr, "note": note})
    if idempotency_key:
        earlier = idempotency.earlier_result(store, user.username, idempotency_key, "maintenance", sha)
        if earlier is not None:
            return earlier
    works = store.read("works", kelurahan_code=code)
    hit = works[works["work_id"] == work_id]
    if hit.empty:
        raise NotFoundError("place.unknown_work", work_id=work_id)
    if kind not in KINDS or condition not in CONDITIONS:
        raise RequestError("val.choice", choices=", ".join(KINDS + CONDITIONS))
    if (cost_idr or 0) < 0 or (user_fee_idr or 0) < 0:
        raise RequestError("progress.spent")
    log_id = uuid.uuid4().hex
    row = {
        "log_id": log_id,
        "work_id": work_id,
        "kelurahan_code": code,
        "log_date": _parse_date(log_date).isoformat(),
        "kind": kind,
        "condition": condition,
        "cost_idr": cost_idr,
        "user_fee_idr": user_fee_idr,
        "note": (note or "").strip()[:2000],
        "recorded_by": user.username,
        "recorded_at": now_iso(),
    }
    try:
        with store.transaction(actor=user.username) as writer:
            if idempotency_key:
                earlier = idempotency.earlier_result(store, user.username, idempotency_key, "maintenance", sha)
                if earlier is not None:
                    raise Repeat(earlier)
                idempotency.remember(writer, user.username, idempotency_key, "maintenance", sha, log_id)
            writer.upsert(MAINTENANCE_LOG, pd.DataFrame([row]))
    except Repeat as repeat:
        return repeat.result_id
    return log_id


def effective_history(imported: pd.DataFrame, records: pd.DataFrame, works: pd.DataFrame) -> pd.DataFrame:
    """Imported progress history plus LKM records that no later record corrects; on the same date
    an LKM record wins.  Columns: work_id, record_date, fisik_pct, keuangan_pct, spent_idr."""
    cols = ["work_id", "record_date", "fisik_pct", "keuangan_pct", "spent_idr"]
    parts = [imported[cols].assign(source=0)] if len(imported) else []
    if len(records):
        live = records[~records["record_id"].isin(set(records["corrects"].dropna()))]
        budget = works.set_index("work_id")["budget_idr"].astype(float)
        keu = live["spent_idr"].astype(float) / live["work_id"].map(budget) * 100
        parts.append(
            pd.DataFrame(
                {
                    "work_id": live["work_id"],
                    "record_date": live["record_date"],
                    "fisik_pct": live["fisik_pct"].astype(float),
                    "keuangan_pct": keu.round(2),
                    "spent_idr": live["spent_idr"],
                    "source": 1,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=cols)
    both = pd.concat(parts, ignore_index=True).sort_values(["work_id", "record_date", "source"])
    out = both.drop_duplicates(["work_id", "record_date"], keep="last")[cols].reset_index(drop=True)
    # a record without a funds figure did not report one: the last known spending still stands
    # (not 0, which would drop the Kurva S's % keuangan to nothing after such a record)
    for col in ("spent_idr", "keuangan_pct"):
        out[col] = out.groupby("work_id", sort=False)[col].ffill()
    return out


def kurva_s(works: pd.DataFrame, history: pd.DataFrame, *, today: date | None = None) -> pd.DataFrame:
    """Weekly planned and actual cumulative progress of a package of works (or of one work)."""
    today = today or date.today()
    works = works.dropna(subset=["planned_start", "planned_end"])
    if works.empty:
        return pd.DataFrame(columns=["date", "planned_pct", "fisik_pct", "keuangan_pct", "deviation_pct"])
    budget = works["budget_idr"].astype(float).fillna(0)
    weight = budget_weights(works)
    starts = pd.to_datetime(works["planned_start"])
    ends = pd.to_datetime(works["planned_end"])
    last = max(ends.max(), pd.to_datetime(history["record_date"]).max() if len(history) else ends.max())
    days = pd.date_range(starts.min(), last + pd.Timedelta(days=6), freq="7D")
    now = pd.Timestamp(today)
    if days[0] < now < days[-1] and now not in days:  # the latest records show up today, not next week
        days = days.append(pd.DatetimeIndex([now])).sort_values()
    planned = np.zeros(len(days))
    fisik = np.zeros(len(days))
    spent = np.zeros(len(days))
    for (_, w), wt, s, e in zip(works.iterrows(), weight, starts, ends, strict=True):
        span = max((e - s).days, 1)
        planned += wt * np.clip((days - s).days / span, 0, 1)
        hist = history[history["work_id"] == w["work_id"]].sort_values("record_date")
        if hist.empty:
            continue
        hd = pd.to_datetime(hist["record_date"]).to_numpy()
        idx = np.searchsorted(hd, days.to_numpy(), side="right") - 1
        ok = idx >= 0
        f = hist["fisik_pct"].astype(float).to_numpy()
        fisik[ok] += wt * f[idx[ok]] / 100
        sp = hist["spent_idr"].astype(float).fillna(0).to_numpy()
        spent[ok] += sp[idx[ok]]
    out = pd.DataFrame(
        {
            "date": days.date,
            "planned_pct": (100 * planned).round(2),
            "fisik_pct": (100 * fisik).round(2),
            "keuangan_pct": (100 * spent / budget.sum()).round(2) if budget.sum() > 0 else 0.0,
        }
    )
    future = out["date"] > today
    out.loc[future, ["fisik_pct", "keuangan_pct"]] = np.nan
    out["deviation_pct"] = (out["fisik_pct"] - out["planned_pct"]).round(2)
    return out


def planned_pct(work: pd.Series, today: date | None = None) -> float | None:
    """The % fisik a work should have reached today, its weight spread evenly over its schedule."""
    start, end = work.get("planned_start"), work.get("planned_end")
    if not isinstance(start, str) or not isinstance(end, str) or not start or not end:
        return None
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    return 100 * min(max(((today or date.today()) - s).days / max((e - s).days, 1), 0), 1)


def deviation_today(work: pd.Series, history: pd.DataFrame | None = None, today: date | None = None) -> float | None:
    """Actual minus planned % fisik of one work today (positive = ahead of schedule): the one
    deviation the map, the work page, the dashboard and the report show.

    The actual % fisik is the latest history record dated today or earlier; without ``history``
    (the map's works frame already carries the latest record as ``progress_fisik``), or when there
    is none, the work's own ``progress_fisik``, and 0 when nothing was ever reported (a work that
    should have started and has no report is behind)."""
    today = today or date.today()
    planned = planned_pct(work, today)
    if planned is None:
        return None
    hist = (
        history[(history["work_id"] == work["work_id"]) & (history["record_date"] <= today.isoformat())]
        if history is not None
        else history
    )
    if hist is not None and len(hist):
        actual = float(hist.sort_values("record_date")["fisik_pct"].iloc[-1])
    else:
        actual = float(work["progress_fisik"]) if pd.notna(work.get("progress_fisik")) else 0.0
    return round(actual - planned, 1)


def budget_weights(works: pd.DataFrame) -> pd.Series:
    """Each work's share of a package's physical progress: its share of the budget of the works
    not cancelled (equal shares when none has a budget); cancelled works weigh nothing."""
    active = works["status"] != "batal" if "status" in works else pd.Series(True, index=works.index)
    budget = works["budget_idr"].astype(float).fillna(0).where(active, 0.0)
    if budget.sum() > 0:
        return budget / budget.sum()
    n = int(active.sum())
    return active.astype(float) / n if n else active.astype(float)


def weighted_fisik(works: pd.DataFrame) -> float:
    """A package's physical progress: the budget-weighted sum of each work's latest % fisik."""
    if works.empty:
        return 0.0
    return float((budget_weights(works) * works["progress_fisik"].astype(float).fillna(0)).sum())


def package_year(works: pd.DataFrame) -> int | None:
    """The year of the current package: the latest year with a work under way or completed."""
    started = works[works["status"].isin(["berjalan", "selesai"])]
    years = started["year"] if len(started) else works["year"]
    return int(years.max()) if len(years.dropna()) else None


def package(works: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """The works of one fiscal year's package (all works when ``year`` is None)."""
    return works if year is None else works[works["year"].astype(float) == year]
