"""The petakampung command line, as a planner types it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geo.cli import cli
from geo.i18n import h
from geo.store import open_store
from tests.conftest import KALIAWI, ROOT, run

COMMANDS = ["import", "validate", "export", "indicators", "demo", "map", "serve", "kelurahan", "layers", "wilayah"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("id", ["Pemakaian:", "Opsi", "Perintah", "Tampilkan bantuan"]),
        ("en", ["Usage:", "Options", "Commands", "Show this message"]),
    ],
)
def test_main_help_in_both_languages(lang: str, words: list[str], capsys) -> None:
    code, out, _ = run(["--lang", lang, "--help"], capsys)
    assert code == 0
    for word in words:
        assert word in out
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help_in_both_languages(command: str, capsys) -> None:
    _, out_id, _ = run([command, "--help"], capsys)
    _, out_en, _ = run(["--lang", "en", command, "--help"], capsys)
    assert "Pemakaian:" in out_id
    assert "Usage:" in out_en
    assert out_id != out_en
    key = f"cmd.{command}"
    assert h(key, "id") != h(key, "en")
    assert " ".join(h(key, "id").split())[:40] in " ".join(out_id.split())  # its own help, in each language
    assert " ".join(h(key, "en").split())[:40] in " ".join(out_en.split())
    assert cli.commands[command].callback is not None  # a module-level command, built once


def test_usage_errors_are_translated(capsys) -> None:
    code, _, err = run(["import", "boundaries"], capsys)
    assert code == 2
    assert "Kesalahan" in err
    assert "belum diisi" in err
    code, _, err = run(["--lang", "en", "import", "nonsense", "x.csv"], capsys)
    assert code == 2
    assert "Error" in err


def test_indicators_table_and_csv(demo_settings, capsys) -> None:
    store = ["--store", str(demo_settings.store)]
    code, out, _ = run([*store, "indicators", "--kelurahan", KALIAWI], capsys)
    assert code == 0
    assert "RT 003 / LK 001" in out
    assert "JUMLAH" in out
    code, out, _ = run([*store, "indicators", "--kelurahan", KALIAWI, "--format", "csv"], capsys)
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns[:9]) == [
        "kelurahan_code",
        "rt_label",
        "kk_total",
        "kk_poor",
        "poor_share",
        "road_m",
        "drainage_m",
        "wells",
        "garden_m2",
    ]
    assert len(table) == 15
    assert table["kk_total"].sum() == 1500


def test_public_indicators_csv_suppresses(demo_settings, capsys) -> None:
    code, out, err = run(
        ["--store", str(demo_settings.store), "indicators", "--kelurahan", KALIAWI, "--format", "csv", "--public"],
        capsys,
    )
    assert code == 0
    assert "disembunyikan" in err
    table = pd.read_csv(io.StringIO(out))
    counts = table.filter(regex="^kk_").to_numpy(dtype=float)
    assert ((counts >= 5) | pd.isna(counts)).all()
    assert pd.isna(counts).any()  # the demo has small deprivation counts, and they are hidden


def test_unknown_kelurahan_is_a_clear_error(demo_settings, capsys) -> None:
    code, _, err = run(["--store", str(demo_settings.store), "indicators", "--kelurahan", "18.71.06.1099"], capsys)
    assert code == 1
    assert "18.71.06.1099 tidak ada di penyimpanan" in err
    code, _, err = run(["--store", str(demo_settings.store), "indicators", "--kelurahan", "1871"], capsys)
    assert code == 1
    assert "PP.KK.CC.DDDD" in err


def test_missing_store_is_a_clear_error(tmp_path: Path, capsys) -> None:
    code, _, err = run(["--store", str(tmp_path / "none.gpkg"), "kelurahan"], capsys)
    assert code == 1
    assert "belum ada" in err


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_public_export_of_households_holds_only_aggregates(demo_settings, tmp_path: Path, suffix: str, capsys) -> None:
    out_file = tmp_path / f"kk{suffix}"
    code, out, _ = run(["--store", str(demo_settings.store), "export", "households", "-o", str(out_file)], capsys)
    assert code == 0
    assert "publik" in out
    frame = pd.read_csv(out_file) if suffix == ".csv" else pyogrio.read_dataframe(out_file)
    assert not {"kk_key", "decile", "lat", "lon"} & set(frame.columns)
    from geo.store import open_store

    assert len(frame) == len(open_store(demo_settings.store).read("rt"))  # one row per RT, both kelurahan
    counts = frame.filter(regex="^kk_").to_numpy(dtype=float)
    assert ((counts >= 5) | pd.isna(counts)).all()


def test_restricted_export_needs_the_flag(demo_settings, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "kk.gpkg"
    code, out, _ = run(
        ["--store", str(demo_settings.store), "export", "households", "-o", str(out_file), "--restricted"], capsys
    )
    assert code == 0
    assert "TERBATAS" in out
    frame = pyogrio.read_dataframe(out_file, layer="households")
    assert len(frame) == 8400  # the five seeds' KK: 1,500 + 3,600 + 1,100 + 900 + 1,300
    assert "decile" in frame.columns


def test_export_works_geojson_is_rfc7946(demo_settings, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "works.geojson"
    assert (
        run(
            [
                "--store",
                str(demo_settings.store),
                "export",
                "infrastructure",
                "-o",
                str(out_file),
                "--kelurahan",
                KALIAWI,
            ],
            capsys,
        )[0]
        == 0
    )
    doc = json.loads(out_file.read_text())
    assert len(doc["features"]) == 11
    assert "crs" not in doc
    coords = json.dumps(doc["features"][0]["geometry"]["coordinates"])
    assert max(len(c.split(".")[1]) for c in coords.replace("[", "").replace("]", "").split(",")) <= 7


def test_validate_writes_nothing(demo_settings, capsys) -> None:
    before = open_store(demo_settings.store).checksum()
    facilities = ROOT / "data" / "infrastructure" / "facilities_kaliawi_persada.geojson"
    code, out, _ = run(["--store", str(demo_settings.store), "validate", "facilities", str(facilities)], capsys)
    assert code == 0
    assert "lolos validasi" in out
    assert open_store(demo_settings.store).checksum() == before


def test_layers_and_kelurahan_lists(demo_settings, capsys) -> None:
    _, out, _ = run(["layers"], capsys)
    assert "boundaries" in out
    assert "Batas wilayah" in out
    _, out, _ = run(["--store", str(demo_settings.store), "kelurahan"], capsys)
    assert "Kaliawi Persada" in out
    assert "Jatirangga" in out


def test_installed_console_script_and_env_store(demo_settings, tmp_path: Path) -> None:
    """The real `petakampung` executable, with the store from PETAKAMPUNG_STORE."""
    exe = Path(sys.executable).parent / "petakampung"
    env = {**os.environ, "PETAKAMPUNG_STORE": str(demo_settings.store), "PETAKAMPUNG_LANG": "en"}
    done = subprocess.run([str(exe), "kelurahan"], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0
    assert "Jatirangga" in done.stdout
    done = subprocess.run(
        [str(exe), "indicators", "--kelurahan", "bad"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 1
    assert "kelurahan code must look like" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_message_code_used_in_code_has_both_languages() -> None:
    """A message code typed in the code but missing from the catalogue would print as the code."""
    import re

    from geo.i18n import MESSAGES

    used = set()
    for path in (ROOT / "geo").rglob("*.py"):
        used |= set(re.findall(r'"((?:[a-z]+)\.[a-z_]+)"', path.read_text()))
    prefixes = {code.split(".")[0] for code in MESSAGES}
    missing = sorted(
        c
        for c in used
        if c.split(".")[0] in prefixes and c not in MESSAGES and not c.startswith(("cmd.", "opt.", "arg.", "heading."))
    )
    assert missing == []
    assert all(set(entry) == {"id", "en"} for entry in MESSAGES.values())


@pytest.mark.parametrize(
    ("command", "english", "old"), [("report", "--year", "--tahun"), ("import", "--year", "--tahun")]
)
def test_option_names_are_english_and_old_spellings_still_work(command: str, english: str, old: str, capsys) -> None:
    _, out, _ = run(["--lang", "en", command, "--help"], capsys)
    assert english in out
    assert old not in out  # one language in the help
    code, _, err = run([command, old, "tahun-bukan-angka"], capsys)
    assert code == 2  # the old spelling is still an option of the command (its value is checked)
    assert "tidak dikenal" not in err


def test_report_all_years_keeps_its_old_spelling(capsys) -> None:
    _, out, _ = run(["report", "--help"], capsys)
    assert "--all-years" in out
    assert "--semua-tahun" not in out
    code, _, err = run(["report", "--semua-tahun", "--nonsense"], capsys)
    assert code == 2
    assert "--nonsense" in err
    assert "--semua-tahun" not in err
