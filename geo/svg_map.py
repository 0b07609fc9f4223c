"""Small static maps as inline SVG: RT polygons filled by class, roads and facility points.

For pages that must print (A4) and read on a phone without scripts or base-map tiles: the
Rumah DataKu sheet and the Kampung Tangguh gap map.  Geometry is drawn in the UTM zone of the
RTs, so the map is true to scale; north is up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import geopandas as gpd
import numpy as np
import shapely

from geo.layers.base import metric_crs

WIDTH = 640


@dataclass(frozen=True)
class Marker:
    geometry: shapely.Geometry  # EPSG:4326
    title: str
    color: str


def svg_map(
    rt: gpd.GeoDataFrame,
    fills: Sequence[str],
    titles: Sequence[str],
    *,
    roads: gpd.GeoDataFrame | None = None,
    markers: Sequence[Marker] = (),
    hatched: Sequence[bool] | None = None,
    label: str = "",
) -> str:
    """An ``<svg>`` of the RT polygons of ``rt`` (EPSG:4326) with one fill colour and one hover
    title per RT; ``hatched`` RTs get a diagonal hatch over their fill (the gap map's "outside reach")."""
    if rt.empty:
        return ""
    crs = metric_crs(rt)
    rt_m = rt.to_crs(crs)
    x0, y0, x1, y1 = rt_m.total_bounds
    pad = max(x1 - x0, y1 - y0) * 0.02
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    scale = WIDTH / (x1 - x0)
    height = round((y1 - y0) * scale)

    def path(geom: shapely.Geometry) -> str:
        out = []
        for part in shapely.get_parts(geom):
            rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
            for ring in rings:
                xy = np.asarray(ring.coords)
                px, py = (xy[:, 0] - x0) * scale, (y1 - xy[:, 1]) * scale
                pts = " L".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))
                out.append(f"M{pts}" + ("Z" if part.geom_type == "Polygon" else ""))
        return " ".join(out)

    body = [
        '<defs><pattern id="pk-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#b2182b" stroke-width="3"/>'
        "</pattern></defs>"
    ]
    hatched = list(hatched) if hatched is not None else [False] * len(rt_m)
    for geom, fill, title, hatch in zip(rt_m.geometry, fills, titles, hatched, strict=True):
        if geom is None or geom.is_empty:
            continue
        d = path(geom)
        body.append(
            f'<path class="rt" d="{d}" fill="{escape(fill)}" stroke="#555" stroke-width="0.8">'
            f"<title>{escape(title)}</title></path>"
        )
        if hatch:
            body.append(f'<path class="gap" d="{d}" fill="url(#pk-hatch)" fill-opacity="0.55" stroke="none"/>')
    if roads is not None and len(roads):
        box = shapely.box(x0, y0, x1, y1)
        lines = shapely.intersection(roads.to_crs(crs).geometry.to_numpy(), box)
        d = " ".join(path(g) for g in lines if g is not None and not g.is_empty)
        body.append(f'<path class="roads" d="{d}" fill="none" stroke="#444" stroke-width="0.7" opacity="0.6"/>')
    if markers:
        pts = gpd.GeoSeries([m.geometry for m in markers], crs=4326).to_crs(crs)
        for m, p in zip(markers, pts, strict=True):
            cx, cy = (p.x - x0) * scale, (y1 - p.y) * scale
            if 0 <= cx <= WIDTH and 0 <= cy <= height:
                body.append(
                    f'<circle class="fac" cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="{escape(m.color)}" '
                    f'stroke="#fff" stroke-width="1.5"><title>{escape(m.title)}</title></circle>'
                )
    return (
        f'<svg class="pk-svg-map" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


def class_color(value: float | None, colors: Sequence[str], breaks: Sequence[float]) -> str:
    """The colour of ``value`` in classes split at ``breaks``; grey for a missing (suppressed) value."""
    if value is None or value != value:  # NaN
        return "#d9d9d9"
    for color, upper in zip(colors, breaks, strict=False):
        if value < upper:
            return color
    return colors[-1]
