"""The registry of data layers.  Adding a layer means adding its module here, explicitly."""

from __future__ import annotations

from geo.errors import NotFoundError
from geo.layers.base import Layer
from geo.layers.boundaries import Boundaries
from geo.layers.facilities import Facilities
from geo.layers.funds import Funds
from geo.layers.gardens import Gardens
from geo.layers.groups import Groups
from geo.layers.households import Households
from geo.layers.infrastructure import Infrastructure
from geo.layers.kumuh import Kumuh
from geo.layers.products import Products
from geo.layers.programmes import Programmes
from geo.layers.proposals import Proposals
from geo.layers.roads import Roads
from geo.schema import TableSpec

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Boundaries(),
        Households(),
        Infrastructure(),
        Gardens(),
        Facilities(),
        Kumuh(),
        Programmes(),
        Groups(),
        Funds(),
        Products(),
        Proposals(),
        Roads(),
    )
}

__all__ = ["LAYERS", "Layer", "all_tables", "get_layer"]


def get_layer(name: str) -> Layer:
    try:
        return LAYERS[name]
    except KeyError:
        raise NotFoundError("layer.unknown", name=name, choices=", ".join(LAYERS)) from None


def all_tables() -> list[TableSpec]:
    return [spec for layer in LAYERS.values() for spec in layer.tables]
