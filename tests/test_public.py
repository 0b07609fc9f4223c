"""Public data built kelurahan by kelurahan or many at once: the same frames either way."""

from __future__ import annotations

import pandas as pd
from geopandas.testing import assert_geodataframe_equal

from geo.public import PublicData, build_kelurahan, build_many
from geo.store import open_store
from tests.conftest import JATIRANGGA, KALIAWI


def test_many_kelurahan_built_together_equal_each_built_alone(demo_source) -> None:
    """A kota's first map builds its kelurahan in one go; each must be exactly what its own page shows."""
    store = open_store(demo_source)
    versions = store.versions([KALIAWI, JATIRANGGA])
    together = build_many(store, versions, k=5)
    assert set(together) == {KALIAWI, JATIRANGGA}
    for code in (KALIAWI, JATIRANGGA):
        alone = build_kelurahan(store, code, k=5, version=versions[code])
        for name in ("kelurahan", "rw", "rt", "works", "gardens", "facilities"):
            assert_geodataframe_equal(getattr(together[code], name), getattr(alone, name), check_like=False)
        pd.testing.assert_frame_equal(together[code].progress, alone.progress)
        assert set(together[code].works["kelurahan_code"]) <= {code}
        fac = [c for c in alone.rt.columns if c.startswith("fac_")]
        assert fac
        assert all(alone.rt[c].sum() > 0 for c in fac)


def test_many_skips_unknown_codes_and_fills_the_cache(demo_source) -> None:
    public = PublicData(open_store(demo_source), k=5)
    got = public.many([KALIAWI, "18.71.01.1999", JATIRANGGA])
    assert [k.info["kelurahan_code"] for k in got] == [KALIAWI, JATIRANGGA]
    assert public.kelurahan(KALIAWI) is got[0]  # cached: a page after the kota map costs nothing
