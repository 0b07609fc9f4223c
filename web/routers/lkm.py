"""Works progress: the work page with its Kurva S, LKM progress records with photos, the KPP
maintenance log, the kelurahan dashboard, photos, the audit log and restricted downloads."""

from __future__ import annotations

import tempfile
import uuid
from datetime import date
from pathlib import Path

import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from geo import idempotency
from geo.errors import Conflict, GeoError, Gone, NotFoundError, RequestError
from geo.export import export_layer, formula_safe
from geo.layers import LAYERS
from geo.layers.infrastructure import WORK_TYPES
from geo.places import normalize_kelurahan_code
from geo.progress import (
    CONDITIONS,
    KINDS,
    PHOTO_COLUMNS,
    Photo,
    ProgressInput,
    deviation_today,
    kurva_s,
    package,
    package_year,
    record_maintenance,
    record_progress,
    weighted_fisik,
)
from web import progress_form
from web.auth import check_csrf, csrf_token, current_user, require_admin, require_recorder, require_restricted
from web.charts import KURVA_LABELS, kurva_s_svg
from web.deps import ALL_YEARS, page_lang, parse_year, public_data
from web.errors import status_of
from web.limits import UPLOAD_WAIT_S, cached
from web.paths import site_url
from web.render import render
from web.work_history import history_rows

router = APIRouter(include_in_schema=False)


def _work(request: Request, code: str, work_id: str):
    data = public_data(request)
    kel = data.kelurahan(code)
    hit = kel.works[kel.works["work_id"] == work_id]
    if hit.empty:
        raise NotFoundError("place.unknown_work", work_id=work_id)
    return data, kel, hit.iloc[0]


def _public_records(request: Request, work_id: str) -> list[dict]:
    """Progress records as the public sees them: never who recorded them."""
    store = request.app.state.store
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


@router.get("/kelurahan/{code}/pekerjaan/{work_id}", response_class=HTMLResponse)
def work_page(request: Request, code: str, work_id: str) -> Response:
    return _work_page(request, code, work_id, saved=progress_form.pop_flash(request))


def _work_page(
    request: Request,
    code: str,
    work_id: str,
    *,
    saved: str | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    error_field: str | None = None,
    photos_dropped: bool = False,
    status_code: int = 200,
) -> Response:
    """The work page; after a refused record, with what was typed and the message at its field."""
    _, kel, work = _work(request, code, work_id)
    code = kel.info["kelurahan_code"]
    lang = page_lang(request)
    history = kel.progress[kel.progress["work_id"] == work_id]
    curve = kurva_s(kel.works[kel.works["work_id"] == work_id], history)
    user = current_user(request)
    maintenance = request.app.state.store.read("maintenance_log", work_id=work_id)
    records = _public_records(request, work_id)
    typed = {"record_date": date.today().isoformat(), "idempotency_key": uuid.uuid4().hex, **(form or {})}
    return render(
        request,
        "work.html",
        status_code=status_code,
        info=kel.info,
        work=work.to_dict(),
        work_types=WORK_TYPES,
        chart=kurva_s_svg(curve, KURVA_LABELS[lang], lang=lang),
        deviation=deviation_today(work, history),
        records=records,
        saved=next((r for r in records if r["record_id"] == saved), None),
        form=typed,
        error=error,
        error_field=error_field,
        photos_dropped=photos_dropped,
        history_rows=history_rows(request.app.state.store, work_id, records),  # imported + LKM, one list
        maintenance=maintenance.drop(columns=["recorded_by"]).sort_values("log_date").to_dict("records"),
        can_record=bool(user and user.can_record(code)),
        csrf=csrf_token(request),
        user=user,
        today=date.today().isoformat(),
        kinds=KINDS,
        conditions=CONDITIONS,
        # one key per rendered form: sending it twice (double click, retry after a timeout) writes once;
        # the progress form's key is in ``form`` (a refused record keeps its key: nothing was written)
        idem_maintenance=uuid.uuid4().hex,
    )


async def _photos(files: list[UploadFile]) -> list[Photo]:
    out = []
    for f in files:
        if f.filename:
            out.append(Photo(filename=f.filename, content_type=f.content_type or "", data=await f.read()))
    return out


def _num(text: str | None, cast=float):
    text = (text or "").strip().replace(",", ".")
    return cast(float(text)) if text else None


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _idempotency_key(request: Request, sent: str) -> str | None:
    """The form's hidden key, else an API client's ``Idempotency-Key`` header."""
    return idempotency.check_key(sent or request.headers.get(idempotency.HEADER))


@router.post("/kelurahan/{code}/pekerjaan/{work_id}/progres")
async def add_progress(
    request: Request,
    code: str,
    work_id: str,
    csrf_token_: str = Form("", alias="csrf_token"),
    record_date: str = Form(...),
    fisik_pct: str = Form(""),
    volume_done: str = Form(""),
    spent_idr: str = Form(""),
    note: str = Form(""),
    corrects: str = Form(""),
    idempotency_key: str = Form(""),
    photos: list[UploadFile] = File(default=[]),
) -> Response:
    code = normalize_kelurahan_code(code)
    check_csrf(request, csrf_token_)
    user = require_recorder(request, code)
    typed = {
        "record_date": record_date,
        "fisik_pct": fisik_pct,
        "volume_done": volume_done,
        "spent_idr": spent_idr,
        "note": note,
        "corrects": corrects,
        "idempotency_key": idempotency_key,
    }
    state = request.app.state
    try:
        key = _idempotency_key(request, idempotency_key)
        inp = ProgressInput(
            work_id=work_id,
            record_date=record_date,
            fisik_pct=progress_form.number(typed, "fisik_pct"),
            volume_done=progress_form.number(typed, "volume_done"),
            spent_idr=progress_form.number(typed, "spent_idr", int),
            note=note,
            corrects=corrects.strip() or None,
            photos=await _photos(photos),
        )

        def write() -> str:  # photos are decoded here: in a worker thread, never on the event loop
            with state.gates["upload"].admit(wait_s=UPLOAD_WAIT_S, path=request.url.path):
                return record_progress(
                    state.store, user, code, inp, idempotency_key=key, max_pixels=state.settings.photo_max_pixels
                )

        record_id = await run_in_threadpool(write)
    except (RequestError, Conflict, NotFoundError) as exc:
        if isinstance(exc, NotFoundError) and exc.code != "progress.unknown_record":
            raise  # no such work or kelurahan: nothing to show the form on
        return _refused(request, code, work_id, exc, typed, photos_sent=any(f.filename for f in photos))
    progress_form.set_flash(request, record_id)  # the "tersimpan" the next page shows, once
    target = site_url(request, f"/kelurahan/{code}/pekerjaan/{work_id}?disimpan={record_id}")
    if _wants_json(request):
        return JSONResponse({"record_id": record_id, "location": target}, status_code=201)
    return RedirectResponse(target, 303)


def _refused(
    request: Request, code: str, work_id: str, exc: GeoError, typed: dict[str, str], *, photos_sent: bool
) -> Response:
    """A record the user can fix: the message at its field, everything typed kept."""
    field = progress_form.field_of(exc)
    lang = page_lang(request)
    text = progress_form.message(exc, field, lang)
    status = status_of(exc)
    body = {"error": exc.code, "detail": text, "field": field}
    if isinstance(exc, Conflict):  # its key was used for other content: what is sent now gets a new one
        typed = {**typed, "idempotency_key": uuid.uuid4().hex}
        body["idempotency_key"] = typed["idempotency_key"]
    if _wants_json(request):
        return JSONResponse(body, status_code=status)
    return _work_page(
        request,
        code,
        work_id,
        form=typed,
        error=text,
        error_field=field,
        photos_dropped=photos_sent,
        status_code=status,
    )


@router.post("/kelurahan/{code}/pekerjaan/{work_id}/pemeliharaan")
def add_maintenance(
    request: Request,
    code: str,
    work_id: str,
    csrf_token_: str = Form("", alias="csrf_token"),
    log_date: str = Form(...),
    kind: str = Form(...),
    condition: str = Form(...),
    cost_idr: str = Form(""),
    user_fee_idr: str = Form(""),
    note: str = Form(""),
    idempotency_key: str = Form(""),
) -> Response:
    code = normalize_kelurahan_code(code)
    check_csrf(request, csrf_token_)
    user = require_recorder(request, code)
    key = _idempotency_key(request, idempotency_key)
    try:
        cost, fee = _num(cost_idr, int), _num(user_fee_idr, int)
    except ValueError:
        raise RequestError("val.number") from None
    log_id = record_maintenance(
        request.app.state.store,
        user,
        code,
        work_id,
        log_date=log_date,
        kind=kind,
        condition=condition,
        cost_idr=cost,
        user_fee_idr=fee,
        note=note,
        idempotency_key=key,
    )
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"log_id": log_id}, status_code=201)
    return RedirectResponse(site_url(request, f"/kelurahan/{code}/pekerjaan/{work_id}#pemeliharaan"), 303)


def _year(request: Request, works: pd.DataFrame) -> int | None:
    """?tahun=2019 picks a package, ?tahun=semua all works; by default the current package."""
    asked = request.query_params.get("tahun")
    if asked in ALL_YEARS:
        return None
    if asked:
        return parse_year(asked, "tahun")
    return package_year(works)


def _curve(request: Request, code: str, work_id: str | None):
    data = public_data(request)
    kel = data.kelurahan(code)
    works = (
        package(kel.works, _year(request, kel.works)) if work_id is None else kel.works[kel.works["work_id"] == work_id]
    )
    if works.empty:
        raise NotFoundError("place.unknown_work", work_id=work_id)
    return kel, kurva_s(works, kel.progress[kel.progress["work_id"].isin(works["work_id"])])


@router.get("/kelurahan/{code}/kurva-s.{fmt}")
@router.get("/kelurahan/{code}/pekerjaan/{work_id}/kurva-s.{fmt}")
def kurva(request: Request, code: str, fmt: str, work_id: str | None = None) -> Response:
    from geo.charts import kurva_s_png

    kel, curve = _curve(request, code, work_id)
    lang = page_lang(request)
    name = f"kurva_s_{kel.info['kelurahan_code']}{'_' + work_id if work_id else ''}"
    if fmt == "csv":
        return Response(
            formula_safe(curve).to_csv(index=False),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "png":
        title = f"{KURVA_LABELS[lang]['title']}: {work_id or kel.info['name']}"
        return cached(
            request,
            "chart",
            (work_id, request.query_params.get("tahun"), date.today()),  # today's point moves daily
            lambda: Response(
                kurva_s_png(curve, title=title, labels=KURVA_LABELS[lang], lang=lang), media_type="image/png"
            ),
            code=kel.info["kelurahan_code"],
        )
    raise NotFoundError("download.layer", layer=f"kurva-s.{fmt}", choices="kurva-s.csv, kurva-s.png")


PHOTO_SIZES = {"besar": "display", "kecil": "thumb", "display": "display", "thumb": "thumb"}


@router.get("/foto/{photo_id}")
def photo(request: Request, photo_id: str, ukuran: str = Query("besar", pattern="^(besar|kecil|display|thumb)$")):
    """A progress photo for the public: its stored rendition (at most 1600 px, or 400 px with
    ``?ukuran=kecil``), re-encoded on upload without any metadata.  Never decoded here; a photo
    stored before renditions existed gets them made once, and one that cannot be decoded is 410."""
    from geo.photos import read_rendition, render_stored_photo

    state = request.app.state
    kind = PHOTO_SIZES[ukuran]
    shown = read_rendition(state.store, photo_id, kind)  # one small BLOB by its key: cheap, not gated
    if shown is None:
        if state.store.read("progress_photos", columns=["photo_id"], photo_id=photo_id).empty:
            raise NotFoundError("ogc.unknown_feature", feature=photo_id[:40], collection="foto")
        with state.gates["photo_render"].admit(path="/foto"):
            shown = read_rendition(state.store, photo_id, kind)  # made while this request waited?
            if shown is None:
                render_stored_photo(state.store, photo_id, max_pixels=state.settings.photo_max_pixels)
                shown = read_rendition(state.store, photo_id, kind)
    if shown is None or shown["status"] != "ok":
        raise Gone("photo.unavailable", photo_id=photo_id[:40])
    return Response(
        bytes(shown["data"]),
        media_type=shown["content_type"],
        headers={"Cache-Control": "public, max-age=86400", "Content-Security-Policy": "default-src 'none'"},
    )


@router.get("/kelurahan/{code}/dasbor", response_class=HTMLResponse)
def dashboard(request: Request, code: str) -> Response:
    data = public_data(request)
    kel = data.kelurahan(code)
    lang = page_lang(request)
    year = _year(request, kel.works)
    works = package(kel.works, year).copy()
    history = kel.progress
    works["deviation"] = [deviation_today(w, history) for _, w in works.iterrows()]
    spent = history.sort_values("record_date").groupby("work_id")["spent_idr"].last()
    works["spent_idr"] = works["work_id"].map(spent).fillna(0)
    budget = float(works["budget_idr"].fillna(0).sum())
    active = works[works["status"] != "batal"]
    today = date.today().isoformat()
    late = works[
        (works["status"] == "berjalan")
        & ((works["deviation"].fillna(0) < -10) | (works["planned_end"].fillna("9999") < today))
    ]
    summary = {
        "budget": budget,
        "spent": float(works["spent_idr"].sum()),
        "fisik": weighted_fisik(works),
        "late": len(late),
    }
    curve = kurva_s(active, history)
    return render(
        request,
        "dashboard.html",
        info=kel.info,
        summary=summary,
        works=works.sort_values("work_id").to_dict("records"),
        late=set(late["work_id"]),
        year=year,
        years=sorted({int(y) for y in kel.works["year"].dropna()}, reverse=True),
        chart=kurva_s_svg(curve, KURVA_LABELS[lang], lang=lang),
        user=current_user(request),
        csrf=csrf_token(request),
    )


@router.get("/admin/audit", response_class=HTMLResponse)
@router.get("/admin/audit.csv")
def audit(request: Request) -> Response:
    require_admin(request)
    log = request.app.state.store.read("pk_audit").sort_values("at", ascending=False)
    log = log.astype(object).where(log.notna(), None)  # missing "before"/"after" as None, never NaN
    if request.url.path.endswith(".csv"):
        return Response(
            formula_safe(log).to_csv(index=False),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    return render(request, "audit.html", rows=log.head(500).to_dict("records"), total=len(log))


@router.get("/unduh/terbatas/{layer}.{fmt}")
def restricted_download(request: Request, layer: str, fmt: str, kelurahan: str) -> Response:
    """The full restricted data of one kelurahan, for planners of its kota and admins."""
    code = normalize_kelurahan_code(kelurahan)
    require_restricted(request, code)
    public_data(request).kelurahan(code)
    if layer not in LAYERS or fmt not in ("gpkg", "geojson", "csv"):
        raise NotFoundError("download.layer", layer=f"{layer}.{fmt}", choices="households.gpkg, ...")
    folder = Path(tempfile.mkdtemp(prefix="pk-terbatas-"))
    path = folder / f"petakampung_{layer}_{code}_TERBATAS.{fmt}"
    export_layer(request.app.state.store, layer, path, public=False, code=code)

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(
        path, filename=path.name, background=BackgroundTask(cleanup), headers={"Cache-Control": "no-store"}
    )


@router.get("/kelurahan/{code}/laporan.pdf")
def report_pdf(request: Request, code: str) -> Response:
    """The public PDF report: one at a time (else 503 + Retry-After), cached per data version."""
    from geo.pdf_report import kelurahan_report

    code = public_data(request).kelurahan(code).info["kelurahan_code"]
    asked = request.query_params.get("tahun")
    year = parse_year(asked, "tahun") if asked and asked not in ALL_YEARS else None
    lang = page_lang(request)

    def build() -> Response:
        pdf = kelurahan_report(
            request.app.state.store,
            code,
            lang=lang,
            k=request.app.state.settings.suppression_k,
            year=year,
            all_years=asked in ALL_YEARS,
        )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="laporan_{code}.pdf"'},
        )

    return cached(request, "report", (code, asked, date.today()), build, code=code)  # dated report
