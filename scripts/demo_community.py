"""The community side of the demo data (issue 13): three more seed kelurahan and, for all five,
programme areas, groups and their meetings, funds ledgers, RW products and proposals.

Called by ``generate_demo_data.py`` after the KOTAKU files, with its own random generators, so the
older files stay byte for byte what they were.  Everything is synthetic apart from the facts of
the seed stories (../shared/DOMAIN.md section 6) and the Kemendagri codes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import generate_demo_data as g
import numpy as np

BATU_JAYA = g.Place(
    "36.71.03.1002",
    "Batu Jaya",
    "Batuceper",
    "Kota Tangerang",
    "Banten",
    "RW",
    106.66108,
    -6.15482,
    121.3,
    [4, 5, 4, 5, 3, 4],
    1100,
    3671031002,
)
# Kota Jambi's kelurahan are divided into RTs; the demo keeps them in one RW so that RT 07 is "RT 07"
PENYENGAT_RENDAH = g.Place(
    "15.71.01.1010",
    "Penyengat Rendah",
    "Telanaipura",
    "Kota Jambi",
    "Jambi",
    "RW",
    103.55531,
    -1.57722,
    436.4,
    [16],
    900,
    1571011010,
)
TANAH_TINGGI = g.Place(
    "31.71.08.1004",
    "Tanah Tinggi",
    "Johar Baru",
    "Kota Administrasi Jakarta Pusat",
    "DKI Jakarta",
    "RW",
    106.84923,
    -6.17921,
    62.4,
    [5, 4, 5, 4, 5, 4],
    1300,
    3171081004,
)
NEW_PLACES = ((BATU_JAYA, "batu_jaya"), (PENYENGAT_RENDAH, "penyengat_rendah"), (TANAH_TINGGI, "tanah_tinggi"))

OWNERS = {  # the group running a facility, where the story says who
    ("batu_jaya", "balai_warga"): "KLP-1002-POKJA",
    ("batu_jaya", "sekretariat"): "KLP-1002-POKJA",
    ("batu_jaya", "dapur_stunting"): "KLP-1002-POKJA",
    ("batu_jaya", "ambulans"): "KLP-1002-POKJA",
    ("batu_jaya", "arena_bermain"): "KLP-1002-POKJA",
    ("batu_jaya", "musala"): "KLP-1002-POKJA",
    ("penyengat_rendah", "rumah_data"): "KLP-1010-POKJAKKB",
    ("tanah_tinggi", "pos_ronda"): "KLP-1004J-KEAMANAN",
    ("tanah_tinggi", "posyandu"): "KLP-1004J-KESEHATAN",
    ("tanah_tinggi", "paud"): "KLP-1004J-PENDIDIKAN",
}
BATU_JAYA_FACILITIES = [
    ((3, 1), "balai_warga", "Kampung KB", "Balai Warga Kampung KB Jimpitan"),
    ((3, 1), "sekretariat", "Kampung KB", "Sekretariat Kampung KB Jimpitan"),
    ((3, 2), "dapur_stunting", "Kampung KB", "Dapur Stunting Jimpitan"),
    ((3, 2), "ambulans", "Kampung KB", "Ambulans Warga Jimpitan"),
    ((3, 3), "arena_bermain", "Kampung KB", "Arena Belajar dan Bermain Anak"),
    ((3, 4), "musala", "Kampung KB", "Musala Jimpitan"),
    ((2, 1), "posyandu", "Kampung KB", "Posyandu Melati Batu Jaya"),
]
PENYENGAT_FACILITIES = [
    ((1, 7), "rumah_data", "Kampung KB", "Rumah DataKu Penyengat Rendah"),
    ((1, 7), "balai_warga", "Kampung KB", "Balai Pertemuan RT 07"),
    ((1, 3), "posyandu", "Kampung KB", "Posyandu Kenanga"),
    ((1, 12), "posyandu", "Kampung KB", "Posyandu Cempaka"),
    ((1, 10), "paud", "Kampung KB", "PAUD Tunas Bangsa"),
]
TANAH_TINGGI_FACILITIES = [
    ((2, 1), "pos_ronda", "Kampung Tangguh", "Pos Ronda Kampung Tangguh RW 02"),
    ((3, 2), "pos_ronda", "Kampung Tangguh", "Pos Ronda Kampung Tangguh RW 03"),
    ((2, 3), "posyandu", "Kampung Tangguh", "Posyandu Kampung Tangguh"),
    ((3, 1), "paud", "Kampung Tangguh", "PAUD Kampung Tangguh"),
    ((1, 2), "puskesmas", "Dinas", "Puskesmas Kelurahan Tanah Tinggi"),
    ((2, 2), "balai_warga", "Kampung Tangguh", "Balai Warga Kampung Tangguh"),
    ((5, 1), "sekolah", "Dinas", "SD Negeri Tanah Tinggi"),
]


def generate(out: Path) -> None:
    """Boundaries, households and facilities of the three new seeds, then every community file."""
    (out / "community").mkdir(parents=True, exist_ok=True)
    rts_of = {}
    for place, slug, items, poor in (
        (BATU_JAYA, "batu_jaya", BATU_JAYA_FACILITIES, {(3, 2), (5, 1)}),
        (PENYENGAT_RENDAH, "penyengat_rendah", PENYENGAT_FACILITIES, {(1, 7), (1, 14)}),
        (TANAH_TINGGI, "tanah_tinggi", TANAH_TINGGI_FACILITIES, {(2, 1), (2, 3), (3, 2), (6, 4)}),
    ):
        rng = np.random.default_rng(place.seed)
        kel, units, rts = g.build_boundaries(place, rng)
        rts_of[slug] = rts
        g.write_geojson(out / "boundaries" / f"{slug}.geojson", g.boundary_features(place, kel, units, rts))
        hh = g.households(place, rts, rng, poor_total=None, poor_rts=poor)
        if place is not TANAH_TINGGI:  # the two Kampung KB seeds keep family data for their Rumah DataKu
            g.add_family_data(place, hh)
        g.write_csv(out / "households" / f"households_{slug}.csv", hh)
        facs = g.facilities(place, rts, rng, items)
        for f in facs:  # Tanah Tinggi and Jatirangga both end in 1004: ids carry the kecamatan too
            props = f["properties"]
            props["facility_id"] = props["facility_id"].replace("FAS-", f"FAS-{place.code[6:8]}", 1)
            props["pengelola"] = OWNERS.get((slug, props["category"]), "")
        g.write_geojson(out / "infrastructure" / f"facilities_{slug}.geojson", facs)
        if place is TANAH_TINGGI:  # Kampung Tangguh: walking distances along a (synthetic) road network
            (out / "roads").mkdir(exist_ok=True)
            g.write_geojson(out / "roads" / f"roads_{slug}.geojson", g.road_network(place, kel))
    for slug, build in COMMUNITY.items():
        for name, rows in build(out).items():
            g.write_csv(out / "community" / f"{name}_{slug}.csv", rows)


def _months(start: date, n: int) -> list[date]:
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(n)]


def _last_day(month: date) -> str:
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1).isoformat()


def _works(out: Path, slug: str) -> list[dict]:
    import json

    return [
        f["properties"] for f in json.loads((out / "infrastructure" / f"works_{slug}.geojson").read_text())["features"]
    ]


def kaliawi(out: Path) -> dict[str, list[dict]]:
    code = g.KALIAWI.code
    groups = [
        _group("KLP-1012-LKM", code, "", "", "lkm", "LKM Persada Mandiri", "KOTAKU", "", "2016-03-01", 9, "ketua"),
        _group("KLP-1012-KPP", code, "", "", "kpp", "KPP Persada Lestari", "KOTAKU", "", "2019-12-01", 7, "ketua"),
        _group("KLP-1012-KWT", code, "", "", "kwt", "KWT Sukawangi Sejahtera", "", "", "2019-10-01", 15, "ketua"),
    ]
    for i, name in enumerate(g.KSM, start=1):
        groups.append(_group(f"KLP-1012-KSM{i}", code, "", "", "ksm", name, "KOTAKU", "", "2019-02-01", 8, "ketua"))
    bpm = [w for w in _works(out, "kaliawi_persada") if w["funding"] == "BPM" and w["year"] == 2019]
    funds = [_entry("KAS-LKM-0001", "KLP-1012-LKM", "", "2019-03-15", "bpm", 1_500_000_000)]
    for i, w in enumerate(sorted(bpm, key=lambda w: w["work_id"]), start=2):
        funds.append(
            _entry(
                f"KAS-LKM-{i:04d}",
                "KLP-1012-LKM",
                "",
                w["planned_start"],
                "belanja_aset",
                w["budget_idr"],
                "work",
                w["work_id"],
            )
        )
    for i, month in enumerate(_months(date(2020, 1, 1), 60), start=1):
        funds.append(_entry(f"KAS-KWT-{i:04d}", "KLP-1012-KWT", "", _last_day(month), "laba", 1_200_000))
        if month.month in (3, 9):
            funds.append(_entry(f"KAS-KWT-{i:04d}B", "KLP-1012-KWT", "", month.isoformat(), "kegiatan", 450_000))
    return {"groups": groups, "funds": funds}


def jatirangga(out: Path) -> dict[str, list[dict]]:
    code = g.JATIRANGGA.code
    areas = [
        _area(
            "KAW-1004-KKM",
            code,
            "Kampung Kranggan Mandiri",
            "Kampung Kranggan Mandiri",
            "",
            "",
            "Kep. Lurah Jatirangga 400/12/2019 (contoh)",
            "2019-09-02",
            "2019-09-02",
        )
    ]
    groups = [
        _group(
            "KLP-1004-KLM",
            code,
            "",
            "",
            "koperasi",
            "Koperasi Kranggan Lembur Mandiri",
            "Kampung Kranggan Mandiri",
            "KAW-1004-KKM",
            "2019-09-02",
            240,
            "bendahara",
        ),
        _group("KLP-1004-KWT", code, "RW 05", "", "kwt", "KWT Kranggan Lestari", "", "", "2020-02-01", 12, "ketua"),
    ]
    for number, name in g.JATIRANGGA_KSM_NAMES.items():  # the KSM the works name
        groups.append(_group(f"KLP-1004-KSM{number}", code, "", "", "ksm", name, "", "", "2023-06-01", 9, "ketua"))
    products, proposals = [], []
    group_type = {"bank sampah": "bank_sampah"}
    rws = range(1, 17, 3)
    for u, (product, status) in zip(rws, g.FLAGSHIP_PRODUCTS, strict=True):
        cat = product.replace(" ", "_")
        gid = f"KLP-1004-RW{u:02d}"
        groups.append(
            _group(
                gid,
                code,
                f"RW {u:02d}",
                "",
                group_type.get(product, "kelompok_usaha"),
                f"Kelompok {product.title()} RW {u:02d}",
                "Kampung Kranggan Mandiri",
                "KAW-1004-KKM",
                "2019-10-01",
                12 + 3 * u % 17,
                "ketua",
            )
        )
        products.append(
            {
                "id_produk": f"PRD-1004-{cat.upper()}",
                "kode_kelurahan": code,
                "rw": f"RW {u:02d}",
                "kategori": cat,
                "nama": f"Produk unggulan {product} RW {u:02d}",
                "status": status,
                "id_kelompok": gid,
                "pelatihan": "pelatihan usaha " + product
                if cat in ("otomotif", "perikanan", "peternakan", "kuliner")
                else "",
                "tanggal_status": "2020-05-15",
            }
        )
    flow = {
        "otomotif": ("dilaporkan", ["2019-11-04", "2019-11-25", "2019-12-09", "2020-01-06", "2020-04-30"], 25_000_000),
        "kuliner": ("dinilai", ["2020-03-02", "2020-04-20", "", "", ""], 15_000_000),
        "perikanan": ("dinilai", ["2020-03-16", "2020-05-04", "", "", ""], 18_000_000),
        "bank sampah": ("diajukan", ["2020-04-27", "", "", "", ""], 8_000_000),
        "konveksi": ("diajukan", ["2020-05-11", "", "", "", ""], 20_000_000),
    }
    for u, (product, _) in zip(rws, g.FLAGSHIP_PRODUCTS, strict=True):
        if product not in flow:
            continue
        status, days, amount = flow[product]
        cat = product.replace(" ", "_")
        proposals.append(
            {
                "id_usulan": f"USL-1004-{cat.upper()}",
                "kode_kelurahan": code,
                "rw": f"RW {u:02d}",
                "judul": f"Modal usaha {product} RW {u:02d}",
                "id_produk": f"PRD-1004-{cat.upper()}",
                "id_kelompok": f"KLP-1004-RW{u:02d}",
                "koperasi": "KLP-1004-KLM",
                "jumlah": amount,
                "nilai_disetujui": amount if status in ("didanai", "dilaporkan") else "",
                "status": status,
                "tanggal_diajukan": days[0],
                "tanggal_dinilai": days[1],
                "tanggal_keputusan": days[2],
                "tanggal_didanai": days[3],
                "tanggal_dilaporkan": days[4],
            }
        )
    funds = [
        _entry("KAS-KLM-0000", "KLP-1004-KLM", "KAW-1004-KKM", "2019-09-02", "hibah", 20_000_000)
    ]  # start-up capital
    for i, month in enumerate(_months(date(2019, 10, 1), 20), start=1):
        funds.append(_entry(f"KAS-KLM-{i:04d}", "KLP-1004-KLM", "KAW-1004-KKM", month.isoformat(), "iuran", 2_400_000))
    funds.append(
        _entry(
            "KAS-KLM-L001",
            "KLP-1004-KLM",
            "KAW-1004-KKM",
            "2020-01-06",
            "pinjaman",
            25_000_000,
            proposal="USL-1004-OTOMOTIF",
        )
    )
    for i, month in enumerate(_months(date(2020, 2, 1), 10), start=1):
        funds.append(
            _entry(
                f"KAS-KLM-A{i:03d}",
                "KLP-1004-KLM",
                "KAW-1004-KKM",
                _last_day(month),
                "angsuran",
                2_500_000,
                proposal="USL-1004-OTOMOTIF",
            )
        )
    return {"programmes": areas, "groups": groups, "products": products, "proposals": proposals, "funds": funds}


def batu_jaya(out: Path) -> dict[str, list[dict]]:
    code = BATU_JAYA.code
    areas = [
        _area(
            "KAW-1002-KKB",
            code,
            "Kampung KB",
            "Kampung KB Jimpitan",
            "RW 03",
            "",
            "Kep. Lurah Batu Jaya 476/05/2019 (contoh)",
            "2019-01-14",
            "2019-01-14",
        )
    ]
    groups = [
        _group(
            "KLP-1002-POKJA",
            code,
            "RW 03",
            "",
            "pokja_kkb",
            "Pokja Kampung KB Jimpitan",
            "Kampung KB",
            "KAW-1002-KKB",
            "2019-01-14",
            17,
            "bendahara",
        ),
        _group(
            "KLP-1002-KWT",
            code,
            "RW 03",
            "",
            "kwt",
            "KWT Jimpitan Hijau",
            "Kampung KB",
            "KAW-1002-KKB",
            "2021-07-01",
            14,
            "ketua",
        ),
    ]
    rng = np.random.default_rng(367103)
    funds = []
    n_rt = BATU_JAYA.rts_per_unit[2]
    months = _months(date(2019, 1, 1), 48)  # four years of nightly jimpitan, booked per RT and month
    for i, month in enumerate(months):
        total = int(rng.integers(30, 51)) * 100_000  # Rp 3-5 million a month
        shares = g.split_total(total // 1000, rng.uniform(0.7, 1.3, n_rt)) * 1000
        for rt, amount in enumerate(shares, start=1):
            funds.append(
                _entry(
                    f"JMP-{i + 1:02d}-{rt:02d}",
                    "KLP-1002-POKJA",
                    "KAW-1002-KKB",
                    _last_day(month),
                    "jimpitan",
                    int(amount),
                    rt=f"RT {rt:02d} RW 03",
                )
            )
    built = [  # (month index, facility, Rp): what the jimpitan built, in the order the story lists it
        (11, "FAS-031002-01", 42_000_000),
        (14, "FAS-031002-02", 12_500_000),
        (20, "FAS-031002-03", 14_000_000),
        (36, "FAS-031002-04", 58_000_000),
        (40, "FAS-031002-05", 9_500_000),
        (45, "FAS-031002-06", 21_000_000),
    ]
    for k, (m, facility, amount) in enumerate(built, start=1):
        funds.append(
            _entry(
                f"JMP-ASET-{k}",
                "KLP-1002-POKJA",
                "KAW-1002-KKB",
                _last_day(months[m]),
                "belanja_aset",
                amount,
                "facility",
                facility,
            )
        )
    funds.append(_entry("JMP-KWT-1", "KLP-1002-POKJA", "KAW-1002-KKB", "2021-07-15", "kegiatan", 3_000_000))
    return {"programmes": areas, "groups": groups, "funds": funds}


def penyengat_rendah(out: Path) -> dict[str, list[dict]]:
    code = PENYENGAT_RENDAH.code
    areas = [
        _area(
            "KAW-1010-KKB",
            code,
            "Kampung KB",
            "Kampung KB Penyengat Rendah",
            "",
            "",
            "SK Lurah Penyengat Rendah 12/2017 (contoh)",
            "2017-03-20",
            "2017-04-01",
        )
    ]
    kinds = [
        ("pokja_kkb", "Pokja Kampung KB Penyengat Rendah", 21),
        ("bkb", "BKB Melati", 25),
        ("bkr", "BKR Harapan", 18),
        ("bkl", "BKL Sehat Ceria", 22),
        ("uppks", "UPPKS Maju Bersama", 15),
        ("pik_r", "PIK-R Generasi Berencana", 30),
    ]
    groups = [
        _group(
            f"KLP-1010-{t.upper().replace('_', '')}",
            code,
            "",
            "",
            t,
            name,
            "Kampung KB",
            "KAW-1010-KKB",
            "2017-04-01",
            n,
            "ketua",
        )
        for t, name, n in kinds
    ]
    meetings = []
    hosts = [3, 11, 5, 14, 2, 9, 16, 7, 12, 1, 8, 15]  # quarterly, rotating; RT 07 hosts the story's meeting
    speakers = [
        "pkb; kelurahan",
        "puskesmas; pkb",
        "bumn; kelurahan",
        "swasta; pkb",
        "puskesmas",
        "bkkbn; pkb",
        "bumn",
        "BKKBN; Sekretaris Lurah; PKB; KKN",
        "swasta; kelurahan",
        "pkb",
        "bkkbn",
        "puskesmas; bumn",
    ]
    for i, (month, rt, who) in enumerate(
        zip(_months(date(2022, 2, 1), 36)[::3], hosts, speakers, strict=True), start=1
    ):
        meetings.append(
            {
                "id_pertemuan": f"RPT-1010-{i:02d}",
                "id_kelompok": "KLP-1010-POKJAKKB",
                "tanggal": month.replace(day=18).isoformat(),
                "rt": f"RT {rt:02d} RW 01",
                "topik": "Pertemuan triwulanan Kampung KB",
                "narasumber": who,
                "hadir": 40 + (7 * i) % 25,
            }
        )
    funds = []
    for i, month in enumerate(_months(date(2023, 1, 1), 24), start=1):
        funds.append(_entry(f"KAS-UPPKS-{i:03d}", "KLP-1010-UPPKS", "", _last_day(month), "iuran", 375_000))
        if i % 6 == 0:
            funds.append(_entry(f"KAS-UPPKS-{i:03d}K", "KLP-1010-UPPKS", "", _last_day(month), "kegiatan", 1_200_000))
    return {"programmes": areas, "groups": groups, "meetings": meetings, "funds": funds}


def tanah_tinggi(out: Path) -> dict[str, list[dict]]:
    code = TANAH_TINGGI.code
    rts = "; ".join(f"RT {r:02d} RW {u:02d}" for u, n in ((2, 4), (3, 5)) for r in range(1, n + 1))
    areas = [
        _area(
            "KAW-1004-KTJ",
            code,
            "Kampung Tangguh",
            "Kampung Tangguh Jaya Tanah Tinggi",
            "",
            rts,
            "Kep. Lurah Tanah Tinggi 33/2020 (contoh)",
            "2020-06-08",
            "2020-06-08",
        )
    ]
    pillars = [
        ("satgas", "Satgas Kampung Tangguh", "keamanan", 24, "koordinator"),
        ("pkk", "Kader Gizi dan Posyandu", "kesehatan", 16, "ketua"),
        ("kelompok_usaha", "KUB Tangguh Mandiri", "ekonomi", 20, "ketua"),
        ("karang_taruna", "Karang Taruna Belajar Bersama", "pendidikan", 28, "ketua"),
        ("lainnya", "Kelompok Kerja Bakti Sanitasi", "infrastruktur", 19, "koordinator"),
    ]
    groups = [
        {
            **_group(
                f"KLP-1004J-{p.upper()}",
                code,
                "",
                "",
                t,
                name,
                "Kampung Tangguh",
                "KAW-1004-KTJ",
                "2020-06-08",
                n,
                role,
            ),
            "pilar": p,
        }
        for t, name, p, n, role in pillars
    ]
    funds = [
        _entry("KTJ-0001", "", "KAW-1004-KTJ", "2020-06-15", "apbd", 35_000_000),
        _entry("KTJ-0002", "", "KAW-1004-KTJ", "2020-07-01", "csr", 20_000_000),
        _entry("KTJ-0003", "", "KAW-1004-KTJ", "2020-07-20", "belanja_aset", 12_000_000, "facility", "FAS-081004-01"),
        _entry("KTJ-0004", "", "KAW-1004-KTJ", "2020-08-03", "belanja_aset", 11_500_000, "facility", "FAS-081004-02"),
        _entry("KTJ-0005", "", "KAW-1004-KTJ", "2020-09-14", "kegiatan", 6_000_000),
    ]
    return {"programmes": areas, "groups": groups, "funds": funds}


def _area(aid, code, programme, name, rw, rts, sk, sk_date, started) -> dict:
    return {
        "id_kawasan": aid,
        "kode_kelurahan": code,
        "program": programme,
        "nama": name,
        "rw": rw,
        "daftar_rt": rts,
        "nomor_sk": sk,
        "tanggal_sk": sk_date,
        "mulai": started,
    }


def _group(gid, code, rw, rt, kind, name, programme, area, founded, members, role) -> dict:
    return {
        "id_kelompok": gid,
        "kode_kelurahan": code,
        "rw": rw,
        "rt": rt,
        "jenis": kind,
        "nama": name,
        "program": programme,
        "id_kawasan": area,
        "pilar": "",
        "berdiri": founded,
        "jumlah_anggota": members,
        "kontak": role,
    }


def _entry(eid, group, area, day, kind, amount, asset_type="", asset="", *, rt="", proposal="") -> dict:
    return {
        "no_bukti": eid,
        "id_kelompok": group,
        "id_kawasan": area,
        "tanggal": day,
        "jenis": kind,
        "jumlah": amount,
        "rt": rt,
        "jenis_aset": asset_type,
        "id_aset": asset,
        "id_usulan": proposal,
    }


COMMUNITY: dict[str, Callable[[Path], dict[str, list[dict]]]] = {
    "kaliawi_persada": kaliawi,
    "jatirangga": jatirangga,
    "batu_jaya": batu_jaya,
    "penyengat_rendah": penyengat_rendah,
    "tanah_tinggi": tanah_tinggi,
}
