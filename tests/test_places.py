"""Kemendagri codes and the RT labels people write."""

from __future__ import annotations

import pytest

from geo.errors import PlaceError
from geo.places import RtLabel, normalize_kelurahan_code, parse_rt_label, parse_unit_label, rt_label
from tests.conftest import real_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18.71.06.1012", "18.71.06.1012"),
        ("1871061012", "18.71.06.1012"),
        (" 32.75.10.1004 ", "32.75.10.1004"),
        ("11.01.01.2001", "11.01.01.2001"),
    ],
)
def test_valid_codes_are_normalised(text: str, expected: str) -> None:
    assert normalize_kelurahan_code(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("18.71.6.1012", "code.format"),
        ("18-71-06-1012", "code.format"),
        ("abc", "code.format"),
        ("", "code.format"),
        ("99.71.06.1012", "code.province"),
        ("18.70.06.1012", "code.kabkota"),
        ("18.00.06.1012", "code.kabkota"),
        ("18.71.00.1012", "code.kecamatan"),
        ("18.71.06.5012", "code.desa"),
    ],
)
def test_bad_codes_say_what_is_wrong(text: str, code: str) -> None:
    with pytest.raises(PlaceError) as info:
        normalize_kelurahan_code(text)
    assert info.value.code == code
    assert info.value.message("id") != info.value.message("en")


@pytest.mark.parametrize(
    ("label", "rt", "unit", "unit_type"),
    [
        ("RT020-RW008", 20, 8, "RW"),
        ("RT 39 RW 07", 39, 7, "RW"),
        ("RT01-RW05", 1, 5, "RW"),
        ("RT503-DS03", 503, 3, "Dusun"),
        ("RT 3 Lingkungan 1", 3, 1, "Lingkungan"),
        ("RT 05/LK II", 5, 2, "Lingkungan"),
        ("rt.3 rw.2", 3, 2, "RW"),
        ("RT.03/RW.04", 3, 4, "RW"),
        ("RW 02 RT 05", 5, 2, "RW"),
        ("Lingkungan III RT 7", 7, 3, "Lingkungan"),
        ("RT 003 / RW 012", 3, 12, "RW"),
        ("rt 4 dusun IV", 4, 4, "Dusun"),
        ("RT 12 LK. IX", 12, 9, "Lingkungan"),
        ("003/002", 3, 2, None),
    ],
)
def test_labels_people_write(label: str, rt: int, unit: int, unit_type: str | None) -> None:
    assert parse_rt_label(label) == RtLabel(rt_number=rt, unit_number=unit, unit_type=unit_type)


@pytest.mark.parametrize(
    "label", ["", "Blok C", "RT 3", "RW 5", "RT 0 RW 1", "RT 3 RW 2 RT 4", "RT x RW y", "RT 3 Kampung 2"]
)
def test_unparseable_labels_raise_place_error(label: str) -> None:
    with pytest.raises(PlaceError):
        parse_rt_label(label)


def test_canonical_labels_round_trip() -> None:
    for unit_type in ("RW", "Lingkungan", "Dusun"):
        text = rt_label(7, 12, unit_type)
        assert parse_rt_label(text) == RtLabel(7, 12, unit_type)


def test_unit_labels() -> None:
    assert parse_unit_label("LK II") == (2, "Lingkungan")
    assert parse_unit_label("RW 08") == (8, "RW")
    assert parse_unit_label("3") == (3, None)
    with pytest.raises(PlaceError):
        parse_unit_label("Blok A")


@pytest.mark.realdata
def test_every_real_kelurahan_and_desa_code_validates() -> None:
    """All 83,402 codes of the national boundary set pass the code check."""
    pd = pytest.importorskip("pandas")
    frames = [
        pd.read_parquet(real_data("wilayah-boundaries", name), columns=["kode", "jenis"])
        for name in (
            "indonesia_desa_kelurahan_part1_prov11-51.parquet",
            "indonesia_desa_kelurahan_part2_prov52-96.parquet",
        )
    ]
    codes = pd.concat(frames)
    assert len(codes) == 83_402
    bad = [c for c in codes["kode"] if _fails(c)]
    assert bad == []


def _fails(code: str) -> bool:
    try:
        normalize_kelurahan_code(code)
    except PlaceError:
        return True
    return False


def test_no_message_is_defined_twice() -> None:
    """Two parts of the code giving one message id different words (or parameters) would make one
    of them print a raw '{kota}': every id in geo/i18n.py is defined once."""
    import ast
    from collections import Counter
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parents[1] / "geo" / "i18n.py").read_text(encoding="utf-8"))
    keys: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and node.values and all(isinstance(v, ast.Dict) for v in node.values):
            keys += [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    twice = sorted(k for k, n in Counter(keys).items() if n > 1)
    assert twice == []
