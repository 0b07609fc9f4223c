"""Reports of a kelurahan's works package: the dashboard, the Kurva S downloads and the A4 PDF."""

from __future__ import annotations

from datetime import date

import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from geo.charts import KURVA_LABELS, kurva_s_png, kurva_s_title
from geo.errors import NotFoundError
from geo.export import formula_safe
from geo.pdf_report import kelurahan_report
from geo.progress import deviation_today, weighted_fisik
from geo.public import KelurahanPublic
from web.auth import csrf_token, current_user
from web.charts import kurva_s_chart
from web.deps import page_lang
from web.limits import cached
from web.render import render
from web.works import WorkRef, YearChoice, kelurahan_view, package_curve, work_curve, work_ref, year_choice

router = APIRouter(include_in_schema=False)


@router.get("/kelurahan/{code}/dasbor", response_class=HTMLResponse)
def dashboard(
    request: Request, kel: KelurahanPublic = Depends(kelurahan_view), choice: YearChoice = Depends(year_choice)
) -> Response:
    lang = page_lang(request)
    works, curve = package_curve(kel, choice.year)
    works = works.copy()
    history = kel.progress
    works["deviation"] = [deviation_today(w, history) for _, w in works.iterrows()]
    spent = history.sort_values("record_date").groupby("work_id")["spent_idr"].last()
    works["spent_idr"] = works["work_id"].map(spent).fillna(0)
    today = date.today().isoformat()
    late = works[
        (works["status"] == "berjalan")
        & ((works["deviation"].fillna(0) < -10) | (works["planned_end"].fillna("9999") < today))
    ]
    summary = {
        "budget": float(works["budget_idr"].fillna(0).sum()),
        "spent": float(works["spent_idr"].sum()),
        "fisik": weighted_fisik(works),
        "late": len(late),
    }
    return render(
        request,
        "dashboard.html",
        info=kel.info,
        summary=summary,
        works=works.sort_values("work_id").to_dict("records"),
        late=set(late["work_id"]),
        year=choice.year,
        years=sorted({int(y) for y in kel.works["year"].dropna()}, reverse=True),
        chart=kurva_s_chart(curve, lang, kel.info["name"]),
        user=current_user(request),
        csrf=csrf_token(request),
    )


@router.get("/kelurahan/{code}/kurva-s.{fmt}")
def package_kurva(
    request: Request,
    fmt: str,
    kel: KelurahanPublic = Depends(kelurahan_view),
    choice: YearChoice = Depends(year_choice),
) -> Response:
    """The package's Kurva S (the dashboard's and the PDF's) as CSV or PNG."""
    _, curve = package_curve(kel, choice.year)
    if curve.empty:
        raise NotFoundError("place.unknown_work", work_id=choice.asked or "-")
    return _kurva_file(request, kel, curve, fmt, None, choice.asked)


@router.get("/kelurahan/{code}/pekerjaan/{work_id}/kurva-s.{fmt}")
def work_kurva(request: Request, fmt: str, ref: WorkRef = Depends(work_ref)) -> Response:
    """One work's Kurva S (the work page's) as CSV or PNG."""
    return _kurva_file(request, ref.kel, work_curve(ref), fmt, ref.work_id, None)


def _kurva_file(
    request: Request, kel: KelurahanPublic, curve: pd.DataFrame, fmt: str, work_id: str | None, asked: str | None
) -> Response:
    lang = page_lang(request)
    name = f"kurva_s_{kel.info['kelurahan_code']}{'_' + work_id if work_id else ''}"
    if fmt == "csv":
        return Response(
            formula_safe(curve).to_csv(index=False),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "png":
        title = kurva_s_title(lang, work_id or kel.info["name"])
        return cached(
            request,
            "chart",
            (work_id, asked, lang, date.today()),  # today's point moves daily
            lambda: Response(
                kurva_s_png(curve, title=title, labels=KURVA_LABELS[lang], lang=lang), media_type="image/png"
            ),
            code=kel.info["kelurahan_code"],
        )
    raise NotFoundError("download.layer", layer=f"kurva-s.{fmt}", choices="kurva-s.csv, kurva-s.png")


@router.get("/kelurahan/{code}/laporan.pdf")
def report_pdf(
    request: Request, kel: KelurahanPublic = Depends(kelurahan_view), choice: YearChoice = Depends(year_choice)
) -> Response:
    """The public PDF report: one at a time (else 503 + Retry-After), cached per data version."""
    code = kel.info["kelurahan_code"]
    lang = page_lang(request)
    year = None if choice.asked is None or choice.all_years else choice.year

    def build() -> Response:
        pdf = kelurahan_report(
            request.app.state.store,
            code,
            lang=lang,
            k=request.app.state.settings.suppression_k,
            year=year,
            all_years=choice.all_years,
        )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="laporan_{code}.pdf"'},
        )

    return cached(request, "report", (code, choice.asked, date.today()), build, code=code)  # dated report
