"""Issue 8, items 11 and 13: request bodies are capped before they are read, and every write is
idempotent (a form or API call repeated with the same key writes once and answers the same)."""

from __future__ import annotations

import http.client
import json
import re
import threading
import urllib.parse
import urllib.request
from datetime import date
from http.cookiejar import CookieJar

import pytest
from fastapi.testclient import TestClient

from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI, PASSWORD, login, start_server, stop_server
from web.app import create_app

WORK = "CSR-2026-01"
PROGRESS = f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}/progres"
MAINTENANCE = f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}/pemeliharaan"


@pytest.fixture
def lkm(users_settings: Settings) -> TestClient:
    client = TestClient(create_app(users_settings))
    assert login(client, "lkm.a").status_code == 303
    return client


def form_fields(client: TestClient) -> dict[str, str]:
    """The hidden fields of the progress form, as the page renders them."""
    page = client.get(f"/kelurahan/{KALIAWI}/pekerjaan/{WORK}").text
    form = page[page.index('id="record-form"') :]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form[: form.index("</form>")]))


def test_each_rendered_form_carries_its_own_key(lkm: TestClient) -> None:
    first, second = form_fields(lkm), form_fields(lkm)
    assert len(first["idempotency_key"]) >= 16
    assert first["idempotency_key"] != second["idempotency_key"]


def test_a_form_sent_twice_writes_once(lkm: TestClient, users_settings: Settings) -> None:
    fields = {**form_fields(lkm), "record_date": date.today().isoformat(), "fisik_pct": "61", "note": "dua kali"}
    first = lkm.post(PROGRESS, data=fields, follow_redirects=False)
    again = lkm.post(PROGRESS, data=fields, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    store = open_store(users_settings.store)
    records = store.read("progress_records")
    assert len(records) == 1
    keys = store.read("pk_idempotency")
    assert list(keys["result_id"]) == list(records["record_id"])  # stored with the record it produced


def test_a_key_reused_for_other_content_is_refused(lkm: TestClient, users_settings: Settings) -> None:
    fields = {**form_fields(lkm), "record_date": date.today().isoformat(), "fisik_pct": "61"}
    assert lkm.post(PROGRESS, data=fields, follow_redirects=False).status_code == 303
    r = lkm.post(PROGRESS, data={**fields, "fisik_pct": "75"}, follow_redirects=False)
    assert r.status_code == 409
    assert "muat ulang" in r.text
    assert len(open_store(users_settings.store).read("progress_records")) == 1


def test_api_clients_send_an_idempotency_key_header(lkm: TestClient, users_settings: Settings) -> None:
    csrf = form_fields(lkm)["csrf_token"]
    headers = {"Accept": "application/json", "Idempotency-Key": "klien-api-0001-abcdef"}
    body = {"csrf_token": csrf, "log_date": "2026-11-20", "kind": "inspeksi", "condition": "baik", "note": "cek"}
    first = lkm.post(MAINTENANCE, data=body, headers=headers)
    again = lkm.post(MAINTENANCE, data=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(open_store(users_settings.store).read("maintenance_log")) == 1
    bad = lkm.post(MAINTENANCE, data=body, headers={**headers, "Idempotency-Key": "pendek"})
    assert bad.status_code == 400
    assert "Idempotency-Key" in bad.json()["detail"]


class Recorder:
    """One LKM member's session over real HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = self.opener.open(f"{base}/masuk", timeout=30).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        login_form = {"username": "lkm.a", "password": PASSWORD, "csrf_token": token, "next": "/lkm"}
        self.opener.open(f"{base}/masuk", data=urllib.parse.urlencode(login_form).encode(), timeout=60).read()
        page = self.opener.open(f"{base}/kelurahan/{KALIAWI}/pekerjaan/{WORK}", timeout=60).read().decode()
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def record(self, key: str) -> str:
        body = {"csrf_token": self.token, "record_date": "2026-11-20", "fisik_pct": "70", "idempotency_key": key}
        request = urllib.request.Request(
            self.base + PROGRESS, data=urllib.parse.urlencode(body).encode(), headers={"Accept": "application/json"}
        )
        with self.opener.open(request, timeout=120) as resp:
            assert resp.status == 201
            return json.loads(resp.read())["record_id"]


@pytest.fixture(scope="module")
def live(backend, users_source):
    store = backend.copy(users_source, name="sec-writes")
    proc, url = start_server(store, PETAKAMPUNG_SECRET_KEY="writes-test-secret")
    try:
        yield url, store
    finally:
        stop_server(proc)
        backend.drop(store)


def test_concurrent_retries_with_one_key_write_once(live) -> None:
    url, store = live
    recorder = Recorder(url)
    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(recorder.record("coba-lagi-0123456789"))) for _ in range(8)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(answers) == 8
    assert len(set(answers)) == 1
    records = open_store(store).read("progress_records")
    assert list(records["record_id"]).count(answers[0]) == 1
    assert len(records[records["fisik_pct"] == 70]) == 1


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_an_anonymous_gigabyte_upload_is_refused_before_it_is_read(live) -> None:
    url, _ = live
    conn = http.client.HTTPConnection("127.0.0.1", _port(url), timeout=60)
    conn.putrequest("POST", PROGRESS)
    conn.putheader("Content-Type", "multipart/form-data; boundary=batas")
    conn.putheader("Content-Length", str(1 << 30))
    conn.endheaders()
    conn.send(b"--batas\r\n" + b"x" * 65536)  # a start; the server must not wait for the rest
    r = conn.getresponse()
    assert r.status == 413
    assert "1024 MB" in r.read().decode()


def test_a_chunked_body_is_cut_off_at_the_limit(live) -> None:
    url, _ = live
    conn = http.client.HTTPConnection("127.0.0.1", _port(url), timeout=60)
    conn.putrequest("POST", "/masuk")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"username=" + b"a" * 8000
    try:
        for _ in range(256):  # 2 MB in all, no Content-Length to refuse up front
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may close the connection while we are still sending
    r = conn.getresponse()
    assert r.status == 413
    assert "64 KB" in r.read().decode()


def test_a_logged_in_recorder_may_send_photos(lkm: TestClient) -> None:
    from tests.photos import jpeg

    fields = {**form_fields(lkm), "record_date": date.today().isoformat(), "fisik_pct": "40"}
    files = [("photos", (f"f{i}.jpg", jpeg(size=(640, 480)) + b"\0" * 400_000, "image/jpeg")) for i in range(3)]
    assert lkm.post(PROGRESS, data=fields, files=files, follow_redirects=False).status_code == 303
    anonymous = TestClient(lkm.app)
    r = anonymous.post(PROGRESS, data=fields, files=files, follow_redirects=False)
    assert r.status_code == 413  # an anonymous visitor may not send more than a login form
