"""petakampung score and petakampung rank on the demo data, as a planner runs them."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyogrio

from tests.conftest import JATIRANGGA, KALIAWI, run


def test_score_table_csv_and_breakdown(demo_settings, capsys) -> None:
    store = ["--store", str(demo_settings.store)]
    code, out, _ = run([*store, "score", "--kelurahan", KALIAWI, "--format", "csv"], capsys)
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert len(table) == 15
    seed = table.set_index("rt_label").loc["RT 003 / LK 001"]
    assert seed["kumuh_total"] < seed["kumuh_total_before"]  # the 2019 works lowered the score
    assert 0 < seed["kontribusi"] <= 1
    code, out, _ = run([*store, "score", "--kelurahan", KALIAWI, "--rt", "RT 3 LK 1"], capsys)
    assert code == 0
    assert "RT 003 / LK 001" in out
    assert "permen-pupr-14-2018" in out
    for crit in ("1a", "2b", "4c", "7b"):
        assert f"\n{crit:>9}" in out or f" {crit} " in out


def test_rank_writes_csv_within_budget(demo_settings, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "plan.csv"
    code, out, _ = run(
        [
            "--store",
            str(demo_settings.store),
            "rank",
            "--kelurahan",
            KALIAWI,
            "--budget",
            "1500000000",
            "-o",
            str(out_file),
        ],
        capsys,
    )
    assert code == 0
    assert "Terpilih" in out
    plan = pd.read_csv(out_file)
    chosen = plan[plan["chosen"]]
    assert 0 < chosen["cost_idr"].sum() <= 1_500_000_000
    assert (chosen["kumuh_total"] >= 16).all()
    assert chosen["why"].str.contains("skor kumuh").any()
    again = tmp_path / "again.csv"
    run(
        [
            "--store",
            str(demo_settings.store),
            "rank",
            "--kelurahan",
            KALIAWI,
            "--budget",
            "1500000000",
            "-o",
            str(again),
        ],
        capsys,
    )
    assert pd.read_csv(again).equals(plan)  # the same inputs, the same plan


def test_rank_gpkg_with_hazard_and_weights(demo_settings, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "plan.gpkg"
    code, out, _ = run(
        [
            "--store",
            str(demo_settings.store),
            "--lang",
            "en",
            "rank",
            "--kelurahan",
            JATIRANGGA,
            "--budget",
            "2500000000",
            "--weights",
            "kumuh=0.3,poverty=0.3,flood=0.4",
            "-o",
            str(out_file),
        ],
        capsys,
    )
    assert code == 0
    assert "Chose" in out
    frame = pyogrio.read_dataframe(out_file, layer="plan")
    assert frame.crs.to_epsg() == 4326
    assert frame["flood_share"].max() > 0.3  # the demo flood raster was found and summarised
    assert frame.loc[frame["chosen"], "why"].str.contains("flood hazard").any()


def test_rank_with_ahp_matrix(demo_settings, tmp_path: Path, capsys) -> None:
    ahp = tmp_path / "ahp.csv"
    ahp.write_text(",kumuh,poverty,flood\nkumuh,1,2,4\npoverty,0.5,1,2\nflood,0.25,0.5,1\n")
    code, _, err = run(
        [
            "--store",
            str(demo_settings.store),
            "rank",
            "--kelurahan",
            KALIAWI,
            "--budget",
            "1000000000",
            "--ahp",
            str(ahp),
        ],
        capsys,
    )
    assert code == 0
    assert "CR = 0.000" in err


def test_rank_errors(demo_settings, capsys) -> None:
    store = ["--store", str(demo_settings.store)]
    code, _, err = run([*store, "rank", "--kelurahan", KALIAWI, "--budget", "0"], capsys)
    assert code == 1
    assert "anggaran harus lebih dari 0" in err
    code, _, err = run([*store, "rank", "--kelurahan", KALIAWI, "--budget", "1e9", "--weights", "cuaca=1"], capsys)
    assert code == 1
    assert "faktor tidak dikenal" in err


def test_unit_costs_change_the_estimate(demo_settings, tmp_path: Path, capsys) -> None:
    store = ["--store", str(demo_settings.store)]
    base, dear = tmp_path / "base.csv", tmp_path / "dear.csv"
    run([*store, "rank", "--kelurahan", KALIAWI, "--budget", "1500000000", "-o", str(base)], capsys)
    costs = tmp_path / "biaya.csv"
    costs.write_text("kriteria,rupiah\n4b,2000000\n4c,1500000\n")
    code, _, _ = run(
        [*store, "rank", "--kelurahan", KALIAWI, "--budget", "1500000000", "--unit-costs", str(costs), "-o", str(dear)],
        capsys,
    )
    assert code == 0
    a, b = pd.read_csv(base).set_index("rt_label"), pd.read_csv(dear).set_index("rt_label")
    needs_drain = a.index[(a["v_4b"] + a["v_4c"]) > 0]
    assert (b.loc[needs_drain, "cost_idr"] > a.loc[needs_drain, "cost_idr"]).all()
    costs.write_text("kriteria,rupiah\n9z,1\n")
    code, _, err = run([*store, "rank", "--kelurahan", KALIAWI, "--budget", "1e9", "--unit-costs", str(costs)], capsys)
    assert code == 1
    assert "9z" in err


def test_score_prints_the_kelurahan_as_one_kawasan(demo_settings, capsys) -> None:
    code, _, err = run(["--store", str(demo_settings.store), "score", "--kelurahan", KALIAWI], capsys)
    assert code == 0
    assert "sebagai satu kawasan" in err
    assert "kontribusi penanganan" in err
