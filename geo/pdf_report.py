"""A printable A4 progress report of a kelurahan, in Bahasa Indonesia (or English), for a
musyawarah kelurahan: map, works table, Kurva S and the latest progress photos.

ReportLab's Paragraph parses its text as markup (``<img src=...>`` embeds a local file, ``<a
href=...>`` makes a link): every text that comes from data goes through :func:`para`, which
escapes it, so an imported name is always shown as the letters it is.  Photos come from their
stored renditions; one that cannot be shown is left out with a note, never an error."""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

import pandas as pd

from geo.charts import kurva_s_png
from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS, WORK_TYPES
from geo.mapping import idr
from geo.progress import kurva_s, package, package_year, weighted_fisik
from geo.public import PublicData
from geo.store import Store

TEXT = {
    "id": {
        "title": "Laporan Kemajuan Pekerjaan",
        "kel": "Kelurahan",
        "date": "Tanggal laporan",
        "map": "Peta pekerjaan",
        "works": "Daftar pekerjaan",
        "kurva": "Kurva S paket pekerjaan",
        "photos": "Foto progres terbaru",
        "cols": ["Pekerjaan", "Jenis", "Tahun", "Dana", "Anggaran", "Status", "Fisik"],
        "none": "Belum ada foto.",
        "skipped": "{n} foto tidak dapat ditampilkan (berkas rusak) dan dilewati.",
        "planned": "Rencana",
        "fisik": "Realisasi fisik",
        "keuangan": "Keuangan",
        "summary": "Total anggaran {budget}; progres fisik tertimbang {fisik:.1f} %; {n} pekerjaan.",
    },
    "en": {
        "title": "Works Progress Report",
        "kel": "Kelurahan",
        "date": "Report date",
        "map": "Map of the works",
        "works": "Works",
        "kurva": "S-curve of the works package",
        "photos": "Latest progress photos",
        "cols": ["Work", "Type", "Year", "Funding", "Budget", "Status", "Physical"],
        "none": "No photos yet.",
        "skipped": "{n} photo(s) could not be shown (damaged file) and were left out.",
        "planned": "Planned",
        "fisik": "Physical progress",
        "keuangan": "Financial",
        "summary": "Total budget {budget}; weighted physical progress {fisik:.1f} %; {n} works.",
    },
}


def para(text: object, style):
    """A Paragraph of plain text: ``<``, ``>`` and ``&`` are escaped, never read as markup."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style)


def _map_png(kel) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = kel.kelurahan.estimate_utm_crs()  # the outline: a kelurahan may have no RT polygons yet
    fig, ax = plt.subplots(figsize=(7, 5), dpi=110)
    if len(kel.rt):
        kel.rt.to_crs(metric).plot(ax=ax, facecolor="#f7f4ea", edgecolor="#999999", linewidth=0.5)
    kel.kelurahan.to_crs(metric).boundary.plot(ax=ax, color="#000000", linewidth=1.2)
    works = kel.works.to_crs(metric)
    for status, color in STATUS_COLORS.items():
        part = works[works["status"] == status]
        if len(part):
            part.plot(ax=ax, color=color, linewidth=3, markersize=40)
    ax.set_axis_off()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def kelurahan_report(
    store: Store,
    code: str,
    *,
    lang: str = "id",
    k: int = 5,
    today: date | None = None,
    year: int | None = None,
    all_years: bool = False,
) -> bytes:
    """The report as PDF bytes, of one year's package (the current one unless ``year`` or
    ``all_years`` says otherwise)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

    today = today or date.today()
    text = TEXT[lang]
    kel = PublicData(store, k=k, max_kelurahan=1).kelurahan(code)
    info = kel.info
    chosen = None if all_years else (year or package_year(kel.works))
    works = package(kel.works, chosen).sort_values(["year", "work_id"])
    history = kel.progress[kel.progress["work_id"].isin(works["work_id"])]
    styles = getSampleStyleSheet()
    story = [
        para(text["title"], styles["Title"]),
        para(
            f"{text['kel']} {info['name']} ({info['kelurahan_code']}), {info['kecamatan']}, {info['kota']}",
            styles["Heading3"],
        ),
        para(f"{text['date']}: {today.isoformat()}", styles["Normal"]),
    ]
    active = works[works["status"] != "batal"]
    story.append(
        para(
            text["summary"].format(
                budget=idr(works["budget_idr"].sum()),
                fisik=weighted_fisik(works),
                n=len(works),
            ),
            styles["Normal"],
        )
    )
    story += [
        Spacer(1, 0.3 * cm),
        para(text["map"], styles["Heading2"]),
        Image(io.BytesIO(_map_png(kel)), width=16 * cm, height=11.4 * cm),
    ]
    rows = [text["cols"]] + [
        [
            para(w["name"] or w["work_id"], styles["BodyText"]),
            WORK_TYPES[w["work_type"]].label_id if lang == "id" else WORK_TYPES[w["work_type"]].label_en,
            str(w["year"]),
            str(w["funding"]),
            idr(w["budget_idr"]),
            STATUS_LABELS[w["status"]][lang],
            f"{(w['progress_fisik'] or 0):.0f} %",
        ]
        for _, w in works.iterrows()
    ]
    table = Table(rows, colWidths=[5 * cm, 2.6 * cm, 1.2 * cm, 1.6 * cm, 3 * cm, 1.9 * cm, 1.5 * cm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#b2182b")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        PageBreak(),
        para(text["works"], styles["Heading2"]),
        table,
        Spacer(1, 0.4 * cm),
        para(text["kurva"], styles["Heading2"]),
    ]
    curve = kurva_s(active, history, today=today)
    if len(curve):
        png = kurva_s_png(
            curve,
            title=f"Kurva S: {info['name']}",
            labels={"planned": text["planned"], "fisik": text["fisik"], "keuangan": text["keuangan"]},
        )
        story.append(Image(io.BytesIO(png), width=16 * cm, height=7.3 * cm))
    story.append(para(text["photos"], styles["Heading2"]))
    story += _photos(store, works, styles, text)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"{text['title']} {info['name']}",
        author="petakampung",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    doc.build(story)
    return buf.getvalue()


def _photos(store: Store, works: pd.DataFrame, styles, text) -> list:
    """The latest six photos of the works, from their stored thumbnails (made once for a photo
    stored before thumbnails existed); a photo that cannot be shown is counted in a note."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Table

    from geo.photos import read_rendition, render_stored_photo

    photos = store.read("progress_photos", work_id=list(works["work_id"]))  # no bytes: BLOBs only when named
    if photos.empty:
        return [para(text["none"], styles["Normal"])]
    records = store.read("progress_records", record_id=list(photos["record_id"])).set_index("record_id")
    photos = photos.assign(day=photos["record_id"].map(records["record_date"])).sort_values("day").tail(6)
    cells, skipped = [], 0
    for rec in photos.to_dict("records"):
        thumb = read_rendition(store, rec["photo_id"], "thumb")
        if thumb is None and render_stored_photo(store, rec["photo_id"]):
            thumb = read_rendition(store, rec["photo_id"], "thumb")
        if thumb is None or thumb["status"] != "ok":
            skipped += 1
            continue
        width = 5.5 * cm
        cells.append(
            [
                Image(io.BytesIO(bytes(thumb["data"])), width=width, height=width * thumb["height"] / thumb["width"]),
                para(f"{rec['work_id']} · {rec['day']}", styles["BodyText"]),
            ]
        )
    out: list = []
    if cells:
        out.append(Table([cells[i : i + 3] for i in range(0, len(cells), 3)]))  # each cell: photo and caption
    if skipped:
        out.append(para(text["skipped"].format(n=skipped), styles["Normal"]))
    return out
