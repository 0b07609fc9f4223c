"""Pending progress forms: what a member typed (and the photos chosen) when the session had ended
or the form's CSRF token had aged, kept for a short while so that, without JavaScript too, the
member logs in again and finds the form refilled to send once more.

Nothing here is saved as a progress record: a pending form is only shown back, and the record is
written (and acknowledged) when the member, logged in, sends it again.  Bounded: at most
``max_count`` forms and ``max_bytes`` in all (the oldest go first), each kept ``ttl_s`` seconds,
in files readable only by the server's user, shared by the server's workers on one machine.
A pending form is tied to the browser session that sent it (its id is kept in the session,
across the login) and to its kelurahan and work."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import Request

from geo.progress import Photo
from web.auth import PENDING_KEY

__all__ = ["SESSION_KEY", "TICKET_PARAM", "FormTickets", "PendingForm", "PendingForms", "session_ids"]

SESSION_KEY = PENDING_KEY
_ID = re.compile(r"[A-Za-z0-9_-]{22}")
MAX_PER_SESSION = 3


@dataclass
class PendingForm:
    """A typed progress form waiting for its member to log in again."""

    form_id: str
    code: str
    work_id: str
    fields: dict[str, str]
    photos: list[Photo] = field(default_factory=list)

    @property
    def photo_names(self) -> list[str]:
        return [p.filename for p in self.photos]


class PendingForms:
    """The pending forms of one store, as files in ``folder`` (made 0700 when a form is first kept)."""

    def __init__(
        self, folder: Path, *, ttl_s: float = 3600, max_count: int = 200, max_bytes: int = 256 * 1024 * 1024
    ) -> None:
        self.folder = folder
        self.ttl_s = ttl_s
        self.max_count = max_count
        self.max_bytes = max_bytes
        self._lock = threading.Lock()  # made on the first form kept: most sites never need it

    @classmethod
    def for_store(cls, store_location: object) -> PendingForms:
        """A folder in the system's temporary directory, one per store."""
        digest = hashlib.sha256(str(store_location).encode()).hexdigest()[:16]
        return cls(Path(tempfile.gettempdir()) / f"petakampung-pending-{os.getuid()}-{digest}")

    def put(self, code: str, work_id: str, fields: dict[str, str], photos: list[Photo]) -> str:
        """Keep a form; its new random id."""
        form_id = secrets.token_urlsafe(16)
        body = {
            "code": code,
            "work_id": work_id,
            "fields": fields,
            "photos": [
                {"filename": p.filename, "content_type": p.content_type, "data": base64.b64encode(p.data).decode()}
                for p in photos
            ],
        }
        data = json.dumps(body).encode()
        with self._lock:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._prune(room_for=len(data))
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")  # 0600
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            Path(tmp).replace(self.folder / f"{form_id}.json")
        return form_id

    def get(self, form_id: str, code: str, work_id: str) -> PendingForm | None:
        """The form ``form_id`` of this work, unless it expired or never was."""
        path = self._path(form_id)
        if path is None:
            return None
        try:
            if time.time() - path.stat().st_mtime > self.ttl_s:
                path.unlink(missing_ok=True)
                return None
            body = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if body.get("code") != code or body.get("work_id") != work_id:
            return None
        photos = [
            Photo(filename=p["filename"], content_type=p["content_type"], data=base64.b64decode(p["data"]))
            for p in body.get("photos", [])
        ]
        return PendingForm(form_id, code, work_id, dict(body.get("fields", {})), photos)

    def drop(self, form_id: str) -> None:
        path = self._path(form_id)
        if path is not None:
            path.unlink(missing_ok=True)

    def _path(self, form_id: str) -> Path | None:
        return self.folder / f"{form_id}.json" if _ID.fullmatch(form_id or "") else None

    def _prune(self, room_for: int) -> None:
        """Expired forms out; then the oldest until one more of ``room_for`` bytes fits."""
        now = time.time()
        files = []
        for path in self.folder.glob("*.json"):
            try:
                st = path.stat()
            except OSError:
                continue
            if now - st.st_mtime > self.ttl_s:
                path.unlink(missing_ok=True)
            else:
                files.append((st.st_mtime, st.st_size, path))
        files.sort()
        total = sum(size for _, size, _ in files)
        while files and (len(files) >= self.max_count or total + room_for > self.max_bytes):
            _, size, path = files.pop(0)
            path.unlink(missing_ok=True)
            total -= size


def session_ids(request: Request) -> list[str]:
    """The pending forms this browser session sent."""
    ids = request.session.get(SESSION_KEY)
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def remember(request: Request, form_id: str) -> None:
    request.session[SESSION_KEY] = [*session_ids(request), form_id][-MAX_PER_SESSION:]


def forget(request: Request, form_id: str) -> None:
    request.session[SESSION_KEY] = [i for i in session_ids(request) if i != form_id]


TICKET_PARAM = "formulir"
TICKET_MAX_AGE_S = 7 * 24 * 3600  # a phone away from signal for a week still gets its photos kept


class FormTickets:
    """A signed, dated mark in a progress form's ``action`` (``?formulir=...``): this site showed
    the form to a member who could record there.  The body cap lets an anonymous POST that
    carries a valid one (the member's session ended meanwhile) send the form's photos, so that
    they can be kept; without one an anonymous visitor still gets the small anonymous cap."""

    def __init__(self, secret: str, max_age_s: float = TICKET_MAX_AGE_S) -> None:
        self._key = hashlib.sha256(b"petakampung-form-ticket:" + secret.encode()).digest()
        self.max_age_s = max_age_s

    def _mac(self, path: str, issued: int) -> str:
        return hmac.new(self._key, f"{path}|{issued}".encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, path: str, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        return f"{issued}.{self._mac(path, issued)}"

    def valid(self, path: str, ticket: str | None, now: float | None = None) -> bool:
        issued_text, _, mac = (ticket or "").partition(".")
        if not issued_text.isascii() or not issued_text.isdigit() or len(issued_text) > 12:
            return False
        issued = int(issued_text)
        age = (time.time() if now is None else now) - issued
        return 0 <= age <= self.max_age_s and hmac.compare_digest(mac, self._mac(path, issued))

    def in_scope(self, scope: dict, path: str) -> bool:
        """Whether the request ``scope`` (to ``path``, inside the site) carries a valid ticket."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        return self.valid(path, (query.get(TICKET_PARAM) or [""])[0])
