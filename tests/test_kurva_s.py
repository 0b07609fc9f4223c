"""Issue 12, "one Kurva S": the dashboard's chart, the PNG download and the A4 PDF are one figure
(geo.charts) of one series (the package's, without cancelled works): the page's lines go through
the CSV's points, and the PDF carries exactly the PNG the site serves; the page's SVG has a title
and a description a screen reader reads."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from geo.charts import KURVA_LABELS, PAGE, kurva_s_figure
from geo.settings import Settings
from tests.conftest import KALIAWI
from web.app import create_app

DASHBOARD = f"/kelurahan/{KALIAWI}/dasbor"
SERIES = ("planned_pct", "fisik_pct", "keuangan_pct")


@pytest.fixture
def client(demo_settings: Settings) -> TestClient:
    return TestClient(create_app(demo_settings))


def csv_curve(client: TestClient) -> pd.DataFrame:
    r = client.get(f"/kelurahan/{KALIAWI}/kurva-s.csv")
    assert r.status_code == 200
    curve = pd.read_csv(io.StringIO(r.text))
    curve["date"] = pd.to_datetime(curve["date"]).dt.date
    return curve


def svg_of(page: str) -> str:
    return re.search(r'<figure class="chart-box" id="kurva-s">(<svg.*?</svg>)', page, re.S).group(1)


def line_points(svg: str, column: str) -> np.ndarray:
    """The vertices of a line of the chart, in the SVG's units."""
    group = re.search(rf'<g id="kurva-{column}">(.*?)</g>', svg, re.S).group(1)
    d = re.search(r'<path d="([^"]+)"', group).group(1)
    return np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]).reshape(-1, 2)


def test_the_page_draws_the_points_of_the_download(client: TestClient) -> None:
    page = client.get(DASHBOARD).text
    svg = svg_of(page)
    curve = csv_curve(client)
    title = re.search(r'<title id="kurva-s-title">([^<]+)</title>', svg).group(1)
    fig = kurva_s_figure(curve, title=title, labels=KURVA_LABELS["id"], size=PAGE)
    fig.set_dpi(72)  # the SVG's units are points
    ax = fig.axes[0]
    height = fig.get_figheight() * 72
    for column in SERIES:
        drawn = line_points(svg, column)
        values = curve[["date", column]].dropna()
        assert len(drawn) == len(values), column  # one vertex per week measured (none in the future)
        expected = ax.transData.transform(np.column_stack([ax.lines[0].get_xdata()[: len(values)], values[column]]))
        assert np.allclose(drawn[:, 0], expected[:, 0], atol=0.2)
        assert np.allclose(drawn[:, 1], height - expected[:, 1], atol=0.2), column


def test_the_svg_speaks_to_a_screen_reader(client: TestClient) -> None:
    svg = svg_of(client.get(DASHBOARD).text)
    assert 'role="img"' in svg
    assert 'aria-labelledby="kurva-s-title kurva-s-desc"' in svg
    assert re.search(r'<title id="kurva-s-title">Kurva S: [^<]+</title>', svg)
    desc = re.search(r'<desc id="kurva-s-desc">([^<]+)</desc>', svg).group(1)
    curve = csv_curve(client).dropna(subset=["fisik_pct"])
    latest = curve.iloc[-1]
    assert f"Realisasi fisik {latest['fisik_pct']:.1f}".replace(".", ",") in desc
    assert "width=" not in svg.split(">", 1)[0]  # scales to the phone's width
    english = svg_of(client.get(DASHBOARD + "?lang=en").text)
    assert "<title" in english
    assert "Physical progress" in english


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils is not installed")
def test_the_pdf_shows_the_png_the_site_serves(client: TestClient, tmp_path: Path) -> None:
    png = client.get(f"/kelurahan/{KALIAWI}/kurva-s.png")
    assert png.headers["content-type"] == "image/png"
    served = np.asarray(Image.open(io.BytesIO(png.content)).convert("RGB"))
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(client.get(f"/kelurahan/{KALIAWI}/laporan.pdf").content)
    subprocess.run(["pdfimages", "-png", str(pdf), str(tmp_path / "img")], check=True)
    images = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(tmp_path.glob("img-*.png"))]
    same = [img for img in images if img.shape == served.shape and np.array_equal(img, served)]
    assert len(same) == 1  # the chart in the PDF is exactly the download's
