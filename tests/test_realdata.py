"""Real public files, imported as a user would, then every public page in the real browser.

- the Bandar Lampung kelurahan GeoJSON and the 4-kota GeoPackage, as they are;
- Jakarta's 2012 RW GeoPackage, whose kelurahan are named, not coded: codes from the names
  through the Kemendagri code table; its handful of broken rows left out with ``--skip-errors``;
- the Pekalongan KOTAKU baseline as published, after Kota Pekalongan's kelurahan (33.75) are
  taken from the national GeoParquet with ``--within 33.75`` (the README's recipe).

Skipped cleanly without ../shared/data/real or without Debian chromium.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.store import open_store
from tests.browser import PHONE, PageLog, new_page
from tests.conftest import REAL_DATA, run, start_server, stop_server

pytestmark = [pytest.mark.realdata]

WB = REAL_DATA / "wilayah-boundaries"
JAKARTA = REAL_DATA / "inasafe-jakarta" / "jakarta_admin_rw_kelurahan.gpkg"
PEKALONGAN = REAL_DATA / "kotaku-baseline-pekalongan" / "kumuh_rt_pekalongan_2019.csv"
KALIAWI, BATU_JAYA, PAPANGGO, PASIRKRATONKRAMAT = "18.71.06.1012", "36.71.03.1002", "31.72.02.1003", "33.75.01.1008"
DESKTOP = {"width": 1366, "height": 800}

IMPORTS = {
    "bandar_lampung": [["import", "boundaries", str(WB / "kelurahan_kota_bandar_lampung.geojson")]],
    "four_kota": [["import", "boundaries", str(WB / "kelurahan_4kota_bdl_bekasi_tangerang_jambi.gpkg")]],
    "jakarta": [
        ["import", "boundaries", str(JAKARTA), "--layer", "kelurahan_jakarta", "--layer", "rw_jakarta", "--skip-errors"]
    ],
    "pekalongan": [
        ["import", "boundaries", str(WB / "indonesia_desa_kelurahan_part1_prov11-51.parquet"), "--within", "33.75"],
        ["import", "kumuh", str(PEKALONGAN), "--tahun", "2019"],
    ],
}
SHOWN = {"bandar_lampung": KALIAWI, "four_kota": BATU_JAYA, "jakarta": PAPANGGO, "pekalongan": PASIRKRATONKRAMAT}
PAGES = ("", "/peta", "/pekerjaan", "/perencanaan", "/dasbor")


@pytest.fixture(scope="module")
def real_store(backend):
    """One store, the four imports in order; each command's exit code and output kept."""
    if not (WB.exists() and JAKARTA.exists() and PEKALONGAN.exists()):
        pytest.skip(f"real data not available: {REAL_DATA}")
    store = backend.new(name="real")
    capsys = _Capture()
    results = {}
    env = pytest.MonkeyPatch()
    if backend.is_pg:  # a database has no folder for the household key: named as a deployment names it
        env.setenv("PETAKAMPUNG_HASH_KEY_FILE", str(backend.tmp.mktemp("real-key") / "store.key"))
    try:
        for name, commands in IMPORTS.items():
            results[name] = [run(["--lang", "en", "--store", str(store), *cmd], capsys) for cmd in commands]
        yield {"path": store, "results": results}
    finally:
        env.undo()
        backend.drop(store)


class _Capture:
    """``run`` needs a capsys; module fixtures cannot have one, so output is captured here."""

    def __init__(self) -> None:
        import io

        self._io = io
        self._start()

    def _start(self) -> None:
        import contextlib

        self.out, self.err = self._io.StringIO(), self._io.StringIO()
        self._ctx = (contextlib.redirect_stdout(self.out), contextlib.redirect_stderr(self.err))
        for c in self._ctx:
            c.__enter__()

    def readouterr(self) -> object:  # the capsys interface
        for c in reversed(self._ctx):
            c.__exit__(None, None, None)
        result = type("Out", (), {"out": self.out.getvalue(), "err": self.err.getvalue()})
        self._start()
        return result


@pytest.mark.parametrize("name", list(IMPORTS))
def test_real_file_imports(real_store: dict, name: str) -> None:
    for code, _, err in real_store["results"][name]:
        assert code == 0, err[-3000:]


def test_bandar_lampung_and_four_kota_as_they_are(real_store: dict) -> None:
    kel = open_store(real_store["path"]).read("kelurahan").set_index("kelurahan_code")
    kota = kel[kel.index.str.startswith(("18.71", "32.75", "36.71", "15.71"))]
    assert len(kota) == 354
    for column in ("kecamatan", "kota", "provinsi"):  # filled from the file's nama_kec, nama_kab, nama_prov
        assert kota[column].notna().all(), column
    assert kel.loc[KALIAWI, ["name", "kecamatan", "kota"]].tolist() == [
        "Kaliawi Persada",
        "Tanjungkarang Pusat",
        "Kota Bandar Lampung",
    ]
    _, out, err = real_store["results"]["bandar_lampung"][0]
    assert "(dropped): kode_nodot, jenis, kode_kec, kode_kab, kode_prov, lat, lng" in err
    assert "126 new" in out


def test_jakarta_codes_come_from_the_names(real_store: dict) -> None:
    store = open_store(real_store["path"])
    kel = store.read("kelurahan")
    jakarta = kel[kel["kelurahan_code"].str.startswith("31.")]
    assert len(jakarta) == 261  # every kelurahan of the file resolved, old spellings included
    assert kel.set_index("kelurahan_code").loc[PAPANGGO, "name"] == "Papanggo"  # written PAPANGO in the file
    rw = store.read("rw")
    assert len(rw) > 2500
    assert set(rw["kelurahan_code"]) <= set(jakarta["kelurahan_code"])
    _, _, err = real_store["results"]["jakarta"][0]
    assert "rows with errors were left out (--skip-errors)" in err
    assert "TMII" in err  # not a kelurahan: named, not silently dropped


def test_pekalongan_baseline_as_published(real_store: dict, capsys) -> None:
    store = open_store(real_store["path"])
    base = store.read("kumuh_baseline")
    assert len(base) == 382
    assert set(base["kelurahan_code"].str[:5]) == {"33.75"}
    published = pd.read_csv(PEKALONGAN)
    _, _, err = real_store["results"]["pekalongan"][1]
    assert "published" not in err.split("read ×100")[-1]  # every published score agrees with ours
    code, out, _ = run(
        ["--store", str(real_store["path"]), "score", "--kelurahan", PASIRKRATONKRAMAT, "--format", "csv"], capsys
    )
    assert code == 0
    ours = pd.read_csv(pd.io.common.StringIO(out))
    theirs = published[published["kelurahan"] == "Pasir Kraton Kramat"]
    assert sorted(ours["kumuh_total_before"]) == sorted(theirs["total_score"])


@pytest.mark.parametrize("name", list(IMPORTS))
def test_map_command_writes_a_map(real_store: dict, name: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "peta.html"
    code, _, err = run(["--store", str(real_store["path"]), "map", "--kelurahan", SHOWN[name], "-o", str(out)], capsys)
    assert (code, err) == (0, "")
    assert "L.map(" in out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def real_site(real_store: dict):
    proc, url = start_server(real_store["path"])
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.mark.browser
@pytest.mark.both_backends
@pytest.mark.parametrize("name", list(IMPORTS))
def test_every_public_page_answers_in_the_browser(browser, real_site: str, name: str) -> None:
    code = SHOWN[name]
    for path in ("/", *(f"/kelurahan/{code}{p}" for p in PAGES)):
        page = new_page(browser, DESKTOP)  # a page per visit: leaving a page drops its pending tile errors
        log = PageLog(page)
        no_plan: list[str] = []  # the planner asks for a plan; without a baseline the API says why (404)
        page.on(
            "response", lambda r, seen=no_plan: seen.append(r.url) if r.status == 404 and "/rank?" in r.url else None
        )
        response = page.goto(real_site + path)
        assert response is not None, path
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        if "/kelurahan/" in path and not path.endswith(("/pekerjaan", "/dasbor")):
            page.wait_for_selector(".leaflet-overlay-pane path")  # the outline is drawn
        if path.endswith("/perencanaan"):
            summary = page.locator("#plan-summary").inner_text()
            if name == "pekalongan":
                assert no_plan == []
                assert "Rp" in summary  # a plan from the published baseline
            else:
                assert "baseline kumuh" in summary  # the page says what is missing
        assert log.page_errors == [], path
        assert [u for u in log.failed if "tile.openstreetmap.org" not in u] == [], path
        assert len(log.console_errors) <= len(log.failed) + len(no_plan), (path, log.console_errors)
        page.context.close()


@pytest.mark.browser
@pytest.mark.both_backends
@pytest.mark.parametrize(("label", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_boundary_only_real_kelurahan_screenshots(
    browser, real_site: str, label: str, viewport: dict, artifacts: Path
) -> None:
    """Kaliawi Persada from the real Bandar Lampung file: its outline and nothing else yet."""
    page = new_page(browser, viewport)
    log = PageLog(page)
    page.goto(f"{real_site}/kelurahan/{KALIAWI}")
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / f"real_boundary_only_{label}.png"), full_page=True)
    assert "Kaliawi Persada" in page.locator("h1").inner_text()
    assert "Belum ada batas RT" in page.locator("#no-rts").inner_text()  # said, not an empty table
    assert "KK miskin" not in page.locator(".pk-rt-legend").inner_text()  # no classes without RTs
    box = page.locator(".leaflet-container").first.bounding_box()
    assert box is not None
    assert box["width"] <= viewport["width"]
    assert box["height"] > 200
    log.assert_clean()
