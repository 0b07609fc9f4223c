#!/usr/bin/env python3
"""Generate petakampung's bundled demo data, deterministically.

    python scripts/generate_demo_data.py [--out data]

Re-running it writes byte-identical files.  Everything is synthetic: shapes of the right size at
the right place (not the real boundaries), households that are no real person.  The two places:

* Kelurahan Kaliawi Persada, 18.71.06.1012 (Kec. Tanjungkarang Pusat, Kota Bandar Lampung),
  43.8 ha, 2 Lingkungan, 15 RT, 1,500 KK; the 2019 KOTAKU works of the seed story (BPM
  Rp 1.5 billion for RT 3 and RT 5 Lingkungan 1, RT 2 and RT 3 Lingkungan 2); KWT Sukawangi
  Sejahtera's plots; facilities.
* Kelurahan Jatirangga, 32.75.10.1004 (Kec. Jatisampurna, Kota Bekasi), 454.7 ha, 16 RW,
  3,600 KK of which exactly 910 are poor (decile 1-4).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import shapely
import shapely.affinity
import shapely.geometry
import shapely.ops
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, mapping

UTM = "EPSG:32748"
TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
TO_WGS = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}


@dataclass
class Place:
    code: str
    name: str
    kecamatan: str
    kota: str
    provinsi: str
    unit_type: str
    lon: float
    lat: float
    area_ha: float
    rts_per_unit: list[int]
    kk_total: int
    seed: int


KALIAWI = Place(
    "18.71.06.1012",
    "Kaliawi Persada",
    "Tanjungkarang Pusat",
    "Kota Bandar Lampung",
    "Lampung",
    "Lingkungan",
    105.2428,
    -5.4140,
    43.8,
    [8, 7],
    1500,
    1871061012,
)
JATIRANGGA = Place(
    "32.75.10.1004",
    "Jatirangga",
    "Jatisampurna",
    "Kota Bekasi",
    "Jawa Barat",
    "RW",
    106.9377,
    -6.3637,
    454.7,
    [5, 6, 4, 5, 6, 5, 4, 6, 5, 5, 4, 6, 5, 4, 5, 6],
    3600,
    3275101004,
)


# --- geometry helpers ------------------------------------------------------------------------------


def to_wgs(geom: shapely.Geometry) -> shapely.Geometry:
    out = shapely.transform(geom, lambda xy: np.column_stack(TO_WGS.transform(xy[:, 0], xy[:, 1])))
    return shapely.set_precision(out, 1e-7)


def outline(place: Place, rng: np.random.Generator) -> Polygon:
    """An irregular, star-shaped polygon of exactly ``area_ha`` around the centre."""
    cx, cy = TO_UTM.transform(place.lon, place.lat)
    theta = np.linspace(0, 2 * math.pi, 64, endpoint=False)
    radius = np.ones_like(theta)
    for k, amp in ((2, 0.18), (3, 0.12), (5, 0.06), (7, 0.03)):
        radius += amp * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    poly = Polygon(np.column_stack([np.cos(theta) * radius, np.sin(theta) * radius]))
    scale = math.sqrt(place.area_ha * 10_000 / poly.area)
    return shapely.affinity.translate(shapely.affinity.scale(poly, scale, scale, origin=(0, 0)), cx, cy)


def random_points(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> list[Point]:
    x0, y0, x1, y1 = poly.bounds
    pts: list[Point] = []
    shapely.prepare(poly)
    while len(pts) < n:
        xs, ys = rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)
        cand = shapely.points(xs, ys)
        pts += list(cand[shapely.contains(poly, cand)])[: n - len(pts)]
    return pts


def split(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> list[shapely.Geometry]:
    """``n`` irregular cells covering ``poly``: Voronoi of relaxed random seeds, clipped."""
    seeds = np.array([p.coords[0] for p in random_points(poly, n, rng)])
    for _ in range(4):  # Lloyd relaxation: cells of similar size, still irregular
        cells = _voronoi(poly, seeds)
        seeds = np.array([c.centroid.coords[0] for c in cells])
    cells = _voronoi(poly, seeds)
    order = np.lexsort((-np.array([c.centroid.x for c in cells]), -np.array([c.centroid.y for c in cells])))
    return [cells[i] for i in order]  # numbered north to south, then east to west


def _voronoi(poly: shapely.Geometry, seeds: np.ndarray) -> list[shapely.Geometry]:
    regions = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=poly.buffer(1000))
    cells = []
    for seed in seeds:
        pt = Point(seed)
        cell = next(g for g in regions.geoms if g.contains(pt) or g.touches(pt))
        cells.append(cell.intersection(poly))
    return cells


def polyline(cell: shapely.Geometry, length_m: float, rng: np.random.Generator, within: shapely.Geometry) -> LineString:
    """A lane-like polyline of about ``length_m`` starting inside ``cell``, inside ``within``."""
    start = cell.representative_point()
    while True:
        angle = rng.uniform(0, 2 * math.pi)
        pts = [start.coords[0]]
        seg = length_m / 4
        for _ in range(4):
            angle += rng.normal(0, 0.35)
            x, y = pts[-1]
            pts.append((x + seg * math.cos(angle), y + seg * math.sin(angle)))
        line = LineString(pts)
        if within.buffer(-5).contains(line):
            return line


# --- places ---------------------------------------------------------------------------------------


def unit_text(place: Place, unit: int) -> str:
    return f"LK {ROMAN[unit]}" if place.unit_type == "Lingkungan" else f"RW {unit:02d}"


def rt_text(place: Place, unit: int, rt: int, style: int) -> str:
    """RT labels written the ways real lists write them."""
    if place.unit_type == "Lingkungan":
        return [f"RT {rt:02d}/LK {ROMAN[unit]}", f"RT {rt} Lingkungan {unit}", f"rt.{rt} lk.{unit}"][style % 3]
    return [f"RT {rt:03d}/RW {unit:03d}", f"RT{rt:03d}-RW{unit:03d}", f"RT {rt} RW {unit:02d}"][style % 3]


def build_boundaries(place: Place, rng: np.random.Generator):
    kel = outline(place, rng)
    units = split(kel, len(place.rts_per_unit), rng)
    rts = {}
    for u, (unit_poly, n_rt) in enumerate(zip(units, place.rts_per_unit, strict=True), start=1):
        for r, cell in enumerate(split(unit_poly, n_rt, rng), start=1):
            rts[(u, r)] = cell
    return kel, units, rts


def boundary_features(place: Place, kel, units, rts) -> list[dict]:
    feats = [
        feature(
            kel,
            level="kelurahan",
            kelurahan_code=place.code,
            name=place.name,
            kecamatan=place.kecamatan,
            kota=place.kota,
            provinsi=place.provinsi,
            unit_type=place.unit_type,
        )
    ]
    for u, poly in enumerate(units, start=1):
        feats.append(feature(poly, level="rw", kelurahan_code=place.code, rw=unit_text(place, u)))
    for (u, r), poly in sorted(rts.items()):
        feats.append(feature(poly, level="rt", kelurahan_code=place.code, rw=unit_text(place, u), rt=f"{r}"))
    return feats


def feature(geom_utm: shapely.Geometry, **props) -> dict:
    geom = to_wgs(geom_utm)
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


# --- households -------------------------------------------------------------------------------------


def split_total(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (largest remainder)."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out))[: total - out.sum()]] += 1
    return out


def households(
    place: Place, rts: dict, rng: np.random.Generator, *, poor_total: int | None, poor_rts: set[tuple[int, int]]
) -> list[dict]:
    keys = sorted(rts)
    weights = np.array([math.sqrt(rts[k].area) for k in keys]) * rng.uniform(0.8, 1.2, len(keys))
    counts = split_total(place.kk_total, weights)
    unit_poverty = rng.uniform(0.1, 0.45, len(place.rts_per_unit) + 1)
    rows, propensity = [], []
    for key, n in zip(keys, counts, strict=True):
        base = 0.55 if key in poor_rts else unit_poverty[key[0]]
        for _ in range(n):
            rows.append({"key": key})
            propensity.append(base + rng.normal(0, 0.15))
    propensity = np.array(propensity)
    if poor_total is None:
        poor = rng.uniform(size=len(rows)) < np.clip(propensity, 0.02, 0.95)
    else:
        poor = np.zeros(len(rows), dtype=bool)
        poor[np.argsort(-propensity)[:poor_total]] = True
    code_digits = place.code.replace(".", "")[:6]
    neighbours = _neighbours(rts)
    out = []
    for i, (row, is_poor) in enumerate(zip(rows, poor, strict=True), start=1):
        u, r = row["key"]
        decile = int(rng.choice([1, 2, 3, 4], p=[0.2, 0.25, 0.27, 0.28])) if is_poor else int(rng.integers(5, 11))
        point = None
        draw = rng.uniform()
        if draw < 0.65:
            point = random_points(rts[(u, r)], 1, rng)[0]
        elif draw < 0.655 and neighbours[(u, r)]:  # a few points that disagree with their label
            other = neighbours[(u, r)][0]
            point = random_points(rts[other], 1, rng)[0]
        lon = lat = ""
        if point is not None:
            lon, lat = (f"{v:.7f}" for v in TO_WGS.transform(point.x, point.y))
        out.append(
            {
                "no_kk": f"{code_digits}{i:010d}",
                "nama_kepala_keluarga": f"Warga Contoh {i:04d}",
                "kelurahan_code": place.code,
                "rt": rt_text(place, u, r, i),
                "desil": decile,
                "lantai": _pick(
                    rng,
                    is_poor,
                    ["keramik", "ubin", "semen", "kayu", "tanah"],
                    [0.15, 0.15, 0.4, 0.12, 0.18],
                    [0.55, 0.2, 0.2, 0.03, 0.02],
                ),
                "dinding": _pick(
                    rng,
                    is_poor,
                    ["tembok", "plesteran_bambu", "kayu", "anyaman_bambu"],
                    [0.45, 0.15, 0.25, 0.15],
                    [0.9, 0.03, 0.06, 0.01],
                ),
                "atap": _pick(
                    rng, is_poor, ["genteng", "seng", "asbes", "jerami"], [0.3, 0.4, 0.25, 0.05], [0.6, 0.2, 0.19, 0.01]
                ),
                "sumber_air_minum": _pick(
                    rng,
                    is_poor,
                    ["kemasan", "ledeng", "sumur_bor", "sumur_terlindung", "sumur_tak_terlindung"],
                    [0.2, 0.1, 0.25, 0.2, 0.25],
                    [0.45, 0.2, 0.2, 0.12, 0.03],
                ),
                "jamban": _pick(
                    rng,
                    is_poor,
                    ["sendiri", "bersama", "umum", "tidak_ada"],
                    [0.5, 0.25, 0.15, 0.1],
                    [0.93, 0.05, 0.015, 0.005],
                ),
                "penerangan": _pick(
                    rng, is_poor, ["pln_meteran", "pln_tanpa_meteran", "non_pln"], [0.7, 0.25, 0.05], [0.97, 0.03, 0.0]
                ),
                "bahan_bakar_memasak": _pick(
                    rng,
                    is_poor,
                    ["gas", "listrik", "minyak_tanah", "kayu_bakar"],
                    [0.75, 0.0, 0.05, 0.2],
                    [0.9, 0.07, 0.02, 0.01],
                ),
                "lat": lat,
                "lon": lon,
            }
        )
    return out


# Kampung KB family data (BKKBN PK23 style), drawn with a generator of its own so that every other
# column stays as it was.  Rates near the national ones: about 60 % of families are PUS, about
# 60 % of PUS use a method (a quarter of them long-acting: MKJP), more risk of stunting among the poor.
KB_METHODS = ["suntik", "pil", "implan", "iud", "kondom", "mow", "mop", "tradisional"]
KB_WEIGHTS = [0.42, 0.2, 0.13, 0.1, 0.06, 0.04, 0.01, 0.04]


def add_family_data(place: Place, rows: list[dict]) -> None:
    rng = np.random.default_rng(place.seed + 7)
    for row in rows:
        poor = int(row["desil"]) <= 4
        pus = rng.uniform() < 0.6
        method = ""
        if pus:
            method = str(rng.choice(KB_METHODS, p=KB_WEIGHTS)) if rng.uniform() < 0.62 else "tidak ber-KB"
        risk = rng.uniform() < (0.32 if poor else 0.12)
        groups = [g for g, p in (("BKB", 0.22), ("BKR", 0.12), ("BKL", 0.08), ("UPPKS", 0.1)) if rng.uniform() < p]
        row["pus"] = "ya" if pus else "tidak"
        row["metode_kb"] = method
        row["berisiko_stunting"] = "ya" if risk else "tidak"
        row["poktan"] = ", ".join(groups)


def _pick(rng, is_poor, values, p_poor, p_other) -> str:
    p = np.array(p_poor if is_poor else p_other, dtype=float)
    return str(rng.choice(values, p=p / p.sum()))


def _neighbours(rts: dict) -> dict:
    keys = sorted(rts)
    return {k: [o for o in keys if o != k and rts[k].buffer(1).intersects(rts[o])] for k in keys}


# --- works, progress, gardens, facilities ------------------------------------------------------------

KSM = ["KSM Maju Bersama", "KSM Karya Mandiri", "KSM Persada Jaya", "KSM Sejahtera Bersama"]


def work(
    place,
    rts,
    rng,
    kel,
    work_id,
    key,
    work_type,
    criterion,
    year,
    funding,
    budget,
    status,
    start,
    end,
    *,
    length=None,
    kk=None,
    fisik=None,
    keuangan=None,
    ksm=None,
    name=None,
) -> dict:
    cell = rts[key]
    if length is not None:
        geom = polyline(cell, length, rng, kel)
        volume = round(geom.length, 1)
    else:
        geom = random_points(cell, 1, rng)[0]
        volume = kk
    done = 100.0 if status == "selesai" else (0.0 if status == "rencana" else fisik)
    fin = 100.0 if status == "selesai" else (0.0 if status == "rencana" else keuangan)
    return feature(
        geom,
        work_id=work_id,
        kelurahan_code=place.code,
        rt=rt_text(place, key[0], key[1], 0),
        name=name,
        work_type=work_type,
        criterion_id=criterion,
        volume=volume,
        year=year,
        funding=funding,
        budget_idr=budget,
        ksm=ksm or KSM[int(rng.integers(0, len(KSM)))],
        planned_start=start,
        planned_end=end,
        status=status,
        progress_fisik=done,
        progress_keuangan=fin,
    )


def kaliawi_works(place, rts, rng, kel) -> list[dict]:
    s, e = "2019-07-01", "2019-11-30"
    return [
        work(
            place,
            rts,
            rng,
            kel,
            "KTK-2019-01",
            (1, 3),
            "jalan_rabat_beton",
            "2b",
            2019,
            "BPM",
            320_000_000,
            "selesai",
            s,
            e,
            length=310,
            ksm=KSM[0],
            name="Jalan rabat beton RT 03 LK I",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "KTK-2019-02",
            (1, 3),
            "drainase",
            "4c",
            2019,
            "BPM",
            230_000_000,
            "selesai",
            s,
            e,
            length=260,
            ksm=KSM[0],
            name="Drainase RT 03 LK I",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "KTK-2019-03",
            (1, 5),
            "jalan_rabat_beton",
            "2b",
            2019,
            "BPM",
            250_000_000,
            "selesai",
            s,
            e,
            length=240,
            ksm=KSM[1],
            name="Jalan rabat beton RT 05 LK I",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "KTK-2019-04",
            (1, 5),
            "sumur_bor",
            "3a",
            2019,
            "BPM",
            85_000_000,
            "selesai",
            s,
            e,
            kk=45,
            ksm=KSM[1],
            name="Sumur bor RT 05 LK I",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "KTK-2019-05",
            (2, 2),
            "drainase",
            "4b",
            2019,
            "BPM",
            245_000_000,
            "selesai",
            s,
            e,
            length=280,
            ksm=KSM[2],
            name="Drainase RT 02 LK II",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "KTK-2019-06",
            (2, 3),
            "jalan_rabat_beton",
            "2b",
            2019,
            "BPM",
            200_000_000,
            "selesai",
            s,
            e,
            length=200,
            ksm=KSM[3],
            name="Jalan rabat beton RT 03 LK II",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "KTK-2019-07",
            (2, 3),
            "sumur_bor",
            "3a",
            2019,
            "BPM",
            85_000_000,
            "selesai",
            s,
            e,
            kk=40,
            ksm=KSM[3],
            name="Sumur bor RT 03 LK II",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "KTK-2019-08",
            (2, 3),
            "drainase",
            "4c",
            2019,
            "BPM",
            85_000_000,
            "selesai",
            s,
            e,
            length=150,
            ksm=KSM[3],
            name="Drainase RT 03 LK II",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "APBD-2024-01",
            (2, 1),
            "drainase",
            "4b",
            2024,
            "APBD",
            180_000_000,
            "selesai",
            "2024-05-06",
            "2024-09-27",
            length=220,
            name="Drainase RT 01 LK II",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "CSR-2026-01",
            (1, 7),
            "jalan_paving",
            "2a",
            2026,
            "CSR",
            150_000_000,
            "berjalan",
            "2026-09-01",
            "2026-12-18",
            length=180,
            fisik=45.0,
            keuangan=40.0,
            name="Jalan paving RT 07 LK I",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "SWD-2027-01",
            (2, 6),
            "mck",
            "5b",
            2027,
            "swadaya",
            60_000_000,
            "rencana",
            "2027-03-01",
            "2027-06-30",
            kk=30,
            name="MCK komunal RT 06 LK II",
        ),
    ]


def jatirangga_works(place, rts, rng, kel) -> list[dict]:
    return [
        work(
            place,
            rts,
            rng,
            kel,
            "JTR-2024-01",
            (7, 2),
            "drainase",
            "4b",
            2024,
            "APBD",
            410_000_000,
            "selesai",
            "2024-04-01",
            "2024-08-30",
            length=520,
            name="Drainase RW 07",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "JTR-2026-01",
            (3, 1),
            "jalan_rabat_beton",
            "2b",
            2026,
            "APBD",
            560_000_000,
            "berjalan",
            "2026-07-01",
            "2026-12-15",
            length=640,
            fisik=62.0,
            keuangan=55.0,
            name="Jalan rabat beton RW 03",
        ),
        work(
            place,
            rts,
            rng,
            kel,
            "JTR-2026-02",
            (12, 4),
            "sumur_bor",
            "3a",
            2026,
            "CSR",
            95_000_000,
            "rencana",
            "2027-02-01",
            "2027-04-30",
            kk=60,
            name="Sumur bor RW 12",
        ),
    ]


def progress_history(works: list[dict], rng: np.random.Generator) -> list[dict]:
    """Weekly records from planned start to today's progress, an S-shaped curve."""
    rows = []
    for w in works:
        p = w["properties"]
        if p["status"] == "rencana":
            continue
        start, end = date.fromisoformat(p["planned_start"]), date.fromisoformat(p["planned_end"])
        weeks = max(1, (end - start).days // 7)
        final = p["progress_fisik"]
        n = weeks if p["status"] == "selesai" else max(1, int(weeks * final / 100 * 0.9))
        previous = 0.0
        for i in range(1, n + 1):
            x = i / n
            fisik = (
                final
                * (1 / (1 + math.exp(-10 * (x - 0.5))) - 1 / (1 + math.exp(5)))
                / (1 / (1 + math.exp(-5)) - 1 / (1 + math.exp(5)))
            )
            fisik = round(min(final, max(previous, fisik + rng.normal(0, 0.8))) if i < n else final, 1)
            previous = fisik
            keu_final = p["progress_keuangan"]
            keuangan = keu_final if i == n else (40.0 if x < 0.5 else 70.0) * keu_final / 100
            rows.append(
                {
                    "work_id": p["work_id"],
                    "tanggal": (start + timedelta(weeks=i)).isoformat(),
                    "fisik": fisik,
                    "keuangan": round(keuangan, 1),
                    "dana_terserap": round(p["budget_idr"] * keuangan / 100),
                    "catatan": "laporan mingguan",
                }
            )
    return rows


def gardens(place, rts, works, rng, kwt: str, n_yards: int, revenue_total: int) -> list[dict]:
    feats, polys = [], []
    keys = sorted(rts)
    for _ in range(n_yards):
        key = keys[int(rng.integers(0, len(keys)))]
        c = random_points(rts[key], 1, rng)[0]
        side = rng.uniform(6, 11)
        plot = shapely.affinity.rotate(
            shapely.box(c.x, c.y, c.x + side, c.y + rng.uniform(5, 9)), rng.uniform(0, 90), origin=c
        )
        polys.append(("pekarangan", plot.intersection(rts[key]), "kangkung, bayam, cabai"))
    for w in works:
        line = shapely.geometry.shape(w["geometry"])
        line = shapely.transform(line, lambda xy: np.column_stack(TO_UTM.transform(xy[:, 0], xy[:, 1])))
        if line.geom_type != "LineString":
            continue
        piece = shapely.ops.substring(line, 0.2 * line.length, 0.45 * line.length)
        if w["properties"]["work_type"] == "drainase":
            polys.append(("atas_drainase", piece.buffer(0.6, cap_style="flat"), "sawi, selada (hidroponik)"))
        else:
            polys.append(
                ("pinggir_jalan", piece.offset_curve(2.5).buffer(0.75, cap_style="flat"), "terong, tomat, cabai")
            )
    revenue = split_total(revenue_total, rng.uniform(0.5, 1.5, len(polys)))
    for i, ((site, poly, crops), rev) in enumerate(zip(polys, revenue, strict=True), start=1):
        feats.append(
            feature(
                poly,
                garden_id=f"KWT-{place.code[-4:]}-{i:02d}",
                kelurahan_code=place.code,
                kwt_name=kwt,
                crops=crops,
                site_type=site,
                revenue_idr_month=int(rev),
            )
        )
    return feats


def facilities(place, rts, rng, items) -> list[dict]:
    feats = []
    for i, (key, category, programme, name) in enumerate(items, start=1):
        pt = random_points(rts[key], 1, rng)[0]
        feats.append(
            feature(
                pt,
                facility_id=f"FAS-{place.code[-4:]}-{i:02d}",
                kelurahan_code=place.code,
                name=name,
                category=category,
                programme=programme,
            )
        )
    return feats


KALIAWI_FACILITIES = [
    ((1, 1), "posyandu", "Kampung KB", "Posyandu Melati"),
    ((2, 4), "posyandu", "Kampung KB", "Posyandu Kenanga"),
    ((1, 2), "balai_warga", "Swadaya", "Balai Warga Kaliawi Persada"),
    ((1, 4), "musala", "Swadaya", "Musala Al-Ikhlas"),
    ((2, 5), "musala", "Swadaya", "Musala Nurul Huda"),
    ((1, 6), "pos_ronda", "Swadaya", "Pos Ronda LK I"),
    ((2, 2), "pos_ronda", "Swadaya", "Pos Ronda LK II"),
    ((1, 3), "bank_sampah", "KOTAKU", "Bank Sampah Persada Bersih"),
    ((2, 1), "rumah_bibit", "Dinas", "Rumah Bibit Dinas Pertanian"),
    ((1, 8), "paud", "Swadaya", "PAUD Tunas Persada"),  # Rumah DataKu is Penyengat Rendah's (RT 07)
    ((2, 7), "sekolah", "Dinas", "SD Negeri Kaliawi"),
    ((1, 5), "dapur_stunting", "Kampung KB", "Dapur Sehat Atasi Stunting"),
    ((1, 2), "sekretariat", "KOTAKU", "Sekretariat LKM Persada Mandiri"),
]


# Kampung Kranggan Mandiri (DOMAIN.md section 6): each RW develops a flagship product; the story's
# status in May 2020.  Bank sampah is RW 01's proposal.  One balai per product, every product once.
FLAGSHIP_PRODUCTS = (
    ("bank sampah", "diusulkan, belum dibahas"),
    ("otomotif", "berjalan"),
    ("kuliner", "sedang dibentuk"),
    ("perikanan", "sedang dibentuk"),
    ("peternakan", "sedang disiapkan"),
    ("konveksi", "diusulkan, belum dibahas"),
)


def jatirangga_facilities() -> list[tuple]:
    rws = range(1, 17, 3)  # RW 01, 04, 07, 10, 13, 16
    items = [
        (
            (u, 1),
            "balai_warga",
            "Kampung Kranggan Mandiri",
            f"Balai RW {u:02d} (produk unggulan: {product}; {status})",
        )
        for u, (product, status) in zip(rws, FLAGSHIP_PRODUCTS, strict=True)
    ]
    items += [
        ((5, 2), "bank_sampah", "Kampung Kranggan Mandiri", "Bank Sampah Kranggan Lestari"),
        ((1, 2), "sekretariat", "Kampung Kranggan Mandiri", "Koperasi Kranggan Lembur Mandiri"),
        ((2, 1), "posyandu", "Kampung KB", "Posyandu Mawar"),
        ((9, 3), "posyandu", "Kampung KB", "Posyandu Anggrek"),
        ((11, 2), "pos_ronda", "Swadaya", "Pos Ronda RW 11"),  # Kampung Tangguh is Tanah Tinggi's
        ((14, 1), "masjid", "Swadaya", "Masjid Jami Kranggan"),
    ]
    return items


# --- slum baseline ------------------------------------------------------------------------------

CRITERIA = ["1a", "1b", "1c", "2a", "2b", "3a", "3b", "4a", "4b", "4c", "5a", "5b", "6a", "6b", "7a", "7b"]
DENOMINATOR = {
    "1a": "jumlah_bangunan",
    "1b": "luas_verifikasi_ha",
    "1c": "jumlah_bangunan",
    "2a": "panjang_jalan_ideal_m",
    "2b": "panjang_jalan_ideal_m",
    "3a": "jumlah_kk",
    "3b": "jumlah_kk",
    "4a": "luas_verifikasi_ha",
    "4b": "panjang_drainase_ideal_m",
    "4c": "panjang_drainase_ideal_m",
    "5a": "jumlah_kk",
    "5b": "jumlah_kk",
    "6a": "jumlah_kk",
    "6b": "jumlah_kk",
    "7a": "jumlah_bangunan",
    "7b": "jumlah_bangunan",
}


def kumuh_baseline(place, rts, hh, works, rng, year, severe: set) -> list[dict]:
    """A KOTAKU-style baseline row per RT, before the works: volumes at least what the works handled."""
    kk = {}
    labels = {rt_text(place, u, r, s): (u, r) for (u, r) in rts for s in range(3)}
    for row in hh:
        key = labels[row["rt"]]
        kk[key] = kk.get(key, 0) + 1
    handled = {}
    for w in works:
        p = w["properties"]
        key = labels[p["rt"]]
        handled[(key, p["criterion_id"])] = handled.get((key, p["criterion_id"]), 0) + p["volume"]
    rows = []
    for (u, r), cell in sorted(rts.items()):
        n_kk = kk.get((u, r), 0)
        profile = {
            "luas_verifikasi_ha": round(cell.area / 10_000, 4),
            "jumlah_bangunan": round(n_kk * rng.uniform(0.75, 0.95)),
            "jumlah_penduduk": round(n_kk * rng.uniform(3.3, 4.1)),
            "jumlah_kk": n_kk,
            "panjang_jalan_ideal_m": round(math.sqrt(cell.area) * rng.uniform(2.0, 3.0), 1),
        }
        profile["panjang_drainase_ideal_m"] = round(profile["panjang_jalan_ideal_m"] * rng.uniform(1.4, 2.0), 1)
        severity = rng.uniform(0.62, 0.9) if (u, r) in severe else rng.uniform(0.05, 0.55)
        row = {"kode_kelurahan": place.code, "rt": rt_text(place, u, r, 0), "tahun": year, **profile}
        for c in CRITERIA:
            share = float(np.clip(severity + rng.normal(0, 0.15), 0, 1)) if rng.uniform() < 0.8 else 0.0
            denom = profile[DENOMINATOR[c]]
            value = max(denom * share, handled.get(((u, r), c), 0.0))
            row[c] = (
                round(value, 4)
                if DENOMINATOR[c] == "luas_verifikasi_ha"
                else (round(value, 1) if DENOMINATOR[c].endswith("_m") else math.ceil(value))
            )
        row["nilai_strategis"] = 5 if (u, r) in severe or rng.uniform() < 0.3 else 1
        row["kependudukan"] = (
            5
            if n_kk / max(profile["luas_verifikasi_ha"], 0.01) > 40
            else (3 if n_kk / max(profile["luas_verifikasi_ha"], 0.01) > 15 else 1)
        )
        row["kondisi_sosial"] = 5 if severity > 0.5 else 1
        row["legalitas_lahan"] = "tidak_jelas" if rng.uniform() < 0.08 else "jelas"
        row["sesuai_rtrw"] = "ya"
        rows.append(row)
    return rows


# --- flood hazard raster ---------------------------------------------------------------------


def flood_raster(path: Path, kel: shapely.Geometry, rng: np.random.Generator, sigma_m: float) -> None:
    """Synthetic flood depth (m) on 10 m pixels: a low channel across the kelurahan, plus noise."""
    import rasterio
    from affine import Affine

    minx, miny, maxx, maxy = (round(v / 10) * 10 for v in kel.buffer(100).bounds)
    width, height = int((maxx - minx) / 10), int((maxy - miny) / 10)
    xs = minx + (np.arange(width) + 0.5) * 10
    ys = maxy - (np.arange(height) + 0.5) * 10
    gx, gy = np.meshgrid(xs, ys)
    angle = rng.uniform(0, math.pi)
    cx, cy = kel.centroid.x + rng.normal(0, sigma_m), kel.centroid.y + rng.normal(0, sigma_m)
    dist = np.abs((gx - cx) * math.sin(angle) - (gy - cy) * math.cos(angle))
    depth = 1.6 * np.exp(-(dist**2) / (2 * sigma_m**2)) + rng.normal(0, 0.08, gx.shape) - 0.15
    depth = np.clip(depth, 0, None).round(2).astype("float32")
    profile = {
        "driver": "GTiff",
        "height": height,
        "width": width,
        "count": 1,
        "dtype": "float32",
        "crs": UTM,
        "transform": Affine(10, 0, minx, 0, -10, maxy),
        "nodata": -9999.0,
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(depth, 1)
        dst.update_tags(units="m", source="petakampung demo generator (synthetic)")


# --- roads ----------------------------------------------------------------------------------------


def road_network(place: Place, kel: shapely.Geometry) -> list[dict]:
    """A small synthetic road network: two jalan and gang about 60 m apart, wavy, noded where they
    cross (shared vertices, as OSM ways share nodes), with a river (the Way Awi) across the
    kelurahan that only two bridges cross, and some gang ending blind.  Own random generator."""
    rng = np.random.default_rng(place.seed + 11)
    cx, cy = kel.centroid.x, kel.centroid.y
    x0, y0, x1, y1 = kel.buffer(60).bounds
    lines = []
    for i, x in enumerate(np.arange(x0 + 40, x1, 60.0)):  # north-south gang, the 4th and 8th a jalan
        ys = np.linspace(y0, y1, 12)
        xs = x + np.cumsum(rng.normal(0, 4, len(ys)))
        lines.append((LineString(np.column_stack([xs, ys])), "residential" if i % 4 == 3 else "footway"))
    for i, y in enumerate(np.arange(y0 + 30, y1, 70.0)):  # east-west gang
        xs = np.linspace(x0, x1, 12)
        ys = y + np.cumsum(rng.normal(0, 4, len(xs)))
        lines.append((LineString(np.column_stack([xs, ys])), "residential" if i % 3 == 1 else "footway"))
    river = LineString([(x0, cy + 120), (x1, cy - 160)]).buffer(6)
    bridges = [Point(cx - 150, cy + 0).buffer(45), Point(cx + 220, cy - 110).buffer(45)]
    area = kel.buffer(30)
    pieces = []
    for line, kind in lines:
        clipped = line.intersection(area)
        for part in getattr(clipped, "geoms", [clipped]):
            if part.is_empty or part.geom_type != "LineString":
                continue
            pieces.append((part, kind))
    noded = shapely.union_all([p for p, _ in pieces])  # split at every crossing
    feats = []
    for i, part in enumerate(shapely.get_parts(noded)):
        if part.length < 1:
            continue
        if part.intersects(river) and not any(part.intersects(b) for b in bridges):
            part = part.difference(river.buffer(1))  # no crossing except at the bridges
        for piece in getattr(part, "geoms", [part]):
            if piece.is_empty or piece.length < 5 or rng.uniform() < 0.06:  # some gang end blind
                continue
            kind = next((k for line, k in pieces if line.buffer(0.5).contains(piece)), "footway")
            name = "Jalan" if kind == "residential" else "Gang"
            feats.append(
                feature(
                    piece,
                    road_id=f"J-{place.code.replace('.', '')}-{len(feats) + 1:04d}",
                    name=f"{name} {i + 1}",
                    highway=kind,
                )
            )
    return feats


# --- writing -----------------------------------------------------------------------------------------


def write_geojson(path: Path, feats: list[dict]) -> None:
    collection = {"type": "FeatureCollection", "features": feats}
    path.write_text(
        json.dumps(collection, ensure_ascii=False, indent=None, separators=(",", ":")).replace(
            '{"type":"Feature"', '\n{"type":"Feature"'
        )
        + "\n",
        encoding="utf-8",
    )


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# the groups (community/groups_<slug>.csv, made by demo_community.py) the works and gardens name
JATIRANGGA_KSM = {"JTR-2024-01": 1, "JTR-2026-01": 1, "JTR-2026-02": 2}
JATIRANGGA_KSM_NAMES = {1: "KSM Jati Mandiri", 2: "KSM Rangga Sejahtera"}


def refer_groups(place, works: list[dict], plots: list[dict]) -> None:
    """Works name their KSM (and, for what BPM built, the KPP that maintains it) and gardens their
    KWT by group id, as groups of the same kelurahan."""
    tail = place.code[-4:]
    for w in works:
        p = w["properties"]
        if place is KALIAWI:
            p["ksm_group_id"] = f"KLP-{tail}-KSM{KSM.index(p['ksm']) + 1}"
            p["kpp_group_id"] = f"KLP-{tail}-KPP" if p["funding"] == "BPM" and p["status"] == "selesai" else None
        else:
            number = JATIRANGGA_KSM[p["work_id"]]
            p["ksm"] = JATIRANGGA_KSM_NAMES[number]
            p["ksm_group_id"] = f"KLP-{tail}-KSM{number}"
            p["kpp_group_id"] = None
    for plot in plots:
        plot["properties"]["kwt_group_id"] = f"KLP-{tail}-KWT"


def generate(out: Path) -> None:
    for sub in ("boundaries", "households", "infrastructure", "kumuh", "hazard"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for place, slug in ((KALIAWI, "kaliawi_persada"), (JATIRANGGA, "jatirangga")):
        rng = np.random.default_rng(place.seed)
        kel, units, rts = build_boundaries(place, rng)
        write_geojson(out / "boundaries" / f"{slug}.geojson", boundary_features(place, kel, units, rts))
        if place is KALIAWI:
            hh = households(place, rts, rng, poor_total=None, poor_rts={(1, 3), (1, 5), (2, 2), (2, 3)})
            add_family_data(place, hh)  # Rumah DataKu, in RT 8 Lingkungan 1
            works = kaliawi_works(place, rts, rng, kel)
            plots = gardens(place, rts, works, rng, "KWT Sukawangi Sejahtera", 10, 1_200_000)
            facs = facilities(place, rts, rng, KALIAWI_FACILITIES)
        else:
            hh = households(place, rts, rng, poor_total=910, poor_rts=set())
            works = jatirangga_works(place, rts, rng, kel)
            plots = gardens(place, rts, [], rng, "KWT Kranggan Lestari", 4, 900_000)
            facs = facilities(place, rts, rng, jatirangga_facilities())
        refer_groups(place, works, plots)
        write_csv(out / "households" / f"households_{slug}.csv", hh)
        year, severe = (2018, {(1, 3), (1, 5), (2, 2), (2, 3)}) if place is KALIAWI else (2024, {(3, 1), (7, 2)})
        write_csv(out / "kumuh" / f"baseline_{slug}.csv", kumuh_baseline(place, rts, hh, works, rng, year, severe))
        write_geojson(out / "infrastructure" / f"works_{slug}.geojson", works)
        write_csv(out / "infrastructure" / f"works_progress_{slug}.csv", progress_history(works, rng))
        write_geojson(out / "infrastructure" / f"gardens_{slug}.geojson", plots)
        write_geojson(out / "infrastructure" / f"facilities_{slug}.geojson", facs)
        flood_raster(out / "hazard" / f"{place.code}_flood.tif", kel, rng, 60.0 if place is KALIAWI else 150.0)
        if place is KALIAWI:  # Jatirangga has no road layer: its service areas are straight lines
            (out / "roads").mkdir(exist_ok=True)
            write_geojson(out / "roads" / f"roads_{slug}.geojson", road_network(place, kel))
    import demo_community  # the three newer seeds and the community files (issue 13)

    demo_community.generate(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    args = parser.parse_args()
    generate(args.out)
    print(f"demo data written to {args.out}")


if __name__ == "__main__":
    main()
