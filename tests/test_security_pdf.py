"""Issue 8, item 5: names imported from files are text in the public PDF report, never markup.

ReportLab's Paragraph reads ``<img src=...>`` as "embed this local file" and ``<a href=...>`` as a
link; matplotlib reads ``$...$`` in a chart title as mathematics.  A work or kelurahan named that
way must come out as the letters it is, with no file from the server's disk in the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from geo.layers.boundaries import KELURAHAN
from geo.layers.infrastructure import WORKS
from geo.settings import Settings
from geo.store import open_store
from tests.conftest import KALIAWI
from web.app import create_app

pytestmark = pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils is not installed")
SECRET_SIZE = (123, 77)  # an odd size no image of the report has
DOLLARS = "Kaliawi $\\frac{1}{$ Persada"  # matplotlib would read $...$ as (broken) mathematics


def rename(store, work_names: dict[str, str], kelurahan_name: str | None = None) -> None:
    works = store.read("works")
    works["name"] = [work_names.get(w, n) for w, n in zip(works["work_id"], works["name"], strict=True)]
    with store.transaction(actor="uji") as writer:
        writer.upsert(WORKS, works)
        if kelurahan_name:
            kel = store.read("kelurahan")
            kel.loc[kel["kelurahan_code"] == KALIAWI, "name"] = kelurahan_name
            writer.upsert(KELURAHAN, kel)


def images(pdf: Path) -> list[tuple[int, int]]:
    """(width, height) of every image in the PDF, from poppler's pdfimages -list."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [(int(cols[3]), int(cols[4])) for cols in (line.split() for line in out.splitlines()[2:]) if cols]


def report(settings: Settings, path: Path) -> Path:
    r = TestClient(create_app(settings)).get(f"/kelurahan/{KALIAWI}/laporan.pdf?tahun=semua")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    path.write_bytes(r.content)
    return path


def test_an_img_tag_in_a_name_embeds_no_file_from_disk(demo_settings: Settings, tmp_path: Path) -> None:
    secret = tmp_path / "rahasia_server.png"
    Image.new("RGB", SECRET_SIZE, (255, 0, 0)).save(secret)
    plain = images(report(demo_settings, tmp_path / "biasa.pdf"))
    store = open_store(demo_settings.store)
    works = list(store.read("works", kelurahan_code=KALIAWI)["work_id"])
    rename(
        store,
        {
            works[0]: f'<img src="{secret}" width="123" height="77"/>',
            works[1]: '<a href="javascript:alert(document.cookie)">klik di sini</a>',
        },
    )
    pdf = report(demo_settings, tmp_path / "nakal.pdf")
    assert SECRET_SIZE not in images(pdf)  # the file on the server's disk is not in the PDF
    assert len(images(pdf)) == len(plain)
    assert b"/URI" not in pdf.read_bytes()  # no link annotation was made (the report has none of its own)
    flat = _text(pdf)
    assert re.sub(r"\s+", "", f'<img src="{secret}"') in flat  # shown as the letters it is
    assert '<ahref="javascript:' in flat


def test_broken_markup_and_dollar_signs_are_text(demo_settings: Settings, tmp_path: Path) -> None:
    store = open_store(demo_settings.store)
    works = list(store.read("works", kelurahan_code=KALIAWI)["work_id"])
    rename(store, {works[2]: "Jalan <b>belum ditutup & <unknown-tag"}, kelurahan_name=DOLLARS)
    flat = _text(report(demo_settings, tmp_path / "rusak.pdf"))
    assert "<b>belumditutup&<unknown-tag" in flat
    assert re.sub(r"\s+", "", DOLLARS) in flat


def test_a_dollar_in_a_name_does_not_break_the_kurva_s_chart(demo_settings: Settings) -> None:
    rename(open_store(demo_settings.store), {}, kelurahan_name=DOLLARS)
    r = TestClient(create_app(demo_settings)).get(f"/kelurahan/{KALIAWI}/kurva-s.png?tahun=semua")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"


def _text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)
