"""Each planner answer explains itself (issue 12): every RT left out says why, in the situation
that produces that reason, and the weight sensitivity names the RTs that enter and leave.

The cases are built so the answer is known by hand: priority is the slum score alone
(``weights={"kumuh": 1}``: priority = score / 80) and the cost is the volume of one criterion
priced at Rp 1 per unit, so every RT's priority and cost are chosen directly.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from geo.i18n import MESSAGES
from geo.plan_reasons import REASON_CODES, explain, page_texts
from geo.selection import PlanOptions, plan, plan_summary
from tests.city_store import build_city_store
from tests.conftest import HASH_KEY, KALIAWI, run
from web.app import create_app

ONE_RUPIAH = {"2a": 1}
BY_SCORE = PlanOptions(weights={"kumuh": 1.0}, unit_costs=ONE_RUPIAH)


def rt(n: int, score: float, cost: float, *, legal: str = "jelas", rtrw: str = "ya", flood: float = 0.0) -> dict:
    return {
        "rt_label": f"RT {n:03d} / RW 001",
        "unit_number": 1,
        "rt_number": n,
        "kumuh_total": score,
        "kumuh_level_label": "",
        "poor_share": 0.3,
        "flood_share": flood,
        "jumlah_penduduk": 300,
        "nilai_strategis": 1,
        "kependudukan": 1,
        "kondisi_sosial": 1,
        "legalitas_lahan": legal,
        "sesuai_rtrw": rtrw,
        "v_2a": float(cost),
    }


def budget_case() -> pd.DataFrame:
    """Budget Rp 105.  The best set is RT 003 + RT 004 (priority 0.5 + 0.5 = 1.0 for Rp 100):
    RT 002 ranks above both (0.75) but with it only 0.95 fits (RT 002 + RT 005, Rp 80)."""
    return pd.DataFrame(
        [
            rt(1, 80, 150),  # priority 1.0, costs more than the whole budget
            rt(2, 60, 70),  # 0.75: outranks the chosen RTs, displaced by a cheaper combination
            rt(3, 40, 50),  # 0.5, chosen
            rt(4, 40, 50),  # 0.5, chosen
            rt(5, 16, 10),  # 0.2: ranks below every chosen RT, Rp 10 > the Rp 5 left
            rt(6, 70, 5, legal="tidak_jelas"),  # unclear land status: excluded however cheap
            rt(7, 10, 5),  # score 10 < 16: not kumuh
            rt(8, 50, 5, rtrw="tidak"),  # outside the spatial plan
        ]
    )


@pytest.fixture(scope="module")
def budget_plan() -> pd.DataFrame:
    return plan(budget_case(), 105, BY_SCORE, with_sensitivity=False).ranking.set_index("rt_label")


def test_the_expected_rts_are_chosen(budget_plan: pd.DataFrame) -> None:
    chosen = set(budget_plan.index[budget_plan["chosen"]])
    assert chosen == {"RT 003 / RW 001", "RT 004 / RW 001"}


def test_chosen_rts_keep_their_factor_reasons(budget_plan: pd.DataFrame) -> None:
    row = budget_plan.loc["RT 003 / RW 001"]
    assert row["reason_code"] == "chosen"
    assert row["why"].startswith("Terpilih: skor kumuh 40/80")


def test_an_rt_costing_more_than_the_whole_budget_says_so_with_its_cost(budget_plan: pd.DataFrame) -> None:
    row = budget_plan.loc["RT 001 / RW 001"]
    assert row["reason_code"] == "over_budget"
    assert row["why"] == "Biayanya melebihi seluruh anggaran: Rp 150 (anggaran Rp 105)"
    assert row["rank"] == 1  # the highest priority, yet out: the reason is what the planner needs


def test_an_rt_outranking_a_chosen_one_is_displaced_by_a_cheaper_combination(budget_plan: pd.DataFrame) -> None:
    row = budget_plan.loc["RT 002 / RW 001"]
    assert row["reason_code"] == "displaced"
    assert row["why"].startswith("Kombinasi yang lebih murah memberi total prioritas lebih besar: biayanya Rp 70")
    assert "RT 003 / RW 001 dan RT 004 / RW 001" in row["why"]  # the RTs taken in its place


def test_an_rt_below_the_chosen_ones_does_not_fit_the_remaining_budget(budget_plan: pd.DataFrame) -> None:
    row = budget_plan.loc["RT 005 / RW 001"]
    assert row["reason_code"] == "no_room"
    assert row["why"] == "Tidak muat di sisa anggaran: biayanya Rp 10, sisa anggaran setelah RT terpilih Rp 5"


def test_excluded_rts_are_unranked_and_say_which_filter(budget_plan: pd.DataFrame) -> None:
    land = budget_plan.loc["RT 006 / RW 001"]
    assert (land["reason_code"], land["rank"]) == ("excluded_land", 0)  # shown as "-"
    assert land["why"] == "Tidak diberi peringkat, dikecualikan: status lahan tidak jelas"  # no raw "tidak_jelas"
    rtrw = budget_plan.loc["RT 008 / RW 001"]
    assert rtrw["reason_code"] == "excluded_land"
    assert "tidak sesuai RTRW" in rtrw["why"]
    slum = budget_plan.loc["RT 007 / RW 001"]
    assert slum["reason_code"] == "excluded_not_kumuh"
    assert slum["why"] == "Tidak diberi peringkat, dikecualikan: tidak kumuh (skor 10/80, di bawah 16)"


def test_every_rt_has_a_reason_in_english_too() -> None:
    ranking = plan(budget_case(), 105, BY_SCORE, lang="en", with_sensitivity=False).ranking.set_index("rt_label")
    assert (ranking["why"].str.len() > 0).all()
    assert ranking.loc["RT 001 / RW 001", "why"].startswith("Costs more than the whole budget: Rp 150")
    assert ranking.loc["RT 005 / RW 001", "why"].startswith("Does not fit the remaining budget")
    assert ranking.loc["RT 002 / RW 001", "why"].startswith("A cheaper combination gives more total priority")
    assert ranking.loc["RT 007 / RW 001", "why"] == "Not ranked, excluded: not kumuh (score 10/80, below 16)"
    assert ranking.loc["RT 006 / RW 001", "why"] == "Not ranked, excluded: unclear land status"


def test_an_rt_no_weighted_factor_raises_says_priority_zero() -> None:
    options = PlanOptions(weights={"flood": 1.0}, unit_costs=ONE_RUPIAH)
    table = pd.DataFrame([rt(1, 40, 10, flood=0.5), rt(2, 40, 10, flood=0.0)])
    ranking = plan(table, 100, options, with_sensitivity=False).ranking.set_index("rt_label")
    assert ranking.loc["RT 001 / RW 001", "chosen"]
    assert ranking.loc["RT 002 / RW 001", "reason_code"] == "zero_priority"
    assert ranking.loc["RT 002 / RW 001", "why"] == "Prioritas 0: tidak ada faktor berbobot yang menaikkannya"


def test_an_rt_the_search_did_not_reach_says_the_time_limit_stopped_it() -> None:
    """When the solver stopped at its time limit (not proven optimal), an RT that would still fit
    is not said to "not fit": the time limit is named instead."""
    ranked = pd.DataFrame(
        {
            "rt_label": ["RT 001 / RW 001", "RT 002 / RW 001"],
            "chosen": [True, False],
            "eligible": [True, True],
            "priority": [0.6, 0.4],
            "cost_idr": [50.0, 30.0],
            "why": ["skor kumuh 48/80", ""],
        }
    )
    out = explain(ranked, 100, proven=False).set_index("rt_label")
    assert out.loc["RT 002 / RW 001", "reason_code"] == "time_limit"
    assert "Rp 50" in out.loc["RT 002 / RW 001", "why"]  # what is left of the budget


def test_without_filters_the_excluded_rts_compete() -> None:
    options = PlanOptions(weights={"kumuh": 1.0}, unit_costs=ONE_RUPIAH, legal_only=False, slum_only=False)
    ranking = plan(budget_case(), 105, options, with_sensitivity=False).ranking.set_index("rt_label")
    assert not ranking["reason_code"].str.startswith("excluded").any()
    assert ranking.loc["RT 006 / RW 001", "chosen"]  # cheap and high once its land is allowed


def sensitivity_case() -> pd.DataFrame:
    """Room for one of two RTs.  With slum score 0.5 and flood 0.38, RT 001 (score 80, no flood:
    0.568) beats RT 002 (score 48, half flooded: 0.557); flood weighing 20 % more (0.456) turns it
    round (0.523 against 0.552), and so does the slum score weighing 20 % less."""
    return pd.DataFrame([rt(1, 80, 100), rt(2, 48, 100, flood=0.5)])


def test_sensitivity_names_the_rt_that_enters_and_the_one_that_leaves() -> None:
    options = PlanOptions(weights={"kumuh": 0.5, "flood": 0.38}, unit_costs=ONE_RUPIAH)
    result = plan(sensitivity_case(), 100, options)
    assert list(result.ranking.loc[result.ranking["chosen"], "rt_label"]) == ["RT 001 / RW 001"]
    summary = plan_summary(result, options, "id")
    assert summary["sensitivity_text"] == [
        "Bila bobot skor kumuh turun 20 %, RT 002 / RW 001 masuk dan RT 001 / RW 001 keluar.",
        "Bila bobot bahaya banjir naik 20 %, RT 002 / RW 001 masuk dan RT 001 / RW 001 keluar.",
    ]
    english = plan_summary(plan(sensitivity_case(), 100, options, lang="en"), options, "en")
    assert (
        "If flood hazard weighs 20% more, RT 002 / RW 001 enters and RT 001 / RW 001 leaves."
        in (english["sensitivity_text"])
    )
    assert english["weights_effective"]["kumuh"] == pytest.approx(0.5 / 0.88, abs=1e-4)  # the share, not 0.5
    assert result.sensitivity == {
        "kumuh": {"-20%": ["RT 001 / RW 001", "RT 002 / RW 001"]},
        "flood": {"+20%": ["RT 001 / RW 001", "RT 002 / RW 001"]},
    }


def test_a_stable_choice_says_so_and_a_skipped_test_says_nothing() -> None:
    stable = plan(budget_case(), 105, BY_SCORE)
    assert plan_summary(stable, BY_SCORE, "id")["sensitivity_text"] == [
        "Pilihan tidak berubah bila satu bobot mana pun naik atau turun 20 %."
    ]
    skipped = plan(budget_case(), 105, BY_SCORE, with_sensitivity=False)
    summary = plan_summary(skipped, BY_SCORE, "id")
    assert (summary["sensitivity_run"], summary["sensitivity_text"]) == (False, [])


def test_suppressed_poverty_is_said_with_the_real_k_never_a_literal_k() -> None:
    table = budget_case()
    table.loc[table["rt_number"].isin([3, 4]), "poor_share"] = float("nan")  # the chosen two: suppressed
    options = PlanOptions(weights={"poverty": 1.0, "kumuh": 0.1}, unit_costs=ONE_RUPIAH, suppression_k=5)
    ranking = plan(table, 105, options, with_sensitivity=False).ranking
    assert set(ranking.loc[ranking["chosen"], "rt_number"]) == {3, 4}
    why = ranking.loc[ranking["chosen"], "why"]
    assert why.str.contains("disembunyikan (kurang dari 5 KK)", regex=False).all()
    assert not why.str.contains("< k", regex=False).any()
    no_k = plan(table, 105, PlanOptions(weights={"poverty": 1.0}, unit_costs=ONE_RUPIAH), with_sensitivity=False)
    assert not no_k.ranking["why"].str.contains("< k", regex=False).any()


def test_planner_words_exist_in_both_languages() -> None:
    for lang in ("id", "en"):
        texts = page_texts(lang)
        assert texts["rank_dash"].startswith(("Peringkat", "Rank"))
    for key in [k for k in MESSAGES if k.startswith(("reason.", "sens.", "planner."))]:
        assert MESSAGES[key].get("id"), key
        assert MESSAGES[key].get("en"), key


def test_rank_cli_gives_every_rt_a_reason_and_the_sensitivity_in_words(demo_settings, tmp_path, capsys) -> None:
    out_file = tmp_path / "plan.csv"
    store = ["--store", str(demo_settings.store)]
    code, out, _ = run([*store, "rank", "--kelurahan", KALIAWI, "--budget", "1500000000", "-o", str(out_file)], capsys)
    assert code == 0
    table = pd.read_csv(out_file)
    assert table["why"].notna().all()  # every RT, chosen or not, says why
    assert set(table["reason_code"]) <= set(REASON_CODES)
    assert (table.loc[~table["chosen"], "reason_code"] != "chosen").all()
    assert "Bila bobot" in out or "Pilihan tidak berubah" in out  # the sensitivity as a sentence
    assert "Bobot '" not in out  # not the old "Weight 'flood' +20%" line with the raw factor key
    excluded = table.loc[table["reason_code"].str.startswith("excluded"), "rt_label"]
    assert len(excluded) > 0
    for label in excluded:  # rank "-" in the table, the reason on the RT's own line, "-" explained
        assert any(line.strip().startswith(f"- {label}") for line in out.splitlines())
        assert f"{label}: Tidak diberi peringkat, dikecualikan" in out
    assert "Peringkat \u201c-\u201d" in out
    code, out, _ = run([*store, "--lang", "en", "rank", "--kelurahan", KALIAWI, "--budget", "1500000000"], capsys)
    assert code == 0
    assert "If " in out or "The choice stays the same" in out
    assert io.StringIO(out).read().count("Chosen:") >= 1


@pytest.fixture(scope="module")
def site(backend, demo_source, tmp_path_factory) -> TestClient:
    location = build_city_store(backend, demo_source, tmp_path_factory.mktemp("reasons-kota"))
    try:
        yield TestClient(
            create_app(backend.settings(location, tmp_path_factory.mktemp("reasons-site"), hash_key=HASH_KEY.decode()))
        )
    finally:
        backend.drop(location)


def test_kota_api_answers_hitung_first_and_the_sensitivity_on_request(site: TestClient) -> None:
    ask = "/api/kota/18.71/rank?budget=2.500.000.000&w_flood=0.3"
    first = site.get(ask + "&sensitivity=false").json()
    assert (first["sensitivity_run"], first["sensitivity_text"], first["sensitivity"]) == (False, [], None)
    assert all(r["why"] and r["reason_code"] in REASON_CODES for r in first["ranking"])
    assert sum(first["weights_effective"].values()) == pytest.approx(1.0, abs=1e-3)
    assert first["weights_effective"]["flood"] == pytest.approx(0.3 / 1.15, abs=1e-4)
    assert first["factor_labels"]["flood"] == "bahaya banjir"
    asked = site.get(ask + "&sensitivity=true").json()  # the plan kept from the first answer, now tested
    assert asked["sensitivity_run"] is True
    assert asked["sensitivity_text"]
    assert all(s.startswith(("Bila bobot", "Pilihan tidak berubah")) for s in asked["sensitivity_text"])
    assert [r["rt_label"] for r in asked["ranking"] if r["chosen"]] == [
        r["rt_label"] for r in first["ranking"] if r["chosen"]
    ]
    again = site.get(ask + "&sensitivity=false").json()
    assert again["sensitivity"] is None  # a kept plan with its sensitivity still answers what was asked


def test_kelurahan_api_gives_reasons_and_english_sentences(site: TestClient) -> None:
    body = site.get(f"/api/kelurahan/{KALIAWI}/rank?budget=1500000000&sensitivity=false").json()
    assert body["sensitivity_run"] is False
    codes = {r["reason_code"] for r in body["ranking"]}
    assert "chosen" in codes
    assert codes & {"excluded_land", "excluded_not_kumuh"}  # the demo has both kinds of filtered RTs
    for row in body["ranking"]:
        assert (row["rank"] == 0) == row["reason_code"].startswith("excluded")
    assert body["rank_note"].startswith("Peringkat")
    kept = len(site.app.state.kelurahan_plans)
    tested = site.get(f"/api/kelurahan/{KALIAWI}/rank?budget=1500000000&sensitivity=true").json()
    assert len(site.app.state.kelurahan_plans) == kept  # the plan "Hitung" made, reused: not made again
    assert tested["sensitivity_run"] is True
    assert [r["rt_label"] for r in tested["ranking"] if r["chosen"]] == [
        r["rt_label"] for r in body["ranking"] if r["chosen"]
    ]
    english = site.get(f"/api/kelurahan/{KALIAWI}/rank?budget=1500000000&lang=en").json()
    assert english["sensitivity_run"] is True
    assert all(s.startswith(("If ", "The choice stays the same")) for s in english["sensitivity_text"])
    assert all(not r["why"].startswith(("Terpilih", "Tidak")) for r in english["ranking"])


@pytest.mark.parametrize(
    ("path", "words"),
    [
        (f"/api/kelurahan/{KALIAWI}/rank?budget=1500000000&sensitivity=kadang", "sensitivity"),
        ("/api/kota/18.71/rank?budget=5000000000&sensitivity=" + "x" * 5000, "sensitivity"),
        ("/api/kota/18.71/rank?budget=&lang=id", "anggaran harus"),
        (f"/api/kelurahan/{KALIAWI}/rank?budget=&lang=id", "anggaran harus"),
    ],
)
def test_careless_planner_questions_get_a_clear_error(site: TestClient, path: str, words: str) -> None:
    r = site.get(path)
    assert r.status_code == 400
    assert words in r.json()["detail"]
