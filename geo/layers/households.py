"""Households: one row per KK (kartu keluarga) with its RT, DTSEN decile and housing.

Privacy (DOMAIN.md section 5): names, NIK, KK numbers, addresses, phone numbers and birth
dates are **dropped on import** and never stored.  The KK number (or the head's NIK when no KK
number is given) is kept only as a keyed hash, ``kk_key`` = HMAC-SHA256(key, number), so that a
re-import of the same list updates the same households instead of adding them twice.  The key
lives outside the store (see README, "Household keys").  No household row is ever published:
public outputs are the per-RT aggregates of :mod:`geo.indicators`, suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
import pandas as pd
import shapely

from geo.checks import check_duplicates
from geo.fields import FieldSpec, choices, find_column, slug
from geo.i18n import Words
from geo.layers.base import (
    KELURAHAN_FIELD,
    PLACE_COLUMNS,
    RT_FIELD,
    RW_FIELD,
    ImportContext,
    Layer,
    LayerStyle,
    checked_geometries,
    coerce_table,
    frame_with_geometry,
    geoframe,
    kelurahan_codes,
    keyed_hash,
    place_columns,
    resolve_rts,
)
from geo.placement import points_in_polygons
from geo.places import rt_label
from geo.schema import Column, TableSpec
from geo.sources import Source

# Housing categories (BPS Susenas / DTSEN wording) and which of them count as deprived.
FLOOR = choices(
    "keramik",
    "ubin",
    "semen",
    "kayu",
    "bambu",
    "tanah",
    keramik=("granit", "marmer", "parket"),
    ubin=("tegel", "teraso"),
    semen=("plester", "bata_merah"),
    kayu=("papan", "kayu_papan"),
)
WALL = choices(
    "tembok",
    "plesteran_bambu",
    "kayu",
    "anyaman_bambu",
    "bambu",
    "lainnya",
    tembok=("bata", "beton", "batako"),
    kayu=("papan", "kayu_papan"),
    plesteran_bambu=("plesteran_anyaman_bambu",),
    anyaman_bambu=("bilik", "gedek"),
)
ROOF = choices(
    "beton",
    "genteng",
    "seng",
    "asbes",
    "kayu",
    "jerami",
    genteng=("genteng_tanah_liat", "genteng_metal"),
    kayu=("sirap",),
    jerami=("ijuk", "rumbia", "daun", "alang_alang"),
)
WATER = choices(
    "kemasan",
    "ledeng",
    "sumur_bor",
    "sumur_terlindung",
    "sumur_tak_terlindung",
    "mata_air_terlindung",
    "mata_air_tak_terlindung",
    "sungai",
    "air_hujan",
    "lainnya",
    kemasan=("air_kemasan", "isi_ulang", "air_isi_ulang", "galon"),
    ledeng=("pam", "pdam", "air_ledeng", "leding"),
    sumur_bor=("pompa", "sumur_pompa"),
    sungai=("danau", "air_sungai", "sungai_danau"),
)
TOILET = choices(
    "sendiri",
    "bersama",
    "umum",
    "tidak_ada",
    sendiri=("milik_sendiri", "jamban_sendiri"),
    bersama=("jamban_bersama",),
    umum=("mck", "mck_umum", "jamban_umum"),
    tidak_ada=("tidak", "tidak_punya", "bab_sembarangan"),
)
LIGHTING = choices(
    "pln_meteran",
    "pln_tanpa_meteran",
    "non_pln",
    "bukan_listrik",
    pln_meteran=("pln", "listrik_pln", "listrik"),
    non_pln=("genset", "listrik_non_pln"),
    bukan_listrik=("pelita", "lampu_minyak", "tidak_ada"),
)
FUEL = choices(
    "listrik",
    "gas",
    "minyak_tanah",
    "kayu_bakar",
    "arang",
    "tidak_memasak",
    gas=("elpiji", "lpg", "gas_elpiji", "gas_kota"),
    kayu_bakar=("kayu",),
)

DEPRIVED = {
    "floor": {"tanah", "bambu"},
    "wall": {"anyaman_bambu", "bambu", "lainnya"},
    "roof": {"jerami"},
    "water_source": {"sumur_tak_terlindung", "mata_air_tak_terlindung", "sungai", "air_hujan", "lainnya"},
    "toilet": {"bersama", "umum", "tidak_ada"},
    "lighting": {"non_pln", "bukan_listrik"},
    "cooking_fuel": {"kayu_bakar", "arang"},
}

# BKKBN family data (Pendataan Keluarga, PK21/PK23; DOMAIN.md section 4): optional columns for
# Kampung KB's Rumah DataKu.  Health data: restricted like every household column, published only
# as the suppressed per-RT counts of geo.rumah_dataku.
YES_NO = choices("1", "0", **{"1": ("ya", "y", "yes", "true", "benar"), "0": ("tidak", "t", "no", "false", "bukan")})
KB_METHODS = choices(
    "iud",
    "implan",
    "mow",
    "mop",
    "suntik",
    "pil",
    "kondom",
    "mal",
    "tradisional",
    "tidak_ber_kb",
    iud=("akdr", "spiral"),
    implan=("implant", "susuk", "akbk"),
    mow=("tubektomi", "steril_wanita"),
    mop=("vasektomi", "steril_pria"),
    suntik=("injeksi", "suntikan"),
    tradisional=("kalender", "senggama_terputus", "lainnya"),
    tidak_ber_kb=("tidak", "tidak_kb", "bukan_peserta", "none", "tidak_ada"),
)
MKJP = {"iud", "implan", "mow", "mop"}  # Metode Kontrasepsi Jangka Panjang
POKTAN = {slug(p): p for p in ("BKB", "BKR", "BKL", "UPPKS", "PIK-R")}  # kelompok kegiatan of Kampung KB
KB_FIELDS = (
    FieldSpec("pus", "choice", choices=YES_NO, aliases=("pasangan_usia_subur", "status_pus")),
    FieldSpec("kb_method", "choice", choices=KB_METHODS, aliases=("metode_kb", "alat_kontrasepsi", "kontrasepsi")),
    FieldSpec(
        "stunting_risk",
        "choice",
        choices=YES_NO,
        aliases=("berisiko_stunting", "risiko_stunting", "krs", "keluarga_risiko_stunting"),
    ),
    FieldSpec("poktan", aliases=("kelompok_kegiatan", "ikut_poktan", "poktan_diikuti")),
)

KEY_NO_KK = FieldSpec("no_kk", aliases=("nomor_kk", "nkk", "no_kartu_keluarga"))
KEY_NIK = FieldSpec("nik", aliases=("nik_kepala", "nik_kepala_keluarga"))
KEY_ID = FieldSpec("kk_id", aliases=("id_kk", "id_keluarga", "id_rumah_tangga"))
# Columns that hold personal data and are thrown away on import.
PERSONAL = (
    "nama",
    "nama_kepala",
    "nama_kepala_keluarga",
    "nama_krt",
    "nama_lengkap",
    "alamat",
    "alamat_lengkap",
    "tanggal_lahir",
    "tgl_lahir",
    "tempat_lahir",
    "telepon",
    "no_hp",
    "hp",
    "no_telepon",
    "email",
    "nik",
    "nik_kepala",
    "nik_kepala_keluarga",
    "no_kk",
    "nomor_kk",
    "nkk",
    "no_kartu_keluarga",
)

FIELDS = (
    KELURAHAN_FIELD,
    RT_FIELD,
    RW_FIELD,
    FieldSpec(
        "decile",
        "int",
        required=True,
        lo=1,
        hi=10,
        aliases=("desil", "desil_kesejahteraan", "desil_dtsen", "decile_dtsen"),
    ),
    FieldSpec("floor", "choice", choices=FLOOR, aliases=("lantai", "jenis_lantai")),
    FieldSpec("wall", "choice", choices=WALL, aliases=("dinding", "jenis_dinding")),
    FieldSpec("roof", "choice", choices=ROOF, aliases=("atap", "jenis_atap")),
    FieldSpec("water_source", "choice", choices=WATER, aliases=("sumber_air", "sumber_air_minum", "air_minum")),
    FieldSpec("toilet", "choice", choices=TOILET, aliases=("jamban", "fasilitas_bab", "bab")),
    FieldSpec("lighting", "choice", choices=LIGHTING, aliases=("penerangan", "sumber_penerangan")),
    FieldSpec("cooking_fuel", "choice", choices=FUEL, aliases=("bahan_bakar", "bahan_bakar_memasak")),
    FieldSpec("aid", aliases=("bantuan", "bansos", "bantuan_diterima")),
    *KB_FIELDS,
    KEY_NO_KK,
    KEY_NIK,
    KEY_ID,
)

HOUSEHOLDS = TableSpec(
    name="households",
    columns=(
        Column("kk_key", "TEXT", "keyed hash of the KK number, or the file's own kk_id"),
        *PLACE_COLUMNS,
        Column("decile", "INTEGER", "DTSEN welfare decile, 1 poorest"),
        Column("floor", "TEXT"),
        Column("wall", "TEXT"),
        Column("roof", "TEXT"),
        Column("water_source", "TEXT"),
        Column("toilet", "TEXT"),
        Column("lighting", "TEXT"),
        Column("cooking_fuel", "TEXT"),
        Column("aid", "TEXT"),
        Column("pus", "INTEGER", "1: a pasangan usia subur (BKKBN family data)"),
        Column("kb_method", "TEXT", "contraceptive method in use; tidak_ber_kb for none"),
        Column("stunting_risk", "INTEGER", "1: a family at risk of stunting (PK23)"),
        Column("poktan", "TEXT", "Kampung KB groups the family takes part in: BKB, BKR, BKL, UPPKS, PIK-R"),
    ),
    key=("kk_key",),
    geometry_type="POINT",
    public=False,
    description="Households (KK): RESTRICTED, never published",
    indexes=(("kelurahan_code", "unit_number", "rt_number"),),
    audit="keys",  # personal data: the audit log keeps the key and the names of changed fields, never values
)


class Households(Layer):
    name: ClassVar[str] = "households"
    title: ClassVar[Mapping[str, str]] = Words("layer.households")
    tables: ClassVar[tuple[TableSpec, ...]] = (HOUSEHOLDS,)
    style: ClassVar[LayerStyle] = LayerStyle(color="#7b3294")

    def prepare(self, source: Source, ctx: ImportContext) -> dict[str, pd.DataFrame]:
        frames = []
        for table in source.tables:
            gdf = geoframe(table, ctx)
            values = coerce_table(table, FIELDS, ctx)
            rows = table.rows
            dropped = [c for c in table.frame.columns if slug(c) in PERSONAL]
            if dropped:
                ctx.report.add("hh.dropped", severity="warning", columns=", ".join(map(str, dropped)))
            ok = checked_geometries(gdf, rows, ctx, allowed=("Point",), required=False, label="Point")
            keys = self._keys(table.frame, values, ctx)
            if keys is None:
                continue
            codes = kelurahan_codes(values["kelurahan_code"].tolist(), rows, ctx)
            rts = resolve_rts(codes, values["rt"].tolist(), values["rw"].tolist(), rows, ctx, required=True)
            check_duplicates([(k,) if k else None for k in keys], rows, ctx.report, "kk")
            geoms = [g if good else None for g, good in zip(gdf.geometry, ok, strict=True)]
            self._check_points(geoms, rts, codes, rows, ctx)
            data = {"kk_key": keys, **place_columns(rts, ctx.places, codes)}
            for col in ("decile", "floor", "wall", "roof", "water_source", "toilet", "lighting", "cooking_fuel", "aid"):
                data[col] = values[col].tolist()
            data["pus"] = [None if v is None else int(v) for v in values["pus"]]
            data["kb_method"] = values["kb_method"].tolist()
            data["stunting_risk"] = [None if v is None else int(v) for v in values["stunting_risk"]]
            data["poktan"] = _poktan(values["poktan"].tolist(), rows, ctx)
            frames.append(frame_with_geometry(data, geoms))
        if not frames:
            return {"households": frame_with_geometry({c: [] for c in HOUSEHOLDS.column_names}, [])}
        return {"households": pd.concat(frames, ignore_index=True)}

    def _keys(self, raw: pd.DataFrame, values: pd.DataFrame, ctx: ImportContext) -> list[str | None] | None:
        columns = [str(c) for c in raw.columns]
        for spec, hashed in ((KEY_NO_KK, True), (KEY_NIK, True), (KEY_ID, False)):
            if find_column(columns, spec) is not None:
                out = []
                for v in values[spec.name]:
                    if v is None:
                        out.append(None)
                    else:
                        out.append(keyed_hash(ctx.hash_key, v) if hashed else f"id:{v}")
                return out
        ctx.report.add("val.no_key", field="no_kk")
        return None

    def _check_points(self, geoms: list, rts: list, codes: list, rows: list, ctx: ImportContext) -> None:
        """Report households whose GPS point and RT label disagree (the point wins later).

        By the rule the indicators place households with (:mod:`geo.placement`): a point is in an
        RT of its own kelurahan when it lies in the RT's interior; a point on an RT border is in
        no RT, so its label stands (no warning when that border is its labelled RT's own).
        """
        both = zip(geoms, rts, codes, strict=True)
        todo = [i for i, (g, k, c) in enumerate(both) if g is not None and k is not None and c is not None]
        frames = [ctx.places.rt_frame(code) for code in sorted({codes[i] for i in todo})]
        frames = [f for f in frames if len(f)]
        if not todo:
            return
        rt = pd.concat(frames, ignore_index=True) if frames else None
        points = np.array([geoms[i] for i in todo], dtype=object)
        point_codes = np.array([codes[i] for i in todo], dtype=object)
        if rt is None:
            position = np.full(len(todo), -1)
        else:
            position = points_in_polygons(
                points, rt.geometry.to_numpy(), point_groups=point_codes, polygon_groups=rt["kelurahan_code"].to_numpy()
            )
        label = self._label_positions(rt, [rts[i] for i in todo])
        on_own_border = np.zeros(len(todo), dtype=bool)
        maybe = np.flatnonzero((position < 0) & (label >= 0))
        if len(maybe):
            on_own_border[maybe] = shapely.covers(rt.geometry.to_numpy()[label[maybe]], points[maybe])
        for j in np.flatnonzero(((position < 0) & ~on_own_border) | ((position >= 0) & (position != label))):
            i = todo[j]
            if position[j] < 0:
                ctx.report.add("place.point_outside", row=rows[i], field="geometry", severity="warning", code=codes[i])
                continue
            key = rts[i]
            ctx.report.add(
                "place.point_label",
                row=rows[i],
                field="rt",
                severity="warning",
                point_rt=rt["rt_label"].iloc[position[j]],
                label_rt=rt_label(key[2], key[1], ctx.places.unit_type(codes[i])),
            )

    @staticmethod
    def _label_positions(rt: pd.DataFrame | None, keys: list[tuple[str, int, int]]) -> np.ndarray:
        """Row of ``rt`` of each (kelurahan, unit, rt) key, -1 where it has no polygon."""
        if rt is None:
            return np.full(len(keys), -1)
        index = pd.MultiIndex.from_arrays(
            [rt["kelurahan_code"], rt["unit_number"].astype(int), rt["rt_number"].astype(int)]
        )
        return index.get_indexer(pd.MultiIndex.from_tuples(keys))

    def public(self, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        return {}  # never published row by row; see geo.indicators for the aggregates


def _poktan(values: list, rows: list, ctx: ImportContext) -> list[str | None]:
    """ "BKB, uppks" -> "BKB,UPPKS" (canonical, in a fixed order); an unknown group is an error
    naming the row, the field and the value.  Blank, "-" or "tidak" means none ("")."""
    out: list[str | None] = []
    order = list(POKTAN.values())
    for row, value in zip(rows, values, strict=True):
        if value is None:
            out.append(None)
            continue
        tokens = [slug(t) for t in str(value).replace(";", ",").replace("/", ",").split(",")]
        tokens = [t for t in tokens if t and t not in {"tidak", "tidak_ada", "none"}]
        unknown = [t for t in tokens if t not in POKTAN]
        if unknown:
            ctx.report.add("val.choice", row=row, field="poktan", value=value, choices=", ".join(order))
            out.append(None)
            continue
        found = {POKTAN[t] for t in tokens}
        out.append(",".join(p for p in order if p in found))
    return out
