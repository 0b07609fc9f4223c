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

from geo.charts import KURVA_LABELS, kurva_s_png, kurva_s_title
from geo.formats import date as long_date
from geo.formats import percent, rupiah
from geo.i18n import LIST_SEPARATOR, prefixed
from geo.layers.infrastructure import STATUS_COLORS, STATUS_LABELS, WORK_TYPES
from geo.progress import kurva_s, package, package_year, weighted_fisik
from geo.public import PublicData
from geo.public_text import as_of_date
from geo.store import Store


def report_texts(lang: str) -> dict:
    """The report's words (``pdf.*`` in the catalogue) by short key; ``cols`` is the list of table headings."""
    text: dict = dict(prefixed("pdf.", lang))
    text["cols"] = text["cols"].split(LIST_SEPARATOR)
    return text


def para(text: object, style):
    """A Paragraph of plain text: ``<``, ``>`` and ``&`` are escaped, never read as markup."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style)


def _nice_length(span_m: float) -> float:
    """A round scale-bar length near a fifth of the map's width: 50, 100, 200, 500 m, 1 km, ..."""
    target = span_m / 5
    for step in (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000):
        if step >= target:
            return float(step)
    return 50000.0


def _rt_labels_of_works(kel, works: pd.DataFrame) -> dict[str, str]:
    """The RTs each work lies in, as every page labels them ("RT 003 / LK 001"; the RT page lists a
    work the same way: its geometry meets the RT's polygon); '' where no RT polygon meets it."""
    if not len(works) or not len(kel.rt):
        return {}
    rt = kel.rt[["rt_label", "geometry"]]
    labels: dict[str, str] = {}
    for work_id, geom in zip(works["work_id"], works.geometry, strict=True):
        hits = sorted(rt.loc[rt.geometry.intersects(geom), "rt_label"].astype(str)) if geom is not None else []
        labels[work_id] = "; ".join(hits)
    return labels


def _work_cell(work: pd.Series, rts: dict[str, str], style) -> object:
    """The work's name with, below it, the RTs it lies in."""
    from reportlab.platypus import Paragraph

    name = escape(str(work["name"] or work["work_id"]))
    where = rts.get(work["work_id"], "")
    return Paragraph(name + (f'<br/><font color="#555555">{escape(where)}</font>' if where else ""), style)


def _map_png(kel, works: pd.DataFrame, text: dict, lang: str) -> bytes:
    """The kelurahan with its RTs (labelled), the package's works numbered as in the table and
    coloured by status, a legend, a scale bar and a north arrow; drawn in the UTM zone."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    metric = kel.kelurahan.estimate_utm_crs()  # the outline: a kelurahan may have no RT polygons yet
    fig, ax = plt.subplots(figsize=(7, 5.4), dpi=150)
    if len(kel.rt):
        rt = kel.rt.to_crs(metric)
        rt.plot(ax=ax, facecolor="#f7f4ea", edgecolor="#8c8c8c", linewidth=0.6)
        for label, point in zip(rt["rt_label"], rt.geometry.representative_point(), strict=True):
            ax.annotate(str(label), (point.x, point.y), ha="center", va="center", fontsize=5.5, color="#333333")
    outline = kel.kelurahan.to_crs(metric)
    outline.boundary.plot(ax=ax, color="#000000", linewidth=1.2)
    drawn = works.to_crs(metric) if len(works) else works
    handles = [
        Line2D([], [], color="#8c8c8c", linewidth=0.8, label=text["rt_boundary"]),
        Line2D([], [], color="#000000", linewidth=1.2, label=text["kel_boundary"]),
    ]
    for status, color in STATUS_COLORS.items():
        part = drawn[drawn["status"] == status] if len(drawn) else drawn
        if len(part):
            part.plot(ax=ax, color=color, linewidth=3, markersize=40)
            handles.append(Line2D([], [], color=color, linewidth=3, label=STATUS_LABELS[status][lang]))
    for number, geom in enumerate(drawn.geometry if len(drawn) else [], start=1):
        at = geom.interpolate(0.5, normalized=True) if geom.geom_type.endswith("LineString") else geom.centroid
        ax.annotate(
            str(number),
            (at.x, at.y),
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "#1d2b36", "lw": 0.8},
        )
    minx, miny, maxx, maxy = outline.total_bounds
    pad = 0.06 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    length = _nice_length(maxx - minx + 2 * pad)
    x0, y0 = minx - pad * 0.6, miny - pad * 0.6
    ax.plot([x0, x0 + length], [y0, y0], color="#000000", linewidth=3, solid_capstyle="butt")
    scale = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.annotate(scale, (x0 + length / 2, y0), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
    ax.annotate(
        text["north"],
        xy=(0.95, 0.97),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"facecolor": "#000000", "width": 3, "headwidth": 9, "headlength": 8},
    )
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.9)
    ax.set_axis_off()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _numbered_canvas(text: dict, footer: str):
    """A canvas that writes "Halaman n dari N" and the source line on every page (two passes)."""
    from reportlab.lib.units import cm
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 7.5)
                self.setFillGray(0.35)
                self.drawString(1.5 * cm, 1.0 * cm, footer)
                page = text["page"].format(n=self._pageNumber, total=total)
                self.drawRightString(self._pagesize[0] - 1.5 * cm, 0.6 * cm, page)
                super().showPage()
            super().save()

    return NumberedCanvas


def _signatures(info: dict, text: dict, today: date, lang: str, styles) -> list:
    """Place and date, then the two signatures of a musyawarah: the LKM coordinator and the Lurah."""
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    normal = styles["Normal"].clone("sign", alignment=1)
    blank = "( " + "." * 40 + " )"
    place = text["sign_place"].format(kota=info.get("kota") or "", day=long_date(today, lang)).lstrip(", ")
    cells = [
        [para(text["made"], normal), para(text["known"], normal)],
        [para(text["sign_lkm"], normal), para(text["sign_lurah"].format(name=info["name"]), normal)],
        [Spacer(1, 2.2 * cm), Spacer(1, 2.2 * cm)],
        [
            para(blank, normal),
            para(blank, normal),
        ],
    ]
    table = Table(cells, colWidths=[8.5 * cm, 8.5 * cm])
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    right = styles["Normal"].clone("right", alignment=2)
    return [KeepTogether([Spacer(1, 0.8 * cm), para(place, right), Spacer(1, 0.3 * cm), table])]


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
    ``all_years`` says otherwise).  Map, table, Kurva S and photos all cover the same works."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import CondPageBreak, Image, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

    today = today or date.today()
    text = report_texts(lang)
    public = PublicData(store, k=k, max_kelurahan=1)
    kel = public.kelurahan(code)
    info = kel.info
    chosen = None if all_years else (year or package_year(kel.works))
    works = package(kel.works, chosen).sort_values(["year", "work_id"])
    history = kel.progress[kel.progress["work_id"].isin(works["work_id"])]
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    active = works[works["status"] != "batal"]
    fisik = weighted_fisik(works)
    story = [
        para(text["title"], styles["Title"]),
        para(
            f"{text['kel']} {info['name']} ({info['kelurahan_code']}), {info['kecamatan']}, {info['kota']}",
            styles["Heading3"],
        ),
        para(text["all_years"] if chosen is None else text["package"].format(year=chosen), styles["Heading4"]),
        para(f"{text['date']}: {long_date(today, lang)}", styles["Normal"]),
        para(
            text["summary"].format(
                budget=rupiah(works["budget_idr"].sum(), lang), fisik=percent(fisik / 100, lang), n=len(works)
            ),
            styles["Normal"],
        ),
        Spacer(1, 0.3 * cm),
        KeepTogether(
            [
                para(text["map"], styles["Heading2"]),
                Image(io.BytesIO(_map_png(kel, works, text, lang)), width=16 * cm, height=12.3 * cm),
                para(text["map_note"], small),
            ]
        ),
    ]
    rts = _rt_labels_of_works(kel, works)
    rows = [text["cols"]] + [
        [
            str(i),
            _work_cell(w, rts, small),
            para(WORK_TYPES[w["work_type"]].label(lang), small),
            str(int(w["year"])) if pd.notna(w["year"]) else "-",
            para(w["funding"] or "-", small),
            rupiah(w["budget_idr"], lang),
            STATUS_LABELS[w["status"]][lang],
            percent((w["progress_fisik"] or 0) / 100, lang, 0),
        ]
        for i, (_, w) in enumerate(works.iterrows(), start=1)
    ]
    table = Table(
        rows, colWidths=[0.9 * cm, 4.6 * cm, 2.6 * cm, 1.2 * cm, 1.6 * cm, 2.8 * cm, 1.8 * cm, 1.3 * cm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#b2182b")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (5, 1), (5, -1), "RIGHT"),
                ("ALIGN", (7, 1), (7, -1), "RIGHT"),
            ]
        )
    )
    story += [CondPageBreak(4 * cm), para(text["works"], styles["Heading2"])]
    story.append(table if len(works) else para(text["no_works"], styles["Normal"]))
    curve = kurva_s(active, history, today=today)
    if len(curve):
        png = kurva_s_png(curve, title=kurva_s_title(lang, info["name"]), labels=KURVA_LABELS[lang], lang=lang)
        story.append(
            KeepTogether(
                [
                    para(text["kurva"], styles["Heading2"]),
                    Image(io.BytesIO(png), width=16 * cm, height=7.3 * cm),
                    para(text["kurva_note"], small),
                ]
            )
        )
    story.append(CondPageBreak(6 * cm))
    story.append(para(text["photos"], styles["Heading2"]))
    story += _photos(store, works, styles, text, lang)
    story += _signatures(info, text, today, lang, styles)
    as_of = as_of_date(public.version(code)) or today.isoformat()
    footer = f"{info['name']} · " + text["source"].format(day=long_date(as_of, lang))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"{text['title']} {info['name']}",
        author="petakampung",
        lang="id-ID" if lang == "id" else "en",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.6 * cm,
    )
    doc.build(story, canvasmaker=_numbered_canvas(text, footer))
    return buf.getvalue()


def _photos(store: Store, works: pd.DataFrame, styles, text, lang: str = "id") -> list:
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
    names = {w: n or w for w, n in zip(works["work_id"], works["name"], strict=True)}
    small = styles["BodyText"].clone("caption", fontSize=8, leading=10)
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
                para(f"{names.get(rec['work_id'], rec['work_id'])} · {long_date(rec['day'], lang)}", small),
            ]
        )
    out: list = []
    if cells:
        out.append(Table([cells[i : i + 3] for i in range(0, len(cells), 3)]))  # each cell: photo and caption
    if skipped:
        out.append(para(text["skipped"].format(n=skipped), styles["Normal"]))
    return out
