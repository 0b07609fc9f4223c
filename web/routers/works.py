"""Works: the work page with its Kurva S, LKM progress records with photos, the KPP maintenance
log, and the public photos."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from geo import idempotency
from geo.errors import AuthRequired, Conflict, Forbidden, GeoError, Gone, NotFoundError, RequestError
from geo.layers.infrastructure import WORK_TYPES
from geo.photos import read_rendition, render_stored_photo
from geo.places import normalize_kelurahan_code
from geo.progress import CONDITIONS, KINDS, Photo, ProgressInput, deviation_today, record_maintenance, record_progress
from geo.store import Store
from web import pending, progress_form
from web.auth import check_csrf, csrf_token, current_user, require_recorder
from web.charts import kurva_s_chart
from web.deps import page_lang
from web.errors import status_of
from web.limits import UPLOAD_WAIT_S
from web.paths import site_url
from web.render import render
from web.work_history import history_rows
from web.works import WorkKey, WorkRef, kelurahan_view, public_records, store, work_curve, work_key, work_ref

router = APIRouter(include_in_schema=False)

WORK_PATH = "/kelurahan/{code}/pekerjaan/{work_id}"


@router.get(WORK_PATH, response_class=HTMLResponse)
def work_page(
    request: Request, ref: WorkRef = Depends(work_ref), tertunda: str | None = Query(None, max_length=40)
) -> Response:
    """The work page; ``?tertunda=ID`` refills the form a member typed before logging in again."""
    form = _pending_form(request, ref, tertunda)
    if form is not None:
        return _work_page(request, ref, form=form.fields, pending_form=form)
    return _work_page(request, ref, saved=progress_form.pop_flash(request))


def _pending_form(request: Request, ref: WorkRef | WorkKey, form_id: str | None) -> pending.PendingForm | None:
    """The pending form ``form_id`` when this session sent it and may now record it."""
    if not form_id or form_id not in pending.session_ids(request):
        return None
    user = current_user(request)
    if user is None or not user.can_record(ref.code):
        return None
    return request.app.state.pending.get(form_id, ref.code, ref.work_id)


def _work_page(
    request: Request,
    ref: WorkRef,
    *,
    saved: str | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    error_field: str | None = None,
    photos_dropped: bool = False,
    pending_form: pending.PendingForm | None = None,
    status_code: int = 200,
) -> Response:
    """The work page; after a refused record, with what was typed and the message at its field."""
    lang = page_lang(request)
    user = current_user(request)
    data: Store = request.app.state.store
    maintenance = data.read("maintenance_log", work_id=ref.work_id)
    records = public_records(data, ref.work_id)
    typed = {"record_date": date.today().isoformat(), "idempotency_key": uuid.uuid4().hex, **(form or {})}
    return render(
        request,
        "work.html",
        status_code=status_code,
        info=ref.kel.info,
        work=ref.work.to_dict(),
        work_types=WORK_TYPES,
        chart=kurva_s_chart(work_curve(ref), lang, ref.name),
        deviation=deviation_today(ref.work, ref.history),
        records=records,
        saved=next((r for r in records if r["record_id"] == saved), None),
        form=typed,
        error=error,
        error_field=error_field,
        photos_dropped=photos_dropped,
        pending=pending_form,
        form_ticket=request.app.state.form_tickets.issue(f"/kelurahan/{ref.code}/pekerjaan/{ref.work_id}/progres"),
        history_rows=history_rows(data, ref.work_id, records),  # imported + LKM, one list
        maintenance=maintenance.drop(columns=["recorded_by"]).sort_values("log_date").to_dict("records"),
        can_record=bool(user and user.can_record(ref.code)),
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


@router.post(WORK_PATH + "/progres")
async def add_progress(
    request: Request,
    ref: WorkKey = Depends(work_key),
    csrf_token_: str = Form("", alias="csrf_token"),
    record_date: str = Form(...),
    fisik_pct: str = Form(""),
    volume_done: str = Form(""),
    spent_idr: str = Form(""),
    note: str = Form(""),
    corrects: str = Form(""),
    idempotency_key: str = Form(""),
    pending_id: str = Form("", max_length=40),
    photos: list[UploadFile] = File(default=[]),
) -> Response:
    code, work_id = ref.code, ref.work_id
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
    sent = await _photos(photos)
    kept = _pending_form(request, ref, pending_id)
    if kept is not None and not sent:
        sent = kept.photos  # the photos chosen before the login, unless new ones were picked
    try:
        check_csrf(request, csrf_token_)
        user = require_recorder(request, code)
    except (AuthRequired, Forbidden) as exc:
        if _wants_json(request) or exc.code not in ("auth.csrf", "auth.required") or not _from_our_page(request):
            raise  # the page's script keeps the form itself; another kelurahan's member or another site: refused
        who = current_user(request)
        if who is not None and not who.can_record(code):
            raise Forbidden("auth.forbidden") from None  # logged in, not this kelurahan's member
        return _keep_and_ask(request, ref, typed, sent)
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
            photos=sent,
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
        page_ref = await run_in_threadpool(lambda: work_ref(work_id, kelurahan_view(request, code)))
        return _refused(request, page_ref, exc, typed, photos_sent=bool(sent), kept=kept)
    if kept is not None:
        state.pending.drop(kept.form_id)
        pending.forget(request, kept.form_id)
    progress_form.set_flash(request, record_id)  # the "tersimpan" the next page shows, once
    target = site_url(request, f"/kelurahan/{code}/pekerjaan/{quote(work_id, safe='')}?disimpan={record_id}")
    if _wants_json(request):
        return JSONResponse({"record_id": record_id, "location": target}, status_code=201)
    return RedirectResponse(target, 303)


def _from_our_page(request: Request) -> bool:
    """Sent by a form of this site (the browser says so), not posted from another site: only then
    is a refused form kept to be shown back, so no other site can fill in a member's form."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc == request.headers.get("host")


def _keep_and_ask(request: Request, ref: WorkRef | WorkKey, typed: dict[str, str], photos: list[Photo]) -> Response:
    """No session (or an aged form) without the page's script: keep what was sent, then log in
    (or, still logged in with an aged CSRF token, straight back to the refilled form).

    Nothing is recorded here: the work page shows the form refilled, to be sent again."""
    form_id = request.app.state.pending.put(ref.code, ref.work_id, typed, photos)
    pending.remember(request, form_id)
    page = site_url(request, f"/kelurahan/{ref.code}/pekerjaan/{quote(ref.work_id, safe='')}?tertunda={form_id}")
    user = current_user(request)
    if user is not None:
        return RedirectResponse(page, 303)
    return RedirectResponse(site_url(request, "/masuk?next=") + quote(page, safe="") + "&tertunda=1", 303)


def _refused(
    request: Request,
    ref: WorkRef,
    exc: GeoError,
    typed: dict[str, str],
    *,
    photos_sent: bool,
    kept: pending.PendingForm | None = None,
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
        ref,
        form=typed,
        error=text,
        error_field=field,
        photos_dropped=photos_sent and kept is None,
        pending_form=kept,
        status_code=status,
    )


@router.post(WORK_PATH + "/pemeliharaan")
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
    data: Store = Depends(store),
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
        data,
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
    if _wants_json(request):
        return JSONResponse({"log_id": log_id}, status_code=201)
    return RedirectResponse(site_url(request, f"/kelurahan/{code}/pekerjaan/{work_id}#pemeliharaan"), 303)


PHOTO_SIZES = {"besar": "display", "kecil": "thumb", "display": "display", "thumb": "thumb"}


@router.get("/foto/{photo_id}")
def photo(
    request: Request,
    photo_id: str,
    ukuran: str = Query("besar", pattern="^(besar|kecil|display|thumb)$"),
    data: Store = Depends(store),
) -> Response:
    """A progress photo for the public: its stored rendition (at most 1600 px, or 400 px with
    ``?ukuran=kecil``), re-encoded on upload without any metadata.  Never decoded here; a photo
    stored before renditions existed gets them made once, and one that cannot be decoded is 410."""
    state = request.app.state
    kind = PHOTO_SIZES[ukuran]
    shown = read_rendition(data, photo_id, kind)  # one small BLOB by its key: cheap, not gated
    if shown is None:
        if data.read("progress_photos", columns=["photo_id"], photo_id=photo_id).empty:
            raise NotFoundError("ogc.unknown_feature", feature=photo_id[:40], collection="foto")
        with state.gates["photo_render"].admit(path="/foto"):
            shown = read_rendition(data, photo_id, kind)  # made while this request waited?
            if shown is None:
                render_stored_photo(data, photo_id, max_pixels=state.settings.photo_max_pixels)
                shown = read_rendition(data, photo_id, kind)
    if shown is None or shown["status"] != "ok":
        raise Gone("photo.unavailable", photo_id=photo_id[:40])
    return Response(
        bytes(shown["data"]),
        media_type=shown["content_type"],
        headers={"Cache-Control": "public, max-age=86400", "Content-Security-Policy": "default-src 'none'"},
    )
