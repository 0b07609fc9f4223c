"""The A4 PDF report as a musyawarah reads it (issue 12): read back with poppler (pdftotext,
pdftoppm) and looked at as images; the page PNGs land in test-artifacts/report_*.png."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geo.accounts import get_user
from geo.layers.infrastructure import STATUS_COLORS
from geo.pdf_report import _map_png, kelurahan_report
from geo.progress import Photo, ProgressInput, package, record_progress
from geo.public import PublicData
from geo.store import open_store
from tests.conftest import KALIAWI
from tests.photos import jpeg

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
DAY = date(2026, 12, 1)


def _text(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "laporan.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1]  # one string per page


def _pages(pdf: bytes, tmp_path: Path, name: str, artifacts: Path) -> list[Image.Image]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / name)], check=True)
    pages = []
    for png in sorted(tmp_path.glob(f"{name}-*.png")):
        shutil.copy(png, artifacts / f"report_{png.name}")
        pages.append(Image.open(png).convert("L"))
    return pages


def test_report_has_what_a_musyawarah_needs(demo_store, tmp_path: Path, artifacts: Path) -> None:
    pdf = kelurahan_report(demo_store, KALIAWI, lang="id", today=DAY, year=2019)
    pages = _text(pdf, tmp_path)
    whole = "\n".join(pages)
    total = len(pages)
    for n, page in enumerate(pages, start=1):
        assert f"Halaman {n} dari {total}" in page  # every page numbered
        assert "Sumber: data kelurahan" in page
    assert "Tanggal laporan: 1 Desember 2026" in whole
    assert "Paket pekerjaan tahun 2019" in whole
    assert "Rp 1.500.000.000" in whole  # the 2019 BPM package, Indonesian grouping
    assert "Koordinator LKM" in whole
    assert "Lurah Kaliawi Persada" in whole
    assert "Kota Bandar Lampung, 1 Desember 2026" in whole
    assert not re.search(r"\b2026-12-01\b", whole)  # no ISO dates for a reader
    works = package(demo_store.read("works", kelurahan_code=KALIAWI), 2019)
    for work_id, name in zip(works["work_id"], works["name"], strict=True):
        assert name in whole, work_id
    assert "APBD" not in whole  # the 2024 work is not in the 2019 package's table
    images = _pages(pdf, tmp_path, "laporan2019", artifacts)
    first = np.asarray(images[0])
    lower_half = first[first.shape[0] // 2 : int(first.shape[0] * 0.92)]
    assert (lower_half < 200).mean() > 0.02  # the first page is used, not left half empty by a page break


def test_the_map_draws_the_works_of_the_table(demo_store) -> None:
    kel = PublicData(demo_store, k=5, max_kelurahan=1).kelurahan(KALIAWI)
    from geo.pdf_report import report_texts

    def status_pixels(works, status: str) -> int:
        png = _map_png(kel, works, report_texts("id"), "id")
        img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
        rgb = np.array([int(STATUS_COLORS[status][i : i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(img - rgb).sum(axis=2) < 30).sum())

    only_2026 = package(kel.works, 2026)  # one work, berjalan
    assert set(only_2026["status"]) == {"berjalan"}
    assert status_pixels(only_2026, "berjalan") > 50
    assert status_pixels(only_2026, "selesai") == 0  # the 2019 works are not on this package's map
    assert status_pixels(package(kel.works, 2019), "selesai") > 50


def test_photo_captions_name_the_work_and_date(users_settings, tmp_path: Path, artifacts: Path) -> None:
    store = open_store(users_settings.store)
    works = store.read("works", kelurahan_code=KALIAWI)
    line = works[works["work_id"] == "CSR-2026-01"].geometry.iloc[0].interpolate(0.5, normalized=True)
    photo = Photo("lokasi.jpg", "image/jpeg", jpeg(line.x, line.y, datetime(2026, 11, 20)))
    inp = ProgressInput("CSR-2026-01", "2026-11-20", fisik_pct=60.0, photos=[photo])
    record_progress(store, get_user(store, "lkm.a"), KALIAWI, inp, today=DAY)
    pdf = kelurahan_report(store, KALIAWI, lang="id", today=DAY, year=2026)
    whole = "\n".join(_text(pdf, tmp_path))
    assert "Jalan paving RT 07 LK I · 20 November 2026" in whole
    _pages(pdf, tmp_path, "laporan2026_foto", artifacts)


def test_the_english_report(demo_store, tmp_path: Path) -> None:
    pages = _text(kelurahan_report(demo_store, KALIAWI, lang="en", today=DAY, all_years=True), tmp_path)
    whole = "\n".join(pages)
    assert "All fiscal years" in whole
    assert "Page 1 of" in whole
    assert "LKM Coordinator" in whole
    assert "Report date: 1 December 2026" in whole
