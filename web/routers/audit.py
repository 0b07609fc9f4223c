"""The audit log for admins: who changed what, as a page and as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from geo.export import formula_safe
from geo.store import Store
from web.auth import require_admin
from web.render import render
from web.works import store

router = APIRouter(include_in_schema=False)


@router.get("/admin/audit", response_class=HTMLResponse)
@router.get("/admin/audit.csv")
def audit(request: Request, data: Store = Depends(store)) -> Response:
    require_admin(request)
    log = data.read("pk_audit").sort_values("at", ascending=False)
    log = log.astype(object).where(log.notna(), None)  # missing "before"/"after" as None, never NaN
    if request.url.path.endswith(".csv"):
        return Response(
            formula_safe(log).to_csv(index=False),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    return render(request, "audit.html", rows=log.head(500).to_dict("records"), total=len(log))
