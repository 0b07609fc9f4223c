"""One budget across a whole kota, through the CLI and the API, as a city planner uses them.

Kota 18.71 holds two kelurahan with slum baselines (the demo's Kaliawi Persada and a second one
imported through the normal importers); kota 32.75 holds only the demo's Jatirangga.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from geo.city_plan import CityParts, normalize_kota_code
from geo.errors import PlaceError
from geo.public import PublicData
from geo.store import open_store
from tests.city_store import NO_BASELINE, NOT_SLUM, SECOND, SECOND_NAME, build_city_store
from tests.conftest import HASH_KEY, JATIRANGGA, KALIAWI, run
from web.app import create_app


@pytest.fixture(scope="module")
def city_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kota")


@pytest.fixture(scope="module")
def city_path(backend, demo_source, city_folder: Path):
    """The test kotas, on each backend (a GeoPackage path or a database URL)."""
    location = build_city_store(backend, demo_source, city_folder)
    yield location
    backend.drop(location)


@pytest.fixture(scope="module")
def client(backend, city_path, tmp_path_factory) -> TestClient:
    folder = tmp_path_factory.mktemp("kota-site")
    return TestClient(create_app(backend.settings(city_path, folder, hash_key=HASH_KEY.decode())))


def best_by_brute_force(priority: np.ndarray, cost: np.ndarray, budget: float) -> float:
    """The best total priority over every subset of the RTs that could be chosen at all."""
    idx = np.flatnonzero((priority > 0) & (cost <= budget))
    best = 0.0
    for mask in itertools.product([False, True], repeat=len(idx)):
        m = idx[np.array(mask, dtype=bool)]
        if cost[m].sum() <= budget:
            best = max(best, priority[m].sum())
    return best


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_kota_plan_is_optimal_within_budget_and_explained(city_path, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "rencana.csv"
    budget = 3_000_000_000
    code, out, err = run(
        ["--store", str(city_path), "rank", "--kota", "18.71", "--budget", "3.000.000.000", "-o", str(out_file)],
        capsys,
    )
    assert code == 0, err
    plan = pd.read_csv(out_file)
    assert set(plan["kelurahan_code"]) == {KALIAWI, SECOND}  # both kelurahan of the kota, one ranking
    assert len(plan) == 15 + 5
    eligible = plan[plan["eligible"]]
    assert set(eligible["kelurahan_code"]) == {KALIAWI, SECOND}
    assert len(eligible) <= 16  # small enough for brute force over every subset
    chosen = plan[plan["chosen"]]
    assert 0 < chosen["cost_idr"].sum() <= budget
    priority = np.where(plan["eligible"], plan["priority"], 0.0)
    best = best_by_brute_force(priority, plan["cost_idr"].to_numpy(), budget)
    assert chosen["priority"].sum() == pytest.approx(best, abs=1e-9)
    assert (chosen["why"].str.len() > 0).all()  # every chosen RT explained
    assert "Optimal (terbukti)" in out
    assert "waktu hitung" in out
    assert "Terpilih" in out
    assert "Rp 3.000.000.000" in out


def test_cli_kota_of_one_kelurahan_equals_the_kelurahan_plan(city_path, tmp_path: Path, capsys) -> None:
    kota_file, kel_file = tmp_path / "kota.csv", tmp_path / "kel.csv"
    store = ["--store", str(city_path), "--lang", "en"]
    code, out, _ = run([*store, "rank", "--kota", "32.75", "--budget", "2500000000", "-o", str(kota_file)], capsys)
    assert code == 0
    assert "Optimal (proven)" in out
    assert "solve time" in out
    code, _, _ = run([*store, "rank", "--kelurahan", JATIRANGGA, "--budget", "2500000000", "-o", str(kel_file)], capsys)
    assert code == 0
    kota, kel = pd.read_csv(kota_file), pd.read_csv(kel_file)
    key = ["unit_number", "rt_number"]
    assert set(map(tuple, kota.loc[kota["chosen"], key].to_numpy())) == set(
        map(tuple, kel.loc[kel["chosen"], key].to_numpy())
    )
    assert kota.loc[kota["chosen"], "cost_idr"].sum() == kel.loc[kel["chosen"], "cost_idr"].sum()
    assert list(kota["rt_label"]) == list(kel["rt_label"])  # the same ranking, in the same order


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kota", "18.71", "--budget", "0"], "anggaran harus lebih dari 0"),
        (["--kota", "18.71", "--budget", "-1"], "anggaran harus lebih dari 0"),
        (["--kota", "18.71", "--budget", "nan"], "diterima: 'nan'"),
        (["--kota", "18.71", "--budget", "inf"], "paling banyak Rp 1.000.000.000.000.000"),
        (["--kota", "18.71", "--budget", "1e300"], "paling banyak Rp 1.000.000.000.000.000"),
        (["--kota", "18.7", "--budget", "1e9"], "PP.KK"),
        (["--kota", "18.71.06", "--budget", "1e9"], "PP.KK"),
        (["--kota", "18.70", "--budget", "1e9"], "01-69 (kabupaten) atau 71-99 (kota)"),
        (["--kota", "18.99", "--budget", "1e9"], "tidak ada di penyimpanan"),
        (["--kota", "18.73", "--budget", "1e9"], "baseline kumuh"),
        (["--kota", "18.72", "--budget", "1e9"], "tidak ada RT yang memenuhi syarat"),
        (["--kota", "18.71", "--budget", "1e9", "--weights", "kumuh=1e308,poverty=1e308"], "bobot"),
        (["--kota", "18.71", "--budget", "1e9", "--weights", "kumuh=nan"], "bobot"),
        (["--kota", "18.71", "--budget", "1e9", "--time-limit", "0"], "batas waktu"),
        (["--kota", "18.71", "--kelurahan", KALIAWI, "--budget", "1e9"], "tepat satu"),
        (["--budget", "1e9"], "tepat satu"),
    ],
)
def test_cli_refuses_bad_input_clearly(city_path, capsys, args: list[str], message: str) -> None:
    code, _, err = run(["--store", str(city_path), "rank", *args], capsys)
    assert code == 1, err
    assert message in err
    assert "Traceback" not in err


def test_cli_budget_below_every_rt_says_so(city_path, capsys) -> None:
    code, out, _ = run(["--store", str(city_path), "rank", "--kota", "18.71", "--budget", "1000"], capsys)
    assert code == 0
    assert "lebih kecil dari biaya RT termurah" in out
    assert "Terpilih 0 RT" in out


# --- API -----------------------------------------------------------------------------------------


def test_api_kota_plan_is_optimal_within_budget_and_says_how_sure(client: TestClient) -> None:
    budget = 3_000_000_000
    r = client.get(f"/api/kota/18.71/rank?budget={budget}&limit=10000")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    rows = pd.DataFrame(body["ranking"])
    assert len(rows) == body["ranking_total"] == 20
    chosen = rows[rows["chosen"]]
    assert body["total_cost_idr"] == chosen["cost_idr"].sum() <= budget
    priority = np.where(rows["eligible"], rows["priority"], 0.0)
    assert chosen["priority"].sum() == pytest.approx(
        best_by_brute_force(priority, rows["cost_idr"].to_numpy(), budget), abs=1e-9
    )
    assert body["solver"]["status"] == "optimal"
    assert body["solver"]["gap"] == 0.0
    assert body["solver"]["seconds"] >= 0
    assert "Optimal (terbukti)" in body["solver"]["text"]
    assert (chosen["why"].str.len() > 0).all()
    assert {r["kelurahan_code"] for r in body["kelurahan"]} == {KALIAWI, SECOND}
    assert sum(k["chosen"] for k in body["kelurahan"]) == body["chosen"]
    assert sum(k["cost_idr"] for k in body["kelurahan"]) == body["total_cost_idr"]
    for sens in body["sensitivity"].values():  # RTs named with their kelurahan: labels repeat across kelurahan
        for labels in sens.values():
            assert all(label.endswith(("Kaliawi Persada", SECOND_NAME)) for label in labels)
    assert not {"kk_poor", "decile", "kk_key", "nik"} & set(rows.columns)  # public data only
    assert body["factor_labels"]["kumuh"] == "skor kumuh"
    assert all(row["rt_url"].startswith("/kelurahan/18.71.06.") for row in body["ranking"])


def test_api_draws_exactly_the_chosen_rts(client: TestClient) -> None:
    body = client.get("/api/kota/18.71/rank?budget=4000000000").json()
    features = body["chosen_geojson"]["features"]
    chosen = [r for r in body["ranking"] if r["chosen"]]
    assert len(features) == len(chosen) >= 2
    assert {f["properties"]["rt_url"] for f in features} == {r["rt_url"] for r in chosen}
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)


def test_api_kota_of_one_kelurahan_equals_the_kelurahan_api(client: TestClient) -> None:
    kota = client.get("/api/kota/32.75/rank?budget=2500000000&limit=10000").json()
    kel = client.get(f"/api/kelurahan/{JATIRANGGA}/rank?budget=2500000000").json()
    assert [r["rt_label"] for r in kota["ranking"] if r["chosen"]] == [
        r["rt_label"] for r in kel["ranking"] if r["chosen"]
    ]
    assert kota["total_cost_idr"] == kel["total_cost_idr"]


def test_api_ranking_rows_are_limited_but_chosen_always_shown(client: TestClient) -> None:
    body = client.get("/api/kota/18.71/rank?budget=3000000000&limit=2&sensitivity=false").json()
    chosen = [r for r in body["ranking"] if r["chosen"]]
    assert len(body["ranking"]) == len(chosen) + 2
    assert body["ranking_total"] == 20
    assert body["sensitivity"] is None  # asked not to run it


def test_api_csv_has_the_whole_ranking(client: TestClient) -> None:
    r = client.get("/api/kota/18.71/rank.csv?budget=3000000000")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(r.text))
    assert len(frame) == 20
    assert frame.loc[frame["chosen"], "cost_idr"].sum() <= 3_000_000_000


def test_api_budget_below_every_rt_is_a_message_not_an_error(client: TestClient) -> None:
    body = client.get("/api/kota/18.71/rank?budget=1000&lang=en").json()
    assert body["chosen"] == 0
    assert "smaller than the cheapest eligible RT" in body["message"]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/kota/18.71/rank?budget=0", 400, "lebih dari 0"),
        ("/api/kota/18.71/rank?budget=-5", 400, "lebih dari 0"),
        ("/api/kota/18.71/rank?budget=nan", 400, "'nan'"),
        ("/api/kota/18.71/rank?budget=NaN", 400, "'NaN'"),
        ("/api/kota/18.71/rank?budget=inf", 400, "paling banyak"),
        ("/api/kota/18.71/rank?budget=1e999", 400, "paling banyak"),
        ("/api/kota/18.71/rank?budget=99999999999999999999", 400, "paling banyak"),
        ("/api/kota/18.71/rank?budget=abc", 400, "'abc'"),
        ("/api/kota/18.71/rank?budget=" + "9" * 41, 400, "budget"),
        ("/api/kota/18.71/rank", 400, "budget"),
        ("/api/kota/18.71/rank?budget=1e9&w_kumuh=1e308", 400, "w_kumuh"),
        ("/api/kota/18.71/rank?budget=1e9&w_poverty=inf", 400, "w_poverty"),
        ("/api/kota/18.71/rank?budget=1e9&w_flood=-1", 400, "w_flood"),
        (
            "/api/kota/18.71/rank?budget=1e9&w_kumuh=0&w_poverty=0&w_flood=0&w_population=0&w_strategis=0"
            "&w_kependudukan=0&w_sosial=0",
            400,
            "bobot",
        ),
        ("/api/kota/18.71/rank?budget=1e9&limit=-1", 400, "limit"),
        ("/api/kota/18.71/rank?budget=1e9&limit=99999999", 400, "limit"),
        ("/api/kota/18.71/rank?budget=1e9&time_limit=1e9", 400, "time_limit"),
        ("/api/kota/18.71/rank?budget=1e9&time_limit=nan", 400, "time_limit"),
        ("/api/kota/99.99/rank?budget=1e9", 404, "provinsi"),
        ("/api/kota/18.99/rank?budget=1e9", 404, "tidak ada di penyimpanan"),
        ("/api/kota/abc/rank?budget=1e9", 404, "PP.KK"),
        ("/api/kota/18.71.06.1012/rank?budget=1e9", 404, "PP.KK"),
        ("/api/kota/%3Cscript%3E/rank?budget=1e9", 404, "PP.KK"),
        ("/api/kota/18.73/rank?budget=1e9", 404, "baseline kumuh"),
        ("/api/kota/18.72/rank?budget=1e9", 400, "tidak ada RT yang memenuhi syarat"),
        ("/api/kota/18.71/rank.csv?budget=nan", 400, "'nan'"),
        ("/api/kota/18.99/rank.csv?budget=1e9", 404, "tidak ada di penyimpanan"),
    ],
)
def test_api_refuses_bad_input_clearly(client: TestClient, path: str, status: int, words: str) -> None:
    r = client.get(path + ("&" if "?" in path else "?") + "lang=id")
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    assert words in r.json()["detail"]


@pytest.mark.parametrize(
    ("path", "status"),
    [("/kota/18.71/perencanaan", 200), ("/kota/18.99/perencanaan", 404), ("/kota/x/perencanaan", 404)],
)
def test_planner_page_and_its_errors(client: TestClient, path: str, status: int) -> None:
    r = client.get(path + ("&" if "?" in path else "?") + "lang=id")
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    if status == 200:
        assert "Perencanaan kota: Kota Bandar Lampung" in r.text
        assert 'id="plan-form"' in r.text
        assert "RT terpilih" in r.text  # the legend entry of the chosen RTs
        assert "Kaliawi Persada" in r.text  # kelurahan outlines inlined with their names
    else:
        assert "Traceback" not in r.text


def test_planner_page_in_english(client: TestClient) -> None:
    r = client.get("/kota/18.71/perencanaan?lang=en")
    assert "City planning: Kota Bandar Lampung" in r.text
    assert "Chosen RTs" in r.text


# --- parts kept by data version ------------------------------------------------------------------


def test_a_write_in_one_kelurahan_rebuilds_only_its_part(city_path, city_folder: Path, clone, tmp_path: Path) -> None:
    from geo.importer import import_file
    from geo.planning import planning_table

    store = open_store(clone(city_path))
    built: list[str] = []

    def build(kel, lang):
        built.append(kel.info["kelurahan_code"])
        return planning_table(store, kel.info["kelurahan_code"], public=True, lang=lang, public_table=kel.indicators)

    parts = CityParts(PublicData(store, k=5), build)
    names = {KALIAWI: "Kaliawi Persada", SECOND: SECOND_NAME}
    first, _, _ = parts.table([KALIAWI, SECOND], names, "id")
    assert sorted(built) == [KALIAWI, SECOND]
    parts.table([KALIAWI, SECOND], names, "id")
    assert sorted(built) == [KALIAWI, SECOND]  # nothing changed: nothing rebuilt
    changed = tmp_path / "baseline.csv"
    rows = pd.read_csv(city_folder / f"baseline_{SECOND}.csv", dtype=str)
    rows.loc[0, "2a"] = "999.9"  # one RT's road volume is corrected
    rows.to_csv(changed, index=False)
    import_file(store, "kumuh", changed, hash_key=HASH_KEY, actor="test")
    second, _, _ = parts.table([KALIAWI, SECOND], names, "id")
    assert sorted(built) == [KALIAWI, SECOND, SECOND]  # only the kelurahan written to
    assert not first.equals(second)


def test_public_planning_table_from_the_public_frames_equals_the_one_read_again(city_path) -> None:
    from geo.planning import planning_table

    store = open_store(city_path)
    kel = PublicData(store, k=5).kelurahan(KALIAWI)
    again = planning_table(store, KALIAWI, public=True, k=5)
    reused = planning_table(store, KALIAWI, public=True, k=5, public_table=kel.indicators)
    pd.testing.assert_frame_equal(again, reused, check_dtype=False)


@pytest.mark.parametrize(("text", "code"), [("18.71", "18.71"), ("1871", "18.71"), (" 32.75 ", "32.75")])
def test_kota_codes(text: str, code: str) -> None:
    assert normalize_kota_code(text) == code


@pytest.mark.parametrize("text", ["18", "18.7", "18.711", "18-71", "00.71", "18.00", "18.70", "", None])
def test_bad_kota_codes(text) -> None:
    with pytest.raises(PlaceError):
        normalize_kota_code(text)


def test_other_kotas_are_untouched(client: TestClient) -> None:
    body = client.get("/api/kota/18.71/rank?budget=1e10").json()
    assert not {NOT_SLUM, NO_BASELINE, JATIRANGGA} & {r["kelurahan_code"] for r in body["ranking"]}


def test_city_plans_share_the_sites_rank_gate(client: TestClient) -> None:
    """Two plans already being computed: a third gets 503 with Retry-After at once, not a queue."""
    gate = client.app.state.gates["rank"]
    with gate.admit(), gate.admit():
        r = client.get("/api/kota/18.71/rank?budget=2345678901&lang=id")
    assert r.status_code == 503
    assert "Retry-After" in r.headers
    assert client.get("/api/kota/18.71/rank?budget=2345678901").status_code == 200


# --- the "already served" factor (issue 13) --------------------------------------------------------


def _chosen(body: dict) -> pd.DataFrame:
    rows = pd.DataFrame(body["ranking"])
    return rows[rows["chosen"]]


def test_api_already_served_weight_moves_the_choice_to_unserved_rts(client: TestClient) -> None:
    """Kaliawi Persada's KOTAKU works, KWT gardens and facilities already serve some RTs.  With the
    default weights the city plan picks some of them; asked to favour RTs no programme serves yet,
    the same budget goes to unserved RTs first, and the page's API, CSV and form all take the weight."""
    budget = 3_000_000_000
    plain = client.get(f"/api/kota/18.71/rank?budget={budget}&limit=10000&sensitivity=false").json()
    served = client.get(f"/api/kota/18.71/rank?budget={budget}&limit=10000&sensitivity=false&w_served=100").json()
    before, after = _chosen(plain), _chosen(served)
    assert (before["already_served"] == 1.0).any()  # without the factor, served RTs are chosen
    # with it, every unserved eligible RT ranks above every served one, and more of them are chosen
    ranked = pd.DataFrame(served["ranking"]).query("eligible").sort_values("rank")
    assert ranked["already_served"].is_monotonic_increasing
    assert (ranked["already_served"] == 0.0).any()
    assert (ranked["already_served"] == 1.0).any()
    assert (after["already_served"] == 0.0).sum() > (before["already_served"] == 0.0).sum()
    key = ["kelurahan_code", "unit_number", "rt_number"]
    assert set(map(tuple, before[key].to_numpy())) != set(map(tuple, after[key].to_numpy()))
    csv = pd.read_csv(io.StringIO(client.get(f"/api/kota/18.71/rank.csv?budget={budget}&w_served=100").text))
    assert set(map(tuple, csv.loc[csv["chosen"], key].to_numpy())) == set(map(tuple, after[key].to_numpy()))
    page = client.get("/kota/18.71/perencanaan?lang=id").text
    assert 'name="w_served"' in page
    # the sensitivity moves the top weight (100) by +20 %: still a plan, not "bad weights"
    with_sensitivity = client.get(f"/api/kota/18.71/rank?budget={budget}&w_served=100")
    assert with_sensitivity.status_code == 200, with_sensitivity.text
    assert with_sensitivity.json()["sensitivity_run"] is True


def test_api_already_served_weight_refuses_bad_values(client: TestClient) -> None:
    for value in ("-1", "1e9", "nan", "banyak"):
        r = client.get(f"/api/kota/18.71/rank?budget=1e9&w_served={value}&lang=id")
        assert r.status_code == 400, (value, r.text)
        assert "w_served" in r.json()["detail"]


def test_cli_kota_rank_takes_the_already_served_weight(city_path, tmp_path: Path, capsys) -> None:
    plain_file, served_file = tmp_path / "biasa.csv", tmp_path / "terlayani.csv"
    store = ["--store", str(city_path), "rank", "--kota", "18.71", "--budget", "3000000000"]
    code, _, err = run([*store, "-o", str(plain_file)], capsys)
    assert code == 0, err
    weights = "kumuh=0.35,poverty=0.25,flood=0.15,population=0.1,strategis=0.05,kependudukan=0.05,sosial=0.05"
    weights += ",served=100"
    code, _, err = run([*store, "--weights", weights, "-o", str(served_file)], capsys)
    assert code == 0, err
    plain, served = pd.read_csv(plain_file), pd.read_csv(served_file)
    key = ["kelurahan_code", "unit_number", "rt_number"]
    assert set(map(tuple, plain.loc[plain["chosen"], key].to_numpy())) != set(
        map(tuple, served.loc[served["chosen"], key].to_numpy())
    )
    assert served["chosen"].any()
