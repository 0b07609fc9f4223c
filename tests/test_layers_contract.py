"""One contract over every registered layer."""

from __future__ import annotations

import pytest

from geo.layers import LAYERS, all_tables, get_layer
from geo.layers.base import Layer

PUBLIC_EXEMPT = {"households"}  # the one layer whose rows are never published


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_contract(name: str, demo_source) -> None:
    layer = get_layer(name)
    assert isinstance(layer, Layer)
    assert layer.name == name
    assert set(layer.title) == {"id", "en"}
    assert layer.title["id"] != ""
    assert layer.style.color.startswith("#")
    from geo.store import open_store

    store = open_store(demo_source)
    frames = {}
    for spec in layer.tables:
        assert set(spec.key) <= set(spec.column_names)
        frame = store.read(spec.name)
        assert len(frame) > 0, f"demo data has no rows in {spec.name}"
        frames[spec.name] = frame
        if spec.is_spatial:
            assert "kelurahan_code" in spec.column_names
            assert frame.crs.to_epsg() == 4326
    published = layer.public(frames)
    assert set(published) <= {s.name for s in layer.tables}
    if name in PUBLIC_EXEMPT:
        assert published == {}
    else:
        assert published


def test_table_names_are_unique() -> None:
    names = [s.name for s in all_tables()]
    assert len(names) == len(set(names))


def test_household_table_is_marked_private() -> None:
    assert [s.name for s in all_tables() if not s.public] == ["households"]
