#!/usr/bin/env python3
"""A synthetic city for benchmarks: about 100 kelurahan and 10,000 RT around Kota Bekasi.

    python bench/synthetic_city.py --out DIR [--scale 1.0] [--seed 2026]

Deterministic for a seed.  At ``--scale 1``: 10,000 RT of irregular shape (Voronoi cells of a
jittered grid, clipped to an irregular city outline) grouped into about 1,000 RW and 100
kelurahan in 12 kecamatan (RW and kelurahan are unions of whole RTs, so RT nests in RW nests in
kelurahan exactly, with no overlaps and no gaps); 1,000,000 households (about 85 % with a GPS
point, 0.3 % of those exactly on an RT vertex or edge, about 3 % in another RT than their label,
0.1 % far from it), DTSEN deciles 1-10 and the housing fields of the households layer; 20,000
work line segments, 2,000 point works, 1,000 KWT gardens and 3,000 facilities.  Counts scale
with ``--scale`` (0.005 gives 50 RT and 5,000 households for a smoke test).

Kelurahan codes are valid Kemendagri codes of Kota Bekasi (32.75) whose DDDD part starts at
1101, above the real ones, so the synthetic city never collides with real or demo kelurahan.
Names are invented; no real person or place is described.

:func:`generate` returns the frames in EPSG:32748 shaped like the store's tables;
:func:`write_import_files` writes them in the formats ``petakampung import`` accepts:
``boundaries.gpkg`` (layers kelurahan, rw, rt), ``households.csv`` (lat/lon), ``works.geojson``,
``gardens.geojson`` and ``facilities.geojson``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from geo.criteria import CRITERIA
from geo.layers.facilities import CATEGORY_LABELS, PROGRAMME_LABELS
from geo.places import rt_label, unit_label

UTM = 32748  # WGS 84 / UTM zone 48S: Bekasi, Jakarta, Bandar Lampung
CENTRE_LONLAT = (106.995, -6.265)  # Kota Bekasi
KOTA_CODE, KOTA, PROVINSI = "32.75", "Kota Bekasi", "Jawa Barat"
RT_AREA_M2 = 20_000  # a 2 ha RT: 10,000 RT cover about 200 km2, the size of Kota Bekasi
FULL = {
    "rt": 10_000,
    "rw": 1_000,
    "kelurahan": 100,
    "households": 1_000_000,
    "lines": 20_000,
    "point_works": 2_000,
    "gardens": 1_000,
    "facilities": 3_000,
}
NAME_HEADS = (
    "Jati", "Marga", "Harapan", "Bojong", "Pekayon", "Kali", "Duren", "Sumur", "Pondok", "Teluk",
    "Bintara", "Perwira", "Mustika", "Cikiwul", "Sepanjang", "Aren", "Rawa", "Padurenan", "Kranji", "Bambu",
)  # fmt: skip
NAME_TAILS = (
    "Asih", "Mulya", "Jaya", "Baru", "Indah", "Sari", "Rahayu", "Makmur",
    "Timur", "Barat", "Kencana", "Sejahtera", "Lestari", "Permai",
)  # fmt: skip
HOUSING = {  # column: (values, weights for decile 1-4, weights for decile 5-10)
    "floor": (("keramik", "ubin", "semen", "kayu", "bambu", "tanah"), (15, 15, 38, 12, 5, 15), (55, 20, 20, 3, 1, 1)),
    "wall": (
        ("tembok", "plesteran_bambu", "kayu", "anyaman_bambu", "bambu", "lainnya"),
        (45, 15, 22, 12, 4, 2),
        (90, 3, 6, 1, 0, 0),
    ),
    "roof": (("beton", "genteng", "seng", "asbes", "kayu", "jerami"), (2, 28, 40, 24, 2, 4), (10, 50, 20, 19, 1, 0)),
    "water_source": (
        ("kemasan", "ledeng", "sumur_bor", "sumur_terlindung", "sumur_tak_terlindung", "sungai"),
        (20, 10, 25, 20, 22, 3),
        (45, 20, 20, 12, 3, 0),
    ),
    "toilet": (("sendiri", "bersama", "umum", "tidak_ada"), (50, 25, 15, 10), (93, 5, 1.5, 0.5)),
    "lighting": (("pln_meteran", "pln_tanpa_meteran", "non_pln", "bukan_listrik"), (70, 24, 5, 1), (97, 3, 0, 0)),
    "cooking_fuel": (("gas", "listrik", "minyak_tanah", "kayu_bakar", "arang"), (73, 0, 5, 20, 2), (90, 7, 2, 1, 0)),
    "aid": (("PKH", "BPNT", "PKH, BPNT", "PBI JK", ""), (25, 20, 25, 15, 15), (2, 3, 1, 9, 85)),
}
LINE_WORKS = (  # type, criteria it handles, Rp per metre
    ("jalan_rabat_beton", ("2a", "2b"), 1_100_000),
    ("jalan_paving", ("2a", "2b"), 900_000),
    ("drainase", ("4b", "4c", "4a"), 1_400_000),
)
POINT_WORKS = (
    ("sumur_bor", ("3a", "3b")),
    ("mck", ("5a", "5b")),
    ("ipal_komunal", ("5a", "5b")),
    ("tps_3r", ("6a", "6b")),
    ("proteksi_kebakaran", ("7a", "7b")),
)
STATUS = (("selesai", 0.55), ("berjalan", 0.2), ("rencana", 0.2), ("batal", 0.05))
FUNDING = ("BPM", "APBD", "APBN", "DAK", "CSR", "swadaya", "dana_kelurahan")
SITES = ("pekarangan", "pinggir_jalan", "atas_drainase", "lahan_kosong")


@dataclass
class City:
    """Store-shaped frames of one synthetic city, in EPSG:32748."""

    kelurahan: gpd.GeoDataFrame
    rw: gpd.GeoDataFrame
    rt: gpd.GeoDataFrame
    households: gpd.GeoDataFrame
    works: gpd.GeoDataFrame
    gardens: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame

    def frames(self) -> dict[str, gpd.GeoDataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def counts(scale: float) -> dict[str, int]:
    out = {k: max(1, round(v * scale)) for k, v in FULL.items()}
    out["kelurahan"] = max(2, out["kelurahan"])
    out["rw"] = max(out["kelurahan"] * 2, out["rw"])
    out["rt"] = max(out["rw"] * 2, out["rt"])
    return out


def generate(scale: float = 1.0, *, seed: int = 2026) -> City:
    """The city at ``scale`` (1.0: 10,000 RT and 1,000,000 households)."""
    if scale <= 0:
        raise ValueError(f"scale must be positive; got {scale}")
    rng = np.random.default_rng(seed)
    n = counts(scale)
    outline = _outline(n["rt"] * RT_AREA_M2, rng)
    seeds = _seeds(outline, n["rt"], rng)
    cells = _polygonal(shapely.intersection(_voronoi(seeds, outline), outline))
    kel, rw, rt = _hierarchy(seeds, cells, n, rng)
    households = _households(rt, n["households"], rng)
    works = _works(rt, n["lines"], n["point_works"], rng)
    gardens = _gardens(rt, n["gardens"], rng)
    facilities = _facilities(rt, n["facilities"], rng)
    return City(kel, rw, rt, households, works, gardens, facilities)


# --- shapes ------------------------------------------------------------------------------------


def _outline(area_m2: float, rng: np.random.Generator) -> shapely.Polygon:
    """An irregular, star-shaped city outline of the given area around Kota Bekasi."""
    cx, cy = Transformer.from_crs(4326, UTM, always_xy=True).transform(*CENTRE_LONLAT)
    theta = np.linspace(0, 2 * np.pi, 361)[:-1]
    phase = rng.uniform(0, 2 * np.pi, 3)
    waves = np.array([[3, 0.12], [5, 0.08], [2, 0.05]])
    r = 1 + (waves[:, 1:] * np.sin(waves[:, :1] * theta + phase[:, None])).sum(axis=0)
    shape = shapely.Polygon(np.c_[np.cos(theta) * r, np.sin(theta) * r])
    k = np.sqrt(area_m2 / shape.area)
    return shapely.Polygon(np.c_[cx + np.cos(theta) * r * k, cy + np.sin(theta) * r * k])


def _seeds(outline: shapely.Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """Exactly ``n`` points inside ``outline`` on a jittered grid: irregular but never sliver cells."""
    minx, miny, maxx, maxy = outline.bounds
    step = np.sqrt(outline.area / n)
    gx, gy = np.meshgrid(np.arange(minx, maxx, step), np.arange(miny, maxy, step))
    pts = np.c_[gx.ravel(), gy.ravel()] + rng.uniform(-0.4, 0.4, (gx.size, 2)) * step
    pts = pts[shapely.contains_xy(outline, pts[:, 0], pts[:, 1])]
    while len(pts) < n:
        extra = rng.uniform([minx, miny], [maxx, maxy], (n, 2))
        pts = np.vstack([pts, extra[shapely.contains_xy(outline, extra[:, 0], extra[:, 1])]])
    return pts[np.sort(rng.choice(len(pts), n, replace=False))]


def _voronoi(seeds: np.ndarray, outline: shapely.Polygon) -> np.ndarray:
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline.buffer(1000), ordered=True)
    return shapely.get_parts(cells)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Polygon or MultiPolygon for each geometry (drops stray lines an intersection can leave)."""
    out = geoms.copy()
    for i in np.flatnonzero(~np.isin(shapely.get_type_id(geoms), [3, 6])):
        parts = [p for p in shapely.get_parts(geoms[i]) if p.geom_type == "Polygon"]
        out[i] = shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
    return out


def _group(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return cKDTree(centres).query(points)[1]


def _rank_within(group: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """1-based number of each item within its group, north-west first."""
    order = np.lexsort((xy[:, 0], -np.round(xy[:, 1], -2), group))
    rank = np.empty(len(group), dtype=np.int64)
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank[order] = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)])) + 1
    return rank


def _hierarchy(seeds: np.ndarray, cells: np.ndarray, n: dict[str, int], rng: np.random.Generator):
    """Kelurahan around random RT seeds, then RW around seeds inside each kelurahan."""
    kel_seed = np.sort(rng.choice(len(seeds), n["kelurahan"], replace=False))
    rt_kel = _group(seeds, seeds[kel_seed])
    rt_count = np.bincount(rt_kel, minlength=n["kelurahan"])
    rw_count = np.maximum(1, np.floor(n["rw"] * rt_count / len(seeds)).astype(np.int64))
    rw_seed = np.concatenate(
        [rng.choice(np.flatnonzero(rt_kel == k), min(c, rt_count[k]), replace=False) for k, c in enumerate(rw_count)]
    )
    # nearest RW seed of the same kelurahan: kelurahan apart in a third dimension
    lift = np.c_[seeds, rt_kel * 1e9]
    rt_rw = _group(lift, lift[rw_seed])
    rw_kel = rt_kel[rw_seed]
    n_kec = min(12, n["kelurahan"])
    kel_xy = seeds[kel_seed]
    kel_kec = _group(kel_xy, kel_xy[np.sort(rng.choice(n["kelurahan"], n_kec, replace=False))])
    kec_rank = _rank_within(np.zeros(n_kec, dtype=np.int64), kel_xy[np.unique(kel_kec, return_index=True)[1]])
    kec_no = kec_rank[kel_kec]
    kel_no = _rank_within(kec_no, kel_xy)
    codes = np.array([f"{KOTA_CODE}.{k:02d}.{1100 + d:04d}" for k, d in zip(kec_no, kel_no, strict=True)])
    names = rng.permutation([f"{h} {t}" for h in NAME_HEADS for t in NAME_TAILS])
    kec_names = rng.permutation(NAME_HEADS)
    rw_no = _rank_within(rw_kel, seeds[rw_seed])
    rt_no = _rank_within(rt_rw, seeds)
    rt = gpd.GeoDataFrame(
        {
            "kelurahan_code": codes[rw_kel[rt_rw]],
            "unit_type": "RW",
            "unit_number": rw_no[rt_rw],
            "rt_number": rt_no,
            "rt_label": [rt_label(int(r), int(u), "RW") for r, u in zip(rt_no, rw_no[rt_rw], strict=True)],
        },
        geometry=cells,
        crs=UTM,
    )
    rt = rt.sort_values(["kelurahan_code", "unit_number", "rt_number"]).reset_index(drop=True)
    rw = rt.dissolve(by=["kelurahan_code", "unit_number"], as_index=False)
    rw["unit_type"] = "RW"
    rw["unit_label"] = [unit_label(int(u), "RW") for u in rw["unit_number"]]
    kel = rt.dissolve(by="kelurahan_code", as_index=False)[["kelurahan_code", "geometry"]]
    order = np.argsort(codes)
    kel["name"] = [f"{names[i]} (sintetis)" for i in order]
    kel["kecamatan"] = [kec_names[(kec_no[i] - 1) % len(kec_names)] for i in order]
    kel["kota"], kel["provinsi"], kel["unit_type"] = KOTA, PROVINSI, "RW"
    kel = kel[["kelurahan_code", "name", "kecamatan", "kota", "provinsi", "unit_type", "geometry"]]
    return kel, rw[["kelurahan_code", "unit_type", "unit_number", "unit_label", "geometry"]], rt


def _sampler(polys: gpd.GeoSeries):
    """Uniform random points in given polygons: triangles by area, then a point in the triangle."""
    tris, owner = shapely.get_parts(shapely.constrained_delaunay_triangles(polys.to_numpy()), return_index=True)
    area = shapely.area(tris)
    corners = shapely.get_coordinates(tris).reshape(len(tris), 4, 2)[:, :3]
    cum = np.cumsum(area)
    first = np.searchsorted(owner, np.arange(len(polys)))
    start = np.r_[0.0, cum][first]
    total = np.bincount(owner, weights=area, minlength=len(polys))

    def sample(which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        tri = np.searchsorted(cum, start[which] + rng.uniform(0, 1, len(which)) * total[which], side="right")
        tri = np.minimum(tri, len(tris) - 1)
        u, v = rng.uniform(0, 1, (2, len(which)))
        flip = u + v > 1
        u[flip], v[flip] = 1 - u[flip], 1 - v[flip]
        a, b, c = corners[tri, 0], corners[tri, 1], corners[tri, 2]
        return a + u[:, None] * (b - a) + v[:, None] * (c - a)

    return sample


# --- households --------------------------------------------------------------------------------


def _households(rt: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    weights = rng.lognormal(0, 0.35, len(rt))
    home = np.repeat(np.arange(len(rt)), rng.multinomial(n, weights / weights.sum()))
    kel_codes, kel_of_rt = np.unique(rt["kelurahan_code"], return_inverse=True)
    poverty = rng.uniform(3.0, 8.0, len(kel_codes))[kel_of_rt[home]]
    decile = np.clip(np.rint(rng.normal(poverty, 2.4)), 1, 10).astype(np.int64)
    frame = pd.DataFrame(
        {
            "kk_key": [f"id:KK{i:07d}" for i in range(n)],
            "kelurahan_code": rt["kelurahan_code"].to_numpy()[home],
            "unit_type": "RW",
            "unit_number": rt["unit_number"].to_numpy()[home],
            "rt_number": rt["rt_number"].to_numpy()[home],
            "decile": decile,
        }
    )
    poor = decile <= 4
    for col, (values, p_poor, p_rest) in HOUSING.items():
        pick = np.empty(n, dtype=object)
        for mask, p in ((poor, p_poor), (~poor, p_rest)):
            p = np.asarray(p, dtype=float)
            pick[mask] = rng.choice(np.array(values, dtype=object), mask.sum(), p=p / p.sum())
        frame[col] = pick
    frame["aid"] = np.where(frame["aid"] == "", None, frame["aid"])
    return gpd.GeoDataFrame(frame, geometry=_household_points(rt, home, rng), crs=UTM)


def _household_points(rt: gpd.GeoDataFrame, home: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(home)
    draw = rng.uniform(0, 1, n)
    located = draw < 0.85
    where = home.copy()
    same_rw = rt.groupby(["kelurahan_code", "unit_number"]).ngroup().to_numpy()
    moved = located & (draw > 0.85 - 0.03)  # a point in another RT of the same RW than the label
    where[moved] = _other_rt(same_rw, home[moved], rng)
    far = located & (draw < 0.001)  # GPS far off: any RT of the city
    where[far] = rng.integers(0, len(rt), far.sum())
    xy = np.full((n, 2), np.nan)
    xy[located] = _sampler(rt.geometry)(where[located], rng)
    on_edge = np.flatnonzero(located & (rng.uniform(0, 1, n) < 0.003))
    xy[on_edge] = _ring_points(rt.geometry.to_numpy()[where[on_edge]], rng)
    points = np.full(n, None, dtype=object)
    points[located] = shapely.points(xy[located])
    return points


def _other_rt(group: np.ndarray, home: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another RT of the same group (RW) for each ``home``, or ``home`` itself in a one-RT RW."""
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], group)
    sizes = np.bincount(group)[group]
    offset = rng.integers(1, np.maximum(sizes[home], 2))
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - starts[order]
    other = order[starts[home] + (rank[home] + offset) % sizes[home]]
    return np.where(sizes[home] > 1, other, home)


def _ring_points(polys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A vertex (half of them) or an edge midpoint of each polygon's outer ring."""
    rings = shapely.get_exterior_ring(shapely.get_geometry(polys, 0))
    coords, owner = shapely.get_coordinates(rings, return_index=True)
    first = np.searchsorted(owner, np.arange(len(polys)))
    size = np.bincount(owner, minlength=len(polys)) - 1
    k = first + (rng.uniform(0, 1, len(polys)) * size).astype(np.int64)
    mid = rng.uniform(0, 1, len(polys)) < 0.5
    return np.where(mid[:, None], (coords[k] + coords[k + 1]) / 2, coords[k])


# --- works, gardens, facilities ----------------------------------------------------------------


def _place_columns(rt: gpd.GeoDataFrame, where: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "kelurahan_code": rt["kelurahan_code"].to_numpy()[where],
        "unit_type": np.full(len(where), "RW", dtype=object),
        "unit_number": rt["unit_number"].to_numpy()[where],
        "rt_number": rt["rt_number"].to_numpy()[where],
    }


def _works(rt: gpd.GeoDataFrame, n_lines: int, n_points: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Bent line works of 40-260 m from a point in an RT (many cross RT borders) and point works."""
    where = rng.integers(0, len(rt), n_lines + n_points)
    start = _sampler(rt.geometry)(where, rng)
    heading = rng.uniform(0, 2 * np.pi, n_lines)
    turn = heading + rng.normal(0, 0.5, n_lines)
    legs = rng.uniform(20, 130, (n_lines, 2))
    p1 = start[:n_lines] + legs[:, :1] * np.c_[np.cos(heading), np.sin(heading)]
    p2 = p1 + legs[:, 1:] * np.c_[np.cos(turn), np.sin(turn)]
    lines = shapely.linestrings(np.stack([start[:n_lines], p1, p2], axis=1))
    geoms = np.concatenate([lines, shapely.points(start[n_lines:])])
    line_kind = rng.integers(0, len(LINE_WORKS), n_lines)
    point_kind = rng.integers(0, len(POINT_WORKS), n_points)
    work_type = [LINE_WORKS[k][0] for k in line_kind] + [POINT_WORKS[k][0] for k in point_kind]
    criterion = [rng.choice(LINE_WORKS[k][1]) for k in line_kind] + [rng.choice(POINT_WORKS[k][1]) for k in point_kind]
    length = np.r_[shapely.length(lines), np.zeros(n_points)]
    unit = np.array([CRITERIA[c].unit for c in criterion])
    volume = np.select([unit == "m", unit == "ha"], [length, length * 3 / 10_000], rng.integers(10, 120, len(unit)))
    per_m = np.array([LINE_WORKS[k][2] for k in line_kind])
    budget = np.r_[np.round(length[:n_lines] * per_m, -5), rng.integers(1, 40, n_points) * 5_000_000]
    rt_number, unit_number = rt["rt_number"].to_numpy()[where], rt["unit_number"].to_numpy()[where]
    frame = pd.DataFrame(
        {
            "work_id": [f"W-{i:06d}" for i in range(len(geoms))],
            **_place_columns(rt, where),
            "name": [
                f"{t.replace('_', ' ').capitalize()} {rt_label(r, u, 'RW')}"
                for t, r, u in zip(work_type, rt_number, unit_number, strict=True)
            ],
            "work_type": work_type,
            "criterion_id": criterion,
            "volume": np.round(volume, 4),
            "volume_unit": unit,
            **_schedule(len(geoms), rng),
            "budget_idr": budget.astype(np.int64),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=UTM)


def _schedule(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Year, funding, KSM, planned dates, status and progress consistent with the status."""
    status = rng.choice([s for s, _ in STATUS], n, p=[p for _, p in STATUS])
    fisik = np.select([status == "selesai", status == "berjalan"], [100.0, np.round(rng.uniform(5, 95, n))], 0.0)
    year = rng.integers(2019, 2027, n)
    start = pd.to_datetime(year.astype(str)) + pd.to_timedelta(rng.integers(60, 200, n), unit="D")
    end = start + pd.to_timedelta(rng.integers(30, 150, n), unit="D")
    return {
        "year": year,
        "funding": rng.choice(FUNDING, n),
        "ksm": np.array([f"KSM {NAME_TAILS[i]}" for i in rng.integers(0, len(NAME_TAILS), n)], dtype=object),
        "planned_start": np.asarray(start.strftime("%Y-%m-%d")),
        "planned_end": np.asarray(end.strftime("%Y-%m-%d")),
        "status": status,
        "progress_fisik": fisik,
        "progress_keuangan": np.round(fisik * rng.uniform(0.8, 1.0, n), 1),
    }


def _gardens(rt: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    where = rng.integers(0, len(rt), n)
    centre = _sampler(rt.geometry)(where, rng)
    half = rng.uniform(4, 20, (n, 2))
    angle = rng.uniform(0, np.pi, n)
    unit = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float)
    local = unit[None] * half[:, None, :]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    ring = np.stack([local[..., 0] * cos - local[..., 1] * sin, local[..., 0] * sin + local[..., 1] * cos], axis=-1)
    polys = shapely.polygons(ring + centre[:, None, :])
    frame = pd.DataFrame(
        {
            "garden_id": [f"KWT-{i:05d}" for i in range(n)],
            "kelurahan_code": rt["kelurahan_code"].to_numpy()[where],
            "kwt_name": [f"KWT {NAME_HEADS[i]} {NAME_TAILS[j]}" for i, j in rng.integers(0, 14, (n, 2))],
            "crops": rng.choice(["kangkung, bayam", "cabai, tomat", "terong, sawi", "jahe, kunyit"], n),
            "site_type": rng.choice(SITES, n),
            "area_m2": np.round(shapely.area(polys), 2),
            "revenue_idr_month": rng.integers(0, 30, n) * 50_000,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=polys, crs=UTM)


def _facilities(rt: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    where = rng.integers(0, len(rt), n)
    category = rng.choice(list(CATEGORY_LABELS), n)
    frame = pd.DataFrame(
        {
            "facility_id": [f"FAS-{i:05d}" for i in range(n)],
            "kelurahan_code": rt["kelurahan_code"].to_numpy()[where],
            "name": [
                f"{CATEGORY_LABELS[c]['id']} {lab}"
                for c, lab in zip(category, rt["rt_label"].to_numpy()[where], strict=True)
            ],
            "category": category,
            "programme": rng.choice(list(PROGRAMME_LABELS), n),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=shapely.points(_sampler(rt.geometry)(where, rng)), crs=UTM)


def extra_kelurahan(city: City, code: str, *, gap_m: float = 5_000) -> City:
    """One more kelurahan beside the city: a copy of the city's first kelurahan (its RW, RT and
    households) moved east of the city by ``gap_m`` past its edge, under ``code``, with new KK
    numbers (so none of its households is one already stored).  No works, gardens or facilities."""
    source = sorted(city.kelurahan["kelurahan_code"])[0]
    minx, _, maxx, _ = city.kelurahan.total_bounds
    shift = np.array([maxx - minx + gap_m, 0.0])

    def moved(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        part = frame[frame["kelurahan_code"] == source].copy()
        part["kelurahan_code"] = code
        part["geometry"] = shapely.transform(part.geometry.to_numpy(), lambda xy: xy + shift)
        return part.reset_index(drop=True)

    kel = moved(city.kelurahan)
    kel["name"] = "Kelurahan Tambahan (sintetis)"
    households = moved(city.households)
    households["kk_key"] = [f"id:KK{9_000_000 + i:07d}" for i in range(len(households))]
    empty = {name: getattr(city, name).iloc[0:0] for name in ("works", "gardens", "facilities")}
    return City(kel, moved(city.rw), moved(city.rt), households, **empty)


JAWA_BARAT_KOTA = {  # the nine kota of Jawa Barat (Kemendagri), for a city spread over several
    "32.71": "Kota Bogor",
    "32.72": "Kota Sukabumi",
    "32.73": "Kota Bandung",
    "32.74": "Kota Cirebon",
    "32.75": "Kota Bekasi",
    "32.76": "Kota Depok",
    "32.77": "Kota Cimahi",
    "32.78": "Kota Tasikmalaya",
    "32.79": "Kota Banjar",
}


def spread_over_kota(city: City, n_kota: int) -> City:
    """The same city with its kecamatan dealt out over ``n_kota`` kota codes of Jawa Barat
    (kecamatan 1 to the first kota, 2 to the second, ...): partitions for a batch that runs kota
    by kota.  Only the codes' ``PP.KK`` part and the ``kota`` names change; shapes and rows do not."""
    if not 1 <= n_kota <= len(JAWA_BARAT_KOTA):
        raise ValueError(f"n_kota must be 1-{len(JAWA_BARAT_KOTA)}; got {n_kota}")
    kota = sorted(JAWA_BARAT_KOTA)[:n_kota]

    def recode(code: str) -> str:
        return f"{kota[(int(code[6:8]) - 1) % n_kota]}{code[5:]}"

    def moved(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        out = frame.copy()
        out["kelurahan_code"] = [recode(c) for c in frame["kelurahan_code"]]
        if "kota" in out:
            out["kota"] = [JAWA_BARAT_KOTA[c[:5]] for c in out["kelurahan_code"]]
        return out

    return City(**{name: moved(frame) for name, frame in city.frames().items()})


def store_city(store, city: City, *, actor: str = "synthetic") -> None:
    """Write the city's frames straight into ``store`` in one transaction (no import files: the
    frames are already shaped like the store's tables).  For tests and benchmarks that need a
    city in a store quickly (the households keep the generator's ``kk_key``, not an import's hash)."""
    from geo.layers.base import to_multipolygon

    with store.transaction(actor) as writer:
        for name, frame in city.frames().items():
            spec = store.specs[name]
            frame = frame.to_crs(4326)
            if spec.geometry_type == "MULTIPOLYGON":  # as an import stores them (PostGIS checks the type)
                frame = frame.set_geometry([to_multipolygon(g) for g in frame.geometry], crs=4326)
            writer.upsert(spec, frame)


# --- import files ------------------------------------------------------------------------------

LABEL_STYLES = ("RT{rt:03d}-RW{rw:03d}", "RT {rt} RW {rw:02d}", "{rt:03d}/{rw:03d}", "RT {rt:02d}/RW {rw:02d}")


IMPORT_FILES = {
    "boundaries": "boundaries.gpkg",
    "households": "households.csv",
    "infrastructure": "works.geojson",
    "gardens": "gardens.geojson",
    "facilities": "facilities.geojson",
}


def write_import_files(city: City, directory: Path, layers: tuple[str, ...] = tuple(IMPORT_FILES)) -> dict[str, Path]:
    """The city as files for ``petakampung import``: {layer: path}, for the given ``layers``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {layer: directory / IMPORT_FILES[layer] for layer in layers}
    if "boundaries" in paths:
        paths["boundaries"].unlink(missing_ok=True)
        _boundaries_gpkg(city, paths["boundaries"])
    if "households" in paths:
        _households_csv(city.households, paths["households"])
    if "infrastructure" in paths:
        works = city.works.drop(columns=["unit_type", "unit_number", "rt_number", "volume_unit"])
        labels = zip(city.works["rt_number"], city.works["unit_number"], strict=True)
        works.insert(2, "rt", [f"RT {r:03d}/RW {u:03d}" for r, u in labels])
        pyogrio.write_dataframe(works.to_crs(4326), paths["infrastructure"], driver="GeoJSON", geometry_type="Unknown")
    if "gardens" in paths:
        pyogrio.write_dataframe(city.gardens.drop(columns="area_m2").to_crs(4326), paths["gardens"], driver="GeoJSON")
    if "facilities" in paths:
        pyogrio.write_dataframe(city.facilities.to_crs(4326), paths["facilities"], driver="GeoJSON")
    return paths


def _boundaries_gpkg(city: City, path: Path) -> None:
    rw_text = city.rw.assign(rw=[f"RW {u:02d}" for u in city.rw["unit_number"]])
    rt_text = city.rt.assign(rw=[f"RW {u:02d}" for u in city.rt["unit_number"]], rt=city.rt["rt_number"].astype(str))
    layers = {
        "kelurahan": city.kelurahan,
        "rw": rw_text[["kelurahan_code", "rw", "geometry"]],
        "rt": rt_text[["kelurahan_code", "rw", "rt", "geometry"]],
    }
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame.to_crs(4326), path, layer=name, promote_to_multi=True)


def _households_csv(households: gpd.GeoDataFrame, path: Path) -> None:
    lonlat = households.geometry.to_crs(4326)
    has = lonlat.notna().to_numpy()
    lon = np.full(len(households), "", dtype=object)
    lat = lon.copy()
    lon[has] = np.char.mod("%.7f", lonlat[has].x.to_numpy())
    lat[has] = np.char.mod("%.7f", lonlat[has].y.to_numpy())
    style = np.arange(len(households)) % len(LABEL_STYLES)
    rt_text = [
        LABEL_STYLES[s].format(rt=r, rw=u)
        for s, r, u in zip(style, households["rt_number"], households["unit_number"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "no_kk": ["3275" + k[5:].rjust(12, "0") for k in households["kk_key"]],
            "kelurahan_code": households["kelurahan_code"],
            "rt": rt_text,
            "desil": households["decile"],
            "lantai": households["floor"],
            "dinding": households["wall"],
            "atap": households["roof"],
            "sumber_air_minum": households["water_source"],
            "jamban": households["toilet"],
            "penerangan": households["lighting"],
            "bahan_bakar_memasak": households["cooking_fuel"],
            "bantuan": households["aid"],
            "lat": lat,
            "lon": lon,
        }
    )
    frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the import files")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 10,000 RT and 1,000,000 households")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    city = generate(args.scale, seed=args.seed)
    for layer, path in write_import_files(city, args.out).items():
        print(f"{layer:15s} {path}")
    print(", ".join(f"{name}: {len(frame):,}" for name, frame in city.frames().items()))


if __name__ == "__main__":
    main()
